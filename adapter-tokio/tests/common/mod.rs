//! Helpers shared by the integration tests: a server on 127.0.0.1:0, a raw HTTP/1.1 client
//! over TcpStream, and a WebSocket client.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use volley_tokio::Endpoint;

/// Upper bound for any single wait in a test, so a broken server fails the test instead of
/// hanging it.
pub const WAIT: Duration = Duration::from_secs(10);

/// Serves `endpoint` on a fresh port and returns the address.
pub async fn start(endpoint: impl Into<Endpoint>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = volley_tokio::serve(listener, endpoint);
    tokio::spawn(async move {
        let _ = serve.await;
    });
    addr
}

/// Serves `io` on a fresh port until the returned sender fires, with a graceful shutdown of
/// `deadline`; the handle ends when `serve` returns.
pub async fn serve_until_stopped(
    io: volley_tokio::Io,
    deadline: Duration,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    use std::future::IntoFuture;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        volley_tokio::serve(listener, io)
            .with_graceful_shutdown(async {
                let _ = stop_rx.await;
            })
            .shutdown_deadline(deadline)
            .into_future(),
    );
    (addr, stop_tx, server)
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw bytes on a new connection and reads one response until the server closes.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> Option<Resp> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut buf)).await;
    parse_response(&buf)
}

/// Reads from `stream` until a response head (and what came with it) is in; `None` if the
/// connection ended first. Leaves the connection open, unlike [`raw`].
pub async fn read_response(stream: &mut (impl tokio::io::AsyncRead + Unpin)) -> Option<Resp> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(WAIT, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => panic!("no response within {WAIT:?}"),
        }
    }
    parse_response(&buf)
}

/// Opens a polling session on `/engine.io/` and starts a POST to it: a connection with the
/// request head written, `framing` (`Content-Length: …` or `Transfer-Encoding: chunked`)
/// among its headers, and no body yet.
pub async fn start_post(addr: SocketAddr, framing: &str) -> TcpStream {
    let sid = sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    );
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /engine.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: {addr}\r\n\
         {framing}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
}

/// One HTTP/1.1 request with `Connection: close`.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes).await.expect("a response")
}

pub async fn get(addr: SocketAddr, target: &str) -> Resp {
    request(addr, "GET", target, &[], b"").await
}

pub async fn post(addr: SocketAddr, target: &str, body: &[u8]) -> Resp {
    request(
        addr,
        "POST",
        target,
        &[("Content-Type", "text/plain")],
        body,
    )
    .await
}

/// The first HTTP response in `buf`, if it holds a complete head.
pub fn parse_response(buf: &[u8]) -> Option<Resp> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &buf[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Some(Resp {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..pos])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = pos + 2;
        out.extend_from_slice(&rest[start..start + size]);
        rest = &rest[start + size + 2..];
    }
    out
}

/// The `sid` of a handshake JSON body or text frame (`0{...}`).
pub fn sid_of(open_packet: &str) -> String {
    let json = open_packet.trim_start_matches('0');
    let v: serde_json::Value = serde_json::from_str(json).expect("handshake json");
    v["sid"].as_str().expect("sid").to_owned()
}

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket to `target` (path and query).
pub async fn ws(addr: SocketAddr, target: &str) -> Ws {
    let url = format!("ws://{addr}{target}");
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("ws connect in time")
        .expect("ws connect");
    ws
}

/// The next text frame, skipping nothing; panics on anything else or on timeout.
pub async fn next_text(ws: &mut Ws) -> String {
    match next(ws).await {
        Some(Message::Text(t)) => t.to_string(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

/// The next frame or `None` when the connection ended.
pub async fn next(ws: &mut Ws) -> Option<Message> {
    match tokio::time::timeout(WAIT, ws.next()).await {
        Ok(Some(Ok(m))) => Some(m),
        Ok(_) => None,
        Err(_) => panic!("no frame within {WAIT:?}"),
    }
}

/// The next text frame that is not an Engine.IO ping (answering pings on the way).
pub async fn next_text_no_ping(ws: &mut Ws) -> String {
    loop {
        let t = next_text(ws).await;
        if t == "2" {
            ws.send(Message::text("3")).await.expect("pong");
            continue;
        }
        return t;
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text.to_owned())).await.expect("send");
}

/// A Socket.IO client over WebSocket speaking raw text frames: opens the Engine.IO session and
/// joins `nsp` with `auth` (raw JSON or none). Returns the socket and the CONNECT reply.
pub async fn sio_connect(addr: SocketAddr, nsp: &str, auth: Option<&str>) -> (Ws, String) {
    let mut ws = ws(addr, "/socket.io/?EIO=4&transport=websocket").await;
    let open = next_text(&mut ws).await;
    assert!(open.starts_with("0{"), "{open}");
    let prefix = if nsp == "/" {
        String::new()
    } else {
        format!("{nsp},")
    };
    send_text(&mut ws, &format!("40{prefix}{}", auth.unwrap_or(""))).await;
    let reply = next_text_no_ping(&mut ws).await;
    (ws, reply)
}

/// The next Socket.IO packet text (Engine.IO `4` stripped), answering pings on the way.
pub async fn next_sio(ws: &mut Ws) -> String {
    let text = next_text_no_ping(ws).await;
    text.strip_prefix('4').map(str::to_owned).unwrap_or(text)
}

/// Whether the server ends the WebSocket (close frame, end or error) within 5 s, whatever
/// else arrives first.
pub async fn closes_within_5s(ws: &mut Ws) -> bool {
    let end = async {
        loop {
            match futures_util::StreamExt::next(ws).await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), end)
        .await
        .is_ok()
}

/// Sends a Socket.IO packet (Engine.IO `4` prepended).
pub async fn send_sio(ws: &mut Ws, packet: &str) {
    send_text(ws, &format!("4{packet}")).await;
}

/// A raw Engine.IO echo server on `/engine.io/` whose heartbeat never fires during a test.
pub fn echo_engine() -> volley_tokio::EngineIo {
    let engine = volley_tokio::engine(
        volley_tokio::protocol::engine::EngineConfig::default()
            .path("/engine.io/")
            .ping_interval(Duration::from_secs(600))
            .ping_timeout(Duration::from_secs(600)),
    );
    engine.on_message(|engine, sid, message| engine.send(&sid, message));
    engine
}
