//! `socket.rooms()` while and after a socket leaves, as in the reference: disconnecting
//! handlers see the rooms it is still in (and the room's sockets include it, it is still
//! connected), disconnect handlers see none (it left them all).

mod common;

use common::*;
use std::time::Duration;
use tokio::sync::mpsc;
use volley_tokio::{Options, SocketRef};

fn rooms(s: &SocketRef) -> String {
    let mut rooms: Vec<String> = s
        .rooms()
        .iter()
        .filter(|r| r.as_str() != s.id().as_str())
        .map(|r| r.as_str().to_owned())
        .collect();
    rooms.sort();
    format!(
        "{} own={} in_a={} connected={}",
        rooms.join(","),
        s.rooms().iter().any(|r| r == s.id().as_str()),
        s.nsp().to("a").fetch_sockets().len(),
        s.connected()
    )
}

#[tokio::test]
async fn disconnect_handlers_see_no_rooms_whatever_the_reason() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    io.of("/").on_connection(move |socket: SocketRef| {
        socket.join_many(["a", "b"]);
        let tx1 = tx.clone();
        socket.on_disconnecting(move |s, reason| {
            let _ = tx1.send(format!("disconnecting {reason}: {}", rooms(&s)));
        });
        let tx2 = tx.clone();
        socket.on_disconnect(move |s, reason| {
            let _ = tx2.send(format!("disconnect {reason}: {}", rooms(&s)));
        });
        socket.on("kick me", |socket, _event| socket.disconnect());
    });
    let addr = start(io).await;

    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, "1").await;
    assert_eq!(
        [recv(&mut rx).await, recv(&mut rx).await],
        [
            "disconnecting client namespace disconnect: a,b own=true in_a=1 connected=true",
            "disconnect client namespace disconnect:  own=false in_a=0 connected=false",
        ]
    );
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["kick me"]"#).await;
    assert_eq!(
        [recv(&mut rx).await, recv(&mut rx).await],
        [
            "disconnecting server namespace disconnect: a,b own=true in_a=1 connected=true",
            "disconnect server namespace disconnect:  own=false in_a=0 connected=false",
        ]
    );
    let (ws, _) = sio_connect(addr, "/", None).await;
    drop(ws);
    assert_eq!(
        [recv(&mut rx).await, recv(&mut rx).await],
        [
            "disconnecting transport close: a,b own=true in_a=1 connected=true",
            "disconnect transport close:  own=false in_a=0 connected=false",
        ]
    );
}

async fn recv(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a handler ran")
        .expect("open")
}
