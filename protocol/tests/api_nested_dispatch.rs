//! Through the user API, sans IO: a call into an endpoint from one of its own handlers leaves
//! routing (waking writers) to the call that dispatches, also when it is made from a handler
//! of another endpoint that the first one's handler dispatched into; an endpoint that is not
//! dispatching routes at once, even from inside another endpoint's handler.

mod api_common;

use api_common::{frames, text};

use api_common::Clock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use volley_protocol::api::{Endpoint, Io, Options, SocketRef, WsLink};

/// Counts its wake-ups.
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn waker() -> Waker {
    Waker::from(Arc::new(Wakes(AtomicUsize::new(0))))
}

fn connect(endpoint: &Endpoint) -> WsLink {
    let link = api_common::open_websocket(endpoint);
    assert_eq!(frames(&link).len(), 1, "the open packet");
    link.handle_message(text("40"));
    assert_eq!(frames(&link).len(), 1, "the CONNECT answer");
    link
}

/// Whether the link's writer has something routed to it (checked without waiting).
fn ready(link: &WsLink) -> bool {
    link.poll_ready(&mut Context::from_waker(&waker())) == Poll::Ready(())
}

/// What a handler saw, in order.
type Seen = Arc<Mutex<Vec<(&'static str, bool)>>>;

#[test]
fn nested_dispatch_across_endpoints_routes_each_endpoint_when_its_dispatch_ends() {
    let io_a = Io::new(Options::default(), Arc::new(Clock::new()));
    let io_b = Io::new(Options::default(), Arc::new(Clock::new()));
    let link_a: Arc<OnceLock<WsLink>> = Arc::default();
    let link_b: Arc<OnceLock<WsLink>> = Arc::default();
    let seen: Seen = Arc::default();
    {
        let (io_b, link_a, link_b, seen) =
            (io_b.clone(), link_a.clone(), link_b.clone(), seen.clone());
        io_a.of("/").on_connection(move |socket: SocketRef| {
            let (io_b, link_a, link_b, seen) =
                (io_b.clone(), link_a.clone(), link_b.clone(), seen.clone());
            socket.on("relay", move |socket, _event| {
                let (la, lb) = (link_a.get().unwrap(), link_b.get().unwrap());
                let see = |what, v| seen.lock().unwrap().push((what, v));
                // B is not dispatching: its transmit is routed at once.
                io_b.emit("from_a", &()).unwrap();
                see("B routed from A's handler", ready(lb));
                assert_eq!(frames(lb), vec![text(r#"42["from_a"]"#)]);
                // A is: its own emit waits for A's dispatch to end.
                socket.emit("a_own", &()).unwrap();
                see("A routed from its own handler", ready(la));
                // Dispatching into B from here: B's handler calls into A and into B.
                lb.handle_message(text(r#"42["back"]"#));
                see("B routed once its dispatch ended", ready(lb));
                assert_eq!(frames(lb), vec![text(r#"42["b_own"]"#)]);
                see("A routed once B's dispatch ended", ready(la));
            });
        });
    }
    {
        let (io_a, link_a, link_b, seen) =
            (io_a.clone(), link_a.clone(), link_b.clone(), seen.clone());
        io_b.of("/").on_connection(move |socket: SocketRef| {
            let (io_a, link_a, link_b, seen) =
                (io_a.clone(), link_a.clone(), link_b.clone(), seen.clone());
            socket.on("back", move |socket, _event| {
                let (la, lb) = (link_a.get().unwrap(), link_b.get().unwrap());
                let see = |what, v| seen.lock().unwrap().push((what, v));
                // A dispatches further out (B is the innermost): A's transmit waits.
                io_a.emit("from_b", &()).unwrap();
                see("A routed from B's handler", ready(la));
                // B is the innermost: its own emit waits for B's dispatch to end.
                socket.emit("b_own", &()).unwrap();
                see("B routed from its own handler", ready(lb));
            });
        });
    }
    let (endpoint_a, endpoint_b): (Endpoint, Endpoint) = (io_a.clone().into(), io_b.clone().into());
    assert!(link_a.set(connect(&endpoint_a)).is_ok());
    assert!(link_b.set(connect(&endpoint_b)).is_ok());
    let (la, lb) = (link_a.get().unwrap(), link_b.get().unwrap());
    assert!(!ready(la) && !ready(lb));

    la.handle_message(text(r#"42["relay"]"#));

    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            ("B routed from A's handler", true),
            ("A routed from its own handler", false),
            ("A routed from B's handler", false),
            ("B routed from its own handler", false),
            ("B routed once its dispatch ended", true),
            ("A routed once B's dispatch ended", false),
        ]
    );
    // A's dispatch is over: everything its handlers queued is routed, in order.
    assert!(ready(la));
    assert_eq!(
        frames(la),
        vec![text(r#"42["a_own"]"#), text(r#"42["from_b"]"#)]
    );
    assert!(!ready(lb));

    // Outside any dispatch, a call into either endpoint routes at once.
    io_b.emit("later", &()).unwrap();
    assert!(ready(lb));
    io_a.emit("later", &()).unwrap();
    assert!(ready(la));
}

#[test]
fn a_handler_panicking_inside_a_nested_dispatch_leaves_no_endpoint_marked() {
    let io = Io::new(Options::default(), Arc::new(Clock::new()));
    let link: Arc<OnceLock<WsLink>> = Arc::default();
    {
        let link = link.clone();
        io.of("/").on_connection(move |socket: SocketRef| {
            let link = link.clone();
            socket.on("outer", move |_socket, _event| {
                // Re-entering its own endpoint: a nested dispatch whose handler panics.
                link.get().unwrap().handle_message(text(r#"42["boom"]"#));
            });
            socket.on("boom", |_socket, _event| -> () { panic!("handler fault") });
        });
    }
    let endpoint: Endpoint = io.clone().into();
    assert!(link.set(connect(&endpoint)).is_ok());
    let l = link.get().unwrap();
    l.handle_message(text(r#"42["outer"]"#));
    // The endpoint is not left marked as dispatching: an emit now routes at once.
    assert!(!ready(l));
    io.emit("after", &()).unwrap();
    assert!(ready(l));
    assert_eq!(frames(l), vec![text(r#"42["after"]"#)]);
}
