//! Connect middleware: plain or async checks run before a socket is admitted.

use super::connecting::Connecting;
use super::handler::{Async, Plain};
use crate::socket::ConnectError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub(crate) type Later<E> = Pin<Box<dyn Future<Output = Result<(), E>> + Send>>;

/// What a middleware decided: now, or later (an async middleware). `E` is the refusal:
/// [`ConnectError`] for connect middleware, [`EventRefused`] for event middleware
/// ([`EventVerdict`]).
///
/// ```
/// use volley_protocol::api::{MiddlewareOutput, Verdict};
/// use volley_protocol::socket::ConnectError;
/// let decided: Result<(), ConnectError> = Err(ConnectError::new("no"));
/// assert!(matches!(decided.verdict(), Verdict::Now(Err(_))));
/// ```
pub enum Verdict<E = ConnectError> {
    /// Decided.
    Now(Result<(), E>),
    /// Decided when the future completes (for event middleware, the socket's later events
    /// wait for it).
    Later(Later<E>),
}

/// An event middleware's decision.
/// Event middleware returns `Result<(), EventRefused>`, or a future of one:
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # fn f(socket: SocketRef) {
/// use volley_protocol::api::EventRefused;
///
/// // Plain: decided at once.
/// socket.middleware(|_socket, event| match event.name() {
///     "admin" => Err(EventRefused::new("not here")),
///     _ => Ok(()),
/// });
/// // Async: e.g. a rate limiter in another service. What the future needs is taken from
/// // the event first; the socket's next events wait until it answers.
/// socket.middleware(|socket, event| {
///     let (socket, name) = (socket.clone(), event.name().to_owned());
///     async move {
///         let allowed = !name.is_empty() && socket.connected();
///         if allowed { Ok(()) } else { Err(EventRefused::new("slow down")) }
///     }
/// });
/// # }
/// ```
pub type EventVerdict = Verdict<EventRefused>;

/// What a middleware returns: `Result<(), E>`, or a future of one (`E` as in [`Verdict`]).
///
/// ```
/// # use volley_protocol::api::Io;
/// # fn f(io: Io) {
/// use volley_protocol::socket::ConnectError;
///
/// // Plain: decided at once.
/// io.of("/").middleware(|handshake| match handshake.cookie("session") {
///     Some(_) => Ok(()),
///     None => Err(ConnectError::new("login first")),
/// });
/// // Async: e.g. a database lookup.
/// io.of("/").middleware(|handshake| async move {
///     match handshake.auth_field("token") {
///         Some(_) => Ok(()),
///         None => Err(ConnectError::new("no token")
///             .with_data_value(&serde_json::json!({ "retry": false }))),
///     }
/// });
/// # }
/// ```
pub trait MiddlewareOutput<M, E = ConnectError>: Send + 'static {
    /// The decision.
    fn verdict(self) -> Verdict<E>;
}

impl<E: Send + 'static> MiddlewareOutput<Plain, E> for Result<(), E> {
    fn verdict(self) -> Verdict<E> {
        Verdict::Now(self)
    }
}

/// A [`Verdict`] as such: for a middleware that decides at once in some cases and later in
/// others.
///
/// ```
/// # use volley_protocol::api::Io;
/// # fn f(io: Io) {
/// use volley_protocol::api::Verdict;
/// use volley_protocol::socket::ConnectError;
/// io.of("/").middleware(|handshake| match handshake.auth_field("token") {
///     None => Verdict::Now(Err(ConnectError::new("no token"))),
///     Some(_token) => Verdict::Later(Box::pin(async move { Ok(()) })),
/// });
/// # }
/// ```
impl<E: Send + 'static> MiddlewareOutput<Plain, E> for Verdict<E> {
    fn verdict(self) -> Verdict<E> {
        self
    }
}

impl<Fut, E> MiddlewareOutput<Async, E> for Fut
where
    Fut: Future<Output = Result<(), E>> + Send + 'static,
{
    fn verdict(self) -> Verdict<E> {
        Verdict::Later(Box::pin(self))
    }
}

pub(crate) type DynMiddleware = Arc<dyn Fn(Connecting) -> Verdict + Send + Sync>;

pub(crate) fn erase<F, R, M>(f: F) -> DynMiddleware
where
    F: Fn(Connecting) -> R + Send + Sync + 'static,
    R: MiddlewareOutput<M>,
{
    Arc::new(move |h| f(h).verdict())
}

/// Runs `chain` in order. Plain middleware decide at once; from the first async one on, the
/// rest of the chain becomes a future (`Ok(Some(rest))`).
pub(crate) fn run_middleware(
    chain: &[DynMiddleware],
    connecting: &Connecting,
) -> Result<Option<Later<ConnectError>>, ConnectError> {
    for (i, m) in chain.iter().enumerate() {
        match m(connecting.clone()) {
            Verdict::Now(Ok(())) => continue,
            Verdict::Now(Err(e)) => return Err(e),
            Verdict::Later(first) => {
                let rest: Vec<DynMiddleware> = chain[i + 1..].to_vec();
                let connecting = connecting.clone();
                return Ok(Some(Box::pin(async move {
                    first.await?;
                    for m in rest {
                        match m(connecting.clone()) {
                            Verdict::Now(r) => r?,
                            Verdict::Later(f) => f.await?,
                        }
                    }
                    Ok(())
                })));
            }
        }
    }
    Ok(None)
}

/// An event middleware stopped an event (the reference's `next(new Error(…))` in
/// `socket.use`): the event reaches no handler, its ack is never sent, and the socket's
/// [`on_error`](super::SocketRef::on_error) handlers get this. The client is told nothing.
///
/// ```
/// use volley_protocol::api::EventRefused;
/// let e = EventRefused::new("unauthorized event");
/// assert_eq!(e.to_string(), "unauthorized event");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct EventRefused {
    /// Why.
    pub message: String,
}

impl EventRefused {
    /// A refusal with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        EventRefused {
            message: message.into(),
        }
    }
}
