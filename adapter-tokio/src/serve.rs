//! The standalone server: an accept loop on a [`TcpListener`] and hyper HTTP/1.1 connections.

use crate::VolleyService;
use hyper_util::rt::TokioIo;
use std::io;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use volley_hyper::{App, AppBody, Listener, Serve};
use volley_protocol::api::Endpoint;

/// Serves `io` on `listener` until the process ends or a shutdown signal fires.
///
/// Every accepted socket gets `TCP_NODELAY` and its own task at once, so connections that
/// never send anything cannot delay the next client.
///
/// ```no_run
/// use volley_tokio::Options;
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::new(Options::default());
/// io.of("/").on_connection(|socket| {
///     socket.on("ping", |socket, _event| {
///         let _ = socket.emit("pong", &());
///     });
/// });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// volley_tokio::serve(listener, io)
///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
///     .await
/// # }
/// ```
pub fn serve(listener: TcpListener, io: impl Into<Endpoint>) -> Serve {
    serve_service(listener, VolleyService::new(io))
}

/// Serves an app with Volley in front of it (a [`VolleyService`], e.g. an axum `Router`
/// behind Volley) on `listener`, like [`serve`]: the graceful shutdown disconnects Volley's
/// clients and lets every HTTP connection finish its request.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use volley_tokio::{Options, VolleyService};
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::new(Options::default());
/// let pages = Router::new().route("/", get(|| async { "home page" }));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// volley_tokio::serve_service(listener, VolleyService::wrap(io, pages)).await
/// # }
/// ```
pub fn serve_service<S, B>(listener: TcpListener, service: VolleyService<S>) -> Serve
where
    S: App<B>,
    B: AppBody,
{
    Serve::new(Tcp(listener), service)
}

/// The tokio listener as the shared accept loop sees it.
struct Tcp(TcpListener);

impl Listener for Tcp {
    type Io = TokioIo<TcpStream>;

    async fn accept(&mut self) -> io::Result<(Self::Io, SocketAddr)> {
        let (stream, remote) = self.0.accept().await?;
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "set_nodelay failed");
        }
        Ok((TokioIo::new(stream), remote))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}
