//! Through the user API, sans IO (a WebSocket client driving an `Endpoint` by hand): once the
//! connection is warm, an `echo` event acked with its own arguments (the bench's echo) costs a
//! small, fixed number of heap allocations on the server, whatever the number of requests.

mod api_common;
mod counting_alloc;

use api_common::TestRuntime;
use counting_alloc::allocations;
use std::sync::Arc;
use std::time::Instant;
use volley_protocol::api::{Endpoint, Io, Options, SocketRef};
use volley_protocol::engine::WsFrame;
use volley_protocol::Str;

fn text(frame: &WsFrame) -> &str {
    match frame {
        WsFrame::Text(s) => s.as_str(),
        WsFrame::Binary(_) => panic!("a text frame"),
    }
}

/// Sends `n` echo requests one at a time (each answered before the next, as a client waiting
/// for its ack does); returns the allocations counted while the server handled them, not
/// counting the building of the incoming frames. The socket has `listeners` `on_any`
/// listeners (each reading the event's name and first argument).
fn echo_allocations(n: usize, listeners: usize) -> usize {
    let io = Io::new(Options::default(), Arc::new(TestRuntime(Instant::now())));
    io.of("/").on_connection(move |socket: SocketRef| {
        for _ in 0..listeners {
            socket.on_any(|_socket, event| {
                assert_eq!(event.name(), "echo");
                assert!(event.raw_args()[0].starts_with("{\"n\":"));
            });
        }
        socket.on("echo", |socket, mut event| match event.take_ack() {
            Some(ack) => ack.send_forward(event.forward_args()),
            None => {
                let _ = socket.emit_forward("echo", event.forward_args());
            }
        });
    });
    let endpoint: Endpoint = io.into();
    let link = api_common::open_websocket(&endpoint);
    let mut out = Vec::new();
    link.drain(&mut out);
    assert!(text(&out[0]).starts_with("0{\"sid\":"));
    out.clear();
    link.handle_message(WsFrame::Text(Str::from("40")));
    link.drain(&mut out);
    assert!(text(&out[0]).starts_with("40{\"sid\":"));
    out.clear();

    let frames: Vec<Vec<WsFrame>> = (0..=n)
        .map(|i| {
            vec![WsFrame::Text(Str::from(format!(
                "42{i}[\"echo\",{{\"n\":{i},\"text\":\"hello\"}}]"
            )))]
        })
        .collect();
    let mut counted = 0;
    for (i, mut frame) in frames.into_iter().enumerate() {
        let frame = frame.pop().unwrap();
        let before = allocations();
        link.handle_message(frame);
        link.drain(&mut out);
        let after = allocations();
        assert_eq!(out.len(), 1);
        assert_eq!(
            text(&out[0]),
            format!("43{i}[{{\"n\":{i},\"text\":\"hello\"}}]")
        );
        out.clear();
        // The first one warms the connection (the output list, lazily built tables).
        if i > 0 {
            counted += after - before;
        }
    }
    counted
}

#[test]
fn a_warm_echo_with_ack_allocates_a_few_times_per_request() {
    let n = 200;
    let allocs = echo_allocations(n, 0);
    let per_request = allocs as f64 / n as f64;
    eprintln!("{per_request:.2} allocations per echo with ack");
    assert!(
        per_request <= 1.0,
        "{per_request:.2} allocations per request"
    );
}

#[test]
fn on_any_listeners_share_one_reading_of_the_event() {
    let n = 200;
    let per_request = |listeners| echo_allocations(n, listeners) as f64 / n as f64;
    let (none, one, four) = (per_request(0), per_request(1), per_request(4));
    eprintln!("allocations per echo with ack: {none:.2} without listeners, {one:.2} with one, {four:.2} with four");
    // The event is validated once, and its ack made shareable once, for every listener.
    assert_eq!(one, four, "a listener more costs allocations");
    assert!(one > none);
}
