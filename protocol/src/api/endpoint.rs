//! The adapter-facing side of the API: one lock around the sans-IO core, the routing of its
//! transmits to waiting HTTP responses and WebSocket writers, and the timer deadline.
//!
//! Adapters hold an [`Endpoint`] and do only I/O: hand it each HTTP request, feed it
//! WebSocket frames through a [`WsLink`], write what the link drains, and call
//! [`Endpoint::handle_timeout`] when the deadline passed to [`Runtime::wake_timer`] arrives.

use super::admission::{self, Asked, Deferred, DynAllowRequest, RequestRefused};
use super::client::ClientFiles;
use super::engine_io::HeadStep;
use super::middleware::Verdict;
use super::nesting::DispatchGuard;
use super::outcome::{
    bad_request, HeadOutcome, HttpOutcome, LinkSignal, PendingResponse, PostBody, WsLink, WsUpgrade,
};
use super::runtime::Runtime;
use crate::engine::{ConnId, HttpResponse, Incoming, ReqId, RequestHead, Transmit, WsFrame};
use crate::hash::IdMap;
use crate::Driver;
use crate::Str;
use bytes::Bytes;
use futures_channel::oneshot;

use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// What a core tells the endpoint about one HTTP request.
pub(crate) enum CoreOutcome {
    /// Answer now.
    Respond(HttpResponse),
    /// The answer comes later as a [`Transmit::Http`].
    Pending,
    /// Complete a WebSocket upgrade of this request, then call `handle_ws_open`.
    WebSocket(ReqId),
    /// Check the WebSocket handshake's headers, then refuse it with this response.
    RefuseUpgrade(HttpResponse),
    /// Not an Engine.IO request.
    NotMine,
    /// A POST whose body the core waits for (`handle_request_body`); an earlier
    /// [`Transmit::Http`] for it means its session closed meanwhile.
    ReadBody,
}

/// A sans-IO state machine the endpoint can drive: the Engine.IO server alone (raw mode) or
/// the Socket.IO server. `App` is what runs the user's code for its events.
pub(crate) trait Core: Driver<Event: Send> + Send + Sized + 'static {
    type App: Send + Sync + 'static;
    /// Runs the user's code for the event taken out of `event`, outside the lock. The event
    /// stays in its slot until the handler's code takes it: events are large, and each move
    /// on the way (into an iterator, a closure, `catch_unwind`'s frame) is a copy.
    fn dispatch(shared: &Arc<Shared<Self>>, event: &mut Option<Self::Event>);
    /// Groups of sockets leaving one after the other under way (`server/departures.rs`).
    fn departure_depth(&self) -> usize {
        0
    }
    /// The next event, moving on none of the `floor` oldest groups of sockets leaving
    /// together.
    fn poll_event_above(&mut self, _floor: usize) -> Option<Self::Event> {
        self.poll_event()
    }
    /// Closes every session now (a shutdown past its deadline).
    fn close_sessions(&mut self, now: Instant) {
        self.shutdown(now);
    }
}

pub(crate) struct State<C> {
    pub(crate) core: C,
    pending: IdMap<ReqId, oneshot::Sender<HttpResponse>>,
    links: IdMap<ConnId, Arc<LinkSignal>>,
    next_id: u64,
    armed: Option<Instant>,
    idle: Vec<Waker>,
}

/// Everything behind an [`Endpoint`] or a user handle: the locked core plus the app.
pub(crate) struct Shared<C: Core> {
    state: Mutex<State<C>>,
    pub(crate) runtime: Arc<dyn Runtime>,
    pub(crate) app: C::App,
    /// The `allow_request` hook, asked about every handshake.
    allow_request: RwLock<Option<DynAllowRequest>>,
    me: Weak<Shared<C>>,
    path: Str,
    max_payload: usize,
    body_timeout: Duration,
    http_compression: Option<usize>,
    client: Option<ClientFiles>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking user handler never runs under this lock, so poisoning can only come from a
    // bug in the core; keep serving the other clients.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<C: Core> Shared<C> {
    pub(crate) fn new(
        core: C,
        app: C::App,
        runtime: Arc<dyn Runtime>,
        client: Option<ClientFiles>,
    ) -> Arc<Self> {
        let config = core.config();
        let path = config.path.clone();
        let max_payload = config.max_payload;
        let body_timeout = config.ping_interval + config.ping_timeout;
        let http_compression = config.http_compression;
        Arc::new_cyclic(|me| Shared {
            state: Mutex::new(State {
                core,
                pending: IdMap::default(),
                links: IdMap::default(),
                next_id: 0,
                armed: None,
                idle: Vec::new(),
            }),
            runtime,
            app,
            allow_request: RwLock::new(None),
            me: me.clone(),
            path,
            max_payload,
            body_timeout,
            http_compression,
            client,
        })
    }

    /// Runs `f` on the core under the lock, then routes what it produced: events to the app
    /// (after the lock is released), transmits to their HTTP responses and WebSocket writers,
    /// and the next deadline to the runtime.
    ///
    /// Transmits are routed only after the app handled the events, and calls made by the
    /// app's synchronous handlers defer theirs to that point too: so one parked GET carries
    /// everything a request caused, replies included, and a handler that emits many packets
    /// wakes each writer once.
    pub(crate) fn with_core<R>(&self, f: impl FnOnce(&mut State<C>, Instant) -> R) -> R {
        self.run_core(true, f)
    }

    /// [`with_core`](Self::with_core); without `route`, the transmits stay queued in the core
    /// for a later call's flush (see [`WsLink::feed`]).
    fn run_core<R>(&self, route: bool, f: impl FnOnce(&mut State<C>, Instant) -> R) -> R {
        let key = self as *const Self as usize;
        // A call from one of this endpoint's own handlers leaves routing to the call that
        // dispatches.
        let flush = route && !DispatchGuard::active(key);
        let now = self.runtime.now();
        let mut wake = Vec::new();
        let mut first = None;
        let mut rest = Vec::new();
        let (r, floor) = {
            let mut st = lock(&self.state);
            // Groups of sockets leaving one after the other that `f` starts are this call's
            // to run to their end; older ones belong to the calls that started them.
            let floor = st.core.departure_depth();
            let r = f(&mut st, now);
            Self::drain(&mut st, floor, &mut first, &mut rest);
            if first.is_none() && flush {
                self.flush(&mut st, &mut wake);
            }
            (r, floor)
        };
        for w in wake.drain(..) {
            w.wake();
        }
        if first.is_none() {
            return r;
        }
        let Some(me) = self.me.upgrade() else {
            // Being dropped: the events go nowhere, the transmits still do.
            if flush {
                self.flush(&mut lock(&self.state), &mut wake);
            }
            wake.into_iter().for_each(Waker::wake);
            return r;
        };
        let _guard = DispatchGuard::enter(key);
        loop {
            C::dispatch(&me, &mut first);
            for event in rest.drain(..) {
                C::dispatch(&me, &mut Some(event));
            }
            // The next socket of such a group starts once the handlers of the one before it
            // have run: a loop here, however many sockets the group holds.
            let mut st = lock(&self.state);
            Self::drain(&mut st, floor, &mut first, &mut rest);
            if first.is_none() {
                if flush {
                    self.flush(&mut st, &mut wake);
                }
                break;
            }
        }
        for w in wake {
            w.wake();
        }
        r
    }

    /// Takes the core's events; the first is kept apart: the usual single event (a
    /// request's) needs no list.
    fn drain(
        st: &mut State<C>,
        floor: usize,
        first: &mut Option<C::Event>,
        rest: &mut Vec<C::Event>,
    ) {
        while let Some(e) = st.core.poll_event_above(floor) {
            if first.is_none() {
                *first = Some(e);
            } else {
                rest.push(e);
            }
        }
    }

    fn flush(&self, st: &mut State<C>, wake: &mut Vec<Waker>) {
        while let Some(t) = st.core.poll_transmit() {
            match t {
                Transmit::Http { req, response } => {
                    if let Some(tx) = st.pending.remove(&req) {
                        // The receiver is gone only if the request was dropped; the core
                        // hears about that through handle_request_aborted.
                        let _ = tx.send(response);
                    }
                }
                Transmit::WsReady { conn } => {
                    if let Some(link) = st.links.get(&conn) {
                        link.mark(false, wake);
                    }
                }
                Transmit::WsClose { conn } => {
                    if let Some(link) = st.links.get(&conn) {
                        link.mark(true, wake);
                    }
                }
            }
        }
        if let Some(at) = st.core.poll_timeout() {
            if st.armed.is_none_or(|armed| at < armed) {
                st.armed = Some(at);
                self.runtime.wake_timer(at);
            }
        }
        if st.links.is_empty() && st.pending.is_empty() {
            wake.append(&mut st.idle);
        }
    }

    /// Sets (or with `None` removes) the `allow_request` hook.
    pub(crate) fn set_allow_request(&self, hook: Option<DynAllowRequest>) {
        *self
            .allow_request
            .write()
            .unwrap_or_else(|e| e.into_inner()) = hook;
    }

    /// Maps what the core said about request `id` to what the adapter does, registering the
    /// later answer of a parked request.
    fn route(&self, st: &mut State<C>, id: ReqId, outcome: CoreOutcome) -> HeadOutcome {
        let Some(me) = self.me.upgrade() else {
            return HeadOutcome::Ready(HttpOutcome::Respond(bad_request()));
        };
        let outcome = match outcome {
            CoreOutcome::Respond(resp) => HttpOutcome::Respond(resp),
            CoreOutcome::NotMine => HttpOutcome::NotMine,
            CoreOutcome::WebSocket(req) => HttpOutcome::WebSocket(WsUpgrade {
                req,
                headers: st.core.take_upgrade_headers(req),
                ops: Some(me),
                refusal: None,
            }),
            // The core keeps nothing for it: nothing to tell it when the upgrade is dropped.
            CoreOutcome::RefuseUpgrade(resp) => HttpOutcome::WebSocket(WsUpgrade {
                req: id,
                headers: Vec::new(),
                ops: None,
                refusal: Some(resp),
            }),
            CoreOutcome::Pending => {
                let (tx, rx) = oneshot::channel();
                st.pending.insert(id, tx);
                HttpOutcome::Pending(PendingResponse {
                    rx,
                    id,
                    ops: Some(me),
                })
            }
            CoreOutcome::ReadBody => {
                // Routed like a parked GET's answer: the core answers such a POST early
                // only when its session closes before the body is complete.
                let (tx, rx) = oneshot::channel();
                st.pending.insert(id, tx);
                return HeadOutcome::ReadBody(PostBody {
                    rx,
                    req: id,
                    ops: Some(me),
                });
            }
        };
        HeadOutcome::Ready(outcome)
    }

    /// Applies a verdict on a handshake, under the lock.
    /// What the adapter does with a request head; `ask`: whether the `allow_request` hook may
    /// be asked (not again about a request it admitted).
    fn head(&self, head: RequestHead, ask: bool) -> HeadOutcome {
        if let Some(resp) = self
            .client
            .as_ref()
            .and_then(|c| c.respond(&self.path, &head, self.http_compression))
        {
            return HeadOutcome::Ready(HttpOutcome::Respond(resp));
        }
        // Read once per request: without a hook, this is all it costs.
        let hook = match ask {
            true => self
                .allow_request
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            false => None,
        };
        let step = self.with_core(|st, now| {
            if hook.is_some()
                && head.is_upgrade()
                && crate::engine::asked_without_session(st.core.config(), &head)
            {
                return Err(Asked::Upgrade(head));
            }
            let id = ReqId(Self::next_id(st));
            let core = &mut st.core;
            match super::engine_io::handle_request_head(core, now, id, head, hook.is_some()) {
                HeadStep::Done(outcome) => Ok(self.route(st, id, outcome)),
                HeadStep::Ask(incoming) => Err(Asked::Handshake(incoming)),
            }
        });
        let (asked, hook) = match (step, hook) {
            (Ok(outcome), _) => return outcome,
            (Err(asked), Some(hook)) => (asked, hook),
            // `Ask` only comes with a hook.
            (Err(asked), None) => return HeadOutcome::Ready(self.admit(asked, Ok(()))),
        };
        // The hook is the user's code: it runs outside the lock, so it may use the server.
        HeadOutcome::Ready(match admission::ask(&hook, asked.head()) {
            Verdict::Now(verdict) => self.admit(asked, verdict),
            Verdict::Later(later) => match self.me.upgrade() {
                Some(me) => HttpOutcome::Deferred(Deferred::new(later, asked, me)),
                None => HttpOutcome::Respond(bad_request()),
            },
        })
    }

    fn decide(&self, incoming: Incoming, verdict: Result<(), RequestRefused>) -> HttpOutcome {
        self.with_core(|st, now| {
            let id = incoming.req();
            let outcome = super::engine_io::admit(&mut st.core, now, incoming, verdict);
            match self.route(st, id, outcome) {
                HeadOutcome::Ready(outcome) => outcome,
                // A handshake never waits for a body.
                HeadOutcome::ReadBody(_) => HttpOutcome::Respond(bad_request()),
            }
        })
    }

    fn next_id(st: &mut State<C>) -> u64 {
        st.next_id += 1;
        st.next_id
    }
}

/// Object-safe operations behind [`Endpoint`], implemented for every core.
pub(crate) trait Ops: Send + Sync + 'static {
    fn path(&self) -> &str;
    fn max_payload(&self) -> usize;
    fn body_timeout(&self) -> Duration;
    fn http_compression(&self) -> Option<usize>;
    fn handle_head(&self, head: RequestHead) -> HeadOutcome;
    fn admit(&self, asked: Asked, verdict: Result<(), RequestRefused>) -> HttpOutcome;
    fn handle_body(&self, req: ReqId, body: Option<Bytes>) -> Option<HttpResponse>;
    fn request_aborted(&self, id: ReqId);
    fn ws_open(&self, req: ReqId) -> WsLink;
    fn ws_message(&self, conn: ConnId, frame: WsFrame, route: bool);
    fn route(&self);
    fn ws_drain(&self, conn: ConnId, signal: &LinkSignal, out: &mut Vec<WsFrame>) -> bool;
    fn ws_closed(&self, conn: ConnId);
    fn handle_timeout(&self) -> Option<Instant>;
    fn shutdown(&self);
    fn close_sessions(&self);
    fn poll_idle(&self, cx: &mut Context<'_>) -> Poll<()>;
    fn spawn(&self, fut: super::runtime::BoxFuture);
}

impl<C: Core> Ops for Shared<C> {
    fn path(&self) -> &str {
        &self.path
    }

    fn max_payload(&self) -> usize {
        self.max_payload
    }

    fn body_timeout(&self) -> Duration {
        self.body_timeout
    }

    fn http_compression(&self) -> Option<usize> {
        self.http_compression
    }

    fn handle_head(&self, head: RequestHead) -> HeadOutcome {
        self.head(head, true)
    }

    fn admit(&self, asked: Asked, verdict: Result<(), RequestRefused>) -> HttpOutcome {
        match (asked, verdict) {
            (Asked::Handshake(incoming), verdict) => self.decide(incoming, verdict),
            (Asked::Upgrade(_), Err(refused)) => {
                HttpOutcome::Respond(admission::refused_upgrade(refused))
            }
            // Admitted: on as without the hook (the core refuses or closes it).
            (Asked::Upgrade(head), Ok(())) => match self.head(head, false) {
                HeadOutcome::Ready(outcome) => outcome,
                HeadOutcome::ReadBody(_) => HttpOutcome::Respond(bad_request()),
            },
        }
    }

    fn handle_body(&self, req: ReqId, body: Option<Bytes>) -> Option<HttpResponse> {
        self.with_core(|st, now| {
            st.pending.remove(&req);
            st.core.handle_request_body(now, req, body)
        })
    }

    fn request_aborted(&self, id: ReqId) {
        self.with_core(|st, now| {
            st.pending.remove(&id);
            st.core.handle_request_aborted(now, id);
        });
    }

    fn ws_open(&self, req: ReqId) -> WsLink {
        let signal = Arc::new(LinkSignal::default());
        let ops: Arc<dyn Ops> = match self.me.upgrade() {
            Some(me) => me,
            None => unreachable!("an endpoint method runs only while the endpoint is alive"),
        };
        let conn = self.with_core(|st, now| {
            let conn = ConnId(Self::next_id(st));
            st.links.insert(conn, signal.clone());
            st.core.handle_ws_open(now, req, conn);
            conn
        });
        WsLink { conn, signal, ops }
    }

    fn ws_message(&self, conn: ConnId, frame: WsFrame, route: bool) {
        self.run_core(route, |st, now| st.core.handle_ws_message(now, conn, frame));
    }

    fn route(&self) {
        let mut wake = Vec::new();
        if !DispatchGuard::active(self as *const Self as usize) {
            self.flush(&mut lock(&self.state), &mut wake);
        }
        wake.into_iter().for_each(Waker::wake);
    }

    fn ws_drain(&self, conn: ConnId, signal: &LinkSignal, out: &mut Vec<WsFrame>) -> bool {
        let mut st = lock(&self.state);
        let close = {
            let mut sig = lock(&signal.0);
            sig.ready = false;
            sig.close
        };
        st.core.drain_ws(conn, out);
        !close
    }

    fn ws_closed(&self, conn: ConnId) {
        self.with_core(|st, now| {
            st.links.remove(&conn);
            st.core.handle_ws_closed(now, conn);
        });
    }

    fn handle_timeout(&self) -> Option<Instant> {
        self.with_core(|st, now| {
            st.armed = None;
            st.core.handle_timeout(now);
        });
        lock(&self.state).armed
    }

    fn shutdown(&self) {
        self.with_core(|st, now| st.core.shutdown(now));
    }

    fn close_sessions(&self) {
        self.with_core(|st, now| st.core.close_sessions(now));
    }

    fn poll_idle(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = lock(&self.state);
        if st.links.is_empty() && st.pending.is_empty() {
            Poll::Ready(())
        } else {
            st.idle.push(cx.waker().clone());
            Poll::Pending
        }
    }

    fn spawn(&self, fut: super::runtime::BoxFuture) {
        self.runtime.spawn(fut)
    }
}
