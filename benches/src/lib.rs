//! Benchmarks and load tools for Volley.
//!
//! - `loadgen`: drives a server implementing the `bench` fixture contract (see
//!   `benches/README.md`) with Socket.IO clients over WebSocket and HTTP long-polling, built on
//!   `volley-protocol`'s codecs, and prints what it measured as JSON.
//! - `ws_floor`: a bare WebSocket fan-out server, the floor no Socket.IO server can beat.
//! - `socketioxide_bench` and `compare` (feature `peers`): the socketioxide fixture and the
//!   side-by-side runner that writes `benches/results/`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod args;
#[cfg(feature = "peers")]
pub mod charts;
pub mod client;
pub mod fixture;
pub mod floor;
pub mod paired;
pub mod proc;
pub mod report;
pub mod results;
pub mod scenario;
pub mod stats;
pub mod wire;
