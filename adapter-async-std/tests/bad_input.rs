//! Bad input over real sockets, under async-std and under smol, closes (or refuses) only the
//! offending client; the server keeps serving everyone else.

mod common;

use async_tungstenite::tungstenite::Message;
use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use volley_async_std::protocol::engine::EngineConfig;
use volley_async_std::{Options, SocketRef};

const MAX: usize = 1000;

fn small_engine(rt: &Rt) -> SocketAddr {
    let engine = rt.engine(
        EngineConfig::default()
            .path("/engine.io/")
            .max_payload(MAX)
            .ping_interval(Duration::from_secs(5))
            .ping_timeout(Duration::from_secs(5)),
    );
    engine.on_message(|engine, sid, message| engine.send(&sid, message));
    start(rt, engine)
}

fn still_serves(addr: SocketAddr) {
    let open = get(addr, "/engine.io/?EIO=4&transport=polling");
    assert_eq!(open.status, 200, "server still accepts handshakes");
}

#[test]
fn garbage_http_is_refused_and_the_server_keeps_working() {
    for rt in runtimes() {
        let addr = small_engine(&rt);
        for garbage in [
            &b"\x16\x03\x01garbage that is not http\r\n\r\n"[..],
            b"GET /engine.io/?EIO=4 HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
        ] {
            if let Some(resp) = raw(addr, garbage) {
                assert_eq!(resp.status, 400);
            }
        }
        assert_eq!(get(addr, "/elsewhere").status, 404);
        still_serves(addr);
    }
}

#[test]
fn bad_queries_get_the_reference_error_codes() {
    for rt in runtimes() {
        let addr = small_engine(&rt);
        for (target, code) in [
            ("/engine.io/?transport=polling", 5),
            ("/engine.io/?EIO=3&transport=polling", 5),
            ("/engine.io/?EIO=4", 0),
            ("/engine.io/?EIO=4&transport=carrier-pigeon", 0),
            ("/engine.io/?EIO=4&transport=polling&sid=nope", 1),
        ] {
            let resp = get(addr, target);
            assert_eq!(resp.status, 400, "{target}");
            let json: serde_json::Value = serde_json::from_slice(&resp.body).expect("json");
            assert_eq!(json["code"], code, "{target}");
        }
        assert_eq!(
            post(addr, "/engine.io/?EIO=4&transport=polling", b"4x").status,
            400
        );
        still_serves(addr);
    }
}

#[test]
fn post_over_max_payload_is_413_and_the_session_stays_open() {
    for rt in runtimes() {
        let addr = small_engine(&rt);
        let sid = sid_of(&get(addr, "/engine.io/?EIO=4&transport=polling").text());
        let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
        assert_eq!(post(addr, &target, &vec![b'4'; MAX + 1]).status, 413);
        assert_eq!(post(addr, &target, b"4fine").text(), "ok");
        assert_eq!(get(addr, &target).text(), "4fine");
    }
}

#[test]
fn websocket_message_over_max_payload_closes_that_connection_only() {
    for rt in runtimes() {
        let addr = small_engine(&rt);
        let mut offender = ws(addr, "/engine.io/?EIO=4&transport=websocket");
        let mut bystander = ws(addr, "/engine.io/?EIO=4&transport=websocket");
        let _ = next_text(&mut offender);
        let _ = next_text(&mut bystander);
        let big = format!("4{}", "x".repeat(MAX + 10));
        offender.send(Message::text(big)).expect("send");
        if let Some(code) = closed(&mut offender) {
            assert_eq!(code, 1009);
        }
        send_text(&mut bystander, "4still working");
        assert_eq!(next_text_no_ping(&mut bystander), "4still working");
    }
}

#[test]
fn a_text_frame_that_is_not_utf8_closes_that_connection_with_1007() {
    use async_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    use async_tungstenite::tungstenite::protocol::frame::Frame;
    for rt in runtimes() {
        let addr = small_engine(&rt);
        let mut offender = ws(addr, "/engine.io/?EIO=4&transport=websocket");
        let mut bystander = ws(addr, "/engine.io/?EIO=4&transport=websocket");
        let _ = next_text(&mut offender);
        let _ = next_text(&mut bystander);
        // Text the server takes as tungstenite checked it: multi-byte characters intact.
        send_text(&mut offender, "4h\u{e9}\u{1f600}");
        assert_eq!(next_text_no_ping(&mut offender), "4h\u{e9}\u{1f600}");
        // A raw frame, so the client library sends the bytes unchecked.
        let bad = Frame::message(b"4\xff\xfe".to_vec(), OpCode::Data(Data::Text), true);
        offender.send(Message::Frame(bad)).expect("send");
        assert_eq!(closed(&mut offender), Some(1007));
        send_text(&mut bystander, "4still working");
        assert_eq!(next_text_no_ping(&mut bystander), "4still working");
    }
}

#[test]
fn invalid_socketio_packets_close_only_their_client() {
    for rt in runtimes() {
        let io = rt.socketio(Options::default().serve_client(false));
        io.of("/").on_connection(|socket: SocketRef| {
            socket.on("echo", |socket, event| {
                let _ = socket.emit_forward("echo", event.forward_args());
            });
        });
        let addr = start(&rt, io);
        let (mut bystander, _) = sio_connect(addr);
        for bad in [
            "9",
            r#"2"not an array""#,
            r#"2["disconnect"]"#,
            r#"2/other,["echo"]"#,
        ] {
            let (mut offender, reply) = sio_connect(addr);
            assert!(reply.starts_with("40{"), "{reply}");
            send_text(&mut offender, &format!("4{bad}"));
            closed(&mut offender);
            send_text(&mut bystander, r#"42["echo",1]"#);
            assert_eq!(next_text_no_ping(&mut bystander), r#"42["echo",1]"#);
        }
    }
}

#[test]
fn a_websocket_upgrade_that_is_not_a_get_is_refused_with_405() {
    for rt in runtimes() {
        let addr = small_engine(&rt);
        let sid = sid_of(&get(addr, "/engine.io/?EIO=4&transport=polling").text());
        // RFC 6455 §4.1: the opening handshake is a GET; the reference's `ws` answers 405.
        for method in ["POST", "PUT", "HEAD"] {
            let req = format!(
                "{method} /engine.io/?EIO=4&transport=websocket&sid={sid} HTTP/1.1\r\nHost: x\r\n\
                 Upgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            );
            let resp = raw(addr, req.as_bytes()).expect("a response");
            assert_eq!(resp.status, 405, "{method}");
            let head = resp.head.to_ascii_lowercase();
            assert!(head.contains("\r\nallow: get"), "{method}: {head}");
        }
        // The session is untouched: a GET upgrade still takes it over.
        let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
        assert_eq!(post(addr, &target, b"4hi").status, 200);
        let mut upgrade = ws(
            addr,
            &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
        );
        send_text(&mut upgrade, "2probe");
        assert_eq!(next_text(&mut upgrade), "3probe");
    }
}

/// A WebSocket handshake on `/engine.io/` for `query` with these `Upgrade`, key and version
/// values; reads until the server closes.
fn refused_handshake(
    addr: SocketAddr,
    query: &str,
    upgrade: &str,
    key: &str,
    version: &str,
) -> Resp {
    let req = format!(
        "GET /engine.io/?{query} HTTP/1.1\r\nHost: x\r\nUpgrade: {upgrade}\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n\r\n"
    );
    // `raw` returns once the server closed the connection (or after WAIT, without the close:
    // then the refusal below is incomplete or the assertion on `Connection: close` fails).
    let started = std::time::Instant::now();
    let resp = raw(addr, req.as_bytes()).expect("a response");
    assert!(
        started.elapsed() < WAIT,
        "{query}: the server closes the connection"
    );
    resp
}

#[test]
fn refused_websocket_handshakes_get_the_reference_text_and_their_connection_closed() {
    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    for rt in runtimes() {
        let addr = small_engine(&rt);
        let ws_query = "EIO=4&transport=websocket";
        for (query, upgrade, key, version, message) in [
            (
                ws_query,
                "websocket",
                "abc",
                "13",
                "Missing or invalid Sec-WebSocket-Key header",
            ),
            (
                ws_query,
                "websocket",
                KEY,
                "7",
                "Missing or invalid Sec-WebSocket-Version header",
            ),
            (ws_query, "h2c", KEY, "13", "Invalid Upgrade header"),
            (
                "EIO=4&transport=nope",
                "websocket",
                "abc",
                "13",
                "Transport unknown",
            ),
            (
                &format!("{ws_query}&sid=nope"),
                "websocket",
                "abc",
                "13",
                "Session ID unknown",
            ),
            (
                "EIO=3&transport=websocket",
                "websocket",
                KEY,
                "13",
                "Unsupported protocol version",
            ),
        ] {
            let resp = refused_handshake(addr, query, upgrade, key, version);
            assert_eq!(resp.status, 400, "{query} {upgrade} {key} {version}");
            let head = resp.head.to_ascii_lowercase();
            assert!(head.contains("\r\nconnection: close"), "{head}");
            assert!(head.contains("\r\ncontent-type: text/html"), "{head}");
            assert_eq!(resp.text(), message);
        }
        still_serves(addr);
    }
}
