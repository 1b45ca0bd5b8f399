//! The head timeout (`Serve::head_timeout`): a connection that trickles a request head, or
//! sits idle between keep-alive requests, for longer is dropped; one that keeps making
//! requests, waits on a parked long-poll or has switched to WebSocket is not.

#[path = "common/head_probes.rs"]
mod head_probes;

use head_probes::*;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use volley_tokio::protocol::engine::EngineConfig;

const PING_INTERVAL: Duration = Duration::from_millis(1800);

/// An Engine.IO echo on `/engine.io/` with the head timeout [`HEAD_TIMEOUT`].
async fn server() -> SocketAddr {
    let engine = volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .ping_interval(PING_INTERVAL)
            .ping_timeout(Duration::from_secs(60)),
    );
    engine.on_message(|engine, sid, message| engine.send(&sid, message));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = volley_tokio::serve(listener, engine).head_timeout(HEAD_TIMEOUT);
    tokio::spawn(async move {
        let _ = serve.await;
    });
    addr
}

async fn probe(run: fn(SocketAddr)) {
    let addr = server().await;
    tokio::task::spawn_blocking(move || run(addr))
        .await
        .expect("client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_trickled_for_longer_than_the_head_timeout_is_dropped() {
    probe(a_trickled_head_is_dropped).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keep_alive_connection_idle_for_longer_than_the_head_timeout_is_dropped() {
    probe(an_idle_keep_alive_connection_is_dropped).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_making_requests_outlives_the_head_timeout() {
    probe(a_connection_making_requests_stays_open).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parked_long_poll_outlives_the_head_timeout() {
    probe(|addr| a_parked_poll_outlives_the_head_timeout(addr, PING_INTERVAL)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_outlives_the_head_timeout() {
    probe(head_probes::a_websocket_outlives_the_head_timeout).await;
}
