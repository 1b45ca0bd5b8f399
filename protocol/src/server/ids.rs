//! Identifiers used by the Socket.IO layer.

use crate::Str;
use std::fmt;

/// A room name. Every socket is also in the room named by its own [`SocketId`].
pub type Room = Str;

/// Acknowledgement id, unique within a namespace (the reference uses one counter per namespace,
/// so a broadcast-with-ack can use one id, and one encoding, for every target).
pub type AckId = u64;

/// The public id of a socket (sent to the client in `CONNECT`; not the Engine.IO sid, which is
/// sensitive). Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(Str);

impl SocketId {
    /// Wraps an id.
    pub fn new(id: Str) -> Self {
        SocketId(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The id as a [`Str`] (a refcount clone).
    pub fn as_text(&self) -> &Str {
        &self.0
    }

    /// The socket's implicit room (same text as its id).
    pub fn room(&self) -> Room {
        self.0.clone()
    }
}

impl std::ops::Deref for SocketId {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::borrow::Borrow<str> for SocketId {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl From<Str> for SocketId {
    fn from(s: Str) -> Self {
        SocketId(s)
    }
}

impl From<&str> for SocketId {
    fn from(s: &str) -> Self {
        SocketId(Str::from(s))
    }
}

impl PartialEq<str> for SocketId {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for SocketId {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl fmt::Debug for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Dense handle of a live socket inside one server (slab index plus a generation, so a stale
/// key never aliases a newer socket). This is what the room index stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketKey {
    index: u32,
    generation: u32,
}

impl SocketKey {
    /// A key from its parts (tests and custom adapters; the server allocates its own).
    pub const fn new(index: u32, generation: u32) -> Self {
        SocketKey { index, generation }
    }

    /// Slab index.
    pub const fn index(self) -> u32 {
        self.index
    }

    /// Generation of the slot when this key was issued.
    pub const fn generation(self) -> u32 {
        self.generation
    }
}

impl crate::slab::SlabKey for SocketKey {
    fn from_parts(index: u32, generation: u32) -> Self {
        SocketKey::new(index, generation)
    }
    fn index(self) -> u32 {
        self.index
    }
    fn generation(self) -> u32 {
        self.generation
    }
}

/// Why a socket left its namespace. `as_str` gives the reference server's strings, which are
/// what the app (and, for the cluster, other nodes) expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// The connection was closed by the peer (`transport close`).
    TransportClose,
    /// The connection failed (`transport error`).
    TransportError,
    /// The client stopped answering heartbeats (`ping timeout`).
    PingTimeout,
    /// The client sent an undecodable Engine.IO packet (`parse error`).
    ParseError,
    /// The server closed the connection after a socket-level decode error (`forced close`).
    ForcedClose,
    /// The server closed the client: invalid state or no namespace joined in time
    /// (`forced server close`).
    ForcedServerClose,
    /// The server disconnected this socket (`server namespace disconnect`).
    ServerNamespaceDisconnect,
    /// The client left the namespace (`client namespace disconnect`).
    ClientNamespaceDisconnect,
    /// The server is shutting down (`server shutting down`).
    ServerShuttingDown,
    /// The client's outgoing buffer overflowed: it fell too far behind (`transport buffer full`).
    BufferFull,
}

impl DisconnectReason {
    /// The reason as the reference server names it.
    pub const fn as_str(self) -> &'static str {
        match self {
            DisconnectReason::TransportClose => "transport close",
            DisconnectReason::TransportError => "transport error",
            DisconnectReason::PingTimeout => "ping timeout",
            DisconnectReason::ParseError => "parse error",
            DisconnectReason::ForcedClose => "forced close",
            DisconnectReason::ForcedServerClose => "forced server close",
            DisconnectReason::ServerNamespaceDisconnect => "server namespace disconnect",
            DisconnectReason::ClientNamespaceDisconnect => "client namespace disconnect",
            DisconnectReason::ServerShuttingDown => "server shutting down",
            DisconnectReason::BufferFull => "transport buffer full",
        }
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
