//! What [`EngineServer`](super::EngineServer) reports and answers: session events, transmits,
//! request outcomes, handshakes awaiting admission, and what became of a send.

use super::head::RequestHead;
use super::packet::Message;
use super::request::{ConnId, ReqId, TransportKind};
use super::response::HttpResponse;
use super::session::Session;
#[cfg(doc)]
use super::EngineServer;
use crate::Str;

/// Why a session ended, with the reference's reason strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client closed it (a `1` packet, or its WebSocket closed).
    TransportClose,
    /// A transport failure: concurrent GETs or POSTs, an aborted GET or POST body, a binary
    /// POST body, an oversized WebSocket message, a ping from the client.
    TransportError,
    /// No pong within pingTimeout of a ping.
    PingTimeout,
    /// The client sent something that does not decode.
    ParseError,
    /// The application closed it.
    ForcedClose,
    /// The server is shutting down.
    ServerShuttingDown,
    /// The client fell too far behind: its outgoing buffer hit the configured limit even
    /// after volatile messages were dropped.
    BufferFull,
}

impl CloseReason {
    /// The reason string the application sees (the reference's words; `buffer full` is
    /// Volley's own).
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::TransportClose => "transport close",
            CloseReason::TransportError => "transport error",
            CloseReason::PingTimeout => "ping timeout",
            CloseReason::ParseError => "parse error",
            CloseReason::ForcedClose => "forced close",
            CloseReason::ServerShuttingDown => "server shutting down",
            CloseReason::BufferFull => "buffer full",
        }
    }
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened, for the layer above (Socket.IO, or a raw Engine.IO application).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineEvent {
    /// A session was accepted; `head` is its handshake request.
    Opened {
        /// Session id.
        sid: Str,
        /// The handshake request.
        head: RequestHead,
        /// The transport it started on.
        transport: TransportKind,
    },
    /// A message from the client, in the order the client sent it.
    Message {
        /// Session id.
        sid: Str,
        /// The message.
        msg: Message,
    },
    /// A polling session finished its upgrade: it talks over WebSocket from now on (the
    /// reference's `upgrade` event).
    Upgraded {
        /// Session id.
        sid: Str,
    },
    /// The session ended; nothing more comes from or goes to it.
    Closed {
        /// Session id.
        sid: Str,
        /// Why.
        reason: CloseReason,
    },
}

/// Output for the adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Answer request `req` (a parked GET, a handshake, a refusal, or a POST whose body was
    /// still arriving when its session closed: send the answer, then close the connection
    /// without reading the rest of the body).
    Http {
        /// The request.
        req: ReqId,
        /// The response.
        response: HttpResponse,
    },
    /// Frames are queued for `conn`: call [`EngineServer::drain_ws`] when the socket can write.
    WsReady {
        /// The connection.
        conn: ConnId,
    },
    /// Close `conn` — after draining it once more with [`EngineServer::drain_ws`] (frames
    /// queued before a close are still owed to the client).
    WsClose {
        /// The connection.
        conn: ConnId,
    },
}

/// What to do with a request, returned by [`EngineServer::handle_request`].
#[derive(Debug)]
#[must_use]
pub enum RequestOutcome {
    /// Send this response now.
    Respond(HttpResponse),
    /// The response comes later, from [`EngineServer::poll_transmit`] (a parked GET).
    Pending,
    /// A new session asks to be admitted: call [`EngineServer::accept`] or
    /// [`EngineServer::refuse`].
    Handshake(Incoming),
    /// Complete the WebSocket upgrade, then call [`EngineServer::handle_ws_open`] (or
    /// [`EngineServer::handle_request_aborted`] if it fails).
    UpgradeWebSocket,
    /// An upgrade request the reference refuses only once the WebSocket handshake's own
    /// checks pass (a WebSocket handshake whose `EIO` is not 4): check the handshake headers
    /// as for [`UpgradeWebSocket`](Self::UpgradeWebSocket) and answer a failure of those
    /// as usual, else send this response (`400`, `Connection: close`) instead of `101`.
    RefuseUpgrade(HttpResponse),
    /// Not an Engine.IO request (another path): serve it elsewhere.
    NotMine,
    /// A polling POST to an open session (from
    /// [`EngineServer::handle_request_head`]): read its body, at most `max_payload + 1`
    /// bytes, then call [`EngineServer::handle_request_body`]; if the client goes away first,
    /// [`EngineServer::handle_request_aborted`]. A [`Transmit::Http`] for the request may
    /// come first (its session closed meanwhile): answer with it and stop reading.
    ReadBody,
}

/// A handshake waiting for the application's decision, like the reference's `allowRequest`.
#[derive(Debug)]
#[must_use = "an Incoming must be accepted or refused"]
pub struct Incoming {
    pub(super) req: ReqId,
    pub(super) head: RequestHead,
    pub(super) transport: TransportKind,
}

impl Incoming {
    /// The handshake request.
    pub fn head(&self) -> &RequestHead {
        &self.head
    }
    /// Its request id.
    pub fn req(&self) -> ReqId {
        self.req
    }
    /// The transport it asks for. For [`TransportKind::WebSocket`], after
    /// [`EngineServer::accept`] the adapter completes the upgrade and calls
    /// [`EngineServer::handle_ws_open`].
    pub fn transport(&self) -> TransportKind {
        self.transport
    }
}

/// Options of a send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// May be dropped: when the transport cannot write right now, or first when the
    /// session's buffer is full.
    pub volatile: bool,
}

/// What became of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Queued for the client.
    Queued,
    /// A volatile message that was dropped.
    Dropped,
    /// The session's buffer limit was hit: the session is now closed with
    /// [`CloseReason::BufferFull`].
    Overflowed,
    /// No open session with that id.
    NoSession,
}

/// Read-only view of one session.
#[derive(Debug, Clone, Copy)]
pub struct SessionInfo<'a> {
    pub(super) session: &'a Session,
}

impl SessionInfo<'_> {
    /// The current transport.
    pub fn transport(&self) -> TransportKind {
        self.session.transport_kind()
    }
    /// Bytes queued for the client and not yet handed to the adapter.
    pub fn buffered_bytes(&self) -> usize {
        self.session.buffered_bytes()
    }
    /// A WebSocket is probing to take over from polling.
    pub fn is_upgrading(&self) -> bool {
        self.session.is_upgrading()
    }
}
