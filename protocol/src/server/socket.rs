//! Sockets: one per (client, namespace), kept in a slab addressed by [`SocketKey`].

use super::ack::AckWaiter;
use super::handshake::Handshake;
use super::ids::{AckId, Room, SocketId, SocketKey};
use crate::Str;
use std::collections::HashMap;

pub(crate) struct Socket {
    pub(crate) id: SocketId,
    /// The Engine.IO session of its client.
    pub(crate) sid: Str,
    pub(crate) nsp: Str,
    pub(crate) handshake: Handshake,
    pub(crate) data: serde_json::Value,
    pub(crate) acks: HashMap<AckId, AckWaiter>,
}

struct Slot {
    generation: u32,
    socket: Option<Socket>,
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
            slot.socket = Some(socket);
            return SocketKey::new(index, slot.generation);
        }
        let index = self.slots.len() as u32;
        self.slots.push(Slot {
            generation: 0,
            socket: Some(socket),
        });
        SocketKey::new(index, 0)
    }

    pub(crate) fn get(&self, key: SocketKey) -> Option<&Socket> {
        let slot = self.slots.get(key.index() as usize)?;
        (slot.generation == key.generation())
            .then_some(slot.socket.as_ref())
            .flatten()
    }

    pub(crate) fn get_mut(&mut self, key: SocketKey) -> Option<&mut Socket> {
        let slot = self.slots.get_mut(key.index() as usize)?;
        if slot.generation != key.generation() {
            return None;
        }
        slot.socket.as_mut()
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
        Some(socket)
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
