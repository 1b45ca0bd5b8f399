//! The standalone server: an accept loop on a [`TcpListener`] and hyper HTTP/1.1 connections.

use crate::http::{empty, RemoteAddr};
use crate::service::handle;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::io;
use std::pin::Pin;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use volley_protocol::api::Endpoint;

/// How long an idle keep-alive connection may take to send a complete request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time given to clients to go away during a graceful shutdown.
const DEFAULT_SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);

/// Serves `io` on `listener` until the process ends or a shutdown signal fires.
///
/// Every accepted socket gets `TCP_NODELAY` and its own task at once, so connections that
/// never send anything cannot delay the next client.
///
/// ```no_run
/// use volley_tokio::protocol::engine::EngineConfig;
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::engine(EngineConfig::default());
/// io.on_message(|io, sid, message| io.send(&sid, message));
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
        deadline: DEFAULT_SHUTDOWN_DEADLINE,
    }
}

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A running standalone server; `.await` it. Built by [`serve`].
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
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.signal = Some(Box::pin(signal));
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
    let mut signal = signal.unwrap_or_else(|| Box::pin(std::future::pending()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, path = io.path(), "volley listening");
    }
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_error(e).await;
                    continue;
                }
            },
            _ = &mut signal => break,
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "set_nodelay failed");
        }
        let io = io.clone();
        let service = service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(RemoteAddr(remote));
            let io = io.clone();
            async move {
                if io.is_mine(req.uri().path()) {
                    Ok::<_, Infallible>(handle(io, req).await)
                } else {
                    Ok(empty(StatusCode::NOT_FOUND))
                }
            }
        });
        let conn = builder
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => r,
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::trace!(error = %e, "http connection ended");
            }
            drop(stop);
        });
    }
    drop(listener);
    drop(stop_rx);
    tracing::info!("volley shutting down");
    io.shutdown();
    let _ = stop_tx.send(true);
    let drained = async {
        stop_tx.closed().await;
        io.idle().await;
    };
    if tokio::time::timeout(deadline, drained).await.is_err() {
        tracing::warn!(
            ?deadline,
            "shutdown deadline passed with clients still connected"
        );
    }
    Ok(())
}

/// Errors from `accept` concern one connection (reset before accept) or the process (out of
/// file descriptors); neither may end the loop. Back off briefly on the latter.
async fn accept_error(e: io::Error) {
    use io::ErrorKind::*;
    match e.kind() {
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock => {}
        _ => {
            tracing::warn!(error = %e, "accept failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
