//! The standalone server: an accept loop on a [`TcpListener`] and hyper HTTP/1.1 connections.

use crate::runtime::Tokio;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use volley_hyper::Listener;
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
    Serve {
        listener,
        io: io.into(),
        signal: None,
        deadline: volley_hyper::DEFAULT_SHUTDOWN_DEADLINE,
    }
}

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A running standalone server; `.await` it. Built by [`serve`].
///
/// ```
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::new(volley_tokio::Options::default());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let server: volley_tokio::Serve = volley_tokio::serve(listener, io);
/// server.await
/// # }
/// ```
#[must_use = "a server does nothing until awaited"]
pub struct Serve {
    listener: TcpListener,
    io: Endpoint,
    signal: Option<Signal>,
    deadline: Duration,
}

impl Serve {
    /// Shuts down gracefully when `signal` completes: stops accepting, disconnects every
    /// client with reason `server shutting down`, and returns once all connections are gone
    /// or the deadline (default 10 s, see [`Serve::shutdown_deadline`]) has passed.
    ///
    /// ```
    /// # async fn run() -> std::io::Result<()> {
    /// # let io = volley_tokio::new(volley_tokio::Options::default());
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let server = volley_tokio::serve(listener, io).with_graceful_shutdown(async move {
    ///     let _ = stopped.await;
    /// });
    /// # drop(stop);
    /// server.await
    /// # }
    /// ```
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.signal = Some(Box::pin(signal));
        self
    }

    /// How long a graceful shutdown waits for clients before returning anyway.
    ///
    /// ```
    /// # async fn run() -> std::io::Result<()> {
    /// # let io = volley_tokio::new(volley_tokio::Options::default());
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// use std::time::Duration;
    /// volley_tokio::serve(listener, io)
    ///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
    ///     .shutdown_deadline(Duration::from_secs(3))
    ///     .await
    /// # }
    /// ```
    pub fn shutdown_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

async fn run(serve: Serve) -> io::Result<()> {
    let Serve {
        listener,
        io,
        signal,
        deadline,
    } = serve;
    let signal = signal.unwrap_or_else(|| Box::pin(std::future::pending()));
    let listener = Tcp(listener);
    volley_hyper::serve(Tokio, listener, TokioTimer::new(), io, signal, deadline).await
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
