//! Sockets: one per (client, namespace), kept in a slab addressed by [`SocketKey`].

use super::ack::AckWaiter;
use super::event::SessionRef;
use super::handshake::Handshake;
use super::ids::{AckId, DisconnectReason, Room, SocketId, SocketKey};
use crate::engine::SessionKey;
use crate::hash::IdMap;
use crate::Str;
use std::sync::Arc;

pub(crate) struct Socket {
    pub(crate) id: SocketId,
    /// The Engine.IO session of its client.
    pub(crate) sid: Str,
    /// That session's handle in the engine, when the layer was given it.
    pub(crate) session: Option<SessionKey>,
    pub(crate) nsp: Str,
    /// Shared with the API layer's view of the socket.
    pub(crate) handshake: Arc<Handshake>,
    pub(crate) data: serde_json::Value,
    pub(crate) acks: Acks,
    /// Set once it started leaving (`Event::Disconnecting` is out): it stays in its namespace
    /// and rooms until `finish_disconnect`, but nothing more is sent to it (see `reachable`).
    pub(crate) leaving: Option<DisconnectReason>,
}

impl Socket {
    /// Whether its client still takes what is sent to it: until it starts leaving, and while
    /// it leaves because the server shuts down (its connection stays open until every socket
    /// has left, as in the reference, where `io.close()` runs the listeners first).
    pub(crate) fn reachable(&self) -> bool {
        matches!(
            self.leaving,
            None | Some(DisconnectReason::ServerShuttingDown)
        )
    }

    /// Where the engine finds this socket's session: by handle when known, else by id.
    pub(crate) fn session_ref(&self) -> SessionRef {
        session_ref(&self.sid, self.session)
    }
}

/// A session by handle when known, else by id.
pub(crate) fn session_ref(sid: &Str, key: Option<SessionKey>) -> SessionRef {
    match key {
        Some(key) => SessionRef::Key(key),
        None => SessionRef::Sid(sid.clone()),
    }
}

/// The acknowledgements a socket waits for; no table until the first one (most sockets never
/// wait for any).
#[derive(Default)]
pub(crate) struct Acks(Option<Box<IdMap<AckId, AckWaiter>>>);

impl Acks {
    pub(crate) fn get(&self, id: &AckId) -> Option<&AckWaiter> {
        self.0.as_ref()?.get(id)
    }

    pub(crate) fn remove(&mut self, id: &AckId) -> Option<AckWaiter> {
        self.0.as_mut()?.remove(id)
    }

    pub(crate) fn insert(&mut self, id: AckId, waiter: AckWaiter) {
        self.0
            .get_or_insert_with(Default::default)
            .insert(id, waiter);
    }

    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |m| m.len())
    }

    /// Every waiter, in no particular order.
    pub(crate) fn into_waiters(self) -> impl Iterator<Item = (AckId, AckWaiter)> {
        self.0.into_iter().flat_map(|m| *m)
    }
}

/// Dense storage of live sockets; freed slots are reused with a new generation.
pub(crate) type Slab = crate::slab::Slab<SocketKey, Socket>;

/// Read access to one socket (`server.socket(id)`).
pub struct SocketRef<'a> {
    pub(crate) socket: &'a Socket,
    pub(crate) key: SocketKey,
    pub(crate) rooms: &'a [Room],
}

impl<'a> SocketRef<'a> {
    /// The socket id.
    pub fn id(&self) -> &'a SocketId {
        &self.socket.id
    }

    /// Its dense key (what the room index stores).
    pub fn key(&self) -> SocketKey {
        self.key
    }

    /// Its namespace.
    pub fn nsp(&self) -> &'a Str {
        &self.socket.nsp
    }

    /// The Engine.IO session of its client.
    pub fn engine_sid(&self) -> &'a Str {
        &self.socket.sid
    }

    /// Handshake details.
    pub fn handshake(&self) -> &'a Handshake {
        &self.socket.handshake
    }

    /// The handshake as the shared allocation the socket holds (the API keeps a clone).
    pub(crate) fn shared_handshake(&self) -> &'a Arc<Handshake> {
        &self.socket.handshake
    }

    /// Rooms it is in (own id first).
    pub fn rooms(&self) -> &'a [Room] {
        self.rooms
    }

    /// The app's data for this socket (the reference's `socket.data`, `{}` at first).
    pub fn data(&self) -> &'a serde_json::Value {
        &self.socket.data
    }

    /// Why it is leaving, once it started to ([`Event::Disconnecting`](super::Event::Disconnecting)
    /// is out and [`finish_disconnect`](super::SocketLayer::finish_disconnect) not called yet):
    /// it is still in its namespace and rooms, but nothing more reaches its client (unless
    /// it leaves because the server shuts down: its connection is still open then).
    pub fn leaving(&self) -> Option<DisconnectReason> {
        self.socket.leaving
    }

    /// Number of emits waiting for this client's acknowledgement.
    pub fn pending_acks(&self) -> usize {
        self.socket.acks.len()
    }
}
