//! Typed handlers take arguments as a JavaScript function does: `()` (or a unit struct) for
//! an event without arguments, whatever the client sends along; an `Option` the client left
//! out is `None`, as such a parameter is `undefined` in JavaScript.

mod common;

use common::*;
use volley_tokio::{Options, SocketRef};

#[derive(serde::Deserialize)]
struct Ping;

#[tokio::test]
async fn unit_handlers_are_called_with_or_without_arguments() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on_args("ready", |_s, (): (), ack| {
            if let Some(ack) = ack {
                let _ = ack.send(&"ready");
            }
        });
        socket.on_args("ping", |_s, Ping, ack| {
            if let Some(ack) = ack {
                let _ = ack.send(&"pong");
            }
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"21["ready"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"31["ready"]"#);
    send_sio(&mut ws, r#"22["ready",1,{"a":null}]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"32["ready"]"#);
    send_sio(&mut ws, r#"23["ping"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"33["pong"]"#);
    // Binary arguments too (a binary event goes through the decoder's full check first).
    send_sio(&mut ws, r#"51-4["ready",{"_placeholder":true,"num":0}]"#).await;
    use futures_util::SinkExt;
    let attachment = tokio_tungstenite::tungstenite::Message::binary(vec![1u8, 2]);
    ws.send(attachment).await.expect("send");
    assert_eq!(next_sio(&mut ws).await, r#"34["ready"]"#);
}

#[tokio::test]
async fn arguments_the_client_left_out_are_none() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on_args(
            "join",
            |_s, (room, password): (String, Option<String>), ack| {
                if let Some(ack) = ack {
                    let _ = ack.send(&(room, password.is_some()));
                }
            },
        );
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"21["join","lobby"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"31["lobby",false]"#);
    send_sio(&mut ws, r#"22["join","vip","s3cret"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"32["vip",true]"#);
}
