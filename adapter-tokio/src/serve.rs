//! The standalone server: an accept loop on a [`TcpListener`] and hyper HTTP/1.1 connections.

use crate::runtime::Tokio;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use volley_hyper::{Listener, Serve};
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
    Serve::new(Tokio, Tcp(listener), TokioTimer::new(), io.into())
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
