//! The user API, independent of any async runtime.
//!
//! Adapters (volley-tokio, volley-async-std) re-export this module and add a [`Runtime`] —
//! spawning, the clock, randomness and one timer — plus the HTTP and WebSocket plumbing,
//! which talks to the server through an [`Endpoint`].
//!
//! The core sits behind one mutex, held only for short non-async sections; user handlers
//! always run outside it.

mod client;
mod endpoint;
mod engine_io;
mod ids;
mod runtime;

pub use client::ClientFiles;
pub use endpoint::{
    bad_request, Endpoint, HttpOutcome, Idle, PendingResponse, WeakEndpoint, WsLink, WsUpgrade,
};
pub use engine_io::EngineIo;
pub use runtime::{BoxFuture, Runtime};
