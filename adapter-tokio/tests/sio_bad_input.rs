//! Invalid Socket.IO packets close only the client that sent them.

mod common;

use common::*;
use volley_tokio::{Options, SocketRef};

fn echo_server() -> volley_tokio::Io {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, event| {
            let _ = socket.emit_forward("echo", event.forward_args());
        });
    });
    io
}

async fn closed(ws: &mut Ws) {
    loop {
        match next(ws).await {
            None | Some(tokio_tungstenite::tungstenite::Message::Close(_)) => return,
            Some(_) => continue,
        }
    }
}

#[tokio::test]
async fn invalid_packets_close_only_their_client() {
    let addr = start(echo_server()).await;
    let (mut bystander, _) = sio_connect(addr, "/", None).await;
    for bad in [
        "9",                    // unknown packet type
        r#"2"not an array""#,   // EVENT payload not an array
        r#"2[]"#,               // EVENT without a name
        r#"2["disconnect"]"#,   // reserved event name
        r#"2/other,["echo"]"#,  // namespace not joined
        "4{\"message\":\"x\"}", // CONNECT_ERROR from a client
    ] {
        let (mut offender, reply) = sio_connect(addr, "/", None).await;
        assert!(reply.starts_with("40{"), "{reply}");
        send_sio(&mut offender, bad).await;
        closed(&mut offender).await;

        send_sio(&mut bystander, &format!(r#"2["echo",{}]"#, bad.len())).await;
        assert_eq!(
            next_sio(&mut bystander).await,
            format!(r#"2["echo",{}]"#, bad.len())
        );
    }
}

#[tokio::test]
async fn garbage_polling_body_closes_only_that_session() {
    let addr = start(echo_server()).await;
    let (mut bystander, _) = sio_connect(addr, "/", None).await;
    let sid = sid_of(
        &get(addr, "/socket.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let target = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    assert_eq!(post(addr, &target, b"40").await.text(), "ok");
    assert!(get(addr, &target).await.text().starts_with("40{"));
    let _ = post(addr, &target, b"4\x1e\x1e\xff garbage").await;
    // The session is gone (the reference answers 400 to its sid from then on).
    let mut status = 200;
    for _ in 0..3 {
        status = get(addr, &target).await.status;
        if status == 400 {
            break;
        }
    }
    assert_eq!(status, 400);
    send_sio(&mut bystander, r#"2["echo","ok"]"#).await;
    assert_eq!(next_sio(&mut bystander).await, r#"2["echo","ok"]"#);
}
