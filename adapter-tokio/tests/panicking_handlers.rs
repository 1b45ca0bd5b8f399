//! A panicking handler or middleware costs the event it was given, nothing more: the socket's
//! later events still reach their handlers (none pile up unhandled behind it). A panicking
//! connect middleware refuses the client.

mod common;

use common::*;
use std::time::Duration;
use volley_tokio::{ConnectError, EventRefused, Options, SocketRef};

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

#[tokio::test]
async fn a_panicking_connect_middleware_refuses_the_client_instead_of_leaving_it_waiting() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/sync")
        .middleware(|_handshake| -> Result<(), ConnectError> { panic!("middleware bug") });
    io.of("/async").middleware(|handshake| async move {
        if handshake.auth_field("token").is_none() {
            panic!("async middleware bug");
        }
        Ok::<(), ConnectError>(())
    });
    io.of("/").on_connection(|socket: SocketRef| ping(&socket));
    let addr = start(io).await;
    for nsp in ["/sync", "/async"] {
        let (mut ws, reply) =
            tokio::time::timeout(Duration::from_secs(5), sio_connect(addr, nsp, None))
                .await
                .expect("an answer within 5 s");
        assert_eq!(
            reply,
            format!(r#"44{nsp},{{"message":"Internal server error"}}"#)
        );
        // The session stays usable, as after any refusal.
        send_sio(&mut ws, "0").await;
        assert!(next_within_5s(&mut ws).await.starts_with("0{\"sid\":"));
    }
}

#[tokio::test]
async fn a_panicking_disconnect_handler_does_not_keep_the_others_from_running() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    io.of("/").on_connection(move |socket: SocketRef| {
        socket.on_disconnecting(|_s, _reason| panic!("disconnecting handler bug"));
        let tx1 = tx.clone();
        socket.on_disconnecting(move |_s, reason| {
            let _ = tx1.send(format!("disconnecting {reason}"));
        });
        socket.on_disconnect(|_s, _reason| panic!("disconnect handler bug"));
        let tx2 = tx.clone();
        socket.on_disconnect(move |_s, reason| {
            let _ = tx2.send(format!("disconnect {reason}"));
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, "1").await;
    for expected in [
        "disconnecting client namespace disconnect",
        "disconnect client namespace disconnect",
    ] {
        let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
        assert_eq!(got.expect("in time").as_deref(), Some(expected));
    }
}
