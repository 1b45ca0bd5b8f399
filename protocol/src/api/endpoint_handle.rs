//! [`Endpoint`]: the handle an adapter serves, over the object-safe [`Ops`] of a server's
//! shared core (`endpoint.rs`).

use super::endpoint::Ops;
use super::outcome::{bad_request, HeadOutcome, HttpOutcome, PostBody, WsLink, WsUpgrade};
use crate::engine::{HttpResponse, RequestHead};
use bytes::Bytes;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
/// The handle an adapter serves: any Volley server (Socket.IO [`Io`](super::Io) or raw
/// Engine.IO [`EngineIo`](super::EngineIo)) converts into one.
///
/// ```
/// # use volley_protocol::api::*;
/// # use volley_protocol::engine::{Method, RequestHead};
/// # async fn f(endpoint: Endpoint) {
/// assert!(endpoint.is_mine("/socket.io/"));
/// assert!(!endpoint.is_mine("/index.html"));
/// # }
/// ```
#[derive(Clone)]
pub struct Endpoint(pub(crate) Arc<dyn Ops>);

/// A weak [`Endpoint`] for background tasks (the timer) that must not keep a server alive.
///
/// ```
/// # use volley_protocol::api::*;
/// # use volley_protocol::engine::{Method, RequestHead};
/// # async fn f(endpoint: Endpoint) {
/// let weak = endpoint.downgrade();
/// assert!(weak.upgrade().is_some());
/// # }
/// ```
#[derive(Clone)]
pub struct WeakEndpoint(Weak<dyn Ops>);

impl WeakEndpoint {
    /// The endpoint, if it still exists.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// let weak = endpoint.downgrade();
    /// if let Some(endpoint) = weak.upgrade() {
    ///     let _next = endpoint.handle_timeout();
    /// }
    /// # }
    /// ```
    pub fn upgrade(&self) -> Option<Endpoint> {
        self.0.upgrade().map(Endpoint)
    }
}

impl Endpoint {
    /// The request path (default `/socket.io/`).
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// assert_eq!(endpoint.path(), "/socket.io/");
    /// # }
    /// ```
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// True if `path` is under this server's path (with or without its trailing slash).
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// assert!(endpoint.is_mine("/socket.io"));
    /// assert!(endpoint.is_mine("/socket.io/socket.io.min.js"));
    /// # }
    /// ```
    pub fn is_mine(&self, path: &str) -> bool {
        let own = self.0.path();
        path.starts_with(own) || own.strip_suffix('/') == Some(path)
    }

    /// The largest accepted POST body or WebSocket message, in bytes (`maxPayload`).
    /// Adapters answer a larger POST with 413 without reading it all.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// let limit = endpoint.max_payload(); // read at most limit + 1 bytes of a body
    /// # let _ = limit;
    /// # }
    /// ```
    pub fn max_payload(&self) -> usize {
        self.0.max_payload()
    }

    /// How long a request body may take to arrive: pingInterval + pingTimeout. Adapters
    /// answer 408 and drop the connection past it, so a body trickled forever (or a
    /// `Content-Length` larger than what is sent) cannot hold a connection open. The
    /// reference ends such a request with its session: while a POST is in flight no other
    /// POST is allowed, so no pong can arrive and the heartbeat closes the session.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # async fn f(endpoint: Endpoint) {
    /// let deadline = std::time::Instant::now() + endpoint.body_timeout();
    /// # let _ = deadline;
    /// # }
    /// ```
    pub fn body_timeout(&self) -> Duration {
        self.0.body_timeout()
    }

    /// The HTTP compression threshold
    /// ([`EngineConfig::http_compression`](crate::engine::EngineConfig::http_compression)):
    /// adapters pass it with the request's `Accept-Encoding` to
    /// [`HttpResponse::compress_for`] before writing a response.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::HttpResponse;
    /// # fn f(endpoint: Endpoint, mut response: HttpResponse) {
    /// response.compress_for(Some("gzip, deflate"), endpoint.http_compression());
    /// # }
    /// ```
    pub fn http_compression(&self) -> Option<usize> {
        self.0.http_compression()
    }

    /// Handles one HTTP request under the path; `body` is the whole request body. Adapters
    /// that read bodies as they arrive use [`handle_head`](Self::handle_head) and
    /// [`handle_body`](Self::handle_body) instead, so that the core knows a POST is in flight
    /// while its body is still arriving.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// let head = RequestHead::new(Method::Post, "/socket.io/?EIO=4&transport=polling&sid=abc");
    /// let _outcome = endpoint.handle_request(head, bytes::Bytes::from_static(b"4hello"));
    /// # }
    /// ```
    pub fn handle_request(&self, head: RequestHead, body: Bytes) -> HttpOutcome {
        match self.0.handle_head(head) {
            HeadOutcome::Ready(outcome) => outcome,
            HeadOutcome::ReadBody(post) => HttpOutcome::Respond(self.handle_body(post, Some(body))),
        }
    }

    /// Handles the head of one HTTP request under the path, before its body is read. Only a
    /// POST to an open polling session needs its body: [`HeadOutcome::ReadBody`]. Such a POST
    /// counts as in flight until [`handle_body`](Self::handle_body): a second POST of the same
    /// session meanwhile is refused and closes the session, as with the reference.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn read_body() -> Option<bytes::Bytes> { None }
    /// # async fn f(endpoint: Endpoint) {
    /// let head = RequestHead::new(Method::Post, "/socket.io/?EIO=4&transport=polling&sid=abc");
    /// let outcome = match endpoint.handle_head(head) {
    ///     HeadOutcome::Ready(outcome) => outcome,
    ///     // `None`: longer than max_payload (answered 413)
    ///     HeadOutcome::ReadBody(post) => HttpOutcome::Respond(endpoint.handle_body(post, read_body().await)),
    /// };
    /// # let _ = outcome;
    /// # }
    /// ```
    pub fn handle_head(&self, head: RequestHead) -> HeadOutcome {
        self.0.handle_head(head)
    }

    /// The body of a POST that got [`HeadOutcome::ReadBody`] has arrived; `None` when it was
    /// longer than [`max_payload`](Self::max_payload) (the rest left unread). Returns the
    /// response to send. If the core ended the request meanwhile (see
    /// [`PostBody::ended`]), that is the answer it gave.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # fn f(endpoint: Endpoint, post: PostBody) {
    /// let response = endpoint.handle_body(post, Some(bytes::Bytes::from_static(b"4hello")));
    /// # let _ = response;
    /// # }
    /// ```
    pub fn handle_body(&self, mut post: PostBody, body: Option<Bytes>) -> HttpResponse {
        post.ops = None;
        match self.0.handle_body(post.req, body) {
            Some(response) => response,
            None => post
                .rx
                .try_recv()
                .ok()
                .flatten()
                .unwrap_or_else(bad_request),
        }
    }

    /// Registers an upgraded WebSocket with the core.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// # let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket");
    /// if let HttpOutcome::WebSocket(upgrade) = endpoint.handle_request(head, bytes::Bytes::new()) {
    ///     let _link = endpoint.ws_open(upgrade);
    /// }
    /// # }
    /// ```
    pub fn ws_open(&self, mut upgrade: WsUpgrade) -> WsLink {
        upgrade.ops = None;
        self.0.ws_open(upgrade.req)
    }

    /// Runs expired timers; returns the next deadline, if any.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// // In the runtime's timer task, when the deadline passed:
    /// if let Some(next) = endpoint.handle_timeout() {
    ///     // sleep until `next`
    ///     # let _ = next;
    /// }
    /// # }
    /// ```
    pub fn handle_timeout(&self) -> Option<Instant> {
        self.0.handle_timeout()
    }

    /// Disconnects every client with reason `server shutting down`, as the reference's
    /// `io.close()`: later handshakes are refused at once; every socket leaves, one after
    /// the other, while its client is still connected (its disconnecting and disconnect
    /// handlers run in this call, and what they send still goes out); then every connection
    /// closes. A handler that never returns keeps this call from returning: adapters run it
    /// where that cannot block them, and bound it with [`close_sessions`](Self::close_sessions).
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// endpoint.shutdown();
    /// endpoint.idle().await;
    /// # }
    /// ```
    pub fn shutdown(&self) {
        self.0.shutdown()
    }

    /// Closes every connection now with reason `server shutting down`, whatever a
    /// [`shutdown`](Self::shutdown) still waits for (a disconnecting handler that has not
    /// returned): for a shutdown past its deadline. The sockets not gone yet leave at once
    /// (their handlers run in this call). Later handshakes are refused.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # async fn f(endpoint: Endpoint) {
    /// endpoint.close_sessions();
    /// endpoint.idle().await;
    /// # }
    /// ```
    pub fn close_sessions(&self) {
        self.0.close_sessions()
    }

    /// Completes once no WebSocket and no parked polling request remains.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// endpoint.shutdown();
    /// endpoint.idle().await; // every client is gone
    /// # }
    /// ```
    pub fn idle(&self) -> Idle {
        Idle(self.0.clone())
    }

    /// A weak handle for background tasks.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// let weak = endpoint.downgrade(); // for the timer task
    /// # let _ = weak;
    /// # }
    /// ```
    pub fn downgrade(&self) -> WeakEndpoint {
        WeakEndpoint(Arc::downgrade(&self.0))
    }

    /// Runs `fut` on the runtime the server was created with (for adapters whose connection
    /// tasks must run on the executor the application chose).
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # fn f(endpoint: Endpoint) {
    /// endpoint.spawn(Box::pin(async { /* a connection task */ }));
    /// # }
    /// ```
    pub fn spawn(&self, fut: super::runtime::BoxFuture) {
        self.0.spawn(fut)
    }
}

/// Future returned by [`Endpoint::idle`].
///
/// ```
/// # use volley_protocol::api::*;
/// # use volley_protocol::engine::{Method, RequestHead};
/// # async fn f(endpoint: Endpoint) {
/// let idle: Idle = endpoint.idle();
/// idle.await;
/// # }
/// ```
pub struct Idle(Arc<dyn Ops>);

impl Future for Idle {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.poll_idle(cx)
    }
}
