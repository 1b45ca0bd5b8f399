//! The standalone server on an `async-net` listener.

use crate::runtime::{Smol, Spawner};
use async_net::{TcpListener, TcpStream};
use smol_hyper::rt::{FuturesIo, SmolTimer};
use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;
use volley_hyper::Listener;
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
    Serve {
        listener,
        io: io.into(),
        signal: Box::pin(std::future::pending()),
        deadline: volley_hyper::DEFAULT_SHUTDOWN_DEADLINE,
    }
}

/// A running standalone server; `.await` it. Built by [`serve`].
#[must_use = "a server does nothing until awaited"]
pub struct Serve {
    listener: TcpListener,
    io: Endpoint,
    signal: Pin<Box<dyn Future<Output = ()> + Send>>,
    deadline: Duration,
}

impl Serve {
    /// Shuts down gracefully when `signal` completes: stops accepting, disconnects every
    /// client with reason `server shutting down`, and returns once all connections are gone
    /// or the deadline (default 10 s, see [`Serve::shutdown_deadline`]) has passed.
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.signal = Box::pin(signal);
        self
    }

    /// How long a graceful shutdown waits for clients before returning anyway.
    pub fn shutdown_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let rt = Smol(Spawner::Endpoint(self.io.clone()));
        let tcp = Tcp(self.listener);
        let timer = SmolTimer::new();
        Box::pin(volley_hyper::serve(
            rt,
            tcp,
            timer,
            self.io,
            self.signal,
            self.deadline,
        ))
    }
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
