//! Helpers for the real-socket tests: the server under async-std or under smol on
//! 127.0.0.1:0, and blocking clients (std sockets, tungstenite) so that the clients depend on
//! neither runtime.
#![allow(dead_code)]

use async_tungstenite::tungstenite::stream::MaybeTlsStream;
use async_tungstenite::tungstenite::{self, Message, WebSocket};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Upper bound for any single wait, so a broken server fails a test instead of hanging it.
pub const WAIT: Duration = Duration::from_secs(10);

#[path = "../../examples/support/mod.rs"]
mod support;

pub use support::Runtime as Rt;

/// Both runtimes; the smol executor runs on a thread of its own.
pub fn runtimes() -> [Rt; 2] {
    [Rt::AsyncStd, Rt::Smol(support::smol_executor(1))]
}

/// Serves `server` on a fresh port under `rt`.
pub fn start(rt: &Rt, server: impl Into<volley_async_std::Endpoint>) -> SocketAddr {
    let listener = smol::block_on(async_net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = volley_async_std::serve(listener, server);
    rt.spawn(async move {
        let _ = serve.await;
    });
    addr
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw bytes on a new connection and reads until the server closes it.
pub fn raw(addr: SocketAddr, request: &[u8]) -> Option<Resp> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    stream.write_all(request).expect("write");
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    // Responses here have a Content-Length (no chunking), so the rest is the body.
    let body = buf[split + 4..].to_vec();
    Some(Resp { status, head, body })
}

pub fn request(addr: SocketAddr, method: &str, target: &str, body: &[u8]) -> Resp {
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    raw(addr, &req).expect("a response")
}

pub fn get(addr: SocketAddr, target: &str) -> Resp {
    request(addr, "GET", target, b"")
}

pub fn post(addr: SocketAddr, target: &str, body: &[u8]) -> Resp {
    request(addr, "POST", target, body)
}

/// The `sid` of a handshake (`0{...}`).
pub fn sid_of(open: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(open.trim_start_matches('0')).expect("json");
    v["sid"].as_str().expect("sid").to_owned()
}

pub type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket to `target` (path and query).
pub fn ws(addr: SocketAddr, target: &str) -> Ws {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let url = format!("ws://{addr}{target}");
    let (ws, _) = tungstenite::client(url, MaybeTlsStream::Plain(stream)).expect("ws handshake");
    ws
}

/// The next frame, or `None` once the connection ended.
pub fn next(ws: &mut Ws) -> Option<Message> {
    match ws.read() {
        Ok(m) => Some(m),
        Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
            panic!("no frame within {WAIT:?}")
        }
        Err(_) => None,
    }
}

pub fn next_text(ws: &mut Ws) -> String {
    match next(ws) {
        Some(Message::Text(t)) => t.to_string(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

pub fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text.to_owned())).expect("send");
}

/// The next text frame that is not an Engine.IO ping (answering pings on the way).
pub fn next_text_no_ping(ws: &mut Ws) -> String {
    loop {
        let t = next_text(ws);
        if t != "2" {
            return t;
        }
        send_text(ws, "3");
    }
}

/// Reads until the server closes the connection; returns the close code, if one was sent.
pub fn closed(ws: &mut Ws) -> Option<u16> {
    loop {
        match next(ws) {
            None => return None,
            Some(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
            Some(_) => continue,
        }
    }
}

/// A Socket.IO client over WebSocket joined to `/`; returns it with the CONNECT reply.
pub fn sio_connect(addr: SocketAddr) -> (Ws, String) {
    let mut ws = ws(addr, "/socket.io/?EIO=4&transport=websocket");
    assert!(next_text(&mut ws).starts_with("0{"));
    send_text(&mut ws, "40");
    let reply = next_text_no_ping(&mut ws);
    (ws, reply)
}
