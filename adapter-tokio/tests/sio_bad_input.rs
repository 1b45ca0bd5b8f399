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

#[tokio::test]
async fn hostile_packets_close_only_their_client() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let addr = start(echo_server()).await;
    let (mut bystander, _) = sio_connect(addr, "/", None).await;
    let placeholder = r#"{"_placeholder":true,"num":0}"#;
    let many_placeholders: Vec<String> = (0..5000)
        .map(|i| format!(r#"{{"_placeholder":true,"num":{i}}}"#))
        .collect();
    let text = |t: String| Message::text(format!("4{t}"));
    let cases: Vec<(&str, Vec<Message>)> = vec![
        (
            "a billion attachments announced",
            vec![text(format!(r#"51000000000-["echo",{placeholder}]"#))],
        ),
        (
            "5 MB of small attachments (past the 4 MiB bound)",
            std::iter::once(text(format!(
                r#"55000-["echo",{}]"#,
                many_placeholders.join(",")
            )))
            .chain((0..5000).map(|_| Message::binary(vec![7u8; 1000])))
            .collect(),
        ),
        (
            "an attachment nobody announced",
            vec![Message::binary(vec![1u8, 2, 3])],
        ),
        (
            "an ack id past u64",
            vec![text(r#"218446744073709551616["echo"]"#.into())],
        ),
        ("a negative ack id", vec![text(r#"2-1["echo"]"#.into())]),
        (
            "JSON nested 10,000 deep",
            vec![text(format!(
                r#"2["echo",{}{}]"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            ))],
        ),
    ];
    for (name, frames) in cases {
        let (mut offender, reply) = sio_connect(addr, "/", None).await;
        assert!(reply.starts_with("40{"), "{name}: {reply}");
        for frame in frames {
            // The server may close before everything is sent.
            if offender.send(frame).await.is_err() {
                break;
            }
        }
        closed(&mut offender).await;
        send_sio(&mut bystander, &format!(r#"2["echo","{name}"]"#)).await;
        assert_eq!(
            next_sio(&mut bystander).await,
            format!(r#"2["echo","{name}"]"#)
        );
    }
}

#[tokio::test]
async fn a_hundred_thousand_element_array_is_an_ordinary_event() {
    let addr = start(echo_server()).await;
    let (mut client, _) = sio_connect(addr, "/", None).await;
    let array = vec!["1"; 100_000].join(",");
    let packet = format!(r#"2["echo",[{array}]]"#);
    send_sio(&mut client, &packet).await;
    assert_eq!(next_sio(&mut client).await, packet);
}

#[tokio::test]
async fn ten_megabytes_of_json_whitespace_under_max_payload_is_an_ordinary_event() {
    let io = volley_tokio::new(Options::default().serve_client(false).max_payload(16 << 20));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, event| {
            let _ = socket.emit_forward("echo", event.forward_args());
        });
    });
    let addr = start(io).await;
    let (mut bystander, _) = sio_connect(addr, "/", None).await;
    let space = " \n\t\r".repeat(5 << 18); // 5 MiB, twice in each packet
                                           // Over WebSocket, one frame.
    let (mut client, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut client, &format!(r#"2[{space}"echo",{space}"ws"]"#)).await;
    assert_eq!(next_sio(&mut client).await, r#"2["echo","ws"]"#);
    // Over polling, one POST.
    let sid = sid_of(
        &get(addr, "/socket.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let target = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    assert_eq!(post(addr, &target, b"40").await.text(), "ok");
    assert!(get(addr, &target).await.text().starts_with("40{"));
    let body = format!(r#"42["echo",{space}"polling"{space}]"#);
    assert_eq!(post(addr, &target, body.as_bytes()).await.text(), "ok");
    assert_eq!(get(addr, &target).await.text(), r#"42["echo","polling"]"#);
    send_sio(&mut bystander, r#"2["echo","ok"]"#).await;
    assert_eq!(next_sio(&mut bystander).await, r#"2["echo","ok"]"#);
}
