//! Sockets: one per (client, namespace), kept in a slab addressed by [`SocketKey`].

use super::ack::AckWaiter;
use super::handshake::Handshake;
use super::ids::{AckId, Room, SocketId, SocketKey};
use crate::hash::IdMap;
use crate::Str;
use std::sync::Arc;

pub(crate) struct Socket {
    pub(crate) id: SocketId,
    /// The Engine.IO session of its client.
    pub(crate) sid: Str,
    pub(crate) nsp: Str,
    /// Shared with the API layer's view of the socket.
    pub(crate) handshake: Arc<Handshake>,
    pub(crate) data: serde_json::Value,
    pub(crate) acks: Acks,
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

struct Slot {
    generation: u32,
    /// Boxed: the slot vector keeps up to twice its length in slots, and a free slot then
    /// costs a pointer rather than a whole socket.
    socket: Option<Box<Socket>>,
}

/// Dense storage of live sockets; freed slots are reused with a new generation.
#[derive(Default)]
pub(crate) struct Slab {
    slots: Vec<Slot>,
    free: Vec<u32>,
    len: usize,
}

impl Slab {
    pub(crate) fn insert(&mut self, socket: Socket) -> SocketKey {
        self.len += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.socket = Some(Box::new(socket));
            return SocketKey::new(index, slot.generation);
        }
        let index = self.slots.len() as u32;
        self.slots.push(Slot {
            generation: 0,
            socket: Some(Box::new(socket)),
        });
        SocketKey::new(index, 0)
    }

    pub(crate) fn get(&self, key: SocketKey) -> Option<&Socket> {
        let slot = self.slots.get(key.index() as usize)?;
        (slot.generation == key.generation())
            .then_some(slot.socket.as_deref())
            .flatten()
    }

    pub(crate) fn get_mut(&mut self, key: SocketKey) -> Option<&mut Socket> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        if slot.generation != key.generation() {
            return None;
        }
        slot.socket.as_deref_mut()
    }

    pub(crate) fn remove(&mut self, key: SocketKey) -> Option<Socket> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        if slot.generation != key.generation() {
            return None;
        }
        let socket = slot.socket.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index());
        self.len -= 1;
        Some(*socket)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

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

    /// Number of emits waiting for this client's acknowledgement.
    pub fn pending_acks(&self) -> usize {
        self.socket.acks.len()
    }
}
