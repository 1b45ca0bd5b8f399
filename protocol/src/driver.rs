//! [`Driver`]: the one trait through which adapters, the API layer and the test harness drive
//! a sans-IO server.

use crate::engine::{
    ConnId, EngineConfig, EngineServer, HttpResponse, Incoming, ReqId, RequestHead, RequestOutcome,
    Transmit, WsFrame,
};
use crate::Str;
use bytes::Bytes;
use std::time::Instant;

/// The adapter-facing surface of a sans-IO server: what an adapter (or the test harness) feeds
/// in and drains out. Implemented by [`EngineServer`] (raw Engine.IO) and by
/// [`crate::server::Server`] (Socket.IO); the API layer and the harness both drive servers
/// through it.
pub trait Driver {
    /// What the server reports to the application.
    type Event;
    /// See [`EngineServer::handle_request`].
    fn handle_request(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
        body: Bytes,
    ) -> RequestOutcome;
    /// See [`EngineServer::handle_request_head`].
    fn handle_request_head(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
    ) -> RequestOutcome;
    /// See [`EngineServer::handle_request_body`].
    fn handle_request_body(
        &mut self,
        now: Instant,
        req: ReqId,
        body: Option<Bytes>,
    ) -> Option<HttpResponse>;
    /// See [`EngineServer::accept`].
    fn accept(&mut self, now: Instant, incoming: Incoming) -> Option<Str>;
    /// See [`EngineServer::refuse`].
    fn refuse(&mut self, now: Instant, incoming: Incoming, message: Option<&str>);
    /// See [`EngineServer::handle_request_aborted`].
    fn handle_request_aborted(&mut self, now: Instant, req: ReqId);
    /// See [`EngineServer::handle_ws_open`].
    fn handle_ws_open(&mut self, now: Instant, req: ReqId, conn: ConnId);
    /// See [`EngineServer::handle_ws_message`].
    fn handle_ws_message(&mut self, now: Instant, conn: ConnId, frame: WsFrame);
    /// See [`EngineServer::handle_ws_closed`].
    fn handle_ws_closed(&mut self, now: Instant, conn: ConnId);
    /// See [`EngineServer::handle_timeout`].
    fn handle_timeout(&mut self, now: Instant);
    /// See [`EngineServer::poll_timeout`].
    fn poll_timeout(&mut self) -> Option<Instant>;
    /// See [`EngineServer::poll_transmit`].
    fn poll_transmit(&mut self) -> Option<Transmit>;
    /// See [`EngineServer::take_upgrade_headers`].
    fn take_upgrade_headers(&mut self, req: ReqId) -> Vec<(Str, Str)>;
    /// See [`EngineServer::drain_ws`].
    fn drain_ws(&mut self, conn: ConnId, out: &mut Vec<WsFrame>);
    /// See [`EngineServer::poll_event`].
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// The Engine.IO configuration the server runs with.
    fn config(&self) -> &EngineConfig;
    /// Closes every session with reason `server shutting down` and refuses later handshakes
    /// (see [`EngineServer::shutdown`]; a Socket.IO [`Server`](crate::server::Server) lets
    /// its sockets leave first, see [`Server::shutdown`](crate::server::Server::shutdown)).
    fn shutdown(&mut self, now: Instant);
    /// See [`EngineServer::is_shut_down`].
    fn is_shut_down(&self) -> bool;
}

impl Driver for EngineServer {
    type Event = crate::engine::EngineEvent;
    fn handle_request(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
        body: Bytes,
    ) -> RequestOutcome {
        EngineServer::handle_request(self, now, req, head, body)
    }
    fn handle_request_head(
        &mut self,
        now: Instant,
        req: ReqId,
        head: RequestHead,
    ) -> RequestOutcome {
        EngineServer::handle_request_head(self, now, req, head)
    }
    fn handle_request_body(
        &mut self,
        now: Instant,
        req: ReqId,
        body: Option<Bytes>,
    ) -> Option<HttpResponse> {
        EngineServer::handle_request_body(self, now, req, body)
    }
    fn accept(&mut self, now: Instant, incoming: Incoming) -> Option<Str> {
        EngineServer::accept(self, now, incoming)
    }
    fn refuse(&mut self, _now: Instant, incoming: Incoming, message: Option<&str>) {
        EngineServer::refuse(self, incoming, message)
    }
    fn handle_request_aborted(&mut self, now: Instant, req: ReqId) {
        EngineServer::handle_request_aborted(self, now, req)
    }
    fn handle_ws_open(&mut self, now: Instant, req: ReqId, conn: ConnId) {
        EngineServer::handle_ws_open(self, now, req, conn)
    }
    fn handle_ws_message(&mut self, now: Instant, conn: ConnId, frame: WsFrame) {
        EngineServer::handle_ws_message(self, now, conn, frame)
    }
    fn handle_ws_closed(&mut self, now: Instant, conn: ConnId) {
        EngineServer::handle_ws_closed(self, now, conn)
    }
    fn handle_timeout(&mut self, now: Instant) {
        EngineServer::handle_timeout(self, now)
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        EngineServer::poll_timeout(self)
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        EngineServer::poll_transmit(self)
    }
    fn take_upgrade_headers(&mut self, req: ReqId) -> Vec<(Str, Str)> {
        EngineServer::take_upgrade_headers(self, req)
    }
    fn drain_ws(&mut self, conn: ConnId, out: &mut Vec<WsFrame>) {
        EngineServer::drain_ws(self, conn, out)
    }
    fn poll_event(&mut self) -> Option<Self::Event> {
        EngineServer::poll_event(self)
    }
    fn config(&self) -> &EngineConfig {
        EngineServer::config(self)
    }
    fn shutdown(&mut self, now: Instant) {
        EngineServer::shutdown(self, now)
    }
    fn is_shut_down(&self) -> bool {
        EngineServer::is_shut_down(self)
    }
}
