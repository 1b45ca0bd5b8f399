//! Socket.IO v5 server state machine: namespaces, sockets, rooms, acknowledgements and
//! broadcast planning, on top of the Engine.IO sessions.

mod adapter;
mod broadcast;
mod ids;
mod rooms;

pub use adapter::{Adapter, AdapterFactory, InMemoryAdapter, InMemoryAdapterFactory};
pub use broadcast::{plan, BroadcastFlags, BroadcastOptions};
pub use ids::{AckId, DisconnectReason, Room, SocketId, SocketKey};
pub use rooms::{KeyHasher, KeySet, RoomIndex};
