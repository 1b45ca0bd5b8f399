//! `Serve::max_connections`: connections past the limit are closed at once, WebSockets count
//! until they end, and a freed slot lets the next client in.

mod common;

use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use volley_tokio::protocol::engine::EngineConfig;

async fn start_limited(max: usize) -> SocketAddr {
    let engine = volley_tokio::engine(EngineConfig::default().path("/engine.io/"));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = volley_tokio::serve(listener, engine).max_connections(max);
    tokio::spawn(async move {
        let _ = serve.await;
    });
    addr
}

/// True once the server closes `stream` without sending anything.
async fn is_closed_at_once(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(WAIT, stream.read(&mut byte)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => false,
        Err(_) => false,
    }
}

/// A handshake, retried while the server frees a slot (the slot goes once the server side
/// of the closed connection is gone, which happens right after the client's close).
async fn handshake_eventually(addr: SocketAddr) -> Resp {
    for _ in 0..50 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let req = format!(
            "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        tokio::io::AsyncWriteExt::write_all(&mut stream, req.as_bytes())
            .await
            .expect("write");
        if let Some(resp) = read_response(&mut stream).await {
            return resp;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no slot was ever freed");
}

#[tokio::test]
async fn connections_past_the_limit_are_closed_and_a_freed_slot_is_reused() {
    let addr = start_limited(2).await;
    let mut websocket = ws(addr, "/engine.io/?EIO=4&transport=websocket").await;
    assert!(next_text(&mut websocket).await.starts_with("0{"));
    // Accepted in order: `silent` takes the second slot before `third` arrives.
    let silent = TcpStream::connect(addr).await.expect("connect");

    let mut third = TcpStream::connect(addr).await.expect("connect");
    assert!(
        is_closed_at_once(&mut third).await,
        "a third connection was kept"
    );

    // The WebSocket still holds its slot after the HTTP upgrade finished.
    let mut fourth = TcpStream::connect(addr).await.expect("connect");
    assert!(
        is_closed_at_once(&mut fourth).await,
        "the upgraded WebSocket stopped counting"
    );

    drop(silent);
    assert_eq!(handshake_eventually(addr).await.status, 200);
    drop(websocket);
}
