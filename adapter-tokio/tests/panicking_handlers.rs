//! A panicking handler or middleware costs the event it was given, nothing more: the socket's
//! later events still reach their handlers (none pile up unhandled behind it).

mod common;

use common::*;
use std::time::Duration;
use volley_tokio::{EventRefused, Options, SocketRef};

async fn next_within_5s(ws: &mut Ws) -> String {
    tokio::time::timeout(Duration::from_secs(5), next_sio(ws))
        .await
        .expect("an answer within 5 s")
}

fn ping(socket: &SocketRef) {
    socket.on("ping", |_s, mut event| {
        let _ = event.ack(&"pong");
    });
}

#[tokio::test]
async fn events_after_a_panicking_connection_handler_reach_their_handlers() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        ping(&socket);
        if socket.handshake().auth_field("room").is_none() {
            panic!("the app expected a room");
        }
    });
    let addr = start(io).await;
    let (mut ws, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40{\"sid\":"), "{reply}");
    send_sio(&mut ws, r#"21["ping"]"#).await;
    assert_eq!(next_within_5s(&mut ws).await, r#"31["pong"]"#);
}

#[tokio::test]
async fn events_after_a_panicking_handler_or_middleware_reach_their_handlers() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        ping(&socket);
        socket.on("boom", |_s, _event| -> () { panic!("handler bug") });
        socket.middleware(|_s, event| {
            if event.name() == "sync-mw" {
                panic!("middleware bug");
            }
            Ok::<(), EventRefused>(())
        });
        socket.middleware(|_s, event| {
            let panics = event.name() == "async-mw";
            async move {
                if panics {
                    panic!("async middleware bug");
                }
                Ok::<(), EventRefused>(())
            }
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    for (i, name) in ["boom", "sync-mw", "async-mw"].into_iter().enumerate() {
        send_sio(&mut ws, &format!(r#"2["{name}"]"#)).await;
        send_sio(&mut ws, &format!(r#"2{i}["ping"]"#)).await;
        assert_eq!(
            next_within_5s(&mut ws).await,
            format!(r#"3{i}["pong"]"#),
            "after {name}"
        );
    }
}
