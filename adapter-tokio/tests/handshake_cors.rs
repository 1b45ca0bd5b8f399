//! What a socket sees of its handshake, CORS preflight through the real server, and the rooms
//! visible while disconnecting.

mod common;

use common::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use volley_tokio::{Options, SocketRef};

#[tokio::test]
async fn handshake_exposes_query_headers_auth_cookie_and_address() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        let hs = socket.handshake();
        let seen = (
            hs.query_param("room").map(|r| r.into_owned()),
            hs.header("x-client").map(|v| v.to_string()),
            hs.auth_field("token"),
            hs.cookie("session").map(str::to_owned),
            hs.address().map(|a| a.ip().to_string()),
        );
        let _ = socket.emit("handshake", &seen);
    });
    let addr = start(io).await;
    let mut request = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket&room=lobby")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("x-client", "tests".parse().expect("header"));
    request
        .headers_mut()
        .insert("cookie", "a=1; session=s3cr3t".parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    assert!(next_text(&mut ws).await.starts_with("0{"));
    send_text(&mut ws, r#"40{"token":"t0k"}"#).await;
    assert!(next_sio(&mut ws).await.starts_with("0{"));
    assert_eq!(
        next_sio(&mut ws).await,
        r#"2["handshake","lobby","tests","t0k","s3cr3t","127.0.0.1"]"#
    );
    ws.close(None).await.ok();
}

#[tokio::test]
async fn the_socket_sees_every_header_as_node_would() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        let hs = socket.handshake();
        let seen = (
            hs.headers().count(),
            hs.header("X-Latin1").map(str::to_owned),
            hs.header_all("x-rep").collect::<Vec<_>>().join("|"),
            hs.header("x-empty").map(str::to_owned),
            hs.url().to_owned(),
        );
        let _ = socket.emit("handshake", &seen);
    });
    let addr = start(io).await;
    let mut request = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket&a=%20b")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    let sent_by_tungstenite = headers.len();
    // Up to the limit of 100 header lines (hyper's; Node 2000), repeated names included.
    let reps = 100 - sent_by_tungstenite - 2;
    for i in 0..reps {
        headers.append("x-rep", i.to_string().parse().expect("header"));
    }
    let latin1 = HeaderValue::from_bytes(b"caf\xe9").expect("obs-text is a valid value");
    headers.insert("x-latin1", latin1);
    headers.insert("x-empty", HeaderValue::from_static(""));
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    assert!(next_text(&mut ws).await.starts_with("0{"));
    send_text(&mut ws, "40").await;
    assert!(next_sio(&mut ws).await.starts_with("0{"));
    let reps: Vec<String> = (0..reps).map(|i| i.to_string()).collect();
    // tungstenite's own (host, upgrade, key, …) and the ones added above: 100 in all.
    let expected = serde_json::json!([
        "handshake",
        100,
        "café",
        reps.join("|"),
        "",
        "/socket.io/?EIO=4&transport=websocket&a=%20b"
    ]);
    let got = next_sio(&mut ws).await;
    let got: serde_json::Value =
        serde_json::from_str(got.strip_prefix('2').expect("an event")).expect("json");
    assert_eq!(got, expected);
    ws.close(None).await.ok();
}

#[tokio::test]
async fn cors_preflight_and_headers_on_polling() {
    let io = volley_tokio::new(Options::default().serve_client(false).cors_any_origin());
    let addr = start(io).await;
    let preflight = request(
        addr,
        "OPTIONS",
        "/socket.io/?EIO=4&transport=polling",
        &[
            ("Origin", "http://example.com"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let open = request(
        addr,
        "GET",
        "/socket.io/?EIO=4&transport=polling",
        &[("Origin", "http://example.com")],
        b"",
    )
    .await;
    assert_eq!(open.status, 200);
    assert_eq!(open.header("access-control-allow-origin"), Some("*"));
}

/// The raw response head to `request` (bytes: it may hold Latin-1 text), lowercased.
async fn raw_head(addr: std::net::SocketAddr, request: &[u8]) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    buf.to_ascii_lowercase()
}

#[tokio::test]
async fn a_mirrored_origin_goes_back_as_the_bytes_that_came_in() {
    let cors = volley_tokio::protocol::engine::Cors::new(
        volley_tokio::protocol::engine::CorsOrigin::Mirror,
    );
    let io = volley_tokio::new(Options::default().serve_client(false).cors(cors));
    let addr = start(io).await;
    // Node reads header bytes as Latin-1 and writes header strings back the same way.
    let origin: &[u8] = b"http://caf\xe9.example";
    for (method, extra) in [
        ("GET", &b""[..]),
        (
            "OPTIONS",
            &b"Access-Control-Request-Headers: x-\xfc\r\n"[..],
        ),
    ] {
        let request = [
            format!("{method} /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: ").as_bytes(),
            origin,
            b"\r\n",
            extra,
            b"\r\n",
        ]
        .concat();
        let head = raw_head(addr, &request).await;
        let expected = [&b"access-control-allow-origin: "[..], origin, b"\r\n"].concat();
        assert!(
            head.windows(expected.len()).any(|w| w == expected),
            "{method}: {}",
            String::from_utf8_lossy(&head)
        );
        if method == "OPTIONS" {
            let expected = b"access-control-allow-headers: x-\xfc\r\n";
            assert!(head.windows(expected.len()).any(|w| w == expected));
        }
    }
}

#[tokio::test]
async fn disconnecting_handler_still_sees_the_rooms() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        socket.join("r1");
        let record = record.clone();
        socket.on_disconnecting(move |socket, reason| {
            let rooms: Vec<String> = socket.rooms().iter().map(|r| r.to_string()).collect();
            record.lock().unwrap().push((
                rooms.len(),
                rooms.contains(&"r1".to_string()),
                reason.to_string(),
            ));
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, "1").await;
    for _ in 0..100 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [(2, true, "client namespace disconnect".to_string())]
    );
}
