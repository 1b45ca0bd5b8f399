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
    echo_engine_with_heartbeat(Duration::from_secs(600))
}

/// An echo server whose pingInterval and pingTimeout are both `heartbeat`.
fn echo_engine_with_heartbeat(heartbeat: Duration) -> volley_tokio::EngineIo {
    let engine = volley_tokio::engine(
        EngineConfig::default()
            .path("/engine.io/")
            .max_payload(MAX)
            .ping_interval(heartbeat)
            .ping_timeout(heartbeat),
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
const OP_BINARY: u8 = 0x2;

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
async fn a_character_split_across_fragments_arrives_whole() {
    // tungstenite's check of the whole message is the only one (the core takes its text as
    // checked), so a character cut by a fragment boundary must come through intact.
    let addr = start(echo_engine()).await;
    let mut ws = RawWs::open(addr).await;
    let text = "4h\u{e9}\u{1f600}".as_bytes();
    // The first fragment ends inside the 2-byte `é`.
    ws.send(false, OP_TEXT, &text[..3], true).await;
    ws.send(true, OP_CONT, &text[3..], true).await;
    loop {
        let (op, payload) = ws.frame().await.expect("echo");
        if op == OP_TEXT && payload != b"2" {
            assert_eq!(payload, text);
            break;
        }
    }
}

#[tokio::test]
async fn a_character_broken_across_fragments_closes_with_1007() {
    let code = offender_close_code(|ws| {
        Box::pin(async move {
            ws.send(false, OP_TEXT, b"4\xc3", true).await;
            ws.send(true, OP_CONT, b"x", true).await;
        })
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

/// One client frame: FIN, opcode, payload.
type Frame = (bool, u8, Vec<u8>);

/// Sends a frame header (FIN, `op`, masked) announcing `len` payload bytes, and no payload.
async fn header_only(ws: &mut RawWs, op: u8, len: u64) {
    let mut out = vec![0x80 | op, 0x80 | 127];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[1, 2, 3, 4]);
    let _ = ws.stream.write_all(&out).await;
}

#[tokio::test]
async fn a_frame_header_announcing_an_enormous_length_is_refused_without_waiting_for_it() {
    for len in [u64::MAX >> 1, 1 << 40, MAX as u64 + 1] {
        let code = offender_close_code(|ws| Box::pin(header_only(ws, OP_TEXT, len))).await;
        assert_eq!(code, Some(1009), "{len}");
    }
    // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
    let code = offender_close_code(|ws| Box::pin(header_only(ws, OP_BINARY, 1 << 63))).await;
    assert!(matches!(code, Some(1002 | 1009)), "{code:?}");
}

#[tokio::test]
async fn frames_breaking_the_framing_rules_are_protocol_errors() {
    let cases: Vec<(&str, Vec<Frame>)> = vec![
        ("a reserved opcode (0x3)", vec![(true, 0x3, b"4x".to_vec())]),
        ("a reserved control opcode (0xB)", vec![(true, 0xB, vec![])]),
        (
            "a continuation with nothing to continue",
            vec![(true, OP_CONT, b"4x".to_vec())],
        ),
        (
            "a new text frame inside a fragmented message",
            vec![
                (false, OP_TEXT, b"4a".to_vec()),
                (true, OP_TEXT, b"4b".to_vec()),
            ],
        ),
        ("a fragmented ping", vec![(false, OP_PING, b"p".to_vec())]),
        ("a close frame of one byte", vec![(true, OP_CLOSE, vec![3])]),
    ];
    for (name, frames) in cases {
        let code = offender_close_code(|ws| {
            Box::pin(async move {
                for (fin, op, payload) in frames {
                    ws.send(fin, op, &payload, true).await;
                }
            })
        })
        .await;
        assert_eq!(code, Some(1002), "{name}");
    }
    // A reserved bit set without an extension that defines it (RSV1 = 0x40).
    let code = offender_close_code(|ws| {
        Box::pin(async move {
            let key = [9u8, 8, 7, 6];
            let mut out = vec![0x80 | 0x40 | OP_TEXT, 0x80 | 2, 9, 8, 7, 6];
            out.extend(b"4x".iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
            let _ = ws.stream.write_all(&out).await;
        })
    })
    .await;
    assert_eq!(code, Some(1002), "RSV1");
}

#[tokio::test]
async fn a_close_reason_that_is_not_utf8_closes_with_1007() {
    let code = offender_close_code(|ws| {
        Box::pin(async move {
            ws.send(true, OP_CLOSE, &[0x03, 0xe8, 0xff, 0xfe], true)
                .await
        })
    })
    .await;
    assert_eq!(code, Some(1007));
}

#[tokio::test]
async fn a_message_in_thousands_of_one_byte_fragments_under_max_payload_is_delivered_whole() {
    let addr = start(echo_engine()).await;
    let mut ws = RawWs::open(addr).await;
    let text = format!("4{}", "f".repeat(MAX / 2));
    let bytes = text.as_bytes();
    ws.send(false, OP_TEXT, &bytes[..1], true).await;
    for b in &bytes[1..bytes.len() - 1] {
        ws.send(false, OP_CONT, std::slice::from_ref(b), true).await;
    }
    // Control frames may come between fragments.
    ws.send(true, OP_PING, b"mid", true).await;
    ws.send(true, OP_CONT, &bytes[bytes.len() - 1..], true)
        .await;
    loop {
        let (op, payload) = ws.frame().await.expect("the echo");
        if op == OP_TEXT {
            assert_eq!(payload, bytes);
            break;
        }
    }
    ws.echoes("4and still open").await;
}

#[tokio::test]
async fn an_engine_io_ping_from_a_v4_client_closes_only_that_session() {
    // In v4 only the server pings; the reference closes such a client ("transport error").
    let code =
        offender_close_code(|ws| Box::pin(async move { ws.send(true, OP_TEXT, b"2", true).await }))
            .await;
    assert_eq!(code, Some(1000));
}

#[tokio::test]
async fn a_frame_trickled_forever_is_ended_by_the_heartbeat() {
    let addr = start(echo_engine_with_heartbeat(Duration::from_millis(200))).await;
    let mut offender = RawWs::open(addr).await;
    // A text frame of 1000 bytes whose payload arrives one byte every 20 ms (20 s in all):
    // while it is in flight no pong can arrive, so the heartbeat ends the session.
    let mut out = vec![0x80 | OP_TEXT, 0x80 | 126];
    out.extend_from_slice(&1000u16.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.push(b'4');
    offender.stream.write_all(&out).await.expect("head");
    let (mut rd, mut wr) = offender.stream.into_split();
    let trickle = tokio::spawn(async move {
        for _ in 0..999 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if wr.write_all(b"x").await.is_err() {
                return false;
            }
        }
        true
    });
    let mut buf = Vec::new();
    let ended = tokio::time::timeout(WAIT, rd.read_to_end(&mut buf)).await;
    assert!(ended.is_ok(), "the connection is still open after {WAIT:?}");
    trickle.abort();
    let mut bystander = RawWs::open(addr).await;
    bystander.echoes("4bystander").await;
}
