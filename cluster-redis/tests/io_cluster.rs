//! Two servers built with the user API joined through a real redis-server, on tokio
//! (volley-tokio) and on async-std (volley-async-std, the adapter's smol-family runtime):
//! server-side emits with acks answered through the event's ack, the timeout when a node does
//! not answer, and all rooms.

mod common;

use common::{free_port, two_nodes, RedisServer};
use std::time::Duration;
use volley_tokio::{ClusterError, Io, Options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_emit_with_ack_is_answered_by_the_other_node_or_times_out_on_tokio() {
    emit_with_ack_across_two_nodes(volley_tokio::new).await;
}

#[async_std::test]
async fn server_side_emit_with_ack_is_answered_by_the_other_node_or_times_out_on_async_std() {
    emit_with_ack_across_two_nodes(volley_async_std::new).await;
}

async fn emit_with_ack_across_two_nodes(new: fn(Options) -> Io) {
    let redis = RedisServer::start(free_port());
    let (a, b) = two_nodes(&redis.url(), new).await;

    b.of("/").on_server_side_emit(|mut event| {
        if event.name() == "ping" {
            let n: u32 = event.arg(0).unwrap_or_default();
            let _ = event.ack(&format!("pong-{n}"));
        }
    });

    let replies = a
        .of("/")
        .server_side_emit_with_ack("ping", &7, Duration::from_secs(3))
        .unwrap()
        .await
        .expect("node b answers");
    let answers: Vec<String> = replies.iter().map(|r| r.arg(0).unwrap()).collect();
    assert_eq!(answers, ["pong-7"]);

    let silent = a
        .of("/")
        .server_side_emit_with_ack("silence", &(), Duration::from_millis(300))
        .unwrap()
        .await;
    assert_eq!(silent.unwrap_err(), ClusterError::Timeout);

    let rooms = a.of("/").all_rooms().await;
    assert_eq!(
        rooms,
        Ok(Vec::new()),
        "both nodes answered: no rooms anywhere"
    );
}
