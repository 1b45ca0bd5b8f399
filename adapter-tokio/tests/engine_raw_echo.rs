//! Raw Engine.IO mode over real sockets: handshake, polling echo, WebSocket echo, upgrade.

mod common;

use common::*;
use futures_util::SinkExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use volley_tokio::protocol::engine::{EngineConfig, Message as EioMessage};

fn echo_engine() -> volley_tokio::EngineIo {
    let engine = volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .ping_interval(Duration::from_millis(300))
            .ping_timeout(Duration::from_millis(200)),
    );
    engine.on_message(|engine, sid, message: EioMessage| engine.send(&sid, message));
    engine
}

#[tokio::test]
async fn polling_handshake_then_echo_of_text_and_binary() {
    let addr = start(echo_engine()).await;
    let open = get(addr, "/engine.io/?EIO=4&transport=polling").await;
    assert_eq!(open.status, 200);
    let body = open.text();
    assert!(body.starts_with("0{\"sid\":"), "{body}");
    assert!(body.contains("\"pingInterval\":300"), "{body}");
    let sid = sid_of(&body);

    let sent = post(
        addr,
        &format!("/engine.io/?EIO=4&transport=polling&sid={sid}"),
        b"4hello\x1ebAQID",
    )
    .await;
    assert_eq!(sent.status, 200);
    assert_eq!(sent.text(), "ok");

    let polled = get(
        addr,
        &format!("/engine.io/?EIO=4&transport=polling&sid={sid}"),
    )
    .await;
    assert_eq!(polled.status, 200);
    assert_eq!(polled.text(), "4hello\x1ebAQID");
}

#[tokio::test]
async fn websocket_only_session_echoes_text_as_text_and_binary_as_binary() {
    let addr = start(echo_engine()).await;
    let mut ws = ws(addr, "/engine.io/?EIO=4&transport=websocket").await;
    let open = next_text(&mut ws).await;
    assert!(open.starts_with("0{\"sid\":"), "{open}");
    assert!(open.contains("\"upgrades\":[]"), "{open}");

    send_text(&mut ws, "4héllo").await;
    assert_eq!(next_text_no_ping(&mut ws).await, "4héllo");

    ws.send(Message::binary(vec![1u8, 2, 3]))
        .await
        .expect("send");
    loop {
        match next(&mut ws).await {
            Some(Message::Binary(b)) => {
                assert_eq!(&b[..], &[1, 2, 3]);
                break;
            }
            Some(Message::Text(t)) if t == "2" => send_text(&mut ws, "3").await,
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn polling_session_upgrades_to_websocket() {
    let addr = start(echo_engine()).await;
    let sid = sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let mut ws = ws(
        addr,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await;
    send_text(&mut ws, "2probe").await;
    assert_eq!(next_text(&mut ws).await, "3probe");
    send_text(&mut ws, "5").await;
    send_text(&mut ws, "4after upgrade").await;
    assert_eq!(next_text_no_ping(&mut ws).await, "4after upgrade");
    // Polling is over for this session.
    let late = get(
        addr,
        &format!("/engine.io/?EIO=4&transport=polling&sid={sid}"),
    )
    .await;
    assert_eq!(late.status, 400);
}

#[tokio::test]
async fn heartbeat_keeps_a_responsive_websocket_open_across_intervals() {
    let addr = start(echo_engine()).await;
    let mut ws = ws(addr, "/engine.io/?EIO=4&transport=websocket").await;
    let _open = next_text(&mut ws).await;
    // Several ping intervals (300 ms each); answering every ping keeps the session.
    for _ in 0..4 {
        assert_eq!(next_text(&mut ws).await, "2");
        send_text(&mut ws, "3").await;
    }
    send_text(&mut ws, "4still here").await;
    assert_eq!(next_text_no_ping(&mut ws).await, "4still here");
}

#[tokio::test]
async fn silent_websocket_is_closed_after_ping_timeout() {
    let addr = start(echo_engine()).await;
    let mut ws = ws(addr, "/engine.io/?EIO=4&transport=websocket").await;
    let _open = next_text(&mut ws).await;
    assert_eq!(next_text(&mut ws).await, "2");
    // No pong: the server gives up after pingTimeout and closes the connection.
    loop {
        match next(&mut ws).await {
            None | Some(Message::Close(_)) => break,
            // A close packet or a late ping may come first; no pong is sent.
            Some(Message::Text(_)) => continue,
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
}
