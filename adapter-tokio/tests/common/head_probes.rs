//! Blocking clients (std sockets, no runtime) for the head timeout: what must be dropped (a
//! head trickled for longer than the timeout, a keep-alive connection idle for longer) and
//! what must not (a connection that keeps making requests, a parked long-poll, a WebSocket).
//! Shared by volley-tokio's and volley-async-std's `head_timeout` tests; the servers under
//! test run `/engine.io/` as an echo with the head timeout [`HEAD_TIMEOUT`].

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The head timeout of the servers under test.
pub const HEAD_TIMEOUT: Duration = Duration::from_millis(600);
/// Upper bound for one wait, so a broken server fails a test instead of hanging it.
const WAIT: Duration = Duration::from_secs(10);
const HANDSHAKE: &str = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n";

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    stream
}

/// Reads until the server ends the connection; panics if it is still open after [`WAIT`].
/// Returns what was read.
fn read_until_closed(stream: &mut TcpStream, what: &str) -> Vec<u8> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("{what}: the connection is still open after {WAIT:?}")
            }
            Err(_) => return got,
        }
    }
}

/// Reads one response with a `Content-Length` body; returns its status and body.
fn read_response(stream: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let status = head[9..12].parse().expect("status");
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().expect("length"));
            if got.len() >= end + 4 + length {
                return (status, got[end + 4..end + 4 + length].to_vec());
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) => panic!("the connection ended before a whole response"),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("no whole response: {e}"),
        }
    }
}

fn sid_of(body: &[u8]) -> String {
    let body = String::from_utf8_lossy(body);
    let at = body
        .find("\"sid\":\"")
        .unwrap_or_else(|| panic!("no sid in {body:?}"))
        + 7;
    let len = body[at..].find('"').expect("the sid's end");
    body[at..at + len].to_owned()
}

/// A request head trickled a byte every 50 ms and never finished is dropped without an
/// answer, while the client is still sending.
pub fn a_trickled_head_is_dropped(addr: SocketAddr) {
    let mut stream = connect(addr);
    let mut writer = stream.try_clone().expect("clone");
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let trickle = std::thread::spawn(move || {
        let start = b"GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nX-Pad: ";
        if writer.write_all(start).is_err() {
            return;
        }
        while !stopped.load(Ordering::Relaxed) {
            if writer.write_all(b"a").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let got = read_until_closed(&mut stream, "a trickled head");
    stop.store(true, Ordering::Relaxed);
    trickle.join().expect("trickle");
    assert!(
        got.is_empty(),
        "an answer to a head that never ended: {:?}",
        String::from_utf8_lossy(&got)
    );
}

/// A keep-alive connection that sends nothing after its first response is dropped, and so is
/// one that never sends anything.
pub fn an_idle_keep_alive_connection_is_dropped(addr: SocketAddr) {
    let mut stream = connect(addr);
    stream.write_all(HANDSHAKE.as_bytes()).expect("handshake");
    assert_eq!(read_response(&mut stream).0, 200);
    let rest = read_until_closed(&mut stream, "an idle keep-alive connection");
    assert!(rest.is_empty(), "more than one response");
    let mut silent = connect(addr);
    let got = read_until_closed(&mut silent, "a connection that never sent anything");
    assert!(got.is_empty());
}

/// Requests spaced at a quarter of the head timeout keep one connection for several times the
/// timeout: the wait for a head starts again with every response.
pub fn a_connection_making_requests_stays_open(addr: SocketAddr) {
    let mut stream = connect(addr);
    for i in 0..12 {
        if i > 0 {
            std::thread::sleep(HEAD_TIMEOUT / 4);
        }
        stream
            .write_all(HANDSHAKE.as_bytes())
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(read_response(&mut stream).0, 200, "request {i}");
    }
}

/// A polling GET parked for several times the head timeout (until the server's ping, at
/// `ping_interval`) is answered on its connection.
pub fn a_parked_poll_outlives_the_head_timeout(addr: SocketAddr, ping_interval: Duration) {
    assert!(ping_interval > HEAD_TIMEOUT * 2);
    let mut stream = connect(addr);
    stream.write_all(HANDSHAKE.as_bytes()).expect("handshake");
    let (status, body) = read_response(&mut stream);
    assert_eq!(status, 200);
    let sid = sid_of(&body);
    let poll =
        format!("GET /engine.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n\r\n");
    stream.write_all(poll.as_bytes()).expect("poll");
    let (status, body) = read_response(&mut stream);
    assert_eq!(
        (status, body.as_slice()),
        (200, b"2".as_slice()),
        "the ping"
    );
}

/// A WebSocket silent for several times the head timeout still echoes a message.
pub fn a_websocket_outlives_the_head_timeout(addr: SocketAddr) {
    let mut stream = connect(addr);
    let upgrade = "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n\
                   Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
    stream.write_all(upgrade.as_bytes()).expect("upgrade");
    let mut got = read_frames_until(&mut stream, b"0{");
    assert!(got.starts_with(b"HTTP/1.1 101"), "no switch");
    std::thread::sleep(HEAD_TIMEOUT * 3);
    // A masked text frame "4hello" (an Engine.IO message).
    let mask = [1u8, 2, 3, 4];
    let mut frame = vec![0x81, 0x80 | 6];
    frame.extend_from_slice(&mask);
    frame.extend(
        b"4hello"
            .iter()
            .zip(mask.iter().cycle())
            .map(|(b, m)| b ^ m),
    );
    stream.write_all(&frame).expect("a frame after the pause");
    got = read_frames_until(&mut stream, b"4hello");
    assert!(!got.is_empty());
}

/// Reads until `needle` has arrived; panics if the connection ends first.
fn read_frames_until(stream: &mut TcpStream, needle: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while !got.windows(needle.len()).any(|w| w == needle) {
        match stream.read(&mut chunk) {
            Ok(0) => panic!(
                "the connection ended before {:?}",
                String::from_utf8_lossy(needle)
            ),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("no {:?}: {e}", String::from_utf8_lossy(needle)),
        }
    }
    got
}
