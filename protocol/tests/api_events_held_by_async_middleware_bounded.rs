//! Through the user API, sans IO (polling clients driving an `Endpoint` by hand): while an
//! async event middleware is pending (e.g. a slow database lookup), the socket's later events
//! wait for it, in order. What waits is bounded by the per-client buffer limit
//! (`Options::max_buffer`), counted in wire bytes: a client that floods past it is closed as
//! an overflowing outgoing buffer closes it (`transport buffer full`), its waiting events are
//! dropped, and the server's other clients are not affected. A flood within the bound is
//! delivered in full, in order, once the middleware answers.

mod api_common;

use api_common::Client;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;
use volley_protocol::api::{BoxFuture, EventRefused, Io, Options, Runtime, SocketRef};

/// A fixed clock; spawned futures are kept, and polled when the test says.
#[derive(Default)]
struct HeldRuntime {
    spawned: Mutex<Vec<BoxFuture>>,
    random: Mutex<u8>,
}

impl HeldRuntime {
    /// Polls the spawned futures (those they spawn too) until all left are pending.
    fn run(&self) {
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            let futures = std::mem::take(&mut *self.spawned.lock().unwrap());
            let before = futures.len();
            let pending: Vec<BoxFuture> = futures
                .into_iter()
                .filter_map(|mut f| f.as_mut().poll(&mut cx).is_pending().then_some(f))
                .collect();
            let mut spawned = self.spawned.lock().unwrap();
            let progressed = pending.len() < before || !spawned.is_empty();
            spawned.extend(pending);
            if !progressed {
                return;
            }
        }
    }
}

impl Runtime for HeldRuntime {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn spawn(&self, fut: BoxFuture) {
        self.spawned.lock().unwrap().push(fut);
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        // Different ids for every client.
        let mut n = self.random.lock().unwrap();
        *n = n.wrapping_add(1);
        buf.fill(*n);
    }
}

/// Pending until the flag is raised (the slow lookup answering).
struct Lookup(Arc<AtomicBool>);

impl Future for Lookup {
    type Output = Result<(), EventRefused>;
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.load(Ordering::SeqCst) {
            true => Poll::Ready(Ok(())),
            false => Poll::Pending,
        }
    }
}

type Log = Arc<Mutex<Vec<String>>>;

struct Server {
    runtime: Arc<HeldRuntime>,
    io: Io,
    log: Log,
    answered: Arc<AtomicBool>,
}

/// A server whose sockets hold a `slow` event in an async middleware until `answered`,
/// logging what their handlers see (event name, length of the first argument) and why they
/// leave.
fn server(max_buffer: Option<usize>) -> Server {
    let runtime = Arc::new(HeldRuntime::default());
    let io = Io::new(Options::default().max_buffer(max_buffer), runtime.clone());
    let log: Log = Arc::default();
    let answered = Arc::new(AtomicBool::new(false));
    let (l, a) = (log.clone(), answered.clone());
    io.of("/").on_connection(move |socket: SocketRef| {
        let a = a.clone();
        socket.middleware(move |_s, event| {
            let slow = event.name() == "slow";
            let answered = a.clone();
            async move {
                if slow {
                    Lookup(answered).await
                } else {
                    Ok(())
                }
            }
        });
        let (l1, l2) = (l.clone(), l.clone());
        socket.on_fallback(move |_s, event| {
            let n: String = event.arg(0).unwrap_or_default();
            l1.lock()
                .unwrap()
                .push(format!("{} {}", event.name(), n.len()));
        });
        socket.on_disconnect(move |_s, reason| {
            l2.lock().unwrap().push(format!("left: {reason}"));
        });
    });
    Server {
        runtime,
        io,
        log,
        answered,
    }
}

impl Server {
    fn client(&self) -> Client {
        let client = Client::connect(self.io.clone().into());
        self.runtime.run();
        client
    }
    fn logged(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
    fn answer(&self) {
        self.answered.store(true, Ordering::SeqCst);
        self.runtime.run();
    }
}

/// `42["flood","xxx…"]` taking `len` bytes on the wire.
fn event_of_len(len: usize) -> String {
    let head = "42[\"flood\",\"\"]".len();
    format!("42[\"flood\",\"{}\"]", "x".repeat(len - head))
}

#[test]
fn a_flood_past_the_bound_while_a_middleware_waits_closes_only_that_client() {
    let server = server(Some(10_000));
    let flooder = server.client();
    let other = server.client();
    assert_eq!(flooder.post("42[\"slow\",\"\"]"), 200);
    server.runtime.run();
    // Ten events of 1000 bytes fill the bound exactly: still open.
    let event = event_of_len(1000);
    assert_eq!(event.len(), 1000);
    for _ in 0..10 {
        assert_eq!(flooder.post(&event), 200);
    }
    assert_eq!(server.logged(), Vec::<String>::new());
    // One byte more is past it (the POST itself may be refused: its session closed under it).
    let _ = flooder.post("42[\"flood\",\"\"]");
    assert_eq!(server.logged(), ["left: transport buffer full"]);
    flooder.assert_closed("the flooder");
    // The other client is served all along, its events not held by the flooder's.
    assert_eq!(other.post("42[\"ping\",\"abc\"]"), 200);
    server.runtime.run();
    assert_eq!(server.logged()[1..], ["ping 3"]);
    // The lookup answers: none of the flooder's events reach a handler.
    server.answer();
    assert_eq!(server.logged()[1..], ["ping 3"]);
    assert_eq!(other.post("42[\"ping\",\"de\"]"), 200);
    server.runtime.run();
    assert_eq!(server.logged()[1..], ["ping 3", "ping 2"]);
}

#[test]
fn a_flood_within_the_bound_waits_and_is_delivered_in_order() {
    let server = server(Some(10_000));
    let client = server.client();
    assert_eq!(client.post("42[\"slow\",\"\"]"), 200);
    server.runtime.run();
    for len in [1000, 999, 998, 997, 996, 995, 994, 993, 992, 991] {
        assert_eq!(client.post(&event_of_len(len)), 200);
    }
    assert_eq!(server.logged(), Vec::<String>::new());
    server.answer();
    let mut expected = vec!["slow 0".to_owned()];
    let head = "42[\"flood\",\"\"]".len();
    for len in [1000, 999, 998, 997, 996, 995, 994, 993, 992, 991] {
        expected.push(format!("flood {}", len - head));
    }
    assert_eq!(server.logged(), expected);
    // The client stays connected, and the bound counts only what waits at once.
    assert_eq!(client.post(&event_of_len(5000)), 200);
    assert_eq!(client.post(&event_of_len(6000)), 200);
    server.runtime.run();
    assert_eq!(server.logged().len(), 13);
    assert!(!server.logged().iter().any(|l| l.contains("left")));
}

#[test]
fn what_was_delivered_frees_its_place_in_the_bound() {
    let server = server(Some(10_000));
    let client = server.client();
    // Three rounds of 9000 bytes each, the lookup answering between them: 27000 bytes went
    // through the gate, never more than 9000 at once.
    for round in 0..3 {
        server.answered.store(false, Ordering::SeqCst);
        assert_eq!(client.post("42[\"slow\",\"\"]"), 200);
        server.runtime.run();
        for _ in 0..9 {
            assert_eq!(client.post(&event_of_len(1000)), 200);
        }
        server.answer();
        assert_eq!(server.logged().len(), 10 * (round + 1), "round {round}");
    }
    assert!(!server.logged().iter().any(|l| l.contains("left")));
}

#[test]
fn without_a_bound_the_events_wait_as_with_the_reference() {
    let server = server(None);
    let client = server.client();
    assert_eq!(client.post("42[\"slow\",\"\"]"), 200);
    server.runtime.run();
    for _ in 0..50 {
        assert_eq!(client.post(&event_of_len(1000)), 200);
    }
    assert_eq!(server.logged(), Vec::<String>::new());
    server.answer();
    assert_eq!(server.logged().len(), 51);
    assert!(!server.logged().iter().any(|l| l.contains("left")));
}

#[test]
fn a_flood_of_tiny_events_is_bounded_in_number_too() {
    // 15-byte events: 1000 of them take 15 000 bytes on the wire, far below the bound, but
    // each waiting event holds a few hundred bytes on the server, so their number is bounded
    // too (here to a few hundred).
    let server = server(Some(100_000));
    let patient = server.client();
    let flooder = server.client();
    let tiny = "42[\"flood\",\"\"]";
    assert_eq!(tiny.len(), 14);
    for client in [&patient, &flooder] {
        assert_eq!(client.post("42[\"slow\",\"\"]"), 200);
    }
    server.runtime.run();
    // A hundred wait, as any events within the bound do.
    assert_eq!(patient.post(&vec![tiny; 100].join("\u{1e}")), 200);
    let _ = flooder.post(&vec![tiny; 1000].join("\u{1e}"));
    assert_eq!(server.logged(), ["left: transport buffer full"]);
    flooder.assert_closed("the flooder");
    server.answer();
    let logged = server.logged();
    assert_eq!(logged.len(), 1 + 101, "{logged:?}");
    assert!(logged[1..].iter().all(|l| l == "slow 0" || l == "flood 0"));
}
