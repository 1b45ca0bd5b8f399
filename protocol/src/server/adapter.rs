//! The adapter boundary: the room index and fan-out of one namespace, plus the hooks a
//! cluster adapter (e.g. Redis) needs. Mirrors the reference's `Adapter`/`ClusterAdapter`.

use super::broadcast;
use super::cluster::ClusterMessage;
use super::ids::{Room, SocketKey};
use super::rooms::RoomIndex;
use crate::Str;

/// Room index and fan-out of one namespace.
///
/// The server calls the room methods synchronously on every join, leave and broadcast. A
/// cluster adapter usually wraps an [`InMemoryAdapter`] for those and implements the cluster
/// hooks (`server_uid`, `server_count`, and publishing what the server hands it); messages from
/// other nodes are fed back with `Server::handle_cluster_message`.
pub trait Adapter: Send {
    /// Adds `socket` to `rooms`.
    fn add_all(&mut self, socket: SocketKey, rooms: &[Room]);
    /// Removes `socket` from `room`.
    fn del(&mut self, socket: SocketKey, room: &str);
    /// Removes `socket` from all its rooms.
    fn del_all(&mut self, socket: SocketKey);
    /// Rooms of `socket`, its own id first.
    fn socket_rooms(&self, socket: SocketKey) -> &[Room];
    /// Appends the local targets of `rooms`/`except` to `out`, each once
    /// (see [`broadcast::plan`]).
    fn plan(&self, rooms: &[Room], except: &[Room], out: &mut Vec<SocketKey>);
    /// Appends every non-empty local room to `out`.
    fn all_rooms(&self, out: &mut Vec<Room>);
    /// The local index, when the adapter keeps one ([`InMemoryAdapter`] does); used for
    /// consistency checks.
    fn index(&self) -> Option<&RoomIndex> {
        None
    }

    /// This node's id in the cluster; `None` for a single node (nothing is published).
    fn server_uid(&self) -> Option<&Str> {
        None
    }

    /// Number of nodes in the cluster, this one included (as last known).
    fn server_count(&self) -> usize {
        1
    }

    /// Carries `message` to the other nodes (to `message.to` only, when set). Called only
    /// when `server_uid` is `Some`. Must not block: queue it for the adapter's own task.
    fn publish(&mut self, message: ClusterMessage) {
        let _ = message;
    }
}

/// Creates the adapter of each namespace (static, or a dynamic child on first use).
pub trait AdapterFactory: Send {
    /// The adapter for namespace `nsp`.
    fn create(&mut self, nsp: &Str) -> Box<dyn Adapter>;
}

/// The default single-node adapter: a [`RoomIndex`].
#[derive(Debug, Default)]
pub struct InMemoryAdapter {
    index: RoomIndex,
}

impl InMemoryAdapter {
    /// An empty adapter.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Adapter for InMemoryAdapter {
    fn add_all(&mut self, socket: SocketKey, rooms: &[Room]) {
        self.index.add_all(socket, rooms);
    }

    fn del(&mut self, socket: SocketKey, room: &str) {
        self.index.del(socket, room);
    }

    fn del_all(&mut self, socket: SocketKey) {
        self.index.del_all(socket);
    }

    fn socket_rooms(&self, socket: SocketKey) -> &[Room] {
        self.index.socket_rooms(socket)
    }

    fn plan(&self, rooms: &[Room], except: &[Room], out: &mut Vec<SocketKey>) {
        broadcast::plan(&self.index, rooms, except, out);
    }

    fn all_rooms(&self, out: &mut Vec<Room>) {
        out.extend(self.index.room_names().cloned());
    }

    fn index(&self) -> Option<&RoomIndex> {
        Some(&self.index)
    }
}

/// Factory of [`InMemoryAdapter`]s (the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct InMemoryAdapterFactory;

impl AdapterFactory for InMemoryAdapterFactory {
    fn create(&mut self, _nsp: &Str) -> Box<dyn Adapter> {
        Box::new(InMemoryAdapter::new())
    }
}
