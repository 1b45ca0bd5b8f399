//! A pending emit-with-ack to one socket settles with `AckError::Disconnected` as soon as the
//! socket disconnects. (The reference keeps the callback until its timeout fires — or forever
//! without one; Volley's documented choice frees the waiter at once.)

mod common;

use common::*;
use std::time::Duration;
use tokio::sync::mpsc;
use volley_tokio::{AckError, Options, SocketRef};

#[tokio::test]
async fn a_pending_ack_settles_disconnected_when_the_client_leaves() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let (tx, mut rx) = mpsc::unbounded_channel();
    io.of("/").on_connection(move |socket: SocketRef| {
        let tx = tx.clone();
        // Far longer than the test waits: only the disconnect can settle it in time.
        let answer = socket
            .timeout(Duration::from_secs(600))
            .emit_with_ack("question", &"anyone?")
            .expect("emit");
        tokio::spawn(async move {
            let _ = tx.send(answer.await.map(|_| ()));
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    assert_eq!(next_sio(&mut ws).await, r#"20["question","anyone?"]"#);
    // The client leaves the namespace without answering.
    send_sio(&mut ws, "1").await;
    let outcome = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("the ack future did not settle")
        .expect("sender alive");
    assert_eq!(outcome, Err(AckError::Disconnected));
}
