//! # volley-async-std
//!
//! The Volley Socket.IO server on async-std **and on smol**: hyper 1.x for HTTP long-polling
//! (over `smol-hyper`'s futures-io bridge), async-tungstenite for WebSocket, async-io timers,
//! one timer task per server. The user API ([`Io`], [`SocketRef`], handlers, broadcast
//! operators, ack futures) and the options are exactly those of `volley-tokio`: both come from
//! [`volley_protocol::api`], re-exported here, and the HTTP/WebSocket plumbing is shared
//! through `volley-hyper`. This crate adds only the runtime.
//!
//! **async-std is discontinued** (advisory RUSTSEC-2025-0052); its maintainers point to smol.
//! This crate therefore depends only on the smol family (async-io, async-net,
//! async-executor, async-global-executor, futures-lite), on which async-std itself runs: the
//! same code serves async-std applications and smol applications, and moving from the first
//! to the second changes nothing here.
//! (hyper 1.x itself always links tokio's `sync` channels; no tokio runtime, reactor or timer
//! is used.)
//!
//! - [`new`] / [`engine`] spawn on `async-global-executor`, the executor async-std spawns on;
//! - [`new_on`] / [`engine_on`] spawn on an `async_executor::Executor` the application runs,
//!   as smol applications do.
//!
//! Run it standalone with [`serve`], or in front of an app (an axum `Router`, any tower
//! service) with [`VolleyService`] / [`VolleyLayer`] and [`serve_service`]; [`ctrl_c`] is the
//! signal for a graceful shutdown on Ctrl-C.
//!
//! ```no_run
//! use volley_async_std::Options;
//!
//! fn main() -> std::io::Result<()> {
//!     // async-std: `async_std::task::block_on(...)`; smol: `smol::block_on(...)`.
//!     futures_lite::future::block_on(async {
//!         let io = volley_async_std::new(Options::default());
//!         io.of("/").on_connection(|socket| {
//!             socket.on("chat", |socket, event| {
//!                 let text: String = event.arg(0).unwrap_or_default();
//!                 let _ = socket.broadcast().emit("chat", &text);
//!             });
//!         });
//!         let listener = async_net::TcpListener::bind("127.0.0.1:3000").await?;
//!         volley_async_std::serve(listener, io).await
//!     })
//! }
//! ```
//!
//! Logging goes through `tracing`: silent unless the application installs a subscriber, and
//! nothing per packet above `debug`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod runtime;
mod serve;
mod signal;

pub use runtime::Smol;
pub use serve::{serve, serve_service};
pub use signal::ctrl_c;
pub use volley_hyper::{NotFound, RemoteAddr, Serve, VolleyBody, CLIENT_DIR_ENV};
pub use volley_protocol as protocol;
pub use volley_protocol::api::*;

use async_executor::Executor;
use runtime::{start, Spawner};
use std::sync::Arc;
use volley_protocol::engine::EngineConfig;

/// A tower `Layer` that mounts Volley at its path (default `/socket.io/`) in front of an
/// app (an axum `Router`, say); every other request goes to the app untouched. Serve the
/// result with [`serve_service`].
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use tower_layer::Layer;
/// use volley_async_std::{Options, VolleyLayer};
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_async_std::new(Options::default());
/// io.of("/").on_connection(|socket| {
///     let _ = socket.emit("hello", &"world");
/// });
/// let pages = Router::new().route("/", get(|| async { "home page" }));
/// let app = VolleyLayer::new(io).layer(pages);
/// let listener = async_net::TcpListener::bind("127.0.0.1:3000").await?;
/// volley_async_std::serve_service(listener, app).await
/// # }
/// ```
pub type VolleyLayer = volley_hyper::VolleyLayer<Smol>;

/// Volley as a tower `Service` on async-std / smol; requests outside its path go to `S` (404
/// by default). [`serve_service`] serves one with graceful shutdown.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use volley_async_std::{Options, VolleyService};
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_async_std::new(Options::default());
/// let pages = Router::new().route("/", get(|| async { "home page" }));
/// let app: VolleyService<Router> = VolleyService::wrap(io, pages);
/// let listener = async_net::TcpListener::bind("127.0.0.1:3000").await?;
/// volley_async_std::serve_service(listener, app)
///     .with_graceful_shutdown(async { async_io::Timer::after(std::time::Duration::from_secs(60)).await; })
///     .await
/// # }
/// ```
pub type VolleyService<S = NotFound> = volley_hyper::VolleyService<Smol, S>;

/// Creates a Socket.IO server whose tasks run on `async-global-executor` (async-std's).
///
/// Loads the official browser client from the `socket.io-client` npm package (see
/// [`CLIENT_DIR_ENV`]) unless the options disable serving it, and starts the server's timer
/// task.
///
/// ```
/// use std::time::Duration;
/// use volley_async_std::Options;
///
/// let io = volley_async_std::new(Options::default().ping_interval(Duration::from_secs(10)));
/// io.of("/").on_connection(|socket| println!("{} connected", socket.id()));
/// ```
pub fn new(options: Options) -> Io {
    start(Spawner::Global, |rt| {
        Io::new(volley_hyper::with_client(options), rt)
    })
}

/// Creates a Socket.IO server whose tasks run on `executor` (which the application runs,
/// e.g. `smol::block_on(executor.run(...))`); otherwise like [`new`].
///
/// ```
/// use std::sync::Arc;
/// use volley_async_std::Options;
///
/// let executor = Arc::new(async_executor::Executor::new());
/// let io = volley_async_std::new_on(executor.clone(), Options::default());
/// io.of("/").on_connection(|socket| println!("{} connected", socket.id()));
/// ```
pub fn new_on(executor: Arc<Executor<'static>>, options: Options) -> Io {
    start(Spawner::Executor(executor), |rt| {
        Io::new(volley_hyper::with_client(options), rt)
    })
}

/// Creates a raw Engine.IO server (no Socket.IO layer) on `async-global-executor`.
///
/// ```
/// use volley_async_std::protocol::engine::EngineConfig;
///
/// let engine = volley_async_std::engine(EngineConfig::default().path("/engine.io/"));
/// engine.on_message(|engine, sid, message| engine.send(&sid, message));
/// ```
pub fn engine(config: EngineConfig) -> EngineIo {
    start(Spawner::Global, |rt| EngineIo::new(config, rt))
}

/// Creates a raw Engine.IO server whose tasks run on `executor`; otherwise like [`engine`].
///
/// ```
/// use std::sync::Arc;
/// use volley_async_std::protocol::engine::EngineConfig;
///
/// let executor = Arc::new(async_executor::Executor::new());
/// let engine = volley_async_std::engine_on(executor, EngineConfig::default());
/// engine.on_message(|engine, sid, message| engine.send(&sid, message));
/// ```
pub fn engine_on(executor: Arc<Executor<'static>>, config: EngineConfig) -> EngineIo {
    start(Spawner::Executor(executor), |rt| EngineIo::new(config, rt))
}
