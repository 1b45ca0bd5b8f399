//! The standalone server: the accept loop, one HTTP/1.1 connection per accepted socket, and
//! the server-wide graceful shutdown.

use crate::cork::Corked;
use crate::head_timeout::{Exchanges, HeadTimeout, DEFAULT_HEAD_TIMEOUT};
use crate::limit::{ConnectionLimit, Counted};
use crate::linger::Lingering;
use crate::service::{App, AppBody, VolleyBody, VolleyService};
use crate::stall::WriteStall;
use crate::{ConnInfo, IoRuntime};
use futures_channel::{mpsc, oneshot};
use futures_util::future::{select, Either, FutureExt, Shared};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use std::future::{poll_fn, Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::time::{Duration, Instant};
use tower_service::Service;
use volley_protocol::api::Endpoint;

/// hyper's read buffer bound, which bounds a request head (request line and headers): one
/// that does not fit is answered 431 (or 414 for the URL). hyper checks it between reads, so
/// a head arriving in one burst may reach about twice this. A session keeps its handshake's
/// head, so this bounds that memory too; the reference (Node) allows 16 KiB, hyper's own
/// default is about 400 KiB.
const MAX_HEAD: usize = 64 * 1024;
/// The default time given to clients to go away during a graceful shutdown.
pub const DEFAULT_SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);
/// Back-off after an accept error that concerns the process (e.g. out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// A TCP listener of some runtime, as the accept loop sees it.
pub trait Listener: Send + 'static {
    /// An accepted connection, wrapped for hyper.
    type Io: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static;
    /// The next connection, with `TCP_NODELAY` already set (as Node does).
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Io, SocketAddr)>> + Send;
    /// The bound address, for the log.
    fn local_addr(&self) -> io::Result<SocketAddr>;
}

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;
type Served = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;
type Run = Box<dyn FnOnce(Signal, Limits) -> Served + Send>;

/// What the [`Serve`] builder methods set.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a graceful shutdown waits for clients.
    pub shutdown_deadline: Duration,
    /// The most connections open at once; `None` is no limit.
    pub max_connections: Option<usize>,
    /// How long a connection may take to send a complete request head, from being accepted
    /// or from its previous response.
    pub head_timeout: Duration,
}

/// A standalone server; `.await` it. The adapters' `serve(listener, io)` and
/// `serve_service(listener, service)` build one.
///
/// Until awaited it does nothing; awaiting it serves until the process ends or the signal
/// given to [`Serve::with_graceful_shutdown`] fires.
///
/// ```no_run
/// use volley_tokio::Options;
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::new(Options::default());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// let server: volley_tokio::Serve = volley_tokio::serve(listener, io);
/// server.await // serves until the process ends
/// # }
/// ```
#[must_use = "a server does nothing until awaited"]
pub struct Serve {
    run: Run,
    signal: Signal,
    limits: Limits,
}

impl Serve {
    /// A server for `service` on `listener` (see [`serve`]); an adapter's entry points call
    /// this with their listener.
    pub fn new<R, L, S, B>(listener: L, service: VolleyService<R, S>) -> Self
    where
        R: IoRuntime,
        L: Listener,
        S: App<B>,
        B: AppBody,
    {
        Serve {
            run: Box::new(move |signal, limits| Box::pin(serve(listener, service, signal, limits))),
            signal: Box::pin(std::future::pending()),
            limits: Limits {
                shutdown_deadline: DEFAULT_SHUTDOWN_DEADLINE,
                max_connections: None,
                head_timeout: DEFAULT_HEAD_TIMEOUT,
            },
        }
    }

    /// Shuts down gracefully when `signal` completes: stops accepting, disconnects every
    /// client with reason `server shutting down`, and returns once all connections are gone
    /// or the deadline (default 10 s, see [`Serve::shutdown_deadline`]) has passed.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let io = volley_tokio::new(volley_tokio::Options::default());
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    /// volley_tokio::serve(listener, io)
    ///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
    ///     .await
    /// # }
    /// ```
    ///
    /// The same on async-std or smol, stopping after an hour:
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let io = volley_async_std::new(volley_async_std::Options::default());
    /// let listener = async_net::TcpListener::bind("127.0.0.1:3000").await?;
    /// let stop = async { async_io::Timer::after(std::time::Duration::from_secs(3600)).await; };
    /// volley_async_std::serve(listener, io)
    ///     .with_graceful_shutdown(stop)
    ///     .await
    /// # }
    /// ```
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.signal = Box::pin(signal);
        self
    }

    /// How long a graceful shutdown waits for clients before returning anyway.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let io = volley_tokio::new(volley_tokio::Options::default());
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    /// volley_tokio::serve(listener, io)
    ///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
    ///     // Clients get two seconds to go away, then the server returns anyway.
    ///     .shutdown_deadline(Duration::from_secs(2))
    ///     .await
    /// # }
    /// ```
    pub fn shutdown_deadline(mut self, deadline: Duration) -> Self {
        self.limits.shutdown_deadline = deadline;
        self
    }

    /// Caps the connections open at once (HTTP and WebSocket alike, counted until the socket
    /// closes). Past it, a new connection is closed as soon as it is accepted, like Node's
    /// `server.maxConnections`. No limit by default, like the reference.
    ///
    /// The limit keeps a flood of connections from exhausting file descriptors and memory;
    /// set it below the process's open-file limit.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let io = volley_tokio::new(volley_tokio::Options::default());
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    /// volley_tokio::serve(listener, io).max_connections(50_000).await
    /// # }
    /// ```
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = Some(max);
        self
    }

    /// How long a connection may take to send a complete request head, counted from when it
    /// was accepted or its previous response went out (default 30 s). A connection that
    /// takes longer, trickling a head or idle between keep-alive requests, is closed. A
    /// request in progress (a body arriving, a parked long-poll, a response being written)
    /// and a WebSocket are not affected; they have their own bounds.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let io = volley_tokio::new(volley_tokio::Options::default());
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    /// // Idle keep-alive connections go after 10 s (Node: keepAliveTimeout, 5 s).
    /// volley_tokio::serve(listener, io).head_timeout(Duration::from_secs(10)).await
    /// # }
    /// ```
    pub fn head_timeout(mut self, timeout: Duration) -> Self {
        self.limits.head_timeout = timeout;
        self
    }
}

impl IntoFuture for Serve {
    type Output = io::Result<()>;
    type IntoFuture = Served;

    fn into_future(self) -> Served {
        (self.run)(self.signal, self.limits)
    }
}

/// Serves `service` on `listener` until `signal` completes, then shuts its endpoint down
/// gracefully (every client disconnected, every connection finishing its request) within
/// `limits.shutdown_deadline`; at most `limits.max_connections` are open at once.
///
/// Every accepted socket gets its own task at once, so connections that never send anything
/// cannot delay the next client; `limits.head_timeout` bounds how long a request head may take.
pub async fn serve<R, L, S, B>(
    mut listener: L,
    service: VolleyService<R, S>,
    signal: impl Future<Output = ()> + Send,
    limits: Limits,
) -> io::Result<()>
where
    R: IoRuntime,
    L: Listener,
    S: App<B>,
    B: AppBody,
{
    let io = service.endpoint().clone();
    let rt = R::for_endpoint(&io);
    let shutdown = Shutdown::new();
    let mut builder = http1::Builder::new();
    builder
        // The head timeout is the connection's own (see `head_timeout`): hyper's would box,
        // register and remove a timer for every request.
        .header_read_timeout(None)
        .max_buf_size(MAX_HEAD)
        // No `max_headers`: hyper's default count limit (100 header lines, past it 431) is
        // kept. Any explicit limit makes hyper allocate and fill its two header arrays for
        // every request; at 256 lines that was ≈10 % of the server's CPU per polling round
        // trip. Node allows 2,000 (and ignores the rest); browsers send a few dozen.
        .keep_alive(true);
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, path = io.path(), "volley listening");
    }
    let limit = limits.max_connections.map(ConnectionLimit::new);
    // A peer that takes none of a response (or WebSocket frame) for this long is dropped.
    let stall_limit = io.body_timeout();
    let mut signal = pin!(signal);
    loop {
        let accepted = match select(pin!(listener.accept()), signal.as_mut()).await {
            Either::Left((accepted, _)) => accepted,
            Either::Right(_) => break,
        };
        match accepted {
            Ok((stream, remote)) => {
                let slot = match &limit {
                    None => None,
                    Some(limit) => match limit.try_acquire() {
                        Some(slot) => Some(slot),
                        None => {
                            tracing::debug!(%remote, "connection limit reached; closed");
                            continue;
                        }
                    },
                };
                let stream = WriteStall::new(Counted::new(stream, slot), rt.clone(), stall_limit);
                // Closing after an early answer (a refused upload) lingers: see `linger`.
                let stream = Lingering::new(stream, rt.clone());
                let (stream, exchanges) = HeadTimeout::new(stream, rt.clone(), limits.head_timeout);
                let stop = shutdown.signal();
                rt.spawn(serve_connection(
                    &builder,
                    service.clone(),
                    stream,
                    exchanges,
                    remote,
                    stop,
                ));
            }
            Err(e) => {
                if !is_transient_accept_error(&e) {
                    rt.sleep_until(Instant::now() + ACCEPT_BACKOFF).await;
                }
            }
        }
    }
    drop(listener);
    shutdown.run(&rt, &io, limits.shutdown_deadline).await;
    Ok(())
}

/// Held by every connection of a server; tells it when the server shuts down.
#[derive(Clone)]
pub(crate) struct StopSignal {
    stopped: Shared<oneshot::Receiver<()>>,
    // Dropped when the connection ends; the shutdown waits until every clone is gone.
    _live: mpsc::Sender<()>,
}

/// The server side of a graceful shutdown: hands a [`StopSignal`] to each connection, then
/// [`Shutdown::run`] stops them all and waits for them.
pub(crate) struct Shutdown {
    stop: oneshot::Sender<()>,
    signal: StopSignal,
    live: mpsc::Receiver<()>,
}

impl Shutdown {
    /// A shutdown that nothing has triggered yet.
    pub(crate) fn new() -> Self {
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
    pub(crate) fn signal(&self) -> StopSignal {
        self.signal.clone()
    }

    /// Disconnects every client with reason `server shutting down`, then lets each HTTP
    /// connection finish its current request, and returns once all connections and clients
    /// are gone or `deadline` has passed. Call it after the accept loop stopped.
    ///
    /// As the reference's `io.close()`, the sockets leave first, one after the other, while
    /// their connections are still open (what their disconnecting handlers send still goes
    /// out), and the connections close after. The handlers run off this task
    /// ([`IoRuntime::spawn_blocking`]): one that never returns holds up the shutdown only
    /// until the deadline, when every connection is closed anyway.
    pub(crate) async fn run<R: IoRuntime>(self, rt: &R, io: &Endpoint, deadline: Duration) {
        let Shutdown {
            stop,
            signal,
            mut live,
        } = self;
        drop(signal);
        tracing::info!("volley shutting down");
        let mut timer = pin!(rt.sleep_until(Instant::now() + deadline));
        let (left_tx, left) = oneshot::channel();
        let leaving = io.clone();
        rt.spawn_blocking(move || {
            leaving.shutdown();
            let _ = left_tx.send(());
        });
        if let Either::Right(_) = select(left, timer.as_mut()).await {
            tracing::warn!(
                ?deadline,
                "shutdown deadline passed with disconnect handlers still running; \
                 closing every connection"
            );
            // Off this task too: the sockets not gone yet leave now, running their handlers.
            let closing = io.clone();
            rt.spawn_blocking(move || closing.close_sessions());
            let _ = stop.send(());
            return;
        }
        let _ = stop.send(());
        let drained = async move {
            while live.next().await.is_some() {}
            io.idle().await;
        };
        if let Either::Right(_) = select(pin!(drained), timer).await {
            tracing::warn!(
                ?deadline,
                "shutdown deadline passed with clients still connected"
            );
        }
    }
}

/// Serves one accepted connection with `service` (requests under Volley's path go to its
/// endpoint, everything else to its inner service), counting its requests in `exchanges`
/// (see `head_timeout`). Stops gracefully when `stop` fires.
fn serve_connection<R, S, B, I>(
    builder: &http1::Builder,
    service: VolleyService<R, S>,
    stream: I,
    exchanges: Exchanges,
    remote: SocketAddr,
    stop: StopSignal,
) -> impl Future<Output = ()> + Send + 'static
where
    R: IoRuntime,
    S: App<B>,
    B: AppBody,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    // Volley's WebSocket answers go out with the connection's first frames (see `cork`).
    let (stream, cork) = Corked::new(stream);
    let service = service_fn(move |req: Request<Incoming>| {
        // Handed over directly, not as request extensions (a map and a box each, per request).
        let conn = ConnInfo {
            remote: Some(remote),
            cork: Some(cork.clone()),
        };
        let mut service = service.clone();
        let exchange = exchanges.start();
        async move {
            poll_fn(|cx| service.poll_ready(cx)).await?;
            let response: Response<VolleyBody<B>> = service.dispatch(req, conn).await?;
            if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                exchange.switched();
            }
            // The exchange ends when hyper drops the body, once it has taken all of it.
            Ok::<_, S::Error>(response.map(|body| body.map_err(exchange.held_by_body())))
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
/// file descriptors); neither may end the loop. Returns `false` for the latter, after which
/// the loop backs off briefly.
fn is_transient_accept_error(e: &io::Error) -> bool {
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
