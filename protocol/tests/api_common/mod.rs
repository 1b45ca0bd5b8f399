//! Helpers shared by the tests that drive the user API (`Io` behind an `Endpoint`) by hand.

use bytes::Bytes;
use std::future::Future;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use volley_protocol::api::{BoxFuture, Endpoint, HttpOutcome, Runtime, WsLink};
use volley_protocol::engine::{Method, RequestHead};

/// A runtime for tests: a fixed clock, and spawned futures polled until they finish.
#[allow(dead_code)]
pub struct TestRuntime(pub Instant);

impl Runtime for TestRuntime {
    fn now(&self) -> Instant {
        self.0
    }
    fn spawn(&self, fut: BoxFuture) {
        run_to_end(fut);
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        counting_bytes(buf);
    }
}

fn run_to_end(mut fut: BoxFuture) {
    let mut cx = Context::from_waker(Waker::noop());
    assert!(
        fut.as_mut().poll(&mut cx).is_ready(),
        "the handlers here do not wait"
    );
}

fn counting_bytes(buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = i as u8;
    }
}

/// [`TestRuntime`] with a clock the test moves forward.
#[allow(dead_code)]
pub struct SteppedRuntime(Mutex<Instant>);

#[allow(dead_code)]
impl SteppedRuntime {
    pub fn new() -> Self {
        SteppedRuntime(Mutex::new(Instant::now()))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Runtime for SteppedRuntime {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap()
    }
    fn spawn(&self, fut: BoxFuture) {
        run_to_end(fut);
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        counting_bytes(buf);
    }
}

/// A clock the test moves, and random bytes that differ on every call (so several clients
/// get different ids).
#[allow(dead_code)]
pub struct Clock {
    pub now: Mutex<Instant>,
    random: Mutex<u8>,
}

#[allow(dead_code)]
impl Clock {
    pub fn new() -> Self {
        Clock {
            now: Mutex::new(Instant::now()),
            random: Mutex::new(0),
        }
    }
}

impl Runtime for Clock {
    fn now(&self) -> Instant {
        *self.now.lock().unwrap()
    }
    fn spawn(&self, fut: BoxFuture) {
        run_to_end(fut);
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        let mut n = self.random.lock().unwrap();
        *n = n.wrapping_add(1);
        buf.fill(*n);
    }
}

/// The output of `fut` if it is ready at the first poll.
#[allow(dead_code)]
pub fn ready<F: Future + Unpin>(fut: &mut F) -> Option<F::Output> {
    match std::pin::Pin::new(fut).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

/// A WebSocket-first connection to `endpoint`, upgraded (nothing read yet).
#[allow(dead_code)]
pub fn open_websocket(endpoint: &Endpoint) -> WsLink {
    let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket")
        .with_header("Connection", "Upgrade")
        .with_header("Upgrade", "websocket");
    let HttpOutcome::WebSocket(upgrade) = endpoint.handle_request(head, Bytes::new()) else {
        panic!("a WebSocket upgrade");
    };
    endpoint.ws_open(upgrade)
}

/// A polling client connected to `/`, driving the endpoint by hand.
#[allow(dead_code)]
pub struct Client {
    pub endpoint: Endpoint,
    pub sid: String,
}

#[allow(dead_code)]
fn request(endpoint: &Endpoint, method: Method, query: &str, body: &str) -> (u16, String) {
    let head = RequestHead::new(
        method,
        &format!("/socket.io/?EIO=4&transport=polling{query}"),
    );
    match endpoint.handle_request(head, Bytes::copy_from_slice(body.as_bytes())) {
        HttpOutcome::Respond(r) => (r.status, String::from_utf8(r.body.to_vec()).unwrap()),
        HttpOutcome::Pending(mut pending) => {
            let mut cx = Context::from_waker(Waker::noop());
            match std::pin::Pin::new(&mut pending).poll(&mut cx) {
                Poll::Ready(r) => (r.status, String::from_utf8(r.body.to_vec()).unwrap()),
                Poll::Pending => (0, String::new()),
            }
        }
        _ => panic!("a polling request"),
    }
}

#[allow(dead_code)]
impl Client {
    /// Handshake and CONNECT to `/`.
    pub fn connect(endpoint: Endpoint) -> Client {
        Client::connect_with_auth(endpoint, "")
    }

    /// Handshake and CONNECT to `/` with `auth` (raw JSON, or empty for none).
    pub fn connect_with_auth(endpoint: Endpoint, auth: &str) -> Client {
        Client::connect_to(endpoint, "/", auth)
    }

    /// Handshake and CONNECT to `nsp` with `auth` (raw JSON, or empty for none).
    pub fn connect_to(endpoint: Endpoint, nsp: &str, auth: &str) -> Client {
        let (client, answer) = Client::connect_answered(endpoint, nsp, auth);
        let nsp = if nsp == "/" {
            String::new()
        } else {
            format!("{nsp},")
        };
        assert!(
            answer.starts_with(&format!("40{nsp}{{\"sid\":")),
            "{answer}"
        );
        client
    }

    /// Handshake and CONNECT to `nsp` with `auth`; also returns what the first poll got
    /// (the CONNECT answer, after any missed events a recovered socket gets first).
    pub fn connect_answered(endpoint: Endpoint, nsp: &str, auth: &str) -> (Client, String) {
        let (status, body) = request(&endpoint, Method::Get, "", "");
        assert_eq!(status, 200);
        let sid = body.split('"').nth(3).unwrap().to_owned();
        let client = Client { endpoint, sid };
        let nsp = if nsp == "/" {
            String::new()
        } else {
            format!("{nsp},")
        };
        assert_eq!(client.post(&format!("40{nsp}{auth}")), 200);
        let (_, answer) = client.get();
        (client, answer)
    }

    pub fn post(&self, body: &str) -> u16 {
        request(
            &self.endpoint,
            Method::Post,
            &format!("&sid={}", self.sid),
            body,
        )
        .0
    }

    /// The session was closed: the next poll gets the close packet, the one after 400.
    pub fn assert_closed(&self, what: &str) {
        let (status, body) = self.get();
        assert!(
            status == 200 && body.ends_with('1'),
            "{what}: {status} {body:?}"
        );
        assert_eq!(self.get().0, 400, "{what}");
    }

    /// Everything queued for the client (status 0: nothing was queued).
    pub fn get(&self) -> (u16, String) {
        request(
            &self.endpoint,
            Method::Get,
            &format!("&sid={}", self.sid),
            "",
        )
    }
}

/// Every frame queued for `link` right now.
#[allow(dead_code)]
pub fn frames(link: &WsLink) -> Vec<volley_protocol::engine::WsFrame> {
    let mut out = Vec::new();
    link.drain(&mut out);
    out
}

/// A text frame holding `s`.
#[allow(dead_code)]
pub fn text(s: &str) -> volley_protocol::engine::WsFrame {
    volley_protocol::engine::WsFrame::Text(volley_protocol::Str::from(s))
}
