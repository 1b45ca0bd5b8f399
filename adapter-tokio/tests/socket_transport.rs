//! `SocketRef::transport` and `on_upgrade` through a polling client's upgrade, and
//! `SocketRef::join_many`,
//! over real HTTP and WebSockets with a raw client.

mod common;

use common::*;
use volley_tokio::{Io, Options, SocketRef, TransportKind};

fn server() -> Io {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("which", |socket, _event| {
            let _ = socket.emit("transport", &socket.transport().map(TransportKind::as_str));
        });
        socket.on_upgrade(|socket| {
            let _ = socket.emit("upgraded", &socket.transport().map(TransportKind::as_str));
        });
    });
    io
}

#[tokio::test]
async fn transport_is_polling_until_the_client_upgrades_which_on_upgrade_hears() {
    let addr = start(server()).await;
    let path = "/socket.io/?EIO=4&transport=polling";
    let sid = sid_of(&get(addr, path).await.text());
    let polling = format!("{path}&sid={sid}");
    assert_eq!(post(addr, &polling, b"40").await.status, 200);
    assert!(get(addr, &polling).await.text().starts_with("40{"));
    assert_eq!(post(addr, &polling, br#"42["which"]"#).await.status, 200);
    assert_eq!(
        get(addr, &polling).await.text(),
        r#"42["transport","polling"]"#
    );

    let mut ws = ws(
        addr,
        &format!("/socket.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await;
    send_text(&mut ws, "2probe").await;
    assert_eq!(next_text(&mut ws).await, "3probe");
    send_text(&mut ws, "5").await;
    assert_eq!(next_sio(&mut ws).await, r#"2["upgraded","websocket"]"#);
    send_sio(&mut ws, r#"2["which"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["transport","websocket"]"#);
}

#[tokio::test]
async fn transport_of_a_websocket_first_client_is_websocket() {
    let addr = start(server()).await;
    let (mut ws, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40{"), "{reply}");
    send_sio(&mut ws, r#"2["which"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["transport","websocket"]"#);
}

#[tokio::test]
async fn join_many_joins_every_room_and_broadcasts_reach_the_socket_in_each() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.join_many(["a", "b"]);
        socket.join_many(vec![String::from("c")]);
        let mut rooms: Vec<String> = socket.rooms()[1..].iter().map(|r| r.to_string()).collect();
        rooms.sort();
        let _ = socket.emit("rooms", &rooms);
    });
    let addr = start(io.clone()).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["rooms",["a","b","c"]]"#);
    let _ = io.to("b").emit("to b", &());
    assert_eq!(next_sio(&mut ws).await, r#"2["to b"]"#);
}
