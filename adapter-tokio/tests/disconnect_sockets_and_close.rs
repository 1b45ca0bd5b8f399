//! `disconnect_sockets_and_close` (the reference's `disconnectSockets(true)`): the selected
//! sockets leave and their clients' connections close, taking the clients' sockets in other
//! namespaces with them; `disconnect_sockets` leaves the connections and other namespaces be.

mod common;

use common::*;
use volley_tokio::{Options, SocketRef};

fn app() -> volley_tokio::Io {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let io2 = io.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        if socket.handshake().auth_field("ban").is_some() {
            socket.join("banned");
        }
        let io = io2.clone();
        socket.on("kick", move |_socket, mut event| {
            let close: bool = event.arg(0).unwrap_or(false);
            if close {
                io.to("banned").disconnect_sockets_and_close();
            } else {
                io.to("banned").disconnect_sockets();
            }
            let _ = event.ack(&"done");
        });
    });
    io.of("/a").on_connection(|socket: SocketRef| {
        socket.on("echo", |_socket, mut event| {
            let _ = event.ack(&"a is here");
        });
    });
    io
}

/// A client on `/` (in room `banned`) and `/a` over one connection.
async fn banned_client(addr: std::net::SocketAddr) -> Ws {
    let (mut ws, reply) = sio_connect(addr, "/", Some(r#"{"ban":true}"#)).await;
    assert!(reply.starts_with("40{"), "{reply}");
    send_sio(&mut ws, "0/a,").await;
    assert!(next_sio(&mut ws).await.starts_with("0/a,{"));
    ws
}

#[tokio::test]
async fn closing_variant_ends_the_connection_and_its_other_namespaces() {
    let addr = start(app()).await;
    let mut banned = banned_client(addr).await;
    let (mut admin, _) = sio_connect(addr, "/", None).await;

    send_sio(&mut admin, r#"21["kick",true]"#).await;
    assert_eq!(next_sio(&mut admin).await, r#"31["done"]"#);
    let mut seen = vec![next_sio(&mut banned).await, next_sio(&mut banned).await];
    seen.sort();
    assert_eq!(seen, ["1", "1/a,"]);
    assert!(closes_within_5s(&mut banned).await);

    // The admin, not in the room, is untouched.
    send_sio(&mut admin, r#"22["kick",true]"#).await;
    assert_eq!(next_sio(&mut admin).await, r#"32["done"]"#);
}

#[tokio::test]
async fn plain_variant_keeps_the_connection_and_other_namespaces() {
    let addr = start(app()).await;
    let mut banned = banned_client(addr).await;
    let (mut admin, _) = sio_connect(addr, "/", None).await;

    send_sio(&mut admin, r#"21["kick",false]"#).await;
    assert_eq!(next_sio(&mut admin).await, r#"31["done"]"#);
    assert_eq!(next_sio(&mut banned).await, "1");
    send_sio(&mut banned, r#"2/a,5["echo"]"#).await;
    assert_eq!(next_sio(&mut banned).await, r#"3/a,5["a is here"]"#);
}
