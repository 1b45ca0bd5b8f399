//! An upload the server refuses while it is still arriving gets its answer even when the
//! client writes its whole request before reading, and a client that keeps sending is still
//! cut off, under async-std and under smol (see volley-tokio's `refused_uploads`).

mod common;
/// The same probes as volley-tokio's (the standalone server is shared).
#[path = "../../adapter-tokio/tests/common/upload_probes.rs"]
mod upload_probes;

use common::*;
use upload_probes::*;
use volley_async_std::protocol::engine::EngineConfig;

fn server(rt: &Rt) -> std::net::SocketAddr {
    start(
        rt,
        rt.engine(
            EngineConfig::default()
                .path("/engine.io/")
                .max_payload(MAX_PAYLOAD),
        ),
    )
}

#[test]
fn a_refused_upload_written_in_one_go_reads_its_answer_and_then_the_end_of_the_stream() {
    for rt in runtimes() {
        let addr = server(&rt);
        for round in 0..3 {
            for (what, status, request) in refused_uploads(addr) {
                let answer = upload_then_read(addr, &request)
                    .unwrap_or_else(|e| panic!("{what} (round {round}, {}): {e}", rt.name()));
                assert_eq!(answer, format!("HTTP/1.1 {status}"), "{what}");
            }
        }
        assert_eq!(get(addr, "/engine.io/?EIO=4&transport=polling").status, 200);
    }
}

#[test]
fn a_client_flooding_or_trickling_after_the_answer_is_cut_off() {
    for rt in runtimes() {
        let addr = server(&rt);
        assert_eq!(flood_after_refusal(addr), "HTTP/1.1 413", "{}", rt.name());
        assert_eq!(trickle_after_refusal(addr), "HTTP/1.1 413", "{}", rt.name());
    }
}
