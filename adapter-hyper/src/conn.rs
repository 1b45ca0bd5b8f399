//! One HTTP/1.1 connection of a standalone server, and the server-wide graceful shutdown.

use crate::http::{empty, RemoteAddr};
use crate::{handle, IoRuntime};
use futures_channel::{mpsc, oneshot};
use futures_util::future::{select, Either, FutureExt, Shared};
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, StatusCode};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::{Duration, Instant};
use volley_protocol::api::Endpoint;

/// Held by every connection of a server; tells it when the server shuts down.
#[derive(Clone)]
pub struct StopSignal {
    stopped: Shared<oneshot::Receiver<()>>,
    // Dropped when the connection ends; the shutdown waits until every clone is gone.
    _live: mpsc::Sender<()>,
}

/// The server side of a graceful shutdown: hands a [`StopSignal`] to each connection, then
/// [`Shutdown::run`] stops them all and waits for them.
pub struct Shutdown {
    stop: oneshot::Sender<()>,
    signal: StopSignal,
    live: mpsc::Receiver<()>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A shutdown that nothing has triggered yet.
    pub fn new() -> Self {
        let (stop, stopped) = oneshot::channel();
        let (live_tx, live) = mpsc::channel(0);
        Shutdown {
            stop,
            signal: StopSignal {
                stopped: stopped.shared(),
                _live: live_tx,
            },
            live,
        }
    }

    /// The signal for one more connection.
    pub fn signal(&self) -> StopSignal {
        self.signal.clone()
    }

    /// Disconnects every client with reason `server shutting down`, lets each HTTP
    /// connection finish its current request, and returns once all connections and clients
    /// are gone or `deadline` has passed. Call it after the accept loop stopped.
    pub async fn run<R: IoRuntime>(self, rt: &R, io: &Endpoint, deadline: Duration) {
        let Shutdown {
            stop,
            signal,
            mut live,
        } = self;
        drop(signal);
        tracing::info!("volley shutting down");
        io.shutdown();
        let _ = stop.send(());
        let drained = async move {
            while live.next().await.is_some() {}
            io.idle().await;
        };
        if let Either::Right(_) = select(
            pin!(drained),
            pin!(rt.sleep_until(Instant::now() + deadline)),
        )
        .await
        {
            tracing::warn!(
                ?deadline,
                "shutdown deadline passed with clients still connected"
            );
        }
    }
}

/// Serves one accepted connection: requests under Volley's path go to `io`, everything else
/// gets 404; WebSocket upgrades run on `rt`. Stops gracefully when `stop` fires.
pub fn serve_connection<R, I>(
    rt: &R,
    builder: &http1::Builder,
    io: Endpoint,
    stream: I,
    remote: SocketAddr,
    stop: StopSignal,
) -> impl Future<Output = ()> + Send + 'static
where
    R: IoRuntime,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let rt = rt.clone();
    let service = service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(RemoteAddr(remote));
        let io = io.clone();
        let rt = rt.clone();
        async move {
            if io.is_mine(req.uri().path()) {
                Ok::<_, Infallible>(handle(&rt, io, req).await)
            } else {
                Ok(empty(StatusCode::NOT_FOUND))
            }
        }
    });
    let conn = builder.serve_connection(stream, service).with_upgrades();
    async move {
        let mut conn = pin!(conn);
        let result = match select(conn.as_mut(), stop.stopped.clone()).await {
            Either::Left((result, _)) => result,
            Either::Right(_) => {
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = result {
            tracing::trace!(error = %e, "http connection ended");
        }
        drop(stop);
    }
}

/// Errors from `accept` concern one connection (reset before accept) or the process (out of
/// file descriptors); neither may end an accept loop. Returns `false` for the latter, after
/// which the loop should back off briefly.
pub fn is_transient_accept_error(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    let transient = matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
    );
    if !transient {
        tracing::warn!(error = %e, "accept failed");
    }
    transient
}
