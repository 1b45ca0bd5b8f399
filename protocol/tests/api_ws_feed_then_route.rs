//! Through the user API, sans IO: frames handed over with `WsLink::feed` run their handlers at
//! once, but what they queued is routed (writers woken) only at `WsLink::route`; then every
//! reply is there exactly once, in the order the handlers made them (an ack sent from inside
//! a handler between two emits included), whether fed in a burst or handed over one by one.

mod api_common;

use api_common::{frames, text};

use api_common::Clock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use volley_protocol::api::{Endpoint, Io, Options, SocketRef, WsLink};
use volley_protocol::engine::WsFrame;

/// Counts its wake-ups.
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn waker() -> (Arc<Wakes>, Waker) {
    let wakes = Arc::new(Wakes(AtomicUsize::new(0)));
    (wakes.clone(), Waker::from(wakes))
}

fn server() -> Endpoint {
    let io = Io::new(Options::default(), Arc::new(Clock::new()));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, mut event| {
            let _ = socket.emit("before", &());
            if let Some(ack) = event.take_ack() {
                ack.send_forward(event.forward_args());
            }
            let _ = socket.emit("after", &());
        });
        socket.on("shout", |socket, event| {
            socket.nsp().emit_forward("shouted", event.forward_args());
        });
    });
    io.into()
}

fn connect(endpoint: &Endpoint) -> WsLink {
    let link = api_common::open_websocket(endpoint);
    assert_eq!(frames(&link).len(), 1, "the open packet");
    link.handle_message(text("40"));
    assert_eq!(frames(&link).len(), 1, "the CONNECT answer");
    link
}

fn ready(link: &WsLink, waker: &Waker) -> bool {
    link.poll_ready(&mut Context::from_waker(waker)) == Poll::Ready(())
}

fn echoed(ids: &[u32]) -> Vec<WsFrame> {
    ids.iter()
        .flat_map(|id| {
            [
                text(r#"42["before"]"#),
                text(&format!(r#"43{id}["x",{id}]"#)),
                text(r#"42["after"]"#),
            ]
        })
        .collect()
}

#[test]
fn fed_frames_reply_in_order_once_routed() {
    let endpoint = server();
    let link = connect(&endpoint);
    let (wakes, waker) = waker();
    assert!(!ready(&link, &waker));
    for id in 1..=3 {
        link.feed(text(&format!(r#"42{id}["echo","x",{id}]"#)));
    }
    // The handlers ran (their replies are queued, in order), but no writer was woken yet.
    assert_eq!(wakes.0.load(Ordering::SeqCst), 0);
    assert!(!ready(&link, &waker));
    link.route();
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert!(ready(&link, &waker));
    assert_eq!(frames(&link), echoed(&[1, 2, 3]));
    // Routing again finds nothing more.
    link.route();
    assert!(!ready(&link, &waker));
    assert_eq!(frames(&link), Vec::new());
}

#[test]
fn handled_frames_reply_in_the_same_order_at_once() {
    let endpoint = server();
    let link = connect(&endpoint);
    let (_wakes, waker) = waker();
    for id in 1..=3 {
        link.handle_message(text(&format!(r#"42{id}["echo","x",{id}]"#)));
        assert!(ready(&link, &waker));
    }
    assert_eq!(frames(&link), echoed(&[1, 2, 3]));
}

#[test]
fn a_broadcast_from_a_fed_frame_wakes_the_other_writers_at_route() {
    let endpoint = server();
    let (sender, receiver) = (connect(&endpoint), connect(&endpoint));
    let (wakes, waker) = waker();
    assert!(!ready(&receiver, &waker));
    sender.feed(text(r#"42["shout",1]"#));
    sender.feed(text(r#"42["shout",2]"#));
    assert_eq!(wakes.0.load(Ordering::SeqCst), 0);
    sender.route();
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    let shouted = vec![text(r#"42["shouted",1]"#), text(r#"42["shouted",2]"#)];
    assert_eq!(frames(&receiver), shouted);
    assert_eq!(frames(&sender), shouted);
}

#[test]
fn another_call_into_the_endpoint_routes_fed_replies_too() {
    let endpoint = server();
    let (link, other) = (connect(&endpoint), connect(&endpoint));
    let (wakes, waker) = waker();
    assert!(!ready(&link, &waker));
    link.feed(text(r#"42["shout",1]"#));
    // Any call that routes (here another connection's frame) takes the fed replies along.
    other.handle_message(text("3"));
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert_eq!(frames(&link), vec![text(r#"42["shouted",1]"#)]);
}
