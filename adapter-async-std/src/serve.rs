//! The standalone server on an `async-net` listener.

use crate::VolleyService;
use async_net::{TcpListener, TcpStream};
use smol_hyper::rt::FuturesIo;
use std::io;
use std::net::SocketAddr;
use volley_hyper::{App, AppBody, Listener, Serve};
use volley_protocol::api::Endpoint;

/// Serves `io` on `listener` until the process ends or a shutdown signal fires; connection
/// tasks run on the executor the server was created with.
///
/// Every accepted socket gets `TCP_NODELAY` and its own task at once, so connections that
/// never send anything cannot delay the next client.
///
/// ```no_run
/// use volley_async_std::protocol::engine::EngineConfig;
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_async_std::engine(EngineConfig::default());
/// io.on_message(|io, sid, message| io.send(&sid, message));
/// let listener = async_net::TcpListener::bind("127.0.0.1:3000").await?;
/// // Stop after an hour.
/// let stop = async { async_io::Timer::after(std::time::Duration::from_secs(3600)).await; };
/// volley_async_std::serve(listener, io)
///     .with_graceful_shutdown(stop)
///     .await
/// # }
/// ```
pub fn serve(listener: TcpListener, io: impl Into<Endpoint>) -> Serve {
    serve_service(listener, VolleyService::new(io))
}

/// Serves an app with Volley in front of it (a [`VolleyService`], e.g. an axum `Router`
/// behind Volley) on `listener`, like [`serve`]: the graceful shutdown disconnects Volley's
/// clients and lets every HTTP connection finish its request. (axum's own `serve` needs
/// tokio; its `Router` is a tower service that this serves on async-std or smol.)
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use volley_async_std::{Options, VolleyService};
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_async_std::new(Options::default());
/// let pages = Router::new().route("/", get(|| async { "home page" }));
/// let listener = async_net::TcpListener::bind("127.0.0.1:3000").await?;
/// volley_async_std::serve_service(listener, VolleyService::wrap(io, pages)).await
/// # }
/// ```
pub fn serve_service<S, B>(listener: TcpListener, service: VolleyService<S>) -> Serve
where
    S: App<B>,
    B: AppBody,
{
    Serve::new(Tcp(listener), service)
}

/// The async-net listener as the shared accept loop sees it.
struct Tcp(TcpListener);

impl Listener for Tcp {
    type Io = FuturesIo<TcpStream>;

    async fn accept(&mut self) -> io::Result<(Self::Io, SocketAddr)> {
        let (stream, remote) = self.0.accept().await?;
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "set_nodelay failed");
        }
        Ok((FuturesIo::new(stream), remote))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}
