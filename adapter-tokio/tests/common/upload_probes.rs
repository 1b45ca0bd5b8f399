//! Blocking clients (std sockets, no runtime) that upload more than the server takes: the
//! server answers early and closes while they are still sending. Shared by volley-tokio's and
//! volley-async-std's `refused_uploads` tests (the standalone server is the same code,
//! `volley-hyper`'s, over each runtime's sockets).

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The maxPayload of the server under test.
pub const MAX_PAYLOAD: usize = 10_000;
/// Upper bound for one wait, so a broken server fails a test instead of hanging it.
const WAIT: Duration = Duration::from_secs(10);
/// Less than the server drops while lingering (`LINGER_BYTES`, 4 MiB).
const UPLOAD: usize = 3 << 20;

/// Opens a polling session on `/engine.io/` and returns its sid.
pub fn open_session(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let request = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\
                   Connection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).expect("handshake");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("handshake reply");
    let reply = String::from_utf8_lossy(&reply);
    let at = reply.find("\"sid\":\"").expect("a sid in the handshake") + 7;
    let len = reply[at..].find('"').expect("the sid's end");
    reply[at..at + len].to_owned()
}

/// POSTs that the server refuses while their bodies are arriving, each to a session of its
/// own (a failed POST ends its session), with what it is and the status it is answered with.
pub fn refused_uploads(addr: SocketAddr) -> Vec<(&'static str, u16, Vec<u8>)> {
    let head = |framing: &str| {
        let sid = open_session(addr);
        format!(
            "POST /engine.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n\
             Content-Type: text/plain\r\n{framing}\r\n\r\n"
        )
        .into_bytes()
    };
    // hyper refuses a chunk extension past 16 KiB.
    let mut extension = head("Transfer-Encoding: chunked");
    extension.extend_from_slice(b"2;");
    extension.resize(extension.len() + UPLOAD, b'e');
    extension.extend_from_slice(b"\r\n4a\r\n0\r\n\r\n");
    // maxPayload is passed after a few chunks.
    let mut chunked = head("Transfer-Encoding: chunked");
    let chunk = format!("{:x}\r\n{}\r\n", 4096, "4".repeat(4096));
    while chunked.len() < UPLOAD {
        chunked.extend_from_slice(chunk.as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    // The announced length is refused before the body is read.
    let mut sized = head(&format!("Content-Length: {}", UPLOAD + 1));
    sized.push(b'4');
    sized.resize(sized.len() + UPLOAD, b'y');
    vec![
        ("a 3 MiB chunk extension", 400, extension),
        ("a chunked body past maxPayload", 413, chunked),
        ("a Content-Length past maxPayload", 413, sized),
    ]
}

/// Writes all of `request` before reading anything (as Node's and curl's clients do), then
/// reads the answer and the end of the stream. `Err` says what went wrong: the write failed
/// (the server reset the connection), the answer was lost, or the stream ended in a reset.
///
/// The client's send buffer is small, so most of the upload is still to be sent when the
/// answer comes, as for a client whose upload is in flight on a slower link (with the
/// default buffers, loopback takes megabytes before the server reads anything).
pub fn upload_then_read(addr: SocketAddr, request: &[u8]) -> Result<String, String> {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket.set_send_buffer_size(128 * 1024).expect("SO_SNDBUF");
    socket.connect(&addr.into()).expect("connect");
    let mut stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    stream.set_write_timeout(Some(WAIT)).expect("timeout");
    stream
        .write_all(request)
        .map_err(|e| format!("the upload failed: {e}"))?;
    let mut reply = Vec::new();
    let read = stream.read_to_end(&mut reply);
    let status = String::from_utf8_lossy(&reply[..reply.len().min(12)]).into_owned();
    match read {
        Ok(_) => Ok(status),
        Err(e) if reply.is_empty() => Err(format!("no answer: {e}")),
        Err(e) => Err(format!("{status:?} then no end of stream: {e}")),
    }
}

/// A POST to a new session announcing far more than maxPayload (answered 413 before its body
/// is read), followed by 1 GiB at full speed: far past what the server drops while lingering.
/// Returns the answer's status line once the server has cut the connection.
pub fn flood_after_refusal(addr: SocketAddr) -> String {
    keep_sending(
        addr,
        &oversized_post(addr),
        &[b'y'; 64 * 1024],
        Duration::ZERO,
        16 * 1024,
    )
}

/// The same POST followed by 100 bytes every 20 ms, for 40 s at most: far less than the
/// server drops while lingering, so only its time bound can end the connection.
pub fn trickle_after_refusal(addr: SocketAddr) -> String {
    keep_sending(
        addr,
        &oversized_post(addr),
        &[b'y'; 100],
        Duration::from_millis(20),
        2000,
    )
}

fn oversized_post(addr: SocketAddr) -> Vec<u8> {
    let sid = open_session(addr);
    format!(
        "POST /engine.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n\
         Content-Length: 1000000000\r\n\r\n"
    )
    .into_bytes()
}

/// Sends `head`, then `piece` after `piece` every `pause`, on one thread, while another
/// reads; returns the answer's status line once the server has cut the connection: the end of
/// the stream on the reading side, and a failed write on the sending side. Panics if the
/// server still takes the pieces after `give_up` of them.
fn keep_sending(
    addr: SocketAddr,
    head: &[u8],
    piece: &[u8],
    pause: Duration,
    give_up: usize,
) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    stream.set_write_timeout(Some(WAIT)).expect("timeout");
    let mut reader = stream.try_clone().expect("clone");
    let reading = std::thread::spawn(move || {
        let mut reply = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => return reply,
                Ok(n) => reply.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    panic!("the server neither answered nor closed within {WAIT:?}")
                }
                // A reset after the answer (the server dropped what it did not read).
                Err(_) => return reply,
            }
        }
    });
    let sent = stream.write_all(head).and_then(|()| {
        for _ in 0..give_up {
            stream.write_all(piece)?;
            if !pause.is_zero() {
                std::thread::sleep(pause);
            }
        }
        Ok(())
    });
    assert!(
        sent.is_err(),
        "the server still took input after {give_up} pieces of {} bytes",
        piece.len()
    );
    let reply = reading.join().expect("reader");
    String::from_utf8_lossy(&reply[..reply.len().min(12)]).into_owned()
}
