//! Bad input over real sockets closes (or refuses) only the offending client; the server keeps
//! serving everyone else.

mod common;

use common::*;
use futures_util::SinkExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use volley_tokio::protocol::engine::{EngineConfig, Message as EioMessage};

const MAX: usize = 1000;

fn small_engine() -> volley_tokio::EngineIo {
    let engine = volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .max_payload(MAX)
            .ping_interval(Duration::from_secs(5))
            .ping_timeout(Duration::from_secs(5)),
    );
    engine.on_message(|engine, sid, message: EioMessage| engine.send(&sid, message));
    engine
}

async fn still_serves(addr: std::net::SocketAddr) {
    let open = get(addr, "/engine.io/?EIO=4&transport=polling").await;
    assert_eq!(open.status, 200, "server still accepts handshakes");
}

#[tokio::test]
async fn garbage_http_is_answered_400_and_server_keeps_working() {
    let addr = start(small_engine()).await;
    let resp = raw(addr, b"\x16\x03\x01garbage that is not http\r\n\r\n").await;
    if let Some(resp) = resp {
        assert_eq!(resp.status, 400);
    }
    let resp = raw(
        addr,
        b"GET /engine.io/?EIO=4 HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    )
    .await;
    if let Some(resp) = resp {
        assert_eq!(resp.status, 400);
    }
    still_serves(addr).await;
}

#[tokio::test]
async fn bad_queries_get_the_reference_error_codes() {
    let addr = start(small_engine()).await;
    let cases = [
        (
            "/engine.io/?transport=polling",
            5,
            "Unsupported protocol version",
        ),
        (
            "/engine.io/?EIO=3&transport=polling",
            5,
            "Unsupported protocol version",
        ),
        ("/engine.io/?EIO=4", 0, "Transport unknown"),
        (
            "/engine.io/?EIO=4&transport=carrier-pigeon",
            0,
            "Transport unknown",
        ),
        (
            "/engine.io/?EIO=4&transport=polling&sid=nope",
            1,
            "Session ID unknown",
        ),
    ];
    for (target, code, message) in cases {
        let resp = get(addr, target).await;
        assert_eq!(resp.status, 400, "{target}");
        assert!(resp
            .header("content-type")
            .unwrap_or("")
            .contains("application/json"));
        let json: serde_json::Value = serde_json::from_slice(&resp.body).expect("json body");
        assert_eq!(json["code"], code, "{target}");
        assert_eq!(json["message"], message, "{target}");
    }
    let resp = post(addr, "/engine.io/?EIO=4&transport=polling", b"4x").await;
    assert_eq!(resp.status, 400, "POST handshake");
    still_serves(addr).await;
}

#[tokio::test]
async fn post_over_max_payload_is_413_and_the_session_stays_open() {
    let addr = start(small_engine()).await;
    let sid = sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
    let big = vec![b'4'; MAX + 1];
    assert_eq!(post(addr, &target, &big).await.status, 413);
    assert_eq!(post(addr, &target, b"4fine").await.text(), "ok");
    assert_eq!(get(addr, &target).await.text(), "4fine");
}

#[tokio::test]
async fn undecodable_post_closes_only_that_session() {
    let addr = start(small_engine()).await;
    let good = sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let good_target = format!("/engine.io/?EIO=4&transport=polling&sid={good}");
    // An unknown packet type; base64 that is not base64 (Node skips such characters).
    for body in [&b"abc"[..], b"b!!!", b"bA Q=ID", b"4ok\x1eb*"] {
        let bad = sid_of(
            &get(addr, "/engine.io/?EIO=4&transport=polling")
                .await
                .text(),
        );
        let bad_target = format!("/engine.io/?EIO=4&transport=polling&sid={bad}");
        let _ = post(addr, &bad_target, body).await;
        assert_eq!(
            get(addr, &bad_target).await.status,
            400,
            "{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(post(addr, &good_target, b"4ok").await.text(), "ok");
        assert_eq!(get(addr, &good_target).await.text(), "4ok");
    }
}

#[tokio::test]
async fn websocket_message_over_max_payload_closes_that_connection_only() {
    let addr = start(small_engine()).await;
    let mut offender = ws(addr, "/engine.io/?EIO=4&transport=websocket").await;
    let mut bystander = ws(addr, "/engine.io/?EIO=4&transport=websocket").await;
    let _ = next_text(&mut offender).await;
    let _ = next_text(&mut bystander).await;

    let big = format!("4{}", "x".repeat(MAX + 10));
    offender.send(Message::text(big)).await.expect("send");
    loop {
        match next(&mut offender).await {
            None => break,
            Some(Message::Close(frame)) => {
                if let Some(frame) = frame {
                    assert_eq!(u16::from(frame.code), 1009);
                }
                break;
            }
            Some(Message::Text(_)) => continue,
            Some(other) => panic!("unexpected {other:?}"),
        }
    }

    send_text(&mut bystander, "4still working").await;
    assert_eq!(next_text_no_ping(&mut bystander).await, "4still working");
}

#[tokio::test]
async fn requests_outside_the_path_get_404() {
    let addr = start(small_engine()).await;
    assert_eq!(get(addr, "/elsewhere").await.status, 404);
}
