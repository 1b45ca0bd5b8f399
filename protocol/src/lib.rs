//! # volley-protocol
//!
//! The sans-IO core of Volley: Engine.IO v4 and Socket.IO v5 packet codecs, the per-client
//! Engine.IO session state machine, and the Socket.IO server state machine (namespaces,
//! sockets, rooms, acknowledgements, broadcast planning).
//!
//! Nothing here performs I/O, reads a clock, or depends on an async runtime: every input takes
//! `now: Instant`, ids come from an injected generator, and outputs are drained with `poll_*`
//! methods. See `docs/ARCHITECTURE.md` in the repository for the whole picture.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
mod driver;
pub mod engine;
mod hash;
mod id;
pub mod json;
pub mod server;
mod slab;
pub mod socket;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2;
mod str;
#[cfg(feature = "test-util")]
pub mod testing;

pub use crate::driver::Driver;
pub use crate::id::{CounterIds, IdGenerator, RandomIds};
pub use crate::str::Str;
