//! `socket.data` stays readable while and after a socket leaves, as the reference keeps
//! `socket.data`: disconnecting and disconnect handlers see what the app stored, whatever
//! the reason, and disconnect handlers see what the disconnecting handlers changed.

mod common;

use common::*;
use std::time::Duration;
use tokio::sync::mpsc;
use volley_tokio::{Options, SocketRef};

#[tokio::test]
async fn disconnect_handlers_read_the_data_the_socket_had() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    io.of("/").on_connection(move |socket: SocketRef| {
        let name = socket.handshake().auth_field("name").unwrap_or_default();
        socket.set_data(serde_json::json!({ "user": name }));
        let user = |s: &SocketRef| s.data().map(|d| d["user"].clone()).unwrap_or_default();
        let tx1 = tx.clone();
        socket.on_disconnecting(move |s, reason| {
            let _ = tx1.send(format!("disconnecting {} {reason}", user(&s)));
            s.update_data(|d| d["user"] = format!("{} (gone)", d["user"].as_str().unwrap()).into());
        });
        let tx2 = tx.clone();
        socket.on_disconnect(move |s, reason| {
            let _ = tx2.send(format!("disconnect {} {reason}", user(&s)));
        });
        socket.on("kick me", |socket, _event| socket.disconnect());
    });
    let addr = start(io).await;

    let (mut ws, _) = sio_connect(addr, "/", Some(r#"{"name":"ada"}"#)).await;
    send_sio(&mut ws, "1").await;
    assert_eq!(
        next(&mut rx).await,
        r#"disconnecting "ada" client namespace disconnect"#
    );
    assert_eq!(
        next(&mut rx).await,
        r#"disconnect "ada (gone)" client namespace disconnect"#
    );

    let (mut ws, _) = sio_connect(addr, "/", Some(r#"{"name":"bo"}"#)).await;
    send_sio(&mut ws, r#"2["kick me"]"#).await;
    assert_eq!(
        next(&mut rx).await,
        r#"disconnecting "bo" server namespace disconnect"#
    );
    assert_eq!(
        next(&mut rx).await,
        r#"disconnect "bo (gone)" server namespace disconnect"#
    );

    let (ws, _) = sio_connect(addr, "/", Some(r#"{"name":"cy"}"#)).await;
    drop(ws);
    assert_eq!(next(&mut rx).await, r#"disconnecting "cy" transport close"#);
    assert_eq!(
        next(&mut rx).await,
        r#"disconnect "cy (gone)" transport close"#
    );
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a handler ran")
        .expect("open")
}
