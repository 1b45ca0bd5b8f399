//! One Engine.IO session: handshake, heartbeat, polling and WebSocket transports, the upgrade
//! from one to the other, and closing. [`EngineServer`](super::EngineServer) owns many of these
//! and routes inputs to them; every state change of a session happens in this module (its
//! WebSocket side in `ws.rs`).

use super::config::EngineConfig;
use super::events::{CloseReason, EngineEvent, SendOutcome, Transmit};
use super::packet::{Message, Packet, WsFrame};
use super::payload;
use super::queue::{Group, OutQueue, Push};
use super::request::{ConnId, ReqId, SessionKey, TransportKind};
use super::response::{ErrorCode, HttpResponse, ReplyHeaders};
use crate::hash::IdMap;
use crate::Str;
use bytes::Bytes;
use std::collections::VecDeque;
use std::time::Instant;

mod ws;

/// Everything sessions share with their server: configuration, outputs, and the indexes from
/// requests and connections back to sessions (kept in sync by the sessions themselves).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: EngineConfig,
    pub(crate) events: VecDeque<EngineEvent>,
    pub(crate) transmits: VecDeque<Transmit>,
    /// WebSocket connections (transport or upgrade probe) → session.
    pub(crate) conns: IdMap<ConnId, SessionKey>,
    /// Parked polling GETs → session.
    pub(crate) parked: IdMap<ReqId, SessionKey>,
    /// Polling POSTs whose body is still arriving → session.
    pub(crate) posts: IdMap<ReqId, SessionKey>,
    /// Sessions with a parked GET and queued packets, to answer in `poll_transmit`.
    pub(crate) flush_polls: Vec<SessionKey>,
}

/// A request waiting for its answer (a long-poll GET waiting for data, a POST waiting for
/// its body), with the headers its response needs.
#[derive(Debug)]
struct Parked {
    req: ReqId,
    headers: ReplyHeaders,
}

#[derive(Debug)]
enum Transport {
    Polling {
        parked: Option<Parked>,
    },
    /// `conn` is `None` between accepting a WebSocket-first handshake and the adapter
    /// completing the HTTP upgrade.
    WebSocket {
        conn: Option<ConnId>,
    },
}

/// A WebSocket probing to take over from polling.
#[derive(Debug)]
struct Upgrade {
    conn: ConnId,
    deadline: Instant,
    /// `2probe` was answered; GETs are now released with `6` at once.
    probed: bool,
    /// `3probe` is waiting to be drained from the probe connection.
    probe_reply: bool,
    /// The probe's request asked for base64 (`b64`); it applies once the upgrade completes.
    base64: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Open,
    /// Closed by the server; the client's next poll (or the WebSocket writer) still gets what
    /// was queued, until `until`.
    Draining {
        until: Instant,
    },
    /// To be removed by the server.
    Gone,
}

/// How a parked GET learns that its session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Farewell {
    /// `6`: the client closed the session itself (a `1` in a POST).
    Noop,
    /// `1`: the server ended the session on an error or timeout; queued packets are dropped.
    Close,
    /// Queued packets, then `1`: a close asked for by the application.
    FlushThenClose,
}

/// What the server needs to do with a request's own response.
pub(crate) type Reply = Option<HttpResponse>;

#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) sid: Str,
    /// Its handle in the server's slab (what the indexes above map to).
    key: SessionKey,
    transport: Transport,
    /// Boxed: a session probes for an upgrade once, briefly, if ever.
    upgrade: Option<Box<Upgrade>>,
    upgraded: bool,
    /// The polling POST whose body is still arriving: like the reference, one at a time.
    post: Option<Parked>,
    phase: Phase,
    queue: OutQueue,
    ping_at: Option<Instant>,
    pong_deadline: Option<Instant>,
    /// The pong deadline was already pushed back once for the current ping.
    pong_extended: bool,
    /// `WsReady` was emitted for the transport connection and not drained yet.
    ws_notified: bool,
    /// The WebSocket transport's request carried `b64` (the client's `forceBase64`): binary
    /// messages go out as `b<base64>` text frames, as the reference's transport does when it
    /// does not "support binary".
    ws_base64: bool,
    /// The session is in `Shared::flush_polls`.
    poll_listed: bool,
    /// The deadline this session has in the server's timer heap, if any.
    pub(crate) heap_at: Option<Instant>,
}

impl Session {
    /// A new session; its first packet is the handshake. A polling session's handshake GET
    /// is `req`, parked until `poll_transmit` answers it.
    pub(crate) fn new(
        now: Instant,
        ctx: &mut Shared,
        sid: Str,
        key: SessionKey,
        handshake_get: Option<(ReqId, ReplyHeaders)>,
    ) -> Session {
        let transport = match handshake_get {
            Some((req, headers)) => {
                ctx.parked.insert(req, key);
                Transport::Polling {
                    parked: Some(Parked { req, headers }),
                }
            }
            None => Transport::WebSocket { conn: None },
        };
        let upgrades = match transport {
            Transport::Polling { .. }
                if ctx.config.transports.websocket && ctx.config.allow_upgrades =>
            {
                vec![Str::from_static("websocket")]
            }
            _ => Vec::new(),
        };
        let handshake = super::Handshake {
            sid: sid.clone(),
            upgrades,
            ping_interval: ctx.config.ping_interval,
            ping_timeout: ctx.config.ping_timeout,
            max_payload: ctx.config.max_payload as u64,
        };
        let mut queue = OutQueue::default();
        queue.push_control(Packet::Open(handshake.to_json()));
        let mut s = Session {
            sid,
            key,
            transport,
            upgrade: None,
            upgraded: false,
            post: None,
            phase: Phase::Open,
            queue,
            ping_at: Some(now + ctx.config.ping_interval),
            pong_deadline: None,
            pong_extended: false,
            ws_notified: false,
            ws_base64: false,
            poll_listed: false,
            heap_at: None,
        };
        s.notify_queued(ctx);
        s
    }

    pub(crate) fn is_gone(&self) -> bool {
        self.phase == Phase::Gone
    }

    pub(crate) fn is_open(&self) -> bool {
        self.phase == Phase::Open
    }

    pub(crate) fn transport_kind(&self) -> TransportKind {
        match self.transport {
            Transport::Polling { .. } => TransportKind::Polling,
            Transport::WebSocket { .. } => TransportKind::WebSocket,
        }
    }

    pub(crate) fn is_upgrading(&self) -> bool {
        self.upgrade.is_some()
    }

    pub(crate) fn buffered_bytes(&self) -> usize {
        self.queue.bytes()
    }

    /// The earliest instant at which [`Session::handle_timeout`] has something to do.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Gone => None,
            Phase::Draining { until } => Some(until),
            Phase::Open => [
                self.ping_at,
                self.pong_deadline,
                self.upgrade.as_ref().map(|u| u.deadline),
            ]
            .into_iter()
            .flatten()
            .min(),
        }
    }

    // ----- outputs -------------------------------------------------------------------------

    /// After something was queued: wake whoever can carry it.
    fn notify_queued(&mut self, ctx: &mut Shared) {
        if self.queue.is_empty() {
            return;
        }
        match &self.transport {
            Transport::Polling { parked: Some(_) } if !self.poll_listed => {
                self.poll_listed = true;
                ctx.flush_polls.push(self.key);
            }
            Transport::WebSocket { conn: Some(conn) } if !self.ws_notified => {
                self.ws_notified = true;
                ctx.transmits.push_back(Transmit::WsReady { conn: *conn });
            }
            _ => {}
        }
    }

    fn take_parked(&mut self, ctx: &mut Shared) -> Option<Parked> {
        match &mut self.transport {
            Transport::Polling { parked } => {
                let p = parked.take()?;
                ctx.parked.remove(&p.req);
                Some(p)
            }
            Transport::WebSocket { .. } => None,
        }
    }

    fn respond(ctx: &mut Shared, req: ReqId, response: HttpResponse) {
        ctx.transmits.push_back(Transmit::Http { req, response });
    }

    /// Answers the parked GET (if any) with everything queued, or with `6` when the queue
    /// is empty.
    fn release_parked(&mut self, ctx: &mut Shared) {
        if let Some(p) = self.take_parked(ctx) {
            if self.queue.is_empty() {
                self.queue.push_control(Packet::Noop);
            }
            let body = self.queue.take_payload();
            Self::respond(ctx, p.req, HttpResponse::payload(p.headers, body));
        }
    }

    /// Called by the server for sessions in `flush_polls`.
    pub(crate) fn flush_poll(&mut self, ctx: &mut Shared) {
        self.poll_listed = false;
        if self.phase == Phase::Open && !self.queue.is_empty() {
            self.release_parked(ctx);
        }
    }

    /// Frames queued for `conn` (the transport, or the upgrade probe).
    pub(crate) fn drain_ws(&mut self, conn: ConnId, out: &mut Vec<WsFrame>) {
        if let Some(u) = self.upgrade.as_mut().filter(|u| u.conn == conn) {
            if std::mem::take(&mut u.probe_reply) {
                out.push(WsFrame::Text(Str::from_static("3probe")));
            }
            return;
        }
        if matches!(self.transport, Transport::WebSocket { conn: Some(c) } if c == conn) {
            self.ws_notified = false;
            let start = out.len();
            self.queue.take_frames(out);
            if self.ws_base64 {
                for frame in &mut out[start..] {
                    if let WsFrame::Binary(b) = frame {
                        let b = std::mem::take(b);
                        *frame = WsFrame::Text(Packet::Message(Message::Binary(b)).encode_text());
                    }
                }
            }
        }
    }

    // ----- closing -------------------------------------------------------------------------

    /// Ends the session: one `Closed` event, the transport told the way `farewell` says, any
    /// upgrade probe closed.
    fn close(&mut self, now: Instant, ctx: &mut Shared, reason: CloseReason, farewell: Farewell) {
        if self.phase != Phase::Open {
            return;
        }
        self.ping_at = None;
        self.pong_deadline = None;
        if let Some(u) = self.upgrade.take() {
            ctx.conns.remove(&u.conn);
            ctx.transmits.push_back(Transmit::WsClose { conn: u.conn });
        }
        ctx.events.push_back(EngineEvent::Closed {
            sid: self.sid.clone(),
            reason,
        });
        if let Some(p) = self.post.take() {
            // The reference destroys a POST still receiving its body when its transport
            // closes; the adapter answers it at once and drops the rest of the body.
            ctx.posts.remove(&p.req);
            Self::respond(
                ctx,
                p.req,
                HttpResponse::new(400, p.headers.base(), Bytes::new()),
            );
        }
        if farewell != Farewell::FlushThenClose {
            self.queue.clear();
        }
        self.phase = Phase::Gone;
        match &mut self.transport {
            Transport::Polling { parked } => match (parked.is_some(), farewell) {
                (true, Farewell::Noop) => self.release_parked(ctx),
                (true, Farewell::FlushThenClose) if !self.queue.is_empty() => {
                    // As the reference: what was queued answers the parked GET, and the close
                    // packet waits for the next one. In one body the official client would
                    // see the close first (it hands decoded packets on a tick later), so a
                    // `41` sent before closing would read as `transport close`, and the
                    // client would reconnect.
                    self.release_parked(ctx);
                    self.phase = Phase::Draining {
                        until: now + ctx.config.close_linger,
                    };
                }
                (true, _) => {
                    self.queue.push_control(Packet::Close);
                    self.release_parked(ctx);
                }
                (false, Farewell::FlushThenClose) => {
                    self.phase = Phase::Draining {
                        until: now + ctx.config.close_linger,
                    };
                }
                (false, _) => {}
            },
            Transport::WebSocket { conn: Some(conn) } => {
                let conn = *conn;
                if farewell == Farewell::FlushThenClose {
                    // The writer drains what is left when it sees `WsClose`.
                    self.notify_queued(ctx);
                    self.phase = Phase::Draining {
                        until: now + ctx.config.close_linger,
                    };
                } else {
                    ctx.conns.remove(&conn);
                }
                ctx.transmits.push_back(Transmit::WsClose { conn });
            }
            Transport::WebSocket { conn: None } => {}
        }
    }

    /// Closes at the application's request (`forced close`, `server shutting down`):
    /// queued packets are still delivered.
    pub(crate) fn close_by_server(&mut self, now: Instant, ctx: &mut Shared, reason: CloseReason) {
        self.close(now, ctx, reason, Farewell::FlushThenClose);
    }

    /// Forgets the session's index entries; called by the server right before removal.
    pub(crate) fn unregister(&mut self, ctx: &mut Shared) {
        if let Transport::Polling { parked: Some(p) } = &self.transport {
            ctx.parked.remove(&p.req);
        }
        if let Some(p) = &self.post {
            ctx.posts.remove(&p.req);
        }
        if let Transport::WebSocket { conn: Some(c) } = &self.transport {
            if ctx.conns.get(c) == Some(&self.key) {
                ctx.conns.remove(c);
            }
        }
        if let Some(u) = &self.upgrade {
            ctx.conns.remove(&u.conn);
        }
    }

    // ----- sending -------------------------------------------------------------------------

    /// Queues `msgs` as one group (all delivered, or none).
    pub(crate) fn send(
        &mut self,
        now: Instant,
        ctx: &mut Shared,
        msgs: Group<'_>,
        volatile: bool,
    ) -> SendOutcome {
        if self.phase != Phase::Open {
            return SendOutcome::NoSession;
        }
        // Like the reference, a volatile message is dropped when the transport could not
        // write it now: a polling session without a parked GET, a WebSocket not yet open.
        let writable = match &self.transport {
            Transport::Polling { parked } => parked.is_some(),
            Transport::WebSocket { conn } => conn.is_some(),
        };
        if volatile && !writable {
            return SendOutcome::Dropped;
        }
        match self
            .queue
            .push_group(msgs, volatile, ctx.config.buffer_limit())
        {
            Push::Queued => {
                self.notify_queued(ctx);
                SendOutcome::Queued
            }
            Push::DroppedVolatile => SendOutcome::Dropped,
            Push::Overflow => {
                self.close(now, ctx, CloseReason::BufferFull, Farewell::Close);
                SendOutcome::Overflowed
            }
        }
    }

    // ----- inputs: packets from the client ---------------------------------------------------

    /// One packet that arrived on the session's current transport.
    fn on_packet(&mut self, now: Instant, ctx: &mut Shared, packet: Packet) {
        if self.phase != Phase::Open {
            return;
        }
        // Like the reference (engine.io 6.6): a client busy sending while its pong is late gets
        // one more pingTimeout, once per ping.
        if self.pong_deadline.is_some() && !self.pong_extended && !matches!(packet, Packet::Pong(_))
        {
            self.pong_deadline = Some(now + ctx.config.ping_timeout);
            self.pong_extended = true;
        }
        match packet {
            Packet::Message(msg) => ctx.events.push_back(EngineEvent::Message {
                sid: self.sid.clone(),
                msg,
            }),
            Packet::Pong(_) => {
                self.pong_deadline = None;
                self.ping_at = Some(now + ctx.config.ping_interval);
            }
            // In v4 only the server pings.
            Packet::Ping(_) => {
                self.close(now, ctx, CloseReason::TransportError, Farewell::Close);
            }
            Packet::Close => {
                self.close(now, ctx, CloseReason::TransportClose, Farewell::Noop);
            }
            Packet::Open(_) | Packet::Upgrade | Packet::Noop => {}
        }
    }

    /// A long-poll GET for this session.
    pub(crate) fn handle_get(
        &mut self,
        now: Instant,
        ctx: &mut Shared,
        req: ReqId,
        headers: ReplyHeaders,
    ) -> Reply {
        match self.phase {
            Phase::Gone => Some(HttpResponse::error(
                headers.base(),
                ErrorCode::UnknownSid,
                None,
            )),
            Phase::Draining { .. } => {
                // What was queued first, then `6` and the close packet on the GET after it,
                // never both in one body: the reference waits for its buffer to drain before
                // it closes, and the official client, which hands decoded packets on a tick
                // later, would otherwise see the close before the last messages.
                if !self.queue.is_empty() {
                    return Some(HttpResponse::payload(headers, self.queue.take_payload()));
                }
                self.queue.push_control(Packet::Noop);
                self.queue.push_control(Packet::Close);
                self.phase = Phase::Gone;
                Some(HttpResponse::payload(headers, self.queue.take_payload()))
            }
            Phase::Open => {
                let Transport::Polling { parked } = &mut self.transport else {
                    return Some(HttpResponse::error(
                        headers.base(),
                        ErrorCode::BadRequest,
                        None,
                    ));
                };
                if parked.is_some() {
                    // Two GETs at once: the first learns the session is over, the second is
                    // refused with the reference's bare 400.
                    self.close(now, ctx, CloseReason::TransportError, Farewell::Close);
                    return Some(HttpResponse::new(400, headers.base(), Bytes::new()));
                }
                let probing = self.upgrade.as_ref().is_some_and(|u| u.probed);
                if probing && self.queue.is_empty() {
                    return Some(HttpResponse::payload(headers, Bytes::from_static(b"6")));
                }
                *parked = Some(Parked { req, headers });
                ctx.parked.insert(req, self.key);
                self.notify_queued(ctx);
                None
            }
        }
    }

    /// The head of a polling POST arrived; its body has not. `None`: read the body and hand
    /// it to [`handle_post_body`](Self::handle_post_body). Like the reference, a session takes
    /// one POST at a time: a second one while a body is still arriving is refused with a bare
    /// 400 and closes the session (`transport error`), which ends the first one too.
    pub(crate) fn handle_post_head(
        &mut self,
        now: Instant,
        ctx: &mut Shared,
        req: ReqId,
        headers: ReplyHeaders,
        binary_body: bool,
    ) -> Reply {
        match self.phase {
            Phase::Gone => {
                return Some(HttpResponse::error(
                    headers.base(),
                    ErrorCode::UnknownSid,
                    None,
                ));
            }
            Phase::Draining { .. } => return Some(HttpResponse::ok(headers)),
            Phase::Open => {}
        }
        if !matches!(self.transport, Transport::Polling { .. }) {
            return Some(HttpResponse::error(
                headers.base(),
                ErrorCode::BadRequest,
                None,
            ));
        }
        if self.post.is_some() || binary_body {
            // A POST overlapping one in flight, or a binary body (v4 polling bodies are text):
            // both a transport error to the reference, answered `400` with no body.
            self.close(now, ctx, CloseReason::TransportError, Farewell::Close);
            return Some(HttpResponse::new(400, headers.base(), Bytes::new()));
        }
        ctx.posts.insert(req, self.key);
        self.post = Some(Parked { req, headers });
        None
    }

    /// The body of the POST in flight, `req`; `None` when it was longer than maxPayload and
    /// not read (answered 413, the session stays open). `None` back: `req` is not this
    /// session's POST in flight (it already got its answer).
    pub(crate) fn handle_post_body(
        &mut self,
        now: Instant,
        ctx: &mut Shared,
        req: ReqId,
        body: Option<Bytes>,
    ) -> Option<HttpResponse> {
        if self.post.as_ref().is_none_or(|p| p.req != req) {
            return None;
        }
        let headers = self.post.take()?.headers;
        ctx.posts.remove(&req);
        let Some(body) = body else {
            return Some(HttpResponse::new(413, headers.base(), Bytes::new()));
        };
        if body.len() > ctx.config.max_payload {
            return Some(HttpResponse::new(413, headers.base(), Bytes::new()));
        }
        // The reference reads POST bodies as UTF-8 text, replacing invalid sequences; checked
        // once here (the payload decoder does not check it again).
        let body = if std::str::from_utf8(&body).is_ok() {
            Str::from_trusted_utf8(body)
        } else {
            Str::from(String::from_utf8_lossy(&body).into_owned())
        };
        match payload::decode_text_body(&body, ctx.config.max_payload) {
            Err(super::PayloadError::TooLarge { .. }) => {
                Some(HttpResponse::new(413, headers.base(), Bytes::new()))
            }
            Err(e) => {
                // As in the reference, the packets before the bad one still count.
                if let super::PayloadError::Packet { index, .. } = e {
                    for item in body
                        .as_bytes()
                        .split(|&b| b == payload::SEPARATOR)
                        .take(index)
                    {
                        // The separator is ASCII, so each item is a UTF-8 slice of the body.
                        let decoded = std::str::from_utf8(item)
                            .ok()
                            .and_then(|t| Packet::decode_text(body.slice_ref(t)).ok());
                        if let Some(p) = decoded {
                            self.on_packet(now, ctx, p);
                        }
                    }
                }
                self.close(now, ctx, CloseReason::ParseError, Farewell::Close);
                // The reference answers such a POST `200 ok` all the same; the client learns
                // that the session is gone from its GET.
                Some(HttpResponse::ok(headers))
            }
            Ok(packets) => {
                for p in packets {
                    self.on_packet(now, ctx, p);
                }
                Some(HttpResponse::ok(headers))
            }
        }
    }

    /// The client went away while its GET was parked or its POST body was arriving (the
    /// reference's "poll/data request connection closed prematurely").
    pub(crate) fn handle_request_aborted(&mut self, now: Instant, ctx: &mut Shared, req: ReqId) {
        if self.post.as_ref().is_some_and(|p| p.req == req) {
            self.post = None;
            ctx.posts.remove(&req);
            self.close(now, ctx, CloseReason::TransportError, Farewell::Close);
            return;
        }
        if let Transport::Polling { parked } = &mut self.transport {
            if parked.as_ref().is_some_and(|p| p.req == req) {
                *parked = None;
                ctx.parked.remove(&req);
                self.close(now, ctx, CloseReason::TransportError, Farewell::Close);
            }
        }
    }

    // ----- time ------------------------------------------------------------------------------

    pub(crate) fn handle_timeout(&mut self, now: Instant, ctx: &mut Shared) {
        if let Phase::Draining { until } = self.phase {
            if until <= now {
                self.phase = Phase::Gone;
            }
            return;
        }
        if self.phase != Phase::Open {
            return;
        }
        if self.pong_deadline.is_some_and(|d| d <= now) {
            self.close(now, ctx, CloseReason::PingTimeout, Farewell::Close);
            return;
        }
        if self.ping_at.is_some_and(|at| at <= now) {
            self.ping_at = None;
            // The client's pingTimeout starts when the ping goes out, like the reference's
            // timer: a timer task woken late (a busy machine) must not shorten it, let alone
            // send a ping whose deadline has already passed.
            self.pong_deadline = Some(now + ctx.config.ping_timeout);
            self.pong_extended = false;
            self.queue.push_control(Packet::Ping(Str::new()));
            self.notify_queued(ctx);
        }
        if self.upgrade.as_ref().is_some_and(|u| u.deadline <= now) {
            self.cancel_upgrade(ctx, true);
        }
    }
}
