//! The `101 Switching Protocols` answers of the standalone server: Volley's own goes out
//! together with the open packet, and an app served behind Volley that upgrades a connection
//! for its own protocol gets its `101` sent at once.

mod common;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use common::*;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use volley_tokio::{Options, VolleyService};

/// Reads from `stream` until `buf` holds a complete response head; returns its length.
async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> usize {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return end + 4;
        }
        let mut chunk = [0u8; 1024];
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("answer in time")
            .expect("read");
        assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(buf));
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The standalone server keeps the `101` answer back until the connection task flushes;
/// a client that waits for the answer before sending anything still gets it, followed by
/// the open packet, on a plain TCP socket.
#[tokio::test]
async fn switching_protocols_arrives_with_the_open_packet_on_a_raw_socket() {
    let addr = start(volley_tokio::new(Options::default().serve_client(false))).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {addr}\r\n\
         Upgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let end = read_head(&mut stream, &mut buf).await;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(
        head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "accept key in {head}"
    );
    // Then an unmasked text frame with a 7-bit length: 0x81, length, payload.
    while buf.len() < end + 2 || buf.len() < end + 2 + usize::from(buf[end + 1] & 0x7f) {
        let mut chunk = [0u8; 1024];
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("open packet in time")
            .expect("read");
        assert!(n > 0, "closed before the open packet");
        buf.extend_from_slice(&chunk[..n]);
    }
    assert_eq!(buf[end], 0x81, "a final text frame");
    let len = usize::from(buf[end + 1] & 0x7f);
    let open = String::from_utf8(buf[end + 2..end + 2 + len].to_vec()).expect("utf-8");
    assert!(open.starts_with("0{\"sid\":\""), "{open}");
}

/// An app route that upgrades to a protocol where the client speaks first: it reads four
/// bytes from the upgraded connection and writes them back.
async fn echo_upgrade(mut req: Request) -> Response {
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let mut io = hyper_util::rt::TokioIo::new(upgraded);
        let mut word = [0u8; 4];
        if io.read_exact(&mut word).await.is_ok() {
            let _ = io.write_all(&word).await;
        }
    });
    Response::builder()
        .status(101)
        .header("upgrade", "echo")
        .header("connection", "upgrade")
        .body(Body::empty())
        .expect("response")
}

async fn start_app() -> SocketAddr {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let app = Router::new().route("/echo", get(echo_upgrade));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = volley_tokio::serve_service(listener, VolleyService::wrap(io, app));
    tokio::spawn(async move {
        let _ = serve.await;
    });
    addr
}

#[tokio::test]
async fn an_app_upgrade_behind_volley_is_answered_before_the_client_speaks() {
    let addr = start_app().await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET /echo HTTP/1.1\r\nHost: {addr}\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let end = read_head(&mut stream, &mut buf).await;
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    stream.write_all(b"ping").await.expect("write");
    let mut word = [0u8; 4];
    tokio::time::timeout(WAIT, stream.read_exact(&mut word))
        .await
        .expect("echo in time")
        .expect("read");
    assert_eq!(&word, b"ping");
}
