//! Hostile HTTP requests over real sockets: oversized heads, bodies without a length,
//! pipelining, HTTP/1.0, malformed WebSocket handshakes. Each gets a clear status, and the
//! server keeps serving.

mod common;

use common::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use volley_tokio::protocol::engine::EngineConfig;

const MAX: usize = 10_000;

fn engine() -> volley_tokio::EngineIo {
    volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .max_payload(MAX)
            .ping_interval(Duration::from_secs(600))
            .ping_timeout(Duration::from_secs(600)),
    )
}

async fn still_serves(addr: std::net::SocketAddr) {
    let open = get(addr, "/engine.io/?EIO=4&transport=polling").await;
    assert_eq!(open.status, 200, "server still accepts handshakes");
}

#[tokio::test]
async fn an_oversized_request_head_is_refused() {
    let addr = start(engine()).await;
    let long_url = format!(
        "/engine.io/?EIO=4&transport=polling&pad={}",
        "a".repeat(200_000)
    );
    let status = get(addr, &long_url).await.status;
    assert!(status == 414 || status == 431, "long URL: {status}");

    let pad = "b".repeat(10_000);
    let headers: Vec<(String, String)> = (0..20)
        .map(|i| (format!("X-Pad-{i}"), pad.clone()))
        .collect();
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let resp = request(
        addr,
        "GET",
        "/engine.io/?EIO=4&transport=polling",
        &headers,
        b"",
    )
    .await;
    assert_eq!(resp.status, 431, "200 KB of headers");

    // A head of ordinary size (a few KB of cookies) still works.
    let cookie = "c".repeat(8_000);
    let resp = request(
        addr,
        "GET",
        "/engine.io/?EIO=4&transport=polling",
        &[("Cookie", cookie.as_str())],
        b"",
    )
    .await;
    assert_eq!(resp.status, 200);
    still_serves(addr).await;
}

/// A polling handshake carrying `count` headers `X-H-<i>` with values of `len` bytes.
async fn handshake_with_headers(addr: std::net::SocketAddr, count: usize, len: usize) -> u16 {
    let value = "v".repeat(len);
    let names: Vec<String> = (0..count).map(|i| format!("X-H-{i}")).collect();
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), value.as_str())).collect();
    request(
        addr,
        "GET",
        "/engine.io/?EIO=4&transport=polling",
        &headers,
        b"",
    )
    .await
    .status
}

#[tokio::test]
async fn header_counts_up_to_the_limit_are_served_within_the_head_cap() {
    let addr = start(engine()).await;
    // 100 header lines at most (hyper's limit; Node 2,000, see conn.rs). The helper sends
    // three of its own (Host, Connection, Content-Length).
    assert_eq!(handshake_with_headers(addr, 97, 10).await, 200);
    // ≈133 KB in 95 headers: under the count, over the 64 KiB head cap (hyper checks it
    // between reads, so one burst may pass up to about twice the cap).
    assert_eq!(handshake_with_headers(addr, 95, 1400).await, 431);
    // Past the count the answer is 431 (Node would drop the extra headers).
    assert_eq!(handshake_with_headers(addr, 98, 1).await, 431);
    assert_eq!(handshake_with_headers(addr, 300, 1).await, 431);
    still_serves(addr).await;
}

#[tokio::test]
async fn a_chunked_post_past_max_payload_is_refused_before_it_ends() {
    let addr = start(engine()).await;
    let stream = start_post(addr, "Transfer-Encoding: chunked").await;
    let (mut rd, mut wr) = stream.into_split();
    // No Content-Length: the server only learns the size while reading. It must answer
    // once maxPayload is passed, not after the client is done (it never is: 64 MB).
    let writer = tokio::spawn(async move {
        let chunk = format!("{:x}\r\n{}\r\n", 4096, "4".repeat(4096));
        for _ in 0..16_384 {
            if wr.write_all(chunk.as_bytes()).await.is_err() {
                return false;
            }
        }
        true
    });
    let resp = read_response(&mut rd).await;
    assert_eq!(resp.map(|r| r.status), Some(413));
    drop(rd);
    let finished = writer.await.expect("writer");
    assert!(!finished, "the server read the whole 64 MB body");
    still_serves(addr).await;
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let addr = start(engine()).await;
    let one = format!("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let last = format!(
        "GET /engine.io/?EIO=4&transport=carrier-pigeon HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let all = format!("{one}{one}{last}");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(all.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut buf))
        .await
        .expect("all answered")
        .expect("read");
    let text = String::from_utf8_lossy(&buf);
    let statuses: Vec<&str> = text
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &text[i + 9..i + 12])
        .collect();
    assert_eq!(statuses, ["200", "200", "400"], "{text}");
}

#[tokio::test]
async fn an_http_1_0_handshake_is_answered() {
    let addr = start(engine()).await;
    let resp = raw(
        addr,
        b"GET /engine.io/?EIO=4&transport=polling HTTP/1.0\r\n\r\n",
    )
    .await
    .expect("a response");
    assert_eq!(resp.status, 200);
    assert!(resp.text().starts_with("0{\"sid\":"));
}

/// A WebSocket handshake with the given key and version headers (`None` leaves one out).
async fn ws_handshake(
    addr: std::net::SocketAddr,
    key: Option<&str>,
    version: Option<&str>,
) -> Resp {
    let mut headers = vec![("Upgrade", "websocket"), ("Connection", "Upgrade")];
    headers.extend(key.map(|k| ("Sec-WebSocket-Key", k)));
    headers.extend(version.map(|v| ("Sec-WebSocket-Version", v)));
    let mut req = format!("GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(req.as_bytes()).await.expect("write");
    read_response(&mut stream).await.expect("a response")
}

/// Sends a WebSocket handshake for `target` with the good headers changed by `change` (a
/// header replaced, or removed with `None`) and `extra` lines appended; reads until the server
/// closes. Returns the response and whether the server closed within `WAIT`.
async fn handshake_refused(
    addr: std::net::SocketAddr,
    target: &str,
    change: &[(&str, Option<&str>)],
    extra: &[&str],
) -> (Resp, bool) {
    let mut headers = vec![
        ("Upgrade", Some("websocket")),
        ("Connection", Some("Upgrade")),
        ("Sec-WebSocket-Key", Some("dGhlIHNhbXBsZSBub25jZQ==")),
        ("Sec-WebSocket-Version", Some("13")),
    ];
    for (name, value) in change {
        match headers.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = *value,
            None => headers.push((name, *value)),
        }
    }
    let mut req = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in headers.iter().filter_map(|(k, v)| Some((k, (*v)?))) {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    for line in extra {
        req.push_str(&format!("{line}\r\n"));
    }
    req.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(WAIT, stream.read_to_end(&mut buf))
        .await
        .is_ok();
    (parse_response(&buf).expect("a response"), closed)
}

/// The reference's refusal on its upgrade path: `status`, `Connection: close`, the message as
/// `text/html`, and the connection closed.
fn assert_refused((resp, closed): (Resp, bool), status: u16, message: &str, case: &str) {
    assert_eq!(resp.status, status, "{case}");
    assert_eq!(resp.header("connection"), Some("close"), "{case}");
    assert_eq!(resp.header("content-type"), Some("text/html"), "{case}");
    assert_eq!(resp.text(), message, "{case}");
    assert!(closed, "{case}: the server closes the connection");
}

#[tokio::test]
async fn websocket_handshakes_with_a_bad_key_or_version_are_refused() {
    let addr = start(engine()).await;
    let good_key = Some("dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(ws_handshake(addr, good_key, Some("13")).await.status, 101);
    // hybi-08 frames like RFC 6455; the reference takes it too, and reads the version as a
    // JavaScript number.
    for version in ["8", "13.0", "0x0d"] {
        assert_eq!(
            ws_handshake(addr, good_key, Some(version)).await.status,
            101
        );
    }
    let target = "/engine.io/?EIO=4&transport=websocket";
    let key = "Missing or invalid Sec-WebSocket-Key header";
    for bad in [
        None,
        Some("abc"),
        Some("dGhlIHNhbXBsZSBub25jZQ"),
        Some("dGhlIHNhbXBsZSBub25jZQ=!"),
    ] {
        let refused = handshake_refused(addr, target, &[("Sec-WebSocket-Key", bad)], &[]).await;
        assert_refused(refused, 400, key, &format!("key {bad:?}"));
    }
    let version = "Missing or invalid Sec-WebSocket-Version header";
    for bad in [None, Some("7"), Some("14"), Some("13, 8"), Some("")] {
        let (resp, closed) =
            handshake_refused(addr, target, &[("Sec-WebSocket-Version", bad)], &[]).await;
        assert_eq!(resp.header("sec-websocket-version"), Some("13, 8"));
        assert_refused((resp, closed), 400, version, &format!("version {bad:?}"));
    }
    let upgrade = "Invalid Upgrade header";
    for bad in ["foo", "websocket, foo"] {
        let refused = handshake_refused(addr, target, &[("Upgrade", Some(bad))], &[]).await;
        assert_refused(refused, 400, upgrade, bad);
    }
    // Repeated, a header's values are joined as Node joins them, which no check passes.
    for (line, message) in [
        ("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", key),
        ("Upgrade: websocket", upgrade),
    ] {
        let refused = handshake_refused(addr, target, &[], &[line]).await;
        assert_refused(refused, 400, message, line);
    }
    let protocol = "Invalid Sec-WebSocket-Protocol header";
    for bad in ["a b", "a, a", "a,", ""] {
        let change = [("Sec-WebSocket-Protocol", Some(bad))];
        let refused = handshake_refused(addr, target, &change, &[]).await;
        assert_refused(refused, 400, protocol, bad);
    }
    still_serves(addr).await;
}

#[tokio::test]
async fn the_upgrade_path_refuses_as_the_reference_in_its_order() {
    let addr = start(engine()).await;
    let bad_key = [("Sec-WebSocket-Key", Some("abc"))];
    // engine.io's checks come before the WebSocket headers are looked at.
    let cases = [
        ("/engine.io/?EIO=4&transport=foo", "Transport unknown"),
        ("/engine.io/?EIO=4", "Transport unknown"),
        (
            "/engine.io/?EIO=4&transport=websocket&sid=nope",
            "Session ID unknown",
        ),
    ];
    for (target, message) in cases {
        let refused = handshake_refused(addr, target, &bad_key, &[]).await;
        assert_refused(refused, 400, message, target);
    }
    // ... and EIO after them: a bad key is named first, else the version is refused (where
    // the reference first sends a 101, then the same refusal).
    for target in [
        "/engine.io/?EIO=3&transport=websocket",
        "/engine.io/?transport=websocket",
    ] {
        let key = "Missing or invalid Sec-WebSocket-Key header";
        assert_refused(
            handshake_refused(addr, target, &bad_key, &[]).await,
            400,
            key,
            target,
        );
        let refused = handshake_refused(addr, target, &[], &[]).await;
        assert_refused(refused, 400, "Unsupported protocol version", target);
    }
    // A live session named with another EIO is a bad request, and the session goes on.
    let sid = sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let target = format!("/engine.io/?EIO=3&transport=websocket&sid={sid}");
    let refused = handshake_refused(addr, &target, &[], &[]).await;
    assert_refused(refused, 400, "Bad request", &target);
    let polling = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
    assert_eq!(post(addr, &polling, b"4hi").await.status, 200);
    // Without `Connection: upgrade`, or with an empty `Upgrade`, no upgrade: the JSON error
    // on a connection that stays open (the server does not close it within WAIT).
    let target = "/engine.io/?EIO=4&transport=websocket";
    for change in [("Connection", None), ("Upgrade", Some(""))] {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let mut req = format!("GET {target} HTTP/1.1\r\nHost: x\r\n");
        for (k, v) in [("Upgrade", "websocket"), ("Connection", "Upgrade")] {
            let v = if k == change.0 { change.1 } else { Some(v) };
            if let Some(v) = v {
                req.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        req.push_str(
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        );
        // A second request on the same connection is answered too.
        req.push_str("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).await.expect("write");
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut buf)).await;
        let resp = parse_response(&buf).expect("a response");
        assert_eq!(resp.status, 400, "{change:?}");
        assert_eq!(resp.header("content-type"), Some("application/json"));
        let text = String::from_utf8_lossy(&buf);
        assert!(
            text.contains(r#"{"code":3,"message":"Bad request"}HTTP/1.1 200 OK"#),
            "{text}"
        );
    }
    still_serves(addr).await;
}

#[tokio::test]
async fn a_websocket_handshake_gets_its_first_subprotocol_and_polling_upgrades_are_closed() {
    let addr = start(engine()).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let req = "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n\
               Upgrade: websocket\r\nConnection: Upgrade\r\n\
               Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
               Sec-WebSocket-Protocol: chat, superchat\r\n\r\n";
    stream.write_all(req.as_bytes()).await.expect("write");
    let resp = read_response(&mut stream).await.expect("a response");
    assert_eq!(resp.status, 101);
    assert_eq!(resp.header("sec-websocket-protocol"), Some("chat"));
    // Polling takes no upgrade: the reference switches, then closes the WebSocket.
    let sid = sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    for target in [
        "/engine.io/?EIO=4&transport=polling".to_owned(),
        format!("/engine.io/?EIO=4&transport=polling&sid={sid}"),
    ] {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let req = format!(
            "GET {target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(req.as_bytes()).await.expect("write");
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut buf)).await;
        let resp = parse_response(&buf).expect("a response");
        assert_eq!(resp.status, 101, "{target}");
        assert_eq!(
            resp.body.first(),
            Some(&0x88),
            "{target}: a close frame follows"
        );
    }
    // The session was not touched.
    let polling = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
    assert_eq!(post(addr, &polling, b"4hi").await.status, 200);
}

#[tokio::test]
async fn a_get_with_a_chunked_body_that_never_ends_is_answered_and_closed() {
    let addr = start(engine()).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = b"GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    stream.write_all(head).await.expect("head");
    let (mut rd, mut wr) = stream.into_split();
    // 400 MB of chunks, unless the server stops taking them.
    let writer = tokio::spawn(async move {
        let chunk = format!("{:x}\r\n{}\r\n", 4096, "a".repeat(4096));
        for _ in 0..100_000 {
            if wr.write_all(chunk.as_bytes()).await.is_err() {
                return false;
            }
        }
        true
    });
    let mut reply = Vec::new();
    tokio::time::timeout(WAIT, rd.read_to_end(&mut reply))
        .await
        .expect("the connection stays open while the body arrives")
        .expect("read");
    let resp = parse_response(&reply).expect("a response");
    assert_eq!(resp.status, 200);
    assert!(resp.text().starts_with("0{\"sid\":"));
    assert!(
        !writer.await.expect("writer"),
        "the server read the whole body"
    );
    still_serves(addr).await;
}

#[tokio::test]
async fn a_websocket_upgrade_that_is_not_a_get_is_refused_with_405() {
    let addr = start(engine()).await;
    let open = get(addr, "/engine.io/?EIO=4&transport=polling").await;
    let sid = sid_of(&open.text());
    // RFC 6455 §4.1: the opening handshake is a GET; the reference's `ws` answers 405.
    for method in ["POST", "PUT", "HEAD"] {
        let req = format!(
            "{method} /engine.io/?EIO=4&transport=websocket&sid={sid} HTTP/1.1\r\nHost: x\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        let resp = raw(addr, req.as_bytes()).await.expect("a response");
        assert_eq!(resp.status, 405, "{method}");
        assert_eq!(resp.header("allow"), Some("GET"), "{method}");
    }
    // The session is untouched: it still takes a POST, and a GET upgrade still probes.
    let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
    assert_eq!(post(addr, &target, b"4hi").await.status, 200);
    let mut upgrade = ws(
        addr,
        &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
    )
    .await;
    send_text(&mut upgrade, "2probe").await;
    assert_eq!(next_text(&mut upgrade).await, "3probe");
}
