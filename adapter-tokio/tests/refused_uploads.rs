//! An upload the server refuses while it is still arriving (a chunk extension past hyper's
//! limit, a body past maxPayload) gets its answer even when the client writes its whole
//! request before reading: the server shuts down its side and drops the rest of the input for
//! a bounded time instead of resetting the connection. A client that keeps sending is still
//! cut off.

mod common;
#[path = "common/upload_probes.rs"]
mod upload_probes;

use common::*;
use upload_probes::*;
use volley_tokio::protocol::engine::EngineConfig;

async fn server() -> std::net::SocketAddr {
    start(volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .max_payload(MAX_PAYLOAD),
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_upload_written_in_one_go_reads_its_answer_and_then_the_end_of_the_stream() {
    let addr = server().await;
    tokio::task::spawn_blocking(move || {
        for round in 0..3 {
            for (what, status, request) in refused_uploads(addr) {
                let answer = upload_then_read(addr, &request)
                    .unwrap_or_else(|e| panic!("{what} (round {round}): {e}"));
                assert_eq!(answer, format!("HTTP/1.1 {status}"), "{what}");
            }
        }
    })
    .await
    .expect("client");
    assert_eq!(
        get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_flooding_after_the_answer_is_cut_off() {
    let addr = server().await;
    let answer = tokio::task::spawn_blocking(move || flood_after_refusal(addr))
        .await
        .expect("client");
    assert_eq!(answer, "HTTP/1.1 413");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_after_the_answer_is_cut_off() {
    let addr = server().await;
    let answer = tokio::task::spawn_blocking(move || trickle_after_refusal(addr))
        .await
        .expect("client");
    assert_eq!(answer, "HTTP/1.1 413");
}
