//! A Redis cluster adapter for Volley, wire-compatible with the reference's classic
//! `@socket.io/redis-adapter` 8.x: Volley nodes and Node.js socket.io nodes share one cluster,
//! and `@socket.io/redis-emitter` can emit into it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod handshake;
pub mod msgpack;
pub mod wire;
