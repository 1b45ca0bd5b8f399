//! Peers that stall: a WebSocket client that never reads, a POST whose body never arrives.
//! Each is dropped in bounded time without holding up anyone else.

mod common;

use common::*;
use futures_util::SinkExt;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use volley_tokio::protocol::engine::EngineConfig;

#[tokio::test]
async fn a_websocket_client_that_never_reads_is_dropped_by_the_buffer_bound() {
    let addr = start(echo_engine()).await;
    let mut hog = ws(addr, "/engine.io/?EIO=4&transport=websocket").await;
    let message = format!("4{}", "x".repeat(64 * 1024));
    // Every message is echoed; the echoes pile up in the server's buffer for this client
    // (bounded at 4 MiB by default), which closes the session, and then the connection must
    // go too — while the client keeps writing and never reads.
    let mut sent = 0usize;
    let failed = loop {
        match tokio::time::timeout(3 * WAIT, hog.send(Message::text(message.clone()))).await {
            Ok(Ok(())) => sent += 1,
            Ok(Err(e)) => break e,
            Err(_) => panic!("the server neither read nor dropped the connection"),
        }
        assert!(
            sent < 5_000,
            "{} MB sent and the connection is still open",
            sent / 16
        );
    };
    drop(failed);
    assert!(sent >= 32, "dropped after only {sent} messages");
    let open = get(addr, "/engine.io/?EIO=4&transport=polling").await;
    assert_eq!(open.status, 200, "server still accepts handshakes");
}

/// An echo server with a short heartbeat: a request body gets pingInterval + pingTimeout.
fn quick_engine() -> volley_tokio::EngineIo {
    volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .ping_interval(Duration::from_millis(200))
            .ping_timeout(Duration::from_millis(200)),
    )
}

/// Sends a POST head announcing `announced` body bytes plus the first `body` bytes, then
/// keeps trickling one more byte every 50 ms (never reaching `announced`); returns the
/// response the server gives up with.
async fn trickled_post(addr: std::net::SocketAddr, announced: usize, body: &[u8]) -> Option<Resp> {
    let mut stream = start_post(addr, &format!("Content-Length: {announced}")).await;
    stream.write_all(body).await.expect("body");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let read_all = async {
        loop {
            tokio::select! {
                n = stream.read(&mut chunk) => match n {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                },
                _ = tokio::time::sleep(Duration::from_millis(50)) => {
                    // The server may already have closed; a failed write just ends the trickle.
                    let _ = stream.write_all(b"4").await;
                }
            }
        }
    };
    tokio::time::timeout(3 * WAIT, read_all)
        .await
        .expect("the server kept waiting for the body");
    parse_response(&buf)
}

/// A POST in flight keeps the client from sending its pong (one POST at a time), so the
/// session usually ends by ping timeout first, which ends the POST with a 400; otherwise the
/// body deadline (pingInterval + pingTimeout from the head) answers 408. Either way the
/// connection is closed.
fn cut_off(status: Option<u16>) -> bool {
    matches!(status, Some(400 | 408))
}

#[tokio::test]
async fn a_post_body_trickled_forever_is_cut_off() {
    let addr = start(quick_engine()).await;
    let resp = trickled_post(addr, 1_000_000, b"4a").await;
    let status = resp.map(|r| r.status);
    assert!(cut_off(status), "{status:?}");
    assert_eq!(
        get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_content_length_larger_than_the_body_is_cut_off() {
    let addr = start(quick_engine()).await;
    let resp = trickled_post(addr, 100, b"").await;
    let status = resp.map(|r| r.status);
    assert!(cut_off(status), "{status:?}");
}

#[tokio::test]
async fn a_polling_response_the_client_never_reads_is_dropped_after_the_heartbeat_budget() {
    let engine = volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .ping_interval(Duration::from_millis(200))
            .ping_timeout(Duration::from_millis(200))
            .max_buffer(Some(32 << 20)),
    );
    engine.on_message(|engine, sid, message| engine.send(&sid, message));
    let addr = start(engine).await;
    let sid = sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
    // Ten echoes of 900 KB wait for the next GET: more than the socket buffers take (the
    // server's send buffer alone may grow to 4 MiB).
    let big = format!("4{}", "y".repeat(900_000));
    for _ in 0..10 {
        assert_eq!(post(addr, &target, big.as_bytes()).await.status, 200);
    }
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let mut stream = socket.connect(addr).await.expect("connect");
    let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("GET");
    // The client reads nothing for far longer than pingInterval + pingTimeout (400 ms)...
    tokio::time::sleep(Duration::from_secs(2)).await;
    // ...by then the server has given up on the response and closed the connection, so
    // reading ends early instead of receiving 9 MB and then waiting on a keep-alive.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(WAIT, stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection is still open after {WAIT:?}");
    assert!(
        buf.len() < 10 * 900_000,
        "{} bytes: the whole response",
        buf.len()
    );
    assert_eq!(
        get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_broadcast_receiver_that_stops_reading_is_dropped_and_the_others_get_every_packet() {
    use std::sync::{Arc, Mutex};
    use volley_tokio::{Options, SocketRef};

    let reasons = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let seen = reasons.clone();
    let io = volley_tokio::new(
        Options::default()
            .serve_client(false)
            .max_buffer(Some(256 * 1024)),
    );
    io.of("/").on_connection(move |socket: SocketRef| {
        let seen = seen.clone();
        socket.on_disconnect(move |s, reason| {
            seen.lock()
                .unwrap()
                .push((s.id().to_string(), reason.to_string()))
        });
        socket.on("blast", |socket, event| {
            let i: i64 = event.arg(0).expect("tick number");
            let _ = socket.broadcast().emit("tick", &(i, "z".repeat(16 * 1024)));
        });
    });
    let addr = start(io).await;
    let (mut sender, _) = sio_connect(addr, "/", None).await;
    let (mut reader, _) = sio_connect(addr, "/", None).await;
    // The slow one: a tiny receive window, and after joining it reads nothing.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let stream = socket.connect(addr).await.expect("connect");
    let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    let (mut slow, _) = tokio_tungstenite::client_async(url, stream)
        .await
        .expect("slow client");
    assert!(next_text(&mut slow).await.starts_with("0{"));
    send_text(&mut slow, "40").await;
    let joined = next_sio(&mut slow).await;
    let slow_id = joined
        .strip_prefix("0{\"sid\":\"")
        .and_then(|rest| rest.strip_suffix("\"}"))
        .expect("40{\"sid\":…}")
        .to_owned();

    // One tick at a time, each read by the reader before the next: its buffer never holds
    // more than one, while the slow client's fills up.
    let mut ticks = 0u64;
    while !reasons.lock().unwrap().iter().any(|(id, _)| *id == slow_id) {
        assert!(
            ticks < 4_000,
            "64 MB broadcast and the slow client is still connected"
        );
        send_sio(&mut sender, &format!(r#"2["blast",{ticks}]"#)).await;
        let tick = next_sio(&mut reader).await;
        assert!(
            tick.starts_with(&format!(r#"2["tick",{ticks},"zzz"#)),
            "{}",
            &tick[..40.min(tick.len())]
        );
        ticks += 1;
    }
    assert!(ticks > 16, "dropped after only {ticks} ticks");
    let reasons = reasons.lock().unwrap().clone();
    assert_eq!(
        reasons,
        [(slow_id, "transport buffer full".to_owned())],
        "only the slow client left"
    );
    // The others go on.
    send_sio(&mut sender, r#"2["blast",-1]"#).await;
    assert!(next_sio(&mut reader).await.starts_with(r#"2["tick",-1,"#));
}
