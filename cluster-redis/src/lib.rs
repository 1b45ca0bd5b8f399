//! A Redis cluster adapter for Volley, wire-compatible with the reference's classic
//! `@socket.io/redis-adapter` 8.x: Volley nodes and Node.js socket.io nodes share one cluster
//! (teams can migrate node by node), and `@socket.io/redis-emitter` can emit into it.
//!
//! It runs on tokio (feature `tokio`, the default) and on async-std and smol (feature
//! `async-std`, alias `smol`). With both features on, a node started inside a tokio runtime
//! runs on tokio and any other on async-std's executor (async-global-executor), the rule the
//! `redis` crate uses for its connections too; nodes on different runtimes share a cluster.
//!
//! With the user API (`volley_tokio::new` or `volley_async_std::new`, the same calls), two
//! calls join a cluster:
//!
//! ```no_run
//! # async fn demo() -> Result<(), volley_redis::RedisAdapterError> {
//! # use volley_protocol::api::{Io, Options};
//! let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
//! let (options, inbox) = volley_redis::options(Options::default(), volley_redis::RedisConfig::new(url))?;
//! # let io: Io = unimplemented!();
//! // let io = volley_tokio::new(options);
//! volley_redis::attach(&io, inbox);
//! # Ok(()) }
//! ```
//!
//! Underneath, [`RedisAdapterFactory::start`] spawns one Redis task per node (a publishing connection and
//! a subscribing one) and returns the factory the server creates its namespace adapters with,
//! plus the [`ClusterInbox`] of messages from other nodes that must be fed to the server's
//! `handle_cluster_message`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), volley_redis::RedisAdapterError> {
//! use volley_protocol::server::{SocketConfig, SocketLayer};
//! use volley_protocol::CounterIds;
//! use volley_redis::{RedisAdapterFactory, RedisConfig};
//!
//! let (factory, mut inbox) = RedisAdapterFactory::start(RedisConfig::new("redis://127.0.0.1:6379"))?;
//! let mut layer = SocketLayer::with_adapters(
//!     SocketConfig::new(),
//!     Box::new(CounterIds::new("s")),
//!     Box::new(factory),
//! );
//! while let Some(message) = inbox.recv().await {
//!     layer.handle_cluster_message(std::time::Instant::now(), message);
//!     // … then drain the layer as after any input.
//! }
//! # Ok(()) }
//! ```
//!
//! Failure: when Redis is down or restarts, each node keeps serving its own clients (local
//! delivery never waits for Redis), counts itself alone so cluster requests complete with
//! local answers, reconnects with exponential backoff and logs every step through `tracing`;
//! cluster delivery resumes once Redis is back.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod adapter;
mod config;
mod driver;
mod error;
pub mod handshake;
mod join;
pub mod msgpack;
mod rt;
pub mod wire;

pub use adapter::{ClusterInbox, RedisAdapter, RedisAdapterFactory};
pub use config::RedisConfig;
pub use error::RedisAdapterError;
pub use join::{attach, options, options_from_env, REDIS_URL_ENV};
