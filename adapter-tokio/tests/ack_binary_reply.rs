//! An acknowledgement carrying binary, read with `AckReply::values`/`binary`, from a raw
//! WebSocket client.

mod common;

use common::*;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;
use volley_tokio::{Io, Options, SocketRef, Value};

#[tokio::test]
async fn a_binary_ack_reads_as_values_with_the_bytes_and_as_attachments() {
    let io: Io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| async move {
        let Ok(reply) = socket.emit_with_ack("thumbnail?", &()).expect("emit").await else {
            return;
        };
        let values = reply.values().expect("values");
        let described: Vec<String> = values
            .iter()
            .map(|v| match v {
                Value::Binary(b) => format!("binary {:?}", &b[..]),
                other => format!("{other:?}"),
            })
            .collect();
        let sizes: Vec<usize> = reply.binary().iter().map(|b| b.len()).collect();
        let _ = socket.emit("got", &(described, sizes));
    });
    let addr = start(io).await;
    let (mut ws, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40{"), "{reply}");
    assert_eq!(next_sio(&mut ws).await, r#"20["thumbnail?"]"#);
    send_sio(&mut ws, r#"61-0[{"_placeholder":true,"num":0},"caption"]"#).await;
    ws.send(Message::binary(vec![1u8, 2, 3]))
        .await
        .expect("send");
    assert_eq!(
        next_sio(&mut ws).await,
        r#"2["got",["binary [1, 2, 3]","String(\"caption\")"],[3]]"#
    );
}
