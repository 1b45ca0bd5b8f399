//! `allowRequest`: the application's say on every handshake (a request that would open a new
//! Engine.IO session), plain or async, before the session exists. As in the reference, it is
//! also asked about the upgrade requests without a sid that open no session (the polling
//! transport, which takes no upgrades; an `EIO` other than 4): a refusal is then the plain
//! `400` of a refused upgrade, else the request goes on as without the hook. Requests of open
//! sessions and their upgrades never reach it.

use super::endpoint::Ops;
use super::middleware::{Later, MiddlewareOutput, Verdict};
use super::outcome::HttpOutcome;
use crate::engine::{ErrorCode, HttpResponse, Incoming, RequestHead};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An `allow_request` hook refused a handshake (the reference's `callback(message, false)`).
/// A polling client is answered `403 {"code":4,"message":…}`, a WebSocket-first one gets the
/// reference's plain `400` upgrade refusal; the message is `Forbidden` unless one is given.
///
/// ```
/// use volley_protocol::api::RequestRefused;
/// assert_eq!(RequestRefused::forbidden().to_string(), "Forbidden");
/// assert_eq!(RequestRefused::new("banned").message.as_deref(), Some("banned"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{}", .message.as_deref().unwrap_or("Forbidden"))]
#[non_exhaustive]
pub struct RequestRefused {
    /// The message the client gets (`None`: `Forbidden`).
    pub message: Option<String>,
}

impl RequestRefused {
    /// A refusal with `message`.
    ///
    /// ```
    /// # use volley_protocol::api::RequestRefused;
    /// assert_eq!(RequestRefused::new("slow down").to_string(), "slow down");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        RequestRefused {
            message: Some(message.into()),
        }
    }

    /// A refusal with the reference's default message, `Forbidden`.
    ///
    /// ```
    /// # use volley_protocol::api::RequestRefused;
    /// assert_eq!(RequestRefused::forbidden().message, None);
    /// ```
    pub fn forbidden() -> Self {
        RequestRefused { message: None }
    }
}

/// The hook as stored.
pub(crate) type DynAllowRequest =
    Arc<dyn Fn(&RequestHead) -> Verdict<RequestRefused> + Send + Sync>;

pub(crate) fn erase<F, R, M>(f: F) -> DynAllowRequest
where
    F: Fn(&RequestHead) -> R + Send + Sync + 'static,
    R: MiddlewareOutput<M, RequestRefused>,
{
    Arc::new(move |head| f(head).verdict())
}

/// Runs the hook on a handshake's head. A panic refuses the request (as a panicking handler
/// is contained elsewhere, it must not take the server down).
pub(crate) fn ask(hook: &DynAllowRequest, head: &RequestHead) -> Verdict<RequestRefused> {
    catch_unwind(AssertUnwindSafe(|| hook(head)))
        .unwrap_or_else(|_| Verdict::Now(Err(RequestRefused::forbidden())))
}

/// What the hook is asked about.
pub(crate) enum Asked {
    /// A handshake, held by the core until the verdict.
    Handshake(Incoming),
    /// An upgrade request that opens no session; the core has not seen it yet.
    Upgrade(RequestHead),
}

impl Asked {
    pub(crate) fn head(&self) -> &RequestHead {
        match self {
            Asked::Handshake(incoming) => incoming.head(),
            Asked::Upgrade(head) => head,
        }
    }
}

/// The answer to a refused upgrade request: the plain `400` with the hook's message
/// (`Forbidden` without one), as the reference's `abortUpgrade` writes it.
pub(crate) fn refused_upgrade(refused: RequestRefused) -> HttpResponse {
    let message = refused.message.filter(|m| !m.is_empty());
    HttpResponse::upgrade_error(ErrorCode::Forbidden, message.as_deref())
}

/// A handshake waiting for an async `allow_request` verdict; see [`HttpOutcome::Deferred`].
/// Await it for the request's final outcome (never `Deferred` again). Dropping it first (the
/// client went away) tells the core, which forgets the handshake and frees its place under
/// [`max_sessions`](crate::engine::EngineConfig::max_sessions).
///
/// ```
/// # use volley_protocol::api::*;
/// # async fn f(endpoint: Endpoint, head: volley_protocol::engine::RequestHead) {
/// let mut outcome = endpoint.handle_request(head, bytes::Bytes::new());
/// while let HttpOutcome::Deferred(verdict) = outcome {
///     outcome = verdict.await;
/// }
/// # let _ = outcome;
/// # }
/// ```
#[must_use = "await it; dropping it refuses the handshake as if the client went away"]
pub struct Deferred {
    later: Later<RequestRefused>,
    asked: Option<Asked>,
    ops: Arc<dyn Ops>,
}

impl Deferred {
    pub(super) fn new(later: Later<RequestRefused>, asked: Asked, ops: Arc<dyn Ops>) -> Self {
        Deferred {
            later,
            asked: Some(asked),
            ops,
        }
    }
}

impl Future for Deferred {
    type Output = HttpOutcome;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<HttpOutcome> {
        let this = &mut *self;
        if this.asked.is_none() {
            // Polled again after it resolved: nothing is left to decide.
            return Poll::Ready(HttpOutcome::Respond(super::outcome::bad_request()));
        }
        let verdict = match catch_unwind(AssertUnwindSafe(|| this.later.as_mut().poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(verdict)) => verdict,
            Err(_) => Err(RequestRefused::forbidden()),
        };
        match this.asked.take() {
            Some(asked) => Poll::Ready(this.ops.admit(asked, verdict)),
            None => Poll::Ready(HttpOutcome::Respond(super::outcome::bad_request())),
        }
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        // An upgrade request the core has not seen leaves nothing to forget.
        if let Some(Asked::Handshake(incoming)) = self.asked.take() {
            self.ops.request_aborted(incoming.req());
        }
    }
}
