//! Connections that never send a request do not delay new clients.

mod common;

use common::*;
use tokio::net::TcpStream;
use volley_tokio::protocol::engine::EngineConfig;

#[tokio::test]
async fn a_thousand_silent_connections_do_not_block_a_new_handshake() {
    let engine = volley_tokio::engine(EngineConfig::default().path("/engine.io/"));
    let addr = start(engine).await;
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(TcpStream::connect(addr).await.expect("connect"));
    }
    // `get` gives up after WAIT; a stalled accept loop would fail here.
    let open = get(addr, "/engine.io/?EIO=4&transport=polling").await;
    assert_eq!(open.status, 200);
    assert!(open.text().starts_with("0{\"sid\":"));
    drop(idle);
}
