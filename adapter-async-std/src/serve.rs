//! The standalone server on an `async-net` listener.

use crate::runtime::{Smol, Spawner};
use async_net::{TcpListener, TcpStream};
use smol_hyper::rt::{FuturesIo, SmolTimer};
use std::io;
use std::net::SocketAddr;
use volley_hyper::{Listener, Serve};
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
    let io = io.into();
    let rt = Smol(Spawner::Endpoint(io.clone()));
    Serve::new(rt, Tcp(listener), SmolTimer::new(), io)
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
