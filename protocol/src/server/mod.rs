//! Socket.IO v5 server state machine: namespaces, sockets, rooms, acknowledgements and
//! broadcast planning, on top of the Engine.IO sessions.
//!
//! [`SocketLayer`] is the Socket.IO machine alone, fed Engine.IO events (so it can be driven
//! and tested without sessions); [`Server`] composes it with `engine::EngineServer` and is
//! what adapters drive.

mod ack;
mod adapter;
mod broadcast;
mod cluster;
mod config;
mod deferred;
mod departures;
mod error;
mod event;
mod handshake;
mod ids;
mod layer;
mod leaving;
mod namespace;
mod ops;
mod recovery;
mod rooms;
mod socket;
mod stack;
mod timer;

pub use adapter::{Adapter, AdapterFactory, InMemoryAdapter, InMemoryAdapterFactory};
pub use broadcast::{plan, BroadcastFlags, BroadcastOptions};
pub use cluster::{ClusterBody, ClusterMessage, ReplyTo, RequestId, RequestResult, SocketInfo};
pub use config::{SocketConfig, DEFAULT_MAX_NAMESPACES_PER_CLIENT};
pub use error::ServerError;
pub use event::{AckOutcome, ConnectRequest, EngineCommand, Event, Messages, Payload, SessionRef};
pub use handshake::Handshake;
pub use ids::{AckId, DisconnectReason, Room, SocketId, SocketKey};
pub use layer::SocketLayer;
pub use namespace::{NamespacePattern, PatternId};
pub use ops::BroadcastAckHandle;
pub use recovery::{RecoveryConfig, Restored};
pub use rooms::{KeyHasher, KeySet, Members, RoomIndex};
pub use socket::SocketRef;
pub use stack::Server;

/// Pushes onto a list that usually holds one or two items per socket or client: the first
/// push allocates room for exactly one (a plain `push` reserves four), later ones grow as
/// usual. Idle memory per connection is what this saves.
pub(crate) fn push_lean<T>(list: &mut Vec<T>, item: T) {
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.push(item);
}
