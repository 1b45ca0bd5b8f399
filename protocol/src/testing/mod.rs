//! A deterministic test harness (feature `test-util`): a server driven by a simulated clock,
//! with in-memory polling and WebSocket clients built on the same codec.
//!
//! The harness plays the adapter: it feeds requests and frames in, answers `Handshake`s
//! (accepting them unless told otherwise), completes WebSocket upgrades, drains events
//! (optionally through an "app" callback that may call back into the server) and then
//! transmits, and keeps what every client received until the test takes it. Time only moves
//! when the test says so, stopping at every deadline on the way.
//!
//! Any server that forwards the Engine.IO adapter surface can be driven: implement
//! [`Driver`] for it (it is implemented for [`EngineServer`]).

mod chaos;
mod client;

pub use crate::Driver;
pub use chaos::{run_engine_chaos, CHAOS_BUFFER_LIMIT};
pub use client::{decode_payload, PollingClient, WsClient};

use crate::engine::{
    ConnId, HttpResponse, Incoming, Method, ReqId, RequestHead, RequestOutcome, Transmit, WsFrame,
};
use crate::Str;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// An application callback: sees each event (with the server, to react) before the test does.
pub type App<D> = Box<dyn FnMut(&mut D, Instant, &<D as Driver>::Event)>;

/// How the harness answers handshakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Accept every handshake at once.
    AcceptAll,
    /// Keep them in [`Harness::incoming`] for the test to accept or refuse.
    Manual,
}

#[derive(Debug, Default)]
struct Peer {
    inbox: VecDeque<WsFrame>,
    closed: bool,
}

/// A server, a simulated clock, and what every in-memory client has received.
pub struct Harness<D: Driver> {
    /// The server under test.
    pub server: D,
    /// The simulated current time.
    pub now: Instant,
    /// Engine.IO path requests go to (default `/socket.io/`).
    pub path: String,
    /// How handshakes are answered.
    pub admission: Admission,
    /// Handshakes waiting for the test (with [`Admission::Manual`]).
    pub incoming: VecDeque<Incoming>,
    start: Instant,
    next_id: u64,
    responses: HashMap<ReqId, HttpResponse>,
    peers: HashMap<ConnId, Peer>,
    ws_of_req: HashMap<ReqId, ConnId>,
    upgrade_headers: HashMap<ConnId, Vec<(Str, Str)>>,
    events: Vec<D::Event>,
    app: Option<App<D>>,
}

impl<D: Driver> Harness<D> {
    /// A harness around `server`, with the clock at an arbitrary fixed start.
    pub fn new(server: D) -> Self {
        let start = Instant::now();
        Harness {
            server,
            now: start,
            path: "/socket.io/".to_owned(),
            admission: Admission::AcceptAll,
            incoming: VecDeque::new(),
            start,
            next_id: 0,
            responses: HashMap::new(),
            peers: HashMap::new(),
            ws_of_req: HashMap::new(),
            upgrade_headers: HashMap::new(),
            events: Vec::new(),
            app: None,
        }
    }

    /// Installs an application callback that sees every event first (e.g. an echo server).
    pub fn set_app(&mut self, app: impl FnMut(&mut D, Instant, &D::Event) + 'static) {
        self.app = Some(Box::new(app));
    }

    /// Time elapsed on the simulated clock since the harness started.
    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Drains the server: events (through the app callback), then transmits, until quiet.
    pub fn pump(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(ev) = self.server.poll_event() {
                progressed = true;
                if let Some(app) = self.app.as_mut() {
                    app(&mut self.server, self.now, &ev);
                }
                self.events.push(ev);
            }
            while let Some(t) = self.server.poll_transmit() {
                progressed = true;
                match t {
                    Transmit::Http { req, response } => {
                        let previous = self.responses.insert(req, response);
                        assert!(previous.is_none(), "request {req:?} answered twice");
                    }
                    Transmit::WsReady { conn } => self.deliver_ws(conn),
                    Transmit::WsClose { conn } => {
                        self.deliver_ws(conn);
                        if let Some(p) = self.peers.get_mut(&conn) {
                            p.closed = true;
                        }
                        self.server.handle_ws_closed(self.now, conn);
                    }
                }
            }
            if !progressed {
                break;
            }
        }
    }

    fn deliver_ws(&mut self, conn: ConnId) {
        let mut frames = Vec::new();
        self.server.drain_ws(conn, &mut frames);
        if let Some(p) = self.peers.get_mut(&conn) {
            if !p.closed {
                p.inbox.extend(frames);
            }
        }
    }

    /// Sends an HTTP request and processes what the server decides; returns its id.
    /// The response (now or later) is collected by [`Harness::response`].
    pub fn request(&mut self, head: RequestHead, body: impl Into<Bytes>) -> ReqId {
        let req = ReqId(self.next_id());
        let outcome = self.server.handle_request(self.now, req, head, body.into());
        self.outcome(req, outcome);
        req
    }

    /// Sends only the head of an HTTP request, as an adapter does before reading the body;
    /// returns its id. A POST that gets [`RequestOutcome::ReadBody`] stays unanswered until
    /// [`Harness::request_body`] (or [`Harness::abort`], or its session closing).
    pub fn request_head(&mut self, head: RequestHead) -> ReqId {
        let req = ReqId(self.next_id());
        let outcome = self.server.handle_request_head(self.now, req, head);
        self.outcome(req, outcome);
        req
    }

    /// The body of request `req` (started with [`Harness::request_head`]) has arrived;
    /// `None`: it was longer than maxPayload. Returns `false` if the server was not waiting
    /// for it (the request was already answered).
    pub fn request_body(&mut self, req: ReqId, body: Option<Bytes>) -> bool {
        let response = self.server.handle_request_body(self.now, req, body);
        let answered = response.is_some();
        if let Some(r) = response {
            let previous = self.responses.insert(req, r);
            assert!(previous.is_none(), "request {req:?} answered twice");
        }
        self.pump();
        answered
    }

    fn outcome(&mut self, req: ReqId, outcome: RequestOutcome) {
        match outcome {
            // The harness's WebSocket handshakes are valid ones: the refusal is the answer.
            RequestOutcome::Respond(r) | RequestOutcome::RefuseUpgrade(r) => {
                self.responses.insert(req, r);
            }
            RequestOutcome::Pending => {}
            RequestOutcome::NotMine => {
                self.responses.insert(
                    req,
                    HttpResponse {
                        status: 404,
                        headers: Vec::new(),
                        body: Bytes::new(),
                        compressible: false,
                    },
                );
            }
            RequestOutcome::Handshake(incoming) => match self.admission {
                Admission::AcceptAll => self.accept_incoming(incoming),
                Admission::Manual => self.incoming.push_back(incoming),
            },
            RequestOutcome::UpgradeWebSocket => self.open_ws(req),
            RequestOutcome::ReadBody => {}
        }
        self.pump();
    }

    /// A request to the Engine.IO path: `query` is appended after `?`.
    pub fn request_to(&mut self, method: Method, query: &str, body: impl Into<Bytes>) -> ReqId {
        let head = RequestHead::new(method, &format!("{}?{}", self.path, query));
        self.request(head, body)
    }

    /// Accepts a handshake the way the adapter would (upgrading a WebSocket one).
    pub fn accept_incoming(&mut self, incoming: Incoming) {
        let req = incoming.req();
        let ws = incoming.transport() == crate::engine::TransportKind::WebSocket;
        if self.server.accept(self.now, incoming).is_some() && ws {
            self.open_ws(req);
        }
        self.pump();
    }

    /// Refuses a handshake.
    pub fn refuse_incoming(&mut self, incoming: Incoming, message: Option<&str>) {
        self.server.refuse(self.now, incoming, message);
        self.pump();
    }

    fn open_ws(&mut self, req: ReqId) {
        let conn = ConnId(self.next_id());
        self.peers.insert(conn, Peer::default());
        self.ws_of_req.insert(req, conn);
        let headers = self.server.take_upgrade_headers(req);
        self.upgrade_headers.insert(conn, headers);
        self.server.handle_ws_open(self.now, req, conn);
    }

    /// The extra headers the `101` that opened `conn` carried
    /// ([`Driver::take_upgrade_headers`]).
    pub fn upgrade_headers(&self, conn: ConnId) -> &[(Str, Str)] {
        self.upgrade_headers.get(&conn).map_or(&[], Vec::as_slice)
    }

    /// The response to `req`, if it has been answered (taken: a second call returns `None`).
    pub fn response(&mut self, req: ReqId) -> Option<HttpResponse> {
        self.pump();
        self.responses.remove(&req)
    }

    /// The response to `req`, which must have been answered.
    #[track_caller]
    pub fn expect_response(&mut self, req: ReqId) -> HttpResponse {
        self.response(req)
            .unwrap_or_else(|| panic!("request {req:?} is still pending"))
    }

    /// True while `req` is waiting for its response.
    pub fn is_pending(&mut self, req: ReqId) -> bool {
        self.pump();
        !self.responses.contains_key(&req) && !self.ws_of_req.contains_key(&req)
    }

    /// The client of `req` goes away before its response.
    pub fn abort(&mut self, req: ReqId) {
        self.server.handle_request_aborted(self.now, req);
        self.pump();
    }

    /// The WebSocket connection opened for upgrade request `req`, if the upgrade happened.
    pub fn ws_conn(&self, req: ReqId) -> Option<ConnId> {
        self.ws_of_req.get(&req).copied()
    }

    /// A client sends a frame on `conn`.
    pub fn ws_send(&mut self, conn: ConnId, frame: WsFrame) {
        assert!(
            !self.ws_closed(conn),
            "sending on closed connection {conn:?}"
        );
        self.server.handle_ws_message(self.now, conn, frame);
        self.pump();
    }

    /// Frames `conn` received since the last call.
    pub fn ws_recv(&mut self, conn: ConnId) -> Vec<WsFrame> {
        self.pump();
        self.peers
            .get_mut(&conn)
            .map(|p| p.inbox.drain(..).collect())
            .unwrap_or_default()
    }

    /// The client closes `conn`.
    pub fn ws_close(&mut self, conn: ConnId) {
        if let Some(p) = self.peers.get_mut(&conn) {
            if !std::mem::replace(&mut p.closed, true) {
                self.server.handle_ws_closed(self.now, conn);
            }
        }
        self.pump();
    }

    /// True once the server closed `conn` (or the client did).
    pub fn ws_closed(&self, conn: ConnId) -> bool {
        self.peers.get(&conn).is_none_or(|p| p.closed)
    }

    /// Events the server reported since the last call.
    pub fn take_events(&mut self) -> Vec<D::Event> {
        self.pump();
        std::mem::take(&mut self.events)
    }

    /// Moves the clock forward by `d`, stopping at every deadline on the way.
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        let mut repeats = 0u32;
        let mut last = None;
        while let Some(at) = self.server.poll_timeout() {
            if at > target {
                break;
            }
            // A deadline that firing does not move is a livelock the real timer task would
            // spin on; fail loudly instead.
            repeats = if last == Some(at) { repeats + 1 } else { 0 };
            assert!(
                repeats < 1000,
                "the server keeps asking to be woken at {at:?}"
            );
            last = Some(at);
            self.now = self.now.max(at);
            self.server.handle_timeout(self.now);
            self.pump();
        }
        self.now = target;
        self.server.handle_timeout(self.now);
        self.pump();
    }

    /// Moves the clock forward by `d` in one step and only then fires what is due, as a timer
    /// task that the OS did not run on time sees it: every deadline passed on the way fires
    /// late, at the new time.
    pub fn advance_late(&mut self, d: Duration) {
        self.now += d;
        self.server.handle_timeout(self.now);
        self.pump();
    }

    /// Jumps to the next deadline and fires it; returns how far the clock moved, or `None`
    /// when the server has no deadline.
    pub fn advance_to_next_timeout(&mut self) -> Option<Duration> {
        let at = self.server.poll_timeout()?;
        let moved = at.saturating_duration_since(self.now);
        self.now = self.now.max(at);
        self.server.handle_timeout(self.now);
        self.pump();
        Some(moved)
    }
}
