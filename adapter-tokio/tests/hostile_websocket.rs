//! Malformed WebSocket frames, written byte by byte as a hostile client would: each closes
//! only its own connection, with the close code RFC 6455 names, and the server keeps serving
//! a bystander on the same server.

mod common;

use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use volley_tokio::protocol::engine::{EngineConfig, Message as EioMessage};

const MAX: usize = 10_000;

fn echo_engine() -> volley_tokio::EngineIo {
    let engine = volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .max_payload(MAX)
            .ping_interval(Duration::from_secs(600))
            .ping_timeout(Duration::from_secs(600)),
    );
    engine.on_message(|engine, sid, message: EioMessage| engine.send(&sid, message));
    engine
}

/// A WebSocket client over a raw socket, so it can send what no real client library would.
struct RawWs {
    stream: TcpStream,
    buf: Vec<u8>,
}

const OP_CONT: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;

impl RawWs {
    /// Opens `/engine.io/` over WebSocket and reads the open packet.
    async fn open(addr: SocketAddr) -> RawWs {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let req = format!(
            "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {addr}\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(req.as_bytes()).await.expect("write");
        let mut ws = RawWs {
            stream,
            buf: Vec::new(),
        };
        let end = loop {
            if let Some(end) = ws.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            assert!(ws.fill().await, "closed during the handshake");
        };
        assert!(ws.buf.starts_with(b"HTTP/1.1 101"), "no 101");
        ws.buf.drain(..end + 4);
        let (op, open) = ws.frame().await.expect("open packet");
        assert_eq!(op, OP_TEXT);
        assert!(open.starts_with(b"0{"));
        ws
    }

    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout(WAIT, self.stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(_) => panic!("nothing from the server within {WAIT:?}"),
        }
    }

    /// The next frame (opcode, payload), or `None` once the connection ended.
    async fn frame(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if self.buf.len() >= 2 {
                let op = self.buf[0] & 0x0f;
                let (len, at) = match self.buf[1] & 0x7f {
                    126 if self.buf.len() >= 4 => {
                        (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4)
                    }
                    127 if self.buf.len() >= 10 => {
                        let mut n = [0u8; 8];
                        n.copy_from_slice(&self.buf[2..10]);
                        (u64::from_be_bytes(n) as usize, 10)
                    }
                    126 | 127 => (usize::MAX, 0),
                    n => (n as usize, 2),
                };
                if len != usize::MAX && self.buf.len() >= at + len {
                    let payload = self.buf[at..at + len].to_vec();
                    self.buf.drain(..at + len);
                    return Some((op, payload));
                }
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Sends one frame; `masked` false breaks the rule that clients mask.
    async fn send(&mut self, fin: bool, op: u8, payload: &[u8], masked: bool) {
        let mut out = vec![if fin { 0x80 } else { 0 } | op];
        let mask_bit = if masked { 0x80 } else { 0 };
        match payload.len() {
            n if n < 126 => out.push(mask_bit | n as u8),
            n if n < 65536 => {
                out.push(mask_bit | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(mask_bit | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        if masked {
            let key = [0x12, 0x34, 0x56, 0x78];
            out.extend_from_slice(&key);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        } else {
            out.extend_from_slice(payload);
        }
        // The server may already have closed; what it sent is what the test checks.
        let _ = self.stream.write_all(&out).await;
    }

    /// Reads until the connection ends; the close code the server sent, if any.
    async fn close_code(&mut self) -> Option<u16> {
        while let Some((op, payload)) = self.frame().await {
            if op == OP_CLOSE {
                return payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            }
        }
        None
    }

    /// Sends a message and expects it echoed.
    async fn echoes(&mut self, text: &str) {
        self.send(true, OP_TEXT, text.as_bytes(), true).await;
        loop {
            let (op, payload) = self.frame().await.expect("echo");
            if op == OP_TEXT && payload == text.as_bytes() {
                return;
            }
        }
    }
}

/// Runs `offend` on one connection while a bystander stays connected; returns the close code
/// the offender got and checks the bystander is still served.
async fn offender_close_code<F>(offend: F) -> Option<u16>
where
    F: for<'a> FnOnce(&'a mut RawWs) -> futures_util::future::BoxFuture<'a, ()>,
{
    let addr = start(echo_engine()).await;
    let mut bystander = RawWs::open(addr).await;
    let mut offender = RawWs::open(addr).await;
    offend(&mut offender).await;
    let code = offender.close_code().await;
    bystander.echoes("4still here").await;
    code
}

#[tokio::test]
async fn an_unmasked_client_frame_is_a_protocol_error() {
    let code = offender_close_code(|ws| {
        Box::pin(async move { ws.send(true, OP_TEXT, b"4hi", false).await })
    })
    .await;
    assert_eq!(code, Some(1002));
}

#[tokio::test]
async fn a_control_frame_over_125_bytes_is_a_protocol_error() {
    let code = offender_close_code(|ws| {
        Box::pin(async move { ws.send(true, OP_PING, &[b'p'; 200], true).await })
    })
    .await;
    assert_eq!(code, Some(1002));
}

#[tokio::test]
async fn invalid_utf8_in_a_text_frame_closes_with_1007() {
    let code = offender_close_code(|ws| {
        Box::pin(async move { ws.send(true, OP_TEXT, b"4\xff\xfe", true).await })
    })
    .await;
    assert_eq!(code, Some(1007));
}

#[tokio::test]
async fn many_small_fragments_adding_up_past_max_payload_close_with_1009() {
    let code = offender_close_code(|ws| {
        Box::pin(async move {
            ws.send(false, OP_TEXT, b"4", true).await;
            for _ in 0..(2 * MAX / 100) {
                ws.send(false, OP_CONT, &[b'x'; 100], true).await;
            }
            ws.send(true, OP_CONT, b"end", true).await;
        })
    })
    .await;
    assert_eq!(code, Some(1009));
}

#[tokio::test]
async fn a_close_frame_with_a_reserved_code_ends_only_that_connection() {
    for reserved in [999u16, 1005, 1006, 5000] {
        let code = offender_close_code(|ws| {
            Box::pin(async move { ws.send(true, OP_CLOSE, &reserved.to_be_bytes(), true).await })
        })
        .await;
        assert_eq!(code, Some(1002), "{reserved}");
    }
}

#[tokio::test]
async fn a_client_close_frame_is_answered_with_a_close_frame() {
    let code = offender_close_code(|ws| {
        Box::pin(async move { ws.send(true, OP_CLOSE, &1000u16.to_be_bytes(), true).await })
    })
    .await;
    assert_eq!(code, Some(1000));
}

#[tokio::test]
async fn a_ping_flood_from_a_client_that_does_not_read_leaves_the_session_working() {
    let addr = start(echo_engine()).await;
    let mut flooder = RawWs::open(addr).await;
    // Each ping asks for a pong the client never reads; the server keeps at most one.
    for _ in 0..20_000 {
        flooder.send(true, OP_PING, &[b'p'; 125], true).await;
    }
    let mut bystander = RawWs::open(addr).await;
    bystander.echoes("4bystander").await;
    flooder.echoes("4after the flood").await;
}
