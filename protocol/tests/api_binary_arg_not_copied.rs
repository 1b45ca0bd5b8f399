//! Through the user API, sans IO: a typed handler taking `bytes::Bytes` gets a binary event's
//! attachment in the buffer the transport produced — the WebSocket frame it was handed, or
//! the buffer the polling `b<base64>` message was decoded into — when nothing else holds that
//! buffer; when something does (an `on_any` listener keeping it, a frame that is a slice of
//! a larger buffer still in use), a copy with the same bytes. Untyped handlers still read it.

use base64::Engine as _;
use bytes::Bytes;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;
use volley_protocol::api::{Endpoint, HttpOutcome, Io, Options, SocketRef};
use volley_protocol::engine::{Method, RequestHead, WsFrame};
use volley_protocol::socket::Binary;
use volley_protocol::Str;

mod api_common;
use api_common::TestRuntime;

/// The attachment size: large enough that only attachment-sized buffers reach it.
const SIZE: usize = 64 * 1024;

/// Counts this thread's allocations of at least [`SIZE`] bytes (the test harness's threads
/// allocate too).
struct CountingLarge;

thread_local! {
    static LARGE: Cell<usize> = const { Cell::new(0) };
}

fn count(size: usize) {
    if size >= SIZE {
        let _ = LARGE.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: forwards to the system allocator; counting touches only a const thread-local.
unsafe impl GlobalAlloc for CountingLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingLarge = CountingLarge;

fn large_allocations() -> usize {
    LARGE.with(Cell::get)
}

/// What the `upload` handlers saw: the name and the body they were given.
type Seen = Arc<Mutex<Vec<(String, Bytes)>>>;

/// A server whose `upload` handler is typed; with `keep`, an `on_any` listener keeps the
/// attachment (a shared handle to its buffer) before the handler runs.
fn server(keep: bool) -> (Endpoint, Seen, Seen) {
    let io = Io::new(Options::default(), Arc::new(TestRuntime(Instant::now())));
    let seen: Seen = Arc::default();
    let kept: Seen = Arc::default();
    let (s, k) = (seen.clone(), kept.clone());
    io.of("/").on_connection(move |socket: SocketRef| {
        let typed = s.clone();
        socket.on_args("upload", move |_s, (name, body): (String, Bytes), _ack| {
            typed.lock().unwrap().push((name, body));
        });
        if keep {
            let k = k.clone();
            socket.on_any(move |_s, event| {
                let (name, body): (String, Binary) = event.args().unwrap();
                k.lock().unwrap().push((name, body.0));
            });
        }
        // Untyped handlers read the attachment as before.
        let s = s.clone();
        socket.on("copy", move |_s, event| {
            let (name, body): (String, Bytes) = event.args().unwrap();
            s.lock().unwrap().push((name, body));
        });
    });
    (io.into(), seen, kept)
}

const UPLOAD: &str = "451-[\"upload\",\"a.bin\",{\"_placeholder\":true,\"num\":0}]";

fn attachment() -> Vec<u8> {
    (0..SIZE).map(|i| (i % 251) as u8).collect()
}

fn websocket(endpoint: &Endpoint) -> volley_protocol::api::WsLink {
    let link = api_common::open_websocket(endpoint);
    let mut out = Vec::new();
    link.handle_message(WsFrame::Text(Str::from("40")));
    link.drain(&mut out);
    assert!(matches!(&out[1], WsFrame::Text(t) if t.starts_with("40{\"sid\":")));
    link
}

#[test]
fn websocket_attachment_reaches_the_handler_in_the_frame_it_came_in() {
    let (endpoint, seen, _) = server(false);
    let link = websocket(&endpoint);
    let frame = Bytes::from(attachment());
    let at = frame.as_ptr();
    link.handle_message(WsFrame::Text(Str::from(UPLOAD)));
    link.handle_message(WsFrame::Binary(frame));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "a.bin");
    assert_eq!(&seen[0].1[..], &attachment()[..]);
    assert_eq!(seen[0].1.as_ptr(), at, "the attachment was copied");
}

#[test]
fn a_websocket_frame_sharing_its_buffer_is_copied() {
    // As a WebSocket library that reads several frames into one buffer hands them over.
    let (endpoint, seen, _) = server(false);
    let link = websocket(&endpoint);
    let mut read = vec![0x82, 0x7f];
    read.extend(attachment());
    read.extend(b"next frame");
    let read = Bytes::from(read);
    let frame = read.slice(2..2 + SIZE);
    link.handle_message(WsFrame::Text(Str::from(UPLOAD)));
    link.handle_message(WsFrame::Binary(frame.clone()));
    let seen = seen.lock().unwrap();
    assert_eq!(&seen[0].1[..], &attachment()[..]);
    assert_ne!(seen[0].1.as_ptr(), frame.as_ptr());
    assert_eq!(&read[2 + SIZE..], b"next frame");
}

/// POSTs `body` for the polling client `sid`; the large allocations made while the server
/// handled it.
fn post(endpoint: &Endpoint, sid: &str, body: Bytes) -> usize {
    let head = RequestHead::new(
        Method::Post,
        &format!("/socket.io/?EIO=4&transport=polling&sid={sid}"),
    );
    let before = large_allocations();
    let status = match endpoint.handle_request(head, body) {
        HttpOutcome::Respond(r) => r.status,
        HttpOutcome::Pending(mut pending) => {
            match std::pin::Pin::new(&mut pending).poll(&mut Context::from_waker(Waker::noop())) {
                Poll::Ready(r) => r.status,
                Poll::Pending => 0,
            }
        }
        _ => panic!("a polling response"),
    };
    assert_eq!(status, 200);
    large_allocations() - before
}

fn polling_upload(keep: bool, event: &str) -> (usize, Seen, Seen) {
    let (endpoint, seen, kept) = server(keep);
    let client = api_common::Client::connect(endpoint.clone());
    let base64 = base64::engine::general_purpose::STANDARD.encode(attachment());
    let text = UPLOAD.replace("upload", event);
    let body = Bytes::from(format!("{text}\u{1e}b{base64}"));
    let large = post(&endpoint, &client.sid, body);
    (large, seen, kept)
}

#[test]
fn polling_attachment_reaches_the_handler_in_the_buffer_it_was_decoded_into() {
    let (large, seen, _) = polling_upload(false, "upload");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(&seen[0].1[..], &attachment()[..]);
    // The base64 decode, and no copy after it.
    assert_eq!(large, 1);
}

#[test]
fn an_attachment_someone_else_holds_is_copied_with_the_same_bytes() {
    let (large, seen, kept) = polling_upload(true, "upload");
    let (seen, kept) = (seen.lock().unwrap(), kept.lock().unwrap());
    assert_eq!(&seen[0].1[..], &attachment()[..]);
    assert_eq!(kept[0].1, seen[0].1);
    assert_ne!(kept[0].1.as_ptr(), seen[0].1.as_ptr());
    // The base64 decode, then the handler's copy.
    assert_eq!(large, 2);
}

#[test]
fn untyped_handlers_still_read_the_attachment() {
    let (large, seen, _) = polling_upload(false, "copy");
    let seen = seen.lock().unwrap();
    assert_eq!(
        (seen[0].0.as_str(), &seen[0].1[..]),
        ("a.bin", &attachment()[..])
    );
    // `event.args` borrows the event: it copies.
    assert_eq!(large, 2);
}
