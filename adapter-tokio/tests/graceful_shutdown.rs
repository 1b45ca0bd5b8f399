//! Graceful shutdown: stop accepting, disconnect everyone with `server shutting down`, finish
//! within the deadline.

mod common;

use common::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use volley_tokio::{Options, SocketRef};

#[tokio::test]
async fn shutdown_disconnects_clients_with_the_reason_and_returns() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let seen = reasons.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let seen = seen.clone();
        socket.on_disconnect(move |_s, reason| seen.lock().unwrap().push(reason.to_string()));
    });
    let (addr, stop_tx, server) = serve_until_stopped(io, Duration::from_secs(5)).await;

    let (mut ws, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40"), "{reply}");
    stop_tx.send(()).expect("signal");

    // The client is told the session is over and the connection ends.
    loop {
        match next(&mut ws).await {
            None => break,
            Some(tokio_tungstenite::tungstenite::Message::Close(_)) => break,
            Some(_) => continue,
        }
    }
    let result = tokio::time::timeout(WAIT, server)
        .await
        .expect("server returned in time");
    result.expect("task").expect("serve ok");
    assert_eq!(reasons.lock().unwrap().as_slice(), ["server shutting down"]);
    // No longer accepting.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
