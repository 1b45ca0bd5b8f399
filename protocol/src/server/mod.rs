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
mod error;
mod event;
mod handshake;
mod ids;
mod layer;
mod namespace;
mod ops;
mod rooms;
mod socket;
mod stack;
mod timer;

pub use adapter::{Adapter, AdapterFactory, InMemoryAdapter, InMemoryAdapterFactory};
pub use broadcast::{plan, BroadcastFlags, BroadcastOptions};
pub use cluster::{ClusterBody, ClusterMessage, ReplyTo, RequestId, RequestResult, SocketInfo};
pub use config::{SocketConfig, DEFAULT_MAX_NAMESPACES_PER_CLIENT};
pub use error::ServerError;
pub use event::{AckOutcome, ConnectRequest, EngineCommand, Event, Payload};
pub use handshake::Handshake;
pub use ids::{AckId, DisconnectReason, Room, SocketId, SocketKey};
pub use layer::SocketLayer;
pub use namespace::{NamespacePattern, PatternId};
pub use ops::BroadcastAckHandle;
pub use rooms::{KeyHasher, KeySet, RoomIndex};
pub use socket::SocketRef;
pub use stack::Server;
