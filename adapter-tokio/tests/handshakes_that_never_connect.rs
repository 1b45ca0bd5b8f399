//! Thousands of Engine.IO handshakes that never join a namespace: each session is closed by
//! connectTimeout (polling and WebSocket alike), so they cannot pile up, and a client that
//! did connect keeps being served through all of it.

mod common;

use common::*;
use futures_util::StreamExt;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use volley_tokio::{Options, SocketRef};

const POLLING: usize = 2_000;
const WEBSOCKETS: usize = 200;

#[tokio::test]
async fn sessions_that_never_connect_are_closed_by_connect_timeout() {
    let io = volley_tokio::new(
        Options::default()
            .serve_client(false)
            .connect_timeout(Duration::from_millis(300)),
    );
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, event| {
            let _ = socket.emit_forward("echo", event.forward_args());
        });
    });
    let addr = start(io).await;
    let (mut good, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40{"), "{reply}");

    // 2,000 polling handshakes pipelined on one keep-alive connection.
    let one = format!("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = stream.split();
    let write = async {
        for _ in 0..POLLING {
            wr.write_all(one.as_bytes()).await.expect("write");
        }
    };
    let read = async {
        let mut text = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        while count(&text, b"0{\"sid\":\"") < POLLING {
            let n = tokio::time::timeout(WAIT, rd.read(&mut chunk))
                .await
                .expect("handshakes answered")
                .expect("read");
            assert!(
                n > 0,
                "closed after {} handshakes",
                count(&text, b"0{\"sid\":\"")
            );
            text.extend_from_slice(&chunk[..n]);
        }
        text
    };
    let ((), text) = tokio::join!(write, read);
    let text = String::from_utf8(text).expect("text");
    let sids: Vec<String> = text
        .match_indices("0{\"sid\":\"")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            rest[..rest.find('"').expect("end of sid")].to_owned()
        })
        .collect();
    assert_eq!(sids.len(), POLLING);

    // 200 WebSocket sessions that read their open packet and say nothing more.
    let mut silent = Vec::new();
    for _ in 0..WEBSOCKETS {
        let mut ws = ws(addr, "/socket.io/?EIO=4&transport=websocket").await;
        assert!(next_text(&mut ws).await.starts_with("0{"));
        silent.push(ws);
    }
    send_sio(&mut good, r#"2["echo","amid the crowd"]"#).await;
    assert_eq!(next_sio(&mut good).await, r#"2["echo","amid the crowd"]"#);

    // Every silent WebSocket is closed by the server.
    for ws in &mut silent {
        closed_by_server(ws).await;
    }
    // Every polling session is over: its next poll gets the close packet (the session waits
    // for it) or, once that was delivered, 400 Session ID unknown.
    for sid in sids.iter().step_by(50) {
        let target = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
        let first = get(addr, &target).await;
        if first.status == 200 {
            assert!(
                first.text().split('\x1e').any(|p| p == "1"),
                "{}",
                first.text()
            );
        }
        let later = get(addr, &target).await;
        assert_eq!(
            (later.status, later.text()),
            (
                400,
                r#"{"code":1,"message":"Session ID unknown"}"#.to_owned()
            )
        );
    }
    send_sio(&mut good, r#"2["echo","still here"]"#).await;
    assert_eq!(next_sio(&mut good).await, r#"2["echo","still here"]"#);
}

/// Waits for the server to close `ws` (a close frame or the end of the stream).
async fn closed_by_server(ws: &mut Ws) {
    let end = tokio::time::timeout(WAIT, async {
        while let Some(Ok(msg)) = ws.next().await {
            if msg.is_close() {
                return;
            }
        }
    })
    .await;
    assert!(
        end.is_ok(),
        "a silent WebSocket is still open after {WAIT:?}"
    );
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[tokio::test]
async fn max_sessions_refuses_handshakes_past_it_until_silent_sessions_are_closed() {
    const MAX: usize = 20;
    let io = volley_tokio::new(
        Options::default()
            .serve_client(false)
            .connect_timeout(Duration::from_millis(300))
            .max_sessions(Some(MAX)),
    );
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, event| {
            let _ = socket.emit_forward("echo", event.forward_args());
        });
    });
    let addr = start(io).await;
    let (mut good, _) = sio_connect(addr, "/", None).await;
    let mut silent = Vec::new();
    for _ in 1..MAX {
        let mut ws = ws(addr, "/socket.io/?EIO=4&transport=websocket").await;
        assert!(next_text(&mut ws).await.starts_with("0{"));
        silent.push(ws);
    }
    let full = get(addr, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(
        (full.status, full.text()),
        (
            503,
            r#"{"code":4,"message":"Too many sessions"}"#.to_owned()
        )
    );
    let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status().as_u16(), 503)
        }
        other => panic!("expected a 503, got {other:?}"),
    }
    send_sio(&mut good, r#"2["echo","full house"]"#).await;
    assert_eq!(next_sio(&mut good).await, r#"2["echo","full house"]"#);

    // connectTimeout closes the silent ones, and their places are free again.
    for ws in &mut silent {
        closed_by_server(ws).await;
    }
    let mut status = 0;
    for _ in 0..50 {
        status = get(addr, "/socket.io/?EIO=4&transport=polling")
            .await
            .status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
}
