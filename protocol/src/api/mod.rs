//! The user API, independent of any async runtime: [`Io`] and [`SocketRef`] handles, the
//! handler registry, connect middleware, broadcast operators and acknowledgement futures.
//!
//! Adapters (volley-tokio, volley-async-std) re-export this module and add a [`Runtime`] —
//! spawning, the clock, randomness and one timer — plus the HTTP and WebSocket plumbing,
//! which talks to the server through an [`Endpoint`].
//!
//! The core sits behind one mutex, held only for short non-async sections; user handlers
//! always run outside it. A broadcast is encoded once and the same bytes go to every target.

mod ack;
mod admission;
mod any;
mod client;
mod cluster;
mod connecting;
mod dispatch;
mod dynamic;
mod endpoint;
mod endpoint_handle;
mod engine_io;
mod event;
mod forward;
mod handler;
mod handshake_ext;
mod ids;
mod incoming;
mod io;
mod middleware;
mod nesting;
mod operators;
mod ops;
mod options;
mod outcome;
mod remote_socket;
mod runtime;
mod socket;
mod transport;

pub use ack::{
    AckError, AckFuture, AckReply, BroadcastAckFuture, BroadcastAcks, FetchSocketsFuture,
};
pub use admission::{Deferred, RequestRefused};
pub use client::{ClientFiles, CompressJob};
pub use cluster::{ClusterError, ClusterFuture};
pub use connecting::Connecting;
pub use endpoint_handle::{Endpoint, Idle, WeakEndpoint};
pub use engine_io::EngineIo;
pub use event::{AckResponder, ArgsError, EmitError, Event};
pub use handler::{Async, HandlerOutput, Plain};
pub use io::{Io, Namespace};
pub use middleware::{EventRefused, EventVerdict, MiddlewareOutput, Verdict};
pub use operators::{BroadcastOperator, SocketEmitter, DEFAULT_ACK_TIMEOUT};
pub use options::Options;
pub use outcome::{
    bad_request, HeadOutcome, HttpOutcome, PendingResponse, PostBody, WsLink, WsUpgrade,
};
pub use remote_socket::RemoteSocket;
pub use runtime::{BoxFuture, Runtime};
pub use socket::SocketRef;

pub use crate::engine::TransportKind;
pub use crate::server::{DisconnectReason, Handshake, Room, SocketId, SocketInfo};
pub use crate::socket::{Args, ConnectError, Parser, RawArgs, Value};
pub use crate::Str;
