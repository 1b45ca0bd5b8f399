//! Socket.IO server options.

use crate::socket::Parser;
use std::time::Duration;

/// Options of the Socket.IO layer (the Engine.IO ones live in `EngineConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketConfig {
    /// A client that has joined no namespace this long after its handshake is closed
    /// (reference `connectTimeout`, 45 s).
    pub connect_timeout: Duration,
    /// Remove a dynamic child namespace when its last socket leaves
    /// (reference `cleanupEmptyChildNamespaces`, off).
    pub cleanup_empty_child_namespaces: bool,
    /// How long a request to the other nodes of a cluster waits for their answers
    /// (reference adapters: 5 s).
    pub cluster_request_timeout: Duration,
    /// Bound on the bytes of one incoming binary packet's attachments; a client exceeding it
    /// is closed like for any malformed packet (`forced close`). `None` (default): a bare
    /// layer does not bound them, and a [`Server`](super::Server) uses the engine's
    /// [`buffer_limit`](crate::engine::EngineConfig::buffer_limit).
    pub max_attachment_bytes: Option<usize>,
    /// How many namespaces one client may have joined or be joining at once; a CONNECT beyond
    /// that is refused with `CONNECT_ERROR {"message":"Too many namespaces"}` (the session
    /// stays open). The reference has no such bound; with dynamic namespaces a client could
    /// otherwise open sockets without end. Default [`DEFAULT_MAX_NAMESPACES_PER_CLIENT`].
    pub max_namespaces_per_client: usize,
    /// Decode text EVENTs only up to their name and report them as
    /// [`Event::Unchecked`](super::Event::Unchecked), whose arguments the app validates when
    /// it reads them (one typed pass, see [`UncheckedEvent`](crate::socket::UncheckedEvent)),
    /// reporting a malformed one with [`close_malformed`](super::SocketLayer::close_malformed).
    /// Off by default: every event arrives validated as [`Event::Event`](super::Event::Event).
    pub defer_event_validation: bool,
    /// Keep a leaving socket in its namespace and rooms after
    /// [`Event::Disconnecting`](super::Event::Disconnecting) until the app calls
    /// [`finish_disconnect`](super::SocketLayer::finish_disconnect) (once its disconnecting
    /// handlers ran, as the reference removes the socket right after its `disconnecting`
    /// listeners return); only then does [`Event::Disconnect`](super::Event::Disconnect)
    /// follow. Meanwhile selections and fetches still list it and it may join or leave rooms,
    /// but nothing more is sent to it. Off by default: the socket is gone by the time
    /// `Disconnecting` is handed out, and `Disconnect` follows on its own.
    pub hold_disconnecting: bool,
    /// Connection state recovery (the reference's `connectionStateRecovery`; `None`, the
    /// default, as in the reference: off). See [`RecoveryConfig`](super::RecoveryConfig).
    pub connection_state_recovery: Option<super::RecoveryConfig>,
    /// How packets are written on the wire (the reference's `parser`): JSON text by default,
    /// or one MessagePack binary message per packet ([`Parser::MsgPack`]).
    pub parser: Parser,
}

/// Default of [`SocketConfig::max_namespaces_per_client`].
pub const DEFAULT_MAX_NAMESPACES_PER_CLIENT: usize = 1000;

impl Default for SocketConfig {
    fn default() -> Self {
        SocketConfig {
            connect_timeout: Duration::from_secs(45),
            cleanup_empty_child_namespaces: false,
            cluster_request_timeout: Duration::from_secs(5),
            max_attachment_bytes: None,
            max_namespaces_per_client: DEFAULT_MAX_NAMESPACES_PER_CLIENT,
            defer_event_validation: false,
            hold_disconnecting: false,
            connection_state_recovery: None,
            parser: Parser::Json,
        }
    }
}

impl SocketConfig {
    /// Reference defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `connect_timeout`.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets `cleanup_empty_child_namespaces`.
    pub fn cleanup_empty_child_namespaces(mut self, on: bool) -> Self {
        self.cleanup_empty_child_namespaces = on;
        self
    }

    /// Sets `max_attachment_bytes`.
    pub fn max_attachment_bytes(mut self, bytes: Option<usize>) -> Self {
        self.max_attachment_bytes = bytes;
        self
    }

    /// Sets `connection_state_recovery`.
    pub fn connection_state_recovery(mut self, recovery: Option<super::RecoveryConfig>) -> Self {
        self.connection_state_recovery = recovery;
        self
    }

    /// Sets `max_namespaces_per_client`.
    pub fn max_namespaces_per_client(mut self, n: usize) -> Self {
        self.max_namespaces_per_client = n;
        self
    }

    /// Sets `defer_event_validation`.
    pub fn defer_event_validation(mut self, on: bool) -> Self {
        self.defer_event_validation = on;
        self
    }

    /// Sets `hold_disconnecting`.
    pub fn hold_disconnecting(mut self, on: bool) -> Self {
        self.hold_disconnecting = on;
        self
    }

    /// Sets `parser`.
    pub fn parser(mut self, parser: Parser) -> Self {
        self.parser = parser;
        self
    }

    /// Sets `cluster_request_timeout`.
    pub fn cluster_request_timeout(mut self, d: Duration) -> Self {
        self.cluster_request_timeout = d;
        self
    }
}
