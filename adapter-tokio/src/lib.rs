//! # volley-tokio
//!
//! The Volley Socket.IO server on tokio: hyper 1.x for HTTP long-polling, tokio-tungstenite
//! for WebSocket, one timer task per server. The user API ([`Io`], [`SocketRef`], handlers,
//! broadcast operators, ack futures) comes from [`volley_protocol::api`] and is re-exported
//! here; this crate adds only the runtime.
//!
//! Run it standalone with [`serve`], or mount it in an axum/tower app with [`VolleyLayer`]
//! (served by axum, or by [`serve_service`] with Volley's graceful shutdown).
//!
//! ```no_run
//! use volley_tokio::Options;
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let io = volley_tokio::new(Options::default());
//!     io.of("/").on_connection(|socket| {
//!         socket.on("chat", |socket, event| {
//!             let text: String = event.arg(0).unwrap_or_default();
//!             let _ = socket.broadcast().emit("chat", &text);
//!         });
//!     });
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     volley_tokio::serve(listener, io).await
//! }
//! ```
//!
//! Logging goes through `tracing`: silent unless the application installs a subscriber, and
//! nothing per packet above `debug`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod runtime;
mod serve;
mod service;

pub use runtime::Tokio;
pub use serve::{serve, serve_service};
pub use service::{VolleyLayer, VolleyService};
pub use volley_hyper::{NotFound, RemoteAddr, Serve, VolleyBody, CLIENT_DIR_ENV};
pub use volley_protocol as protocol;
pub use volley_protocol::api::*;

use std::sync::Arc;
use volley_protocol::engine::EngineConfig;

/// The Rust examples of the workspace README, compiled and checked as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;

/// Creates a Socket.IO server on the current tokio runtime.
///
/// Loads the official browser client from the `socket.io-client` npm package (see
/// [`CLIENT_DIR_ENV`]) unless the options disable serving it, and starts the server's timer
/// task.
///
/// # Panics
/// Outside a tokio runtime.
///
/// ```
/// use std::time::Duration;
/// use volley_tokio::Options;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let io = volley_tokio::new(Options::default().ping_interval(Duration::from_secs(10)));
/// io.of("/").on_connection(|socket| println!("{} connected", socket.id()));
/// # }
/// ```
pub fn new(options: Options) -> Io {
    let runtime = Arc::new(runtime::TokioRuntime::current());
    let io = Io::new(volley_hyper::with_client(options), runtime.clone());
    runtime.start_timer(Endpoint::from(io.clone()).downgrade());
    io
}

/// Creates a raw Engine.IO server (no Socket.IO layer) on the current tokio runtime.
///
/// # Panics
/// Outside a tokio runtime.
///
/// ```
/// use volley_tokio::protocol::engine::EngineConfig;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let engine = volley_tokio::engine(EngineConfig::default().path("/engine.io/"));
/// engine.on_message(|engine, sid, message| engine.send(&sid, message));
/// # }
/// ```
pub fn engine(config: EngineConfig) -> EngineIo {
    let runtime = Arc::new(runtime::TokioRuntime::current());
    let engine = EngineIo::new(config, runtime.clone());
    runtime.start_timer(Endpoint::from(engine.clone()).downgrade());
    engine
}
