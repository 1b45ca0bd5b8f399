//! [`EngineServer`]: all Engine.IO sessions of one server, driven by the adapter.

use super::config::EngineConfig;
use super::events::{
    CloseReason, EngineEvent, Incoming, RequestOutcome, SendOptions, SendOutcome, SessionInfo,
    Transmit,
};
use super::head::RequestHead;
use super::packet::WsFrame;
use super::queue::{Group, OutMessage};
use super::request::{route, ConnId, Method, ReqId, Route, SessionKey, TransportKind};
use super::response::{cors_headers, named, ErrorCode, Headers, HttpResponse, ReplyHeaders};
use super::response_headers::upgrade_headers;
use super::session::{Session, Shared};
use crate::hash::IdMap;
use crate::id::IdGenerator;
use crate::slab::Slab;
use crate::Str;
use bytes::Bytes;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet, VecDeque};
use std::time::Instant;

#[derive(Debug)]
enum PendingWs {
    /// The WebSocket of a WebSocket-first session; whether its request asked for base64.
    First(Str, bool),
    /// A WebSocket that will probe to upgrade this polling session; whether its request
    /// asked for base64.
    Upgrade(Str, bool),
}

/// The request carries `b64` with a value (engine.io-client's `forceBase64`): like the
/// reference (`supportsBinary = !query.b64`, the last occurrence winning), the transport it
/// opens sends binary messages as `b<base64>` text.
fn wants_base64(head: &RequestHead) -> bool {
    head.query_param("b64").is_some_and(|v| !v.is_empty())
}

/// All Engine.IO sessions of a server: a sans-IO state machine.
///
/// # Driving it
/// Feed inputs with the `handle_*` methods (HTTP requests, WebSocket events, time), and after
/// each one drain the outputs until they are empty: first [`poll_event`](Self::poll_event)
/// (react to events with [`send`](Self::send) and friends), then
/// [`poll_transmit`](Self::poll_transmit) (HTTP responses, WebSocket wake-ups and closes).
/// Then sleep until [`poll_timeout`](Self::poll_timeout) and call
/// [`handle_timeout`](Self::handle_timeout). Draining events before transmits is what lets one
/// GET carry everything a POST caused, including the application's synchronous replies.
pub struct EngineServer {
    shared: Shared,
    /// Every session, by handle: connections, requests and timers refer to sessions by
    /// handle, so a frame in or out finds its session without hashing the sid.
    sessions: Slab<SessionKey, Session>,
    /// Sid → handle, for the requests and commands that name a session by its id.
    by_sid: IdMap<Str, SessionKey>,
    ids: Box<dyn IdGenerator + Send>,
    timers: BinaryHeap<Reverse<(Instant, SessionKey)>>,
    pending_ws: IdMap<ReqId, PendingWs>,
    /// The extra headers of `101` answers not written yet; only non-empty lists are kept.
    upgrade_headers: IdMap<ReqId, Headers>,
    pending_handshakes: HashSet<ReqId>,
    /// Set by [`shutdown`](Self::shutdown): new handshakes are answered `503`.
    shut_down: bool,
}

impl std::fmt::Debug for EngineServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineServer")
            .field("sessions", &self.sessions.len())
            .finish_non_exhaustive()
    }
}

impl EngineServer {
    /// A server with `config`, taking session ids from `ids`.
    pub fn new(config: EngineConfig, ids: impl IdGenerator + Send + 'static) -> Self {
        EngineServer {
            shared: Shared {
                config,
                events: VecDeque::new(),
                transmits: VecDeque::new(),
                conns: IdMap::default(),
                parked: IdMap::default(),
                posts: IdMap::default(),
                flush_polls: Vec::new(),
            },
            sessions: Slab::default(),
            by_sid: IdMap::default(),
            ids: Box::new(ids),
            timers: BinaryHeap::new(),
            pending_ws: IdMap::default(),
            upgrade_headers: IdMap::default(),
            pending_handshakes: HashSet::new(),
            shut_down: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.shared.config
    }

    /// The headers hooks, to set or replace after the server was built (as the reference's
    /// `engine.on("headers", …)`); they apply to the responses decided from then on.
    pub fn header_hooks_mut(&mut self) -> &mut super::HeaderHooks {
        &mut self.shared.config.header_hooks
    }

    /// Number of sessions (open, or closed and still delivering their last packets).
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// A read-only view of an open session.
    pub fn session(&self, sid: &str) -> Option<SessionInfo<'_>> {
        self.sessions
            .get(self.session_key(sid)?)
            .filter(|s| s.is_open())
            .map(|session| SessionInfo { session })
    }

    /// The handle of session `sid` (open or still delivering its last packets), for
    /// [`send_to`](Self::send_to): it stays valid until the session is removed, and never
    /// reaches another session afterwards.
    pub fn session_key(&self, sid: &str) -> Option<SessionKey> {
        self.by_sid.get(sid).copied()
    }

    /// Ids of all open sessions.
    pub fn sids(&self) -> impl Iterator<Item = &Str> + '_ {
        self.by_sid
            .iter()
            .filter(|(_, &key)| self.sessions.get(key).is_some_and(|s| s.is_open()))
            .map(|(sid, _)| sid)
    }

    // ----- inputs -----------------------------------------------------------------------------

    /// An HTTP request with its whole body (which the adapter should cap at
    /// `max_payload + 1` bytes): [`handle_request_head`](Self::handle_request_head) and, for
    /// a POST that asks for it, [`handle_request_body`](Self::handle_request_body) in one
    /// step. Never [`RequestOutcome::ReadBody`].
    ///
    /// ```
    /// # use volley_protocol::engine::*;
    /// # use volley_protocol::CounterIds;
    /// # use std::time::Instant;
    /// let mut server = EngineServer::new(EngineConfig::default(), CounterIds::new("s"));
    /// let head = RequestHead::new(Method::Post, "/socket.io/?EIO=4&transport=polling&sid=nope");
    /// let outcome = server.handle_request(Instant::now(), ReqId(1), head, "4hi".into());
    /// assert!(matches!(outcome, RequestOutcome::Respond(r) if r.status == 400));
    /// ```
    pub fn handle_request(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
        body: Bytes,
    ) -> RequestOutcome {
        match self.handle_request_head(now, req, head) {
            RequestOutcome::ReadBody => {
                let response = self.handle_request_body(now, req, Some(body));
                // The POST was registered just above, so its answer is here.
                RequestOutcome::Respond(
                    response.unwrap_or_else(|| HttpResponse::new(400, Vec::new(), Bytes::new())),
                )
            }
            outcome => outcome,
        }
    }

    /// The head of an HTTP request, before its body was read. Everything but a POST to an
    /// open polling session is decided here (as by [`handle_request`](Self::handle_request)
    /// with an empty body); such a POST gets [`RequestOutcome::ReadBody`]. Telling the core
    /// about a POST before its body is complete is what lets it refuse a second POST of the
    /// same session while the first is in flight, as the reference does (400, session closed
    /// with `transport error`).
    ///
    /// ```
    /// # use volley_protocol::engine::*;
    /// # use volley_protocol::CounterIds;
    /// # use std::time::Instant;
    /// # let mut server = EngineServer::new(EngineConfig::default(), CounterIds::new("s"));
    /// # let now = Instant::now();
    /// # let RequestOutcome::Handshake(incoming) = server.handle_request_head(now, ReqId(1),
    /// #     RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling")) else { panic!() };
    /// # let sid = server.accept(now, incoming).unwrap();
    /// let target = format!("/socket.io/?EIO=4&transport=polling&sid={sid}");
    /// let outcome = server.handle_request_head(now, ReqId(2), RequestHead::new(Method::Post, &target));
    /// assert!(matches!(outcome, RequestOutcome::ReadBody));
    /// // ... the body arrives:
    /// let response = server.handle_request_body(now, ReqId(2), Some("4hello".into()));
    /// assert_eq!(response.map(|r| r.status), Some(200));
    /// ```
    pub fn handle_request_head(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
    ) -> RequestOutcome {
        let cors = self.shared.config.cors.as_ref();
        let upgrade = head.is_upgrade();
        let error = |code: ErrorCode| {
            RequestOutcome::Respond(if upgrade {
                HttpResponse::upgrade_error(code, None)
            } else {
                HttpResponse::error(cors_headers(cors, &head, false), code, None)
            })
        };
        let (sid, transport, eio4) = match route(&self.shared.config, &head, upgrade) {
            Route::NotMine => return RequestOutcome::NotMine,
            Route::Preflight => {
                let headers = cors_headers(cors, &head, true);
                return RequestOutcome::Respond(HttpResponse::new(204, headers, Bytes::new()));
            }
            Route::Error(code) => return error(code),
            Route::RefuseUpgrade(code) => {
                return RequestOutcome::RefuseUpgrade(HttpResponse::upgrade_error(code, None))
            }
            Route::UpgradeThenClose => {
                // No pending WebSocket for `req`: `handle_ws_open` closes it.
                self.prepare_upgrade_headers(req, &head, true);
                return RequestOutcome::UpgradeWebSocket;
            }
            Route::Handshake(transport) => {
                let full =
                    self.shared.config.max_sessions.is_some_and(|max| {
                        self.sessions.len() + self.pending_handshakes.len() >= max
                    });
                if full || self.shut_down {
                    let headers = if upgrade {
                        Headers::new()
                    } else {
                        cors_headers(cors, &head, false)
                    };
                    return RequestOutcome::Respond(if self.shut_down {
                        HttpResponse::shutting_down(headers, upgrade)
                    } else {
                        HttpResponse::too_many_sessions(headers, upgrade)
                    });
                }
                self.pending_handshakes.insert(req);
                return RequestOutcome::Handshake(Incoming {
                    req,
                    head,
                    transport,
                });
            }
            Route::Session {
                sid,
                transport,
                eio4,
            } => (sid, transport, eio4),
        };
        let Some((key, session)) = (self.by_sid.get(sid.as_ref()).copied())
            .and_then(|key| Some((key, self.sessions.get_mut(key)?)))
        else {
            return error(ErrorCode::UnknownSid);
        };
        // The reference's protocol check: a session is EIO 4, and a request naming another
        // (or none) is refused.
        if !eio4 {
            return error(ErrorCode::BadRequest);
        }
        if upgrade {
            // Polling takes no upgrade: the WebSocket is closed once open (no pending entry).
            if transport == TransportKind::WebSocket {
                self.pending_ws.insert(
                    req,
                    PendingWs::Upgrade(Str::from(&*sid), wants_base64(&head)),
                );
            }
            self.prepare_upgrade_headers(req, &head, false);
            return RequestOutcome::UpgradeWebSocket;
        }
        if transport != session.transport_kind() || transport == TransportKind::WebSocket {
            return error(ErrorCode::BadRequest);
        }
        let hooks = &self.shared.config.header_hooks;
        let headers = cors_headers(cors, &head, false);
        let reply = match head.method() {
            Method::Get => {
                let headers = ReplyHeaders::new(headers, hooks, head, false);
                session.handle_get(now, &mut self.shared, req, headers)
            }
            Method::Post => {
                let binary = head
                    .header("content-type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("application/octet-stream"));
                let headers = ReplyHeaders::new(headers, hooks, head, false);
                let reply = session.handle_post_head(now, &mut self.shared, req, headers, binary);
                self.after(key);
                return reply.map_or(RequestOutcome::ReadBody, RequestOutcome::Respond);
            }
            _ => Some(HttpResponse::new(500, headers, Bytes::new())),
        };
        self.after(key);
        match reply {
            Some(r) => RequestOutcome::Respond(r),
            None => RequestOutcome::Pending,
        }
    }

    /// The body of a POST that got [`RequestOutcome::ReadBody`], complete; `None` when it
    /// was longer than maxPayload and not read (413; the session stays open, as with the
    /// reference). Returns the response, or `None` when the request is not waiting for its
    /// body (its session closed meanwhile and it was answered through
    /// [`poll_transmit`](Self::poll_transmit), or it was aborted).
    ///
    /// ```
    /// # use volley_protocol::engine::*;
    /// # use volley_protocol::CounterIds;
    /// # use std::time::Instant;
    /// let mut server = EngineServer::new(EngineConfig::default(), CounterIds::new("s"));
    /// // No POST is waiting for a body under this id.
    /// assert!(server.handle_request_body(Instant::now(), ReqId(7), Some("4hi".into())).is_none());
    /// ```
    pub fn handle_request_body(
        &mut self,
        now: Instant,
        req: ReqId,
        body: Option<Bytes>,
    ) -> Option<HttpResponse> {
        let key = *self.shared.posts.get(&req)?;
        let s = self.sessions.get_mut(key)?;
        let response = s.handle_post_body(now, &mut self.shared, req, body);
        self.after(key);
        response
    }

    /// Admits a handshake: creates the session and returns its id, or `None` if the request
    /// went away meanwhile ([`handle_request_aborted`](Self::handle_request_aborted)).
    /// A polling handshake is answered through [`poll_transmit`](Self::poll_transmit).
    ///
    /// After [`shutdown`](Self::shutdown) (an async `allow_request` verdict may arrive
    /// late) it creates nothing and returns `None`; the handshake is answered `503` through
    /// [`poll_transmit`](Self::poll_transmit).
    pub fn accept(&mut self, now: Instant, incoming: Incoming) -> Option<Str> {
        if !self.pending_handshakes.remove(&incoming.req) {
            return None;
        }
        if self.shut_down {
            let websocket = incoming.transport == TransportKind::WebSocket;
            let headers = if websocket {
                Headers::new()
            } else {
                cors_headers(self.shared.config.cors.as_ref(), &incoming.head, false)
            };
            self.shared.transmits.push_back(Transmit::Http {
                req: incoming.req,
                response: HttpResponse::shutting_down(headers, websocket),
            });
            return None;
        }
        let mut sid = self.ids.sid();
        while self.by_sid.contains_key(&sid) {
            sid = self.ids.sid();
        }
        let get = match incoming.transport {
            TransportKind::Polling => {
                let mut headers =
                    cors_headers(self.shared.config.cors.as_ref(), &incoming.head, false);
                // As the reference: on the polling handshake only (a WebSocket-first one has
                // answered its upgrade before the session exists).
                if let Some(cookie) = &self.shared.config.cookie {
                    headers.push(named("Set-Cookie", Str::from(cookie.header_value(&sid))));
                }
                let hooks = &self.shared.config.header_hooks;
                // The head goes to the `Opened` event; a copy only for a hook to see.
                let headers = if hooks.any(true) {
                    ReplyHeaders::new(headers, hooks, incoming.head.clone(), true)
                } else {
                    ReplyHeaders::plain(headers)
                };
                Some((incoming.req, headers))
            }
            TransportKind::WebSocket => {
                let base64 = wants_base64(&incoming.head);
                self.pending_ws
                    .insert(incoming.req, PendingWs::First(sid.clone(), base64));
                self.prepare_upgrade_headers(incoming.req, &incoming.head, true);
                None
            }
        };
        self.shared.events.push_back(EngineEvent::Opened {
            sid: sid.clone(),
            head: incoming.head,
            transport: incoming.transport,
        });
        let shared = &mut self.shared;
        let key =
            (self.sessions).insert_with(|key| Session::new(now, shared, sid.clone(), key, get));
        self.by_sid.insert(sid.clone(), key);
        self.after(key);
        Some(sid)
    }

    /// Refuses a handshake: `403 {"code":4,"message":…}` (`Forbidden` unless `message` says
    /// otherwise; an empty one too, as with the reference), or for a WebSocket the
    /// reference's plain `400` upgrade refusal.
    pub fn refuse(&mut self, incoming: Incoming, message: Option<&str>) {
        if !self.pending_handshakes.remove(&incoming.req) {
            return;
        }
        let message = message.filter(|m| !m.is_empty());
        let response = match incoming.transport {
            TransportKind::WebSocket => HttpResponse::upgrade_error(ErrorCode::Forbidden, message),
            TransportKind::Polling => HttpResponse::error(
                cors_headers(self.shared.config.cors.as_ref(), &incoming.head, false),
                ErrorCode::Forbidden,
                message,
            ),
        };
        self.shared.transmits.push_back(Transmit::Http {
            req: incoming.req,
            response,
        });
    }

    /// The client went away before request `req` was answered (a parked GET, a POST whose
    /// body was still arriving: both close their session with `transport error`, as with
    /// the reference; a pending handshake or upgrade is forgotten).
    pub fn handle_request_aborted(&mut self, now: Instant, req: ReqId) {
        if self.pending_handshakes.remove(&req) {
            return;
        }
        self.upgrade_headers.remove(&req);
        if let Some(pending) = self.pending_ws.remove(&req) {
            if let PendingWs::First(sid, _) = pending {
                if let Some(key) = self.session_key(&sid) {
                    if let Some(s) = self.sessions.get_mut(key) {
                        s.handle_ws_open_failed(now, &mut self.shared);
                        self.after(key);
                    }
                }
            }
            return;
        }
        let key = self
            .shared
            .parked
            .get(&req)
            .or_else(|| self.shared.posts.get(&req));
        if let Some(&key) = key {
            if let Some(s) = self.sessions.get_mut(key) {
                s.handle_request_aborted(now, &mut self.shared, req);
                self.after(key);
            }
        }
    }

    /// The adapter completed the WebSocket upgrade of request `req` as connection `conn`.
    pub fn handle_ws_open(&mut self, now: Instant, req: ReqId, conn: ConnId) {
        self.upgrade_headers.remove(&req);
        let (sid, first, base64) = match self.pending_ws.remove(&req) {
            Some(PendingWs::First(sid, base64)) => (sid, true, base64),
            Some(PendingWs::Upgrade(sid, base64)) => (sid, false, base64),
            None => {
                self.shared.transmits.push_back(Transmit::WsClose { conn });
                return;
            }
        };
        let Some((key, s)) = (self.by_sid.get(&sid).copied())
            .and_then(|key| Some((key, self.sessions.get_mut(key)?)))
        else {
            self.shared.transmits.push_back(Transmit::WsClose { conn });
            return;
        };
        if first {
            s.attach_ws(&mut self.shared, conn, base64);
        } else {
            s.start_upgrade(now, &mut self.shared, conn, base64);
        }
        self.after(key);
    }

    /// A WebSocket frame from `conn`.
    pub fn handle_ws_message(&mut self, now: Instant, conn: ConnId, frame: WsFrame) {
        let Some(&key) = self.shared.conns.get(&conn) else {
            return;
        };
        if let Some(s) = self.sessions.get_mut(key) {
            s.handle_ws_frame(now, &mut self.shared, conn, frame);
            self.after(key);
        }
    }

    /// WebSocket `conn` is closed (by the peer, an error, or after a `WsClose`).
    pub fn handle_ws_closed(&mut self, now: Instant, conn: ConnId) {
        let Some(key) = self.shared.conns.remove(&conn) else {
            return;
        };
        if let Some(s) = self.sessions.get_mut(key) {
            s.handle_ws_closed(now, &mut self.shared, conn);
            self.after(key);
        }
    }

    /// Time passed: fire every timer due at `now`. Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(Reverse((at, _))) = self.timers.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((at, key))) = self.timers.pop() else {
                break;
            };
            let Some(s) = self.sessions.get_mut(key) else {
                continue;
            };
            if s.heap_at != Some(at) {
                continue;
            }
            s.heap_at = None;
            s.handle_timeout(now, &mut self.shared);
            self.after(key);
        }
    }

    // ----- outputs ----------------------------------------------------------------------------

    /// The headers the adapter adds to the `101 Switching Protocols` answering request `req`
    /// (after [`RequestOutcome::UpgradeWebSocket`], or [`accept`](Self::accept) of a WebSocket
    /// handshake), next to the WebSocket handshake's own: as with the reference, the CORS
    /// headers, then what the [headers hooks](super::HeaderHooks) set. Empty (and no
    /// allocation) when there are none; a second call returns nothing.
    pub fn take_upgrade_headers(&mut self, req: ReqId) -> Vec<(Str, Str)> {
        self.upgrade_headers.remove(&req).unwrap_or_default()
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) has work to do.
    ///
    /// Timer entries are invalidated lazily: a session whose deadline moved later keeps its old
    /// heap entry, which is corrected here (re-queued at the real deadline) once it reaches
    /// the top, so the answer is always exact.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        while let Some(&Reverse((at, key))) = self.timers.peek() {
            if let Some(s) = self.sessions.get_mut(key).filter(|s| s.heap_at == Some(at)) {
                let next = s.next_deadline();
                if next == Some(at) {
                    return Some(at);
                }
                s.heap_at = next;
                self.timers.pop();
                if let Some(next) = next {
                    self.timers.push(Reverse((next, key)));
                }
            } else {
                self.timers.pop();
            }
        }
        None
    }

    /// Whether [`poll_event`](Self::poll_event) has an event to hand out.
    pub(crate) fn has_events(&self) -> bool {
        !self.shared.events.is_empty()
    }

    /// The next event for the application.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<EngineEvent> {
        self.shared.events.pop_front()
    }

    /// The next output for the adapter.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        loop {
            if let Some(t) = self.shared.transmits.pop_front() {
                return Some(t);
            }
            let key = self.shared.flush_polls.pop()?;
            if let Some(s) = self.sessions.get_mut(key) {
                s.flush_poll(&mut self.shared);
            }
        }
    }

    /// Moves every frame queued for `conn` into `out` (in order).
    pub fn drain_ws(&mut self, conn: ConnId, out: &mut Vec<WsFrame>) {
        let Some(&key) = self.shared.conns.get(&conn) else {
            return;
        };
        if let Some(s) = self.sessions.get_mut(key) {
            s.drain_ws(conn, out);
        }
    }

    // ----- commands ---------------------------------------------------------------------------

    /// Sends a message to session `sid`.
    pub fn send(&mut self, now: Instant, sid: &str, msg: impl Into<OutMessage>) -> SendOutcome {
        self.send_with(now, sid, &[msg.into()], SendOptions::default())
    }

    /// Sends `msgs` to session `sid` as one group: all of them are delivered in order, or
    /// (volatile, or on overflow) none.
    pub fn send_with(
        &mut self,
        now: Instant,
        sid: &str,
        msgs: &[OutMessage],
        opts: SendOptions,
    ) -> SendOutcome {
        match self.session_key(sid) {
            Some(key) => self.send_group(now, key, Group::Shared(msgs), opts),
            None => SendOutcome::NoSession,
        }
    }

    /// [`send_with`](Self::send_with) to the session with handle `key` (see
    /// [`session_key`](Self::session_key)): no lookup by id. A handle whose session is gone
    /// reaches nobody ([`SendOutcome::NoSession`]).
    pub fn send_to(
        &mut self,
        now: Instant,
        key: SessionKey,
        msgs: &[OutMessage],
        opts: SendOptions,
    ) -> SendOutcome {
        self.send_group(now, key, Group::Shared(msgs), opts)
    }

    /// [`send_to`](Self::send_to), the messages maybe moved rather than cloned in.
    pub(crate) fn send_group(
        &mut self,
        now: Instant,
        key: SessionKey,
        msgs: Group<'_>,
        opts: SendOptions,
    ) -> SendOutcome {
        let Some(s) = self.sessions.get_mut(key) else {
            return SendOutcome::NoSession;
        };
        let outcome = s.send(now, &mut self.shared, msgs, opts.volatile);
        if outcome == SendOutcome::Overflowed {
            self.after(key);
        }
        outcome
    }

    /// Sends the same group to many sessions, sharing its buffers. Returns how many sessions
    /// queued it.
    pub fn send_many<'a>(
        &mut self,
        now: Instant,
        sids: impl IntoIterator<Item = &'a str>,
        msgs: &[OutMessage],
        opts: SendOptions,
    ) -> usize {
        let mut queued = 0;
        for sid in sids {
            if self.send_with(now, sid, msgs, opts) == SendOutcome::Queued {
                queued += 1;
            }
        }
        queued
    }

    /// Closes session `sid` (`forced close`); what was queued is still delivered.
    /// Returns `false` if there was no open session with that id.
    pub fn close(&mut self, now: Instant, sid: &str) -> bool {
        self.close_with(now, sid, CloseReason::ForcedClose)
    }

    /// Shuts the server down: closes every session with `server shutting down` and answers
    /// every later handshake `503` (`{"code":4,"message":"Server is shutting down"}`, or the
    /// plain message for a WebSocket), including handshakes still waiting for an
    /// `allow_request` verdict. Requests of sessions that were open are answered as for
    /// closed sessions.
    ///
    /// ```
    /// # use volley_protocol::engine::*;
    /// # use volley_protocol::CounterIds;
    /// # use std::time::Instant;
    /// let mut server = EngineServer::new(EngineConfig::default(), CounterIds::new("s"));
    /// let now = Instant::now();
    /// server.shutdown(now);
    /// assert!(server.is_shut_down());
    /// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling");
    /// let RequestOutcome::Respond(response) = server.handle_request_head(now, ReqId(1), head) else {
    ///     panic!("a handshake after shutdown is answered at once");
    /// };
    /// assert_eq!(response.status, 503);
    /// ```
    pub fn shutdown(&mut self, now: Instant) {
        self.shut_down = true;
        self.close_all(now);
    }

    /// The first half of [`shutdown`](Self::shutdown): later handshakes are answered `503`
    /// from now on, but the open sessions stay open (the Socket.IO layer lets its sockets
    /// leave before it closes them, as the reference's `io.close()` does).
    ///
    /// ```
    /// # use volley_protocol::engine::*;
    /// # use volley_protocol::CounterIds;
    /// # use std::time::Instant;
    /// let mut server = EngineServer::new(EngineConfig::default(), CounterIds::new("s"));
    /// server.begin_shutdown();
    /// assert!(server.is_shut_down());
    /// ```
    pub fn begin_shutdown(&mut self) {
        self.shut_down = true;
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    pub fn is_shut_down(&self) -> bool {
        self.shut_down
    }

    /// Closes every session with `server shutting down` (new handshakes are still served;
    /// see [`shutdown`](Self::shutdown)).
    pub fn close_all(&mut self, now: Instant) {
        let sids: Vec<Str> = self.sids().cloned().collect();
        for sid in sids {
            self.close_with(now, &sid, CloseReason::ServerShuttingDown);
        }
    }

    fn close_with(&mut self, now: Instant, sid: &str, reason: CloseReason) -> bool {
        let Some(key) = self.session_key(sid) else {
            return false;
        };
        let Some(s) = self.sessions.get_mut(key).filter(|s| s.is_open()) else {
            return false;
        };
        s.close_by_server(now, &mut self.shared, reason);
        self.after(key);
        true
    }

    /// Keeps the extra headers of the `101` for request `req` to `head` (`initial`: a
    /// WebSocket-first handshake) for [`take_upgrade_headers`](Self::take_upgrade_headers).
    fn prepare_upgrade_headers(&mut self, req: ReqId, head: &RequestHead, initial: bool) {
        let headers = upgrade_headers(&self.shared.config, head, initial);
        if !headers.is_empty() {
            self.upgrade_headers.insert(req, headers);
        }
    }

    /// After a session changed: remove it if it is gone, else keep its timer current.
    fn after(&mut self, key: SessionKey) {
        let Some(s) = self.sessions.get_mut(key) else {
            return;
        };
        if s.is_gone() {
            s.unregister(&mut self.shared);
            if let Some(s) = self.sessions.remove(key) {
                self.by_sid.remove(&s.sid);
            }
            return;
        }
        if let Some(next) = s.next_deadline() {
            if s.heap_at.is_none_or(|at| next < at) {
                s.heap_at = Some(next);
                self.timers.push(Reverse((next, key)));
            }
        }
    }
}
