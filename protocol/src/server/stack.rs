//! `Server`: Engine.IO sessions and the Socket.IO layer composed — what adapters drive.

use super::config::SocketConfig;
use super::event::{EngineCommand, Event, Messages, SessionRef};
use super::ids::DisconnectReason;
use super::layer::SocketLayer;
use crate::engine::{
    CloseReason, ConnId, EngineConfig, EngineEvent, EngineServer, Group, HttpResponse, Incoming,
    ReqId, RequestHead, RequestOutcome, SendOptions, Transmit, WsFrame,
};
use crate::id::IdGenerator;
use crate::Str;
use bytes::Bytes;
use std::sync::Arc;
use std::time::Instant;

/// A Socket.IO server: an [`EngineServer`] whose sessions feed a [`SocketLayer`].
///
/// Adapter side (same vocabulary as `EngineServer`): `handle_request` (answer a
/// `Handshake(incoming)` with `accept`/`refuse`), `handle_request_aborted`, `handle_ws_open`,
/// `handle_ws_message`, `handle_ws_closed`, `handle_timeout`; then drain `poll_transmit` (and
/// `drain_ws` for each `WsReady`), `poll_event` for the app, and sleep until `poll_timeout`.
///
/// App side: every [`SocketLayer`] command and getter is reachable through `Deref` (`emit`,
/// `broadcast`, `join`, `accept_connect`, …). What they queue for the clients is handed to the
/// sessions on the next `poll_transmit`/`poll_event`/`flush`, stamped with the time of the
/// latest input; call [`flush`](Self::flush) to give it an exact `now`.
pub struct Server {
    engine: EngineServer,
    layer: SocketLayer,
    now: Option<Instant>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("sessions", &self.engine.session_count())
            .field("layer", &self.layer)
            .finish()
    }
}

fn reason_of(reason: CloseReason) -> DisconnectReason {
    match reason {
        CloseReason::TransportClose => DisconnectReason::TransportClose,
        CloseReason::PingTimeout => DisconnectReason::PingTimeout,
        CloseReason::ParseError => DisconnectReason::ParseError,
        CloseReason::ForcedClose => DisconnectReason::ForcedClose,
        CloseReason::ServerShuttingDown => DisconnectReason::ServerShuttingDown,
        CloseReason::BufferFull => DisconnectReason::BufferFull,
        _ => DisconnectReason::TransportError,
    }
}

impl Server {
    /// A server; `engine_ids` makes Engine.IO sids, `socket_ids` Socket.IO socket ids (two
    /// generators, so neither id can be derived from the other).
    pub fn new(
        engine: EngineConfig,
        socket: SocketConfig,
        engine_ids: impl IdGenerator + Send + 'static,
        socket_ids: impl IdGenerator + Send + 'static,
    ) -> Self {
        Self::from_parts(
            EngineServer::new(engine, engine_ids),
            SocketLayer::new(socket, Box::new(socket_ids)),
        )
    }

    /// A server from an engine and a layer built separately (e.g. with cluster adapters).
    /// A layer without its own `max_attachment_bytes` takes the engine's buffer limit.
    pub fn from_parts(engine: EngineServer, mut layer: SocketLayer) -> Self {
        let limit = &mut layer.config.max_attachment_bytes;
        if limit.is_none() {
            *limit = engine.config().buffer_limit();
        }
        Server {
            engine,
            layer,
            now: None,
        }
    }

    /// The Engine.IO server (sessions, transports).
    pub fn engine(&self) -> &EngineServer {
        &self.engine
    }

    /// The Socket.IO layer.
    pub fn layer(&self) -> &SocketLayer {
        &self.layer
    }

    /// The Socket.IO layer, mutably (same as through `DerefMut`).
    pub fn layer_mut(&mut self) -> &mut SocketLayer {
        &mut self.layer
    }

    /// Moves Engine.IO events into the Socket.IO layer and its commands into the sessions,
    /// until neither has anything left.
    fn pump(&mut self, now: Instant) {
        self.now = Some(now);
        self.pump_at(now);
    }

    /// [`pump`](Self::pump) without recording `now` as the latest input's time.
    fn pump_at(&mut self, now: Instant) {
        // Most calls (every drain of events after the input's own) find nothing to move.
        if !self.engine.has_events() && !self.layer.has_commands() {
            return;
        }
        loop {
            let mut progressed = false;
            while let Some(ev) = self.engine.poll_event() {
                progressed = true;
                match ev {
                    EngineEvent::Opened { sid, head, .. } => {
                        let key = self.engine.session_key(&sid);
                        self.layer.handle_open(now, sid.clone(), Arc::new(head));
                        if let Some(key) = key {
                            self.layer.set_session_key(&sid, key);
                        }
                    }
                    EngineEvent::Message { sid, msg } => self.layer.handle_message(now, &sid, msg),
                    EngineEvent::Upgraded { sid } => self.layer.handle_upgraded(&sid),
                    EngineEvent::Closed { sid, reason } => {
                        self.layer.handle_close(now, &sid, reason_of(reason))
                    }
                }
            }
            while let Some(cmd) = self.layer.poll_command() {
                progressed = true;
                match cmd {
                    EngineCommand::Send {
                        to,
                        messages,
                        volatile,
                    } => {
                        // An overflow closes the session; its `Closed` event comes round
                        // this loop and disconnects the sockets with `BufferFull`. Messages
                        // for this session alone move into its queue.
                        let key = match to {
                            SessionRef::Key(key) => key,
                            SessionRef::Sid(sid) => match self.engine.session_key(&sid) {
                                Some(key) => key,
                                None => continue,
                            },
                        };
                        let opts = SendOptions { volatile };
                        let _ = match messages {
                            Messages::One(mut one) => {
                                let own = std::slice::from_mut(&mut one);
                                self.engine.send_group(now, key, Group::Owned(own), opts)
                            }
                            Messages::Shared(mut list) => match Arc::get_mut(&mut list) {
                                Some(own) => {
                                    self.engine.send_group(now, key, Group::Owned(own), opts)
                                }
                                None => {
                                    self.engine.send_group(now, key, Group::Shared(&list), opts)
                                }
                            },
                        };
                    }
                    EngineCommand::Close { sid } => {
                        self.engine.close(now, &sid);
                    }
                }
            }
            if !progressed {
                break;
            }
        }
    }

    /// Hands what app commands queued to the sessions, at `now`.
    pub fn flush(&mut self, now: Instant) {
        self.pump(now);
    }

    fn pump_latest(&mut self) {
        if let Some(now) = self.now {
            self.pump_at(now);
        }
    }

    /// See [`EngineServer::handle_request`].
    pub fn handle_request(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
        body: Bytes,
    ) -> RequestOutcome {
        let outcome = self.engine.handle_request(now, req, head, body);
        self.pump(now);
        outcome
    }

    /// See [`EngineServer::handle_request_head`].
    pub fn handle_request_head(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
    ) -> RequestOutcome {
        let outcome = self.engine.handle_request_head(now, req, head);
        self.pump(now);
        outcome
    }

    /// See [`EngineServer::handle_request_body`].
    pub fn handle_request_body(
        &mut self,
        now: Instant,
        req: ReqId,
        body: Option<Bytes>,
    ) -> Option<HttpResponse> {
        let response = self.engine.handle_request_body(now, req, body);
        self.pump(now);
        response
    }

    /// Admits a new Engine.IO session (see [`EngineServer::accept`]).
    pub fn accept(&mut self, now: Instant, incoming: Incoming) -> Option<Str> {
        let sid = self.engine.accept(now, incoming);
        self.pump(now);
        sid
    }

    /// Refuses a new Engine.IO session (see [`EngineServer::refuse`]).
    pub fn refuse(&mut self, incoming: Incoming, message: Option<&str>) {
        self.engine.refuse(incoming, message);
    }

    /// See [`EngineServer::handle_request_aborted`].
    pub fn handle_request_aborted(&mut self, now: Instant, req: ReqId) {
        self.engine.handle_request_aborted(now, req);
        self.pump(now);
    }

    /// See [`EngineServer::handle_ws_open`].
    pub fn handle_ws_open(&mut self, now: Instant, req: ReqId, conn: ConnId) {
        self.engine.handle_ws_open(now, req, conn);
        self.pump(now);
    }

    /// See [`EngineServer::handle_ws_message`].
    pub fn handle_ws_message(&mut self, now: Instant, conn: ConnId, frame: WsFrame) {
        self.engine.handle_ws_message(now, conn, frame);
        self.pump(now);
    }

    /// See [`EngineServer::handle_ws_closed`].
    pub fn handle_ws_closed(&mut self, now: Instant, conn: ConnId) {
        self.engine.handle_ws_closed(now, conn);
        self.pump(now);
    }

    /// Fires every Engine.IO and Socket.IO timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
        self.pump(now);
        self.layer.handle_timeout(now);
        self.pump(now);
    }

    /// The earliest deadline of either layer.
    #[must_use]
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        match (self.engine.poll_timeout(), self.layer.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next output for the adapter.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.pump_latest();
        self.engine.poll_transmit()
    }

    /// Moves every frame queued for `conn` into `out`.
    pub fn drain_ws(&mut self, conn: ConnId, out: &mut Vec<WsFrame>) {
        self.engine.drain_ws(conn, out);
    }

    /// The next event for the app.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.pump_latest();
        self.layer.poll_event()
    }

    /// [`poll_event`](Self::poll_event) leaving the `floor` oldest groups of sockets leaving
    /// together to the calls that started them (see `SocketLayer::poll_event_above`).
    pub(crate) fn poll_event_above(&mut self, floor: usize) -> Option<Event> {
        self.pump_latest();
        self.layer.poll_event_above(floor)
    }

    /// Shuts down as the reference's `io.close()` does: later handshakes are answered `503`
    /// at once (see [`EngineServer::begin_shutdown`]); every socket leaves with `server
    /// shutting down`, one after the other, while its client is still connected (with
    /// [`SocketConfig::hold_disconnecting`], what its disconnecting handlers send still goes
    /// out); then every session closes (see [`SocketLayer::shutdown`]).
    pub fn shutdown(&mut self, now: Instant) {
        self.engine.begin_shutdown();
        self.layer.shutdown();
        self.pump(now);
    }

    /// Closes every session now with `server shutting down`, whatever a
    /// [`shutdown`](Self::shutdown) still waits for (a disconnecting handler that has not
    /// returned): its sockets not gone yet see that reason. Later handshakes are answered
    /// `503`.
    pub fn close_sessions(&mut self, now: Instant) {
        self.engine.shutdown(now);
        self.pump(now);
    }
}

impl std::ops::Deref for Server {
    type Target = SocketLayer;
    fn deref(&self) -> &SocketLayer {
        &self.layer
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut SocketLayer {
        &mut self.layer
    }
}

impl crate::Driver for Server {
    type Event = Event;
    fn handle_request(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
        body: Bytes,
    ) -> RequestOutcome {
        Server::handle_request(self, now, req, head, body)
    }
    fn handle_request_head(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
    ) -> RequestOutcome {
        Server::handle_request_head(self, now, req, head)
    }
    fn handle_request_body(
        &mut self,
        now: Instant,
        req: ReqId,
        body: Option<Bytes>,
    ) -> Option<HttpResponse> {
        Server::handle_request_body(self, now, req, body)
    }
    fn accept(&mut self, now: Instant, incoming: Incoming) -> Option<Str> {
        Server::accept(self, now, incoming)
    }
    fn refuse(&mut self, _now: Instant, incoming: Incoming, message: Option<&str>) {
        Server::refuse(self, incoming, message)
    }
    fn handle_request_aborted(&mut self, now: Instant, req: ReqId) {
        Server::handle_request_aborted(self, now, req)
    }
    fn handle_ws_open(&mut self, now: Instant, req: ReqId, conn: ConnId) {
        Server::handle_ws_open(self, now, req, conn)
    }
    fn handle_ws_message(&mut self, now: Instant, conn: ConnId, frame: WsFrame) {
        Server::handle_ws_message(self, now, conn, frame)
    }
    fn handle_ws_closed(&mut self, now: Instant, conn: ConnId) {
        Server::handle_ws_closed(self, now, conn)
    }
    fn handle_timeout(&mut self, now: Instant) {
        Server::handle_timeout(self, now)
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        Server::poll_timeout(self)
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        Server::poll_transmit(self)
    }
    fn take_upgrade_headers(&mut self, req: ReqId) -> Vec<(Str, Str)> {
        self.engine.take_upgrade_headers(req)
    }
    fn drain_ws(&mut self, conn: ConnId, out: &mut Vec<WsFrame>) {
        Server::drain_ws(self, conn, out)
    }
    fn poll_event(&mut self) -> Option<Event> {
        Server::poll_event(self)
    }
    fn config(&self) -> &crate::engine::EngineConfig {
        self.engine().config()
    }
    fn shutdown(&mut self, now: Instant) {
        Server::shutdown(self, now)
    }
    fn is_shut_down(&self) -> bool {
        self.engine().is_shut_down()
    }
}
