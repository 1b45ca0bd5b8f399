//! What the adapter gets back from an [`Endpoint`](super::Endpoint): the answer to one HTTP
//! request ([`HttpOutcome`], [`PendingResponse`], [`WsUpgrade`]) and the handle of one open
//! WebSocket ([`WsLink`]) with the wake-up signal its writer waits on.

use super::admission::Deferred;
use super::endpoint::{lock, Ops};
use crate::engine::{ConnId, HttpResponse, ReqId, WsFrame};
use crate::Str;
use bytes::Bytes;
use futures_channel::oneshot;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Wake-up state of one WebSocket writer.
#[derive(Default)]
pub(crate) struct LinkState {
    pub(super) ready: bool,
    pub(super) close: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
pub(crate) struct LinkSignal(pub(super) Mutex<LinkState>);

impl LinkSignal {
    /// Ready once `done` holds; otherwise the task is woken at the next `mark`.
    fn poll_until(&self, cx: &mut Context<'_>, done: impl Fn(&LinkState) -> bool) -> Poll<()> {
        let mut st = lock(&self.0);
        if done(&st) {
            return Poll::Ready(());
        }
        if !st.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            st.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    pub(super) fn mark(&self, close: bool, wake: &mut Vec<Waker>) {
        let mut st = lock(&self.0);
        st.ready = true;
        st.close |= close;
        wake.extend(st.waker.take());
    }
}

/// How the adapter answers one HTTP request.
///
/// ```
/// # use volley_protocol::api::*;
/// # use volley_protocol::engine::{Method, RequestHead};
/// # async fn f(endpoint: Endpoint) {
/// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling");
/// let response = match endpoint.handle_request(head, bytes::Bytes::new()) {
///     HttpOutcome::Respond(response) => Some(response),
///     HttpOutcome::Pending(later) => Some(later.await),
///     HttpOutcome::WebSocket(upgrade) => {
///         // answer 101 Switching Protocols, then:
///         let _link = endpoint.ws_open(upgrade);
///         None
///     }
///     HttpOutcome::NotMine => None, // 404, or the app behind
///     // A handshake waiting for an async `allow_request`: await it, then handle what it
///     // resolves to (one of the above).
///     HttpOutcome::Deferred(_verdict) => None,
/// };
/// # let _ = response;
/// # }
/// ```
#[must_use]
pub enum HttpOutcome {
    /// Send this response.
    Respond(HttpResponse),
    /// A parked long-poll: await the response. Dropping it (the client went away) tells the
    /// core the request was aborted.
    Pending(PendingResponse),
    /// Answer `101 Switching Protocols`, then pass this to [`Endpoint::ws_open`](super::Endpoint::ws_open) once the
    /// connection is upgraded.
    WebSocket(WsUpgrade),
    /// Not a request for this server (outside its path); the adapter decides (404, or pass
    /// it to the app it is mounted in).
    NotMine,
    /// A handshake waiting for an async `allow_request` verdict: await it for the final
    /// outcome (any variant but this one). Dropping it (the client went away) tells the core.
    Deferred(Deferred),
}

/// What the adapter does with a request head, before reading the body
/// ([`Endpoint::handle_head`](super::Endpoint::handle_head)).
///
/// ```
/// # use volley_protocol::api::*;
/// # use volley_protocol::engine::{Method, RequestHead};
/// # fn f(endpoint: Endpoint) {
/// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling");
/// assert!(matches!(endpoint.handle_head(head), HeadOutcome::Ready(_)));
/// # }
/// ```
#[must_use]
pub enum HeadOutcome {
    /// Decided without the body (everything but a POST to an open polling session).
    Ready(HttpOutcome),
    /// A POST to an open polling session: read its body, at most
    /// [`Endpoint::max_payload`](super::Endpoint::max_payload) + 1 bytes, and pass it to
    /// [`Endpoint::handle_body`](super::Endpoint::handle_body), unless
    /// [`PostBody::ended`] completes first.
    ReadBody(PostBody),
}

/// A polling POST whose body is being read; see [`HeadOutcome::ReadBody`]. Dropping it
/// without [`Endpoint::handle_body`](super::Endpoint::handle_body) (the client went away, the
/// body took too long) tells the core, which closes the session (`transport error`) as the
/// reference does when a POST's connection closes early.
///
/// ```
/// # use volley_protocol::api::*;
/// # use std::future::Future;
/// # async fn f(endpoint: Endpoint, mut post: PostBody, read_body: impl Future<Output = bytes::Bytes>) {
/// // Read the body while watching `post.ended()` (a select in a real adapter).
/// let mut read = std::pin::pin!(read_body);
/// let outcome = {
///     let mut ended = std::pin::pin!(post.ended());
///     std::future::poll_fn(|cx| {
///         if let std::task::Poll::Ready(response) = ended.as_mut().poll(cx) {
///             // The session closed meanwhile: send this, then drop the connection.
///             return std::task::Poll::Ready(Err(response));
///         }
///         read.as_mut().poll(cx).map(Ok)
///     })
///     .await
/// };
/// if let Ok(body) = outcome {
///     let _response = endpoint.handle_body(post, Some(body));
/// }
/// # }
/// ```
#[must_use = "pass the body to Endpoint::handle_body; dropping it aborts the request"]
pub struct PostBody {
    pub(super) rx: oneshot::Receiver<HttpResponse>,
    pub(super) req: ReqId,
    pub(super) ops: Option<Arc<dyn Ops>>,
}

impl PostBody {
    /// Completes when the core ends the request before its body is complete (its session
    /// closed: a second POST overlapped it, the server shut down…) with the answer to send;
    /// the adapter then stops reading and closes the connection, like the reference, which
    /// destroys such a request.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # async fn f(mut post: PostBody) {
    /// let response = post.ended().await;
    /// assert_eq!(response.status, 400);
    /// # }
    /// ```
    pub async fn ended(&mut self) -> HttpResponse {
        (&mut self.rx).await.unwrap_or_else(|_| bad_request())
    }
}

impl Drop for PostBody {
    fn drop(&mut self) {
        if let Some(ops) = self.ops.take() {
            ops.request_aborted(self.req);
        }
    }
}

/// The later answer to a parked polling request. See [`HttpOutcome::Pending`].
///
/// ```
/// # use volley_protocol::api::*;
/// # use volley_protocol::engine::{Method, RequestHead};
/// # async fn f(endpoint: Endpoint) {
/// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling&sid=abc");
/// if let HttpOutcome::Pending(pending) = endpoint.handle_request(head, bytes::Bytes::new()) {
///     let response = pending.await; // or drop it when the client disconnects
///     # let _ = response;
/// }
/// # }
/// ```
#[must_use = "dropping a pending response aborts the request"]
pub struct PendingResponse {
    pub(super) rx: oneshot::Receiver<HttpResponse>,
    pub(super) id: ReqId,
    pub(super) ops: Option<Arc<dyn Ops>>,
}

impl Future for PendingResponse {
    type Output = HttpResponse;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<HttpResponse> {
        match Pin::new(&mut self.rx).poll(cx) {
            Poll::Ready(Ok(resp)) => {
                self.ops = None;
                Poll::Ready(resp)
            }
            // The server dropped the request without an answer (it shut down).
            Poll::Ready(Err(_)) => {
                self.ops = None;
                Poll::Ready(bad_request())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for PendingResponse {
    fn drop(&mut self) {
        if let Some(ops) = self.ops.take() {
            ops.request_aborted(self.id);
        }
    }
}

/// A WebSocket request the core accepted; see [`HttpOutcome::WebSocket`]. Dropping it
/// without [`Endpoint::ws_open`](super::Endpoint::ws_open) (the upgrade failed) tells the core.
///
/// ```
/// # use volley_protocol::api::*;
/// # use volley_protocol::engine::{Method, RequestHead};
/// # async fn f(endpoint: Endpoint) {
/// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket");
/// if let HttpOutcome::WebSocket(upgrade) = endpoint.handle_request(head, bytes::Bytes::new()) {
///     // ... after `101 Switching Protocols` went out:
///     let link = endpoint.ws_open(upgrade);
///     # drop(link);
/// }
/// # }
/// ```
#[must_use = "pass it to Endpoint::ws_open once the upgrade completed"]
pub struct WsUpgrade {
    pub(super) req: ReqId,
    pub(super) headers: Vec<(Str, Str)>,
    pub(super) ops: Option<Arc<dyn Ops>>,
    pub(super) refusal: Option<HttpResponse>,
}

impl WsUpgrade {
    /// The answer to send instead of `101` once the WebSocket handshake's headers passed
    /// their checks: the reference refuses a WebSocket handshake whose `EIO` is not 4 only
    /// after those (`400`, `Connection: close`, the message as plain text). `None` for every
    /// upgrade the core accepted.
    ///
    /// ```
    /// # use volley_protocol::api::*;
    /// # use volley_protocol::engine::{Method, RequestHead};
    /// # async fn f(endpoint: Endpoint) {
    /// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=3&transport=websocket")
    ///     .with_header("Connection", "Upgrade")
    ///     .with_header("Connection", "Upgrade").with_header("Upgrade", "websocket");
    /// if let HttpOutcome::WebSocket(mut upgrade) = endpoint.handle_request(head, bytes::Bytes::new()) {
    ///     // ... the handshake headers are valid:
    ///     let refusal = upgrade.take_refusal().expect("EIO 3 is refused");
    ///     assert_eq!(&refusal.body[..], b"Unsupported protocol version");
    /// }
    /// # }
    /// ```
    pub fn take_refusal(&mut self) -> Option<HttpResponse> {
        self.refusal.take()
    }

    /// Headers the `101 Switching Protocols` carries besides the WebSocket handshake's own
    /// (CORS, and what the headers hooks set); usually none.
    pub fn headers(&self) -> &[(Str, Str)] {
        &self.headers
    }
}

impl Drop for WsUpgrade {
    fn drop(&mut self) {
        if let Some(ops) = self.ops.take() {
            ops.request_aborted(self.req);
        }
    }
}

/// One open WebSocket, as its connection task sees it.
///
/// The task feeds received frames to [`WsLink::handle_message`]; when
/// [`WsLink::poll_ready`] is ready it takes every queued frame with [`WsLink::drain`], writes
/// them and flushes once. Dropping the link tells the core the transport closed.
///
/// ```
/// # use volley_protocol::api::WsLink;
/// # use volley_protocol::engine::WsFrame;
/// # use std::task::{Context, Poll};
/// /// One step of a connection task: read side, then write side.
/// fn step(link: &WsLink, cx: &mut Context<'_>, received: Option<WsFrame>, out: &mut Vec<WsFrame>) -> bool {
///     if let Some(frame) = received {
///         link.handle_message(frame);
///     }
///     if link.poll_ready(cx).is_ready() {
///         return link.drain(out); // write `out`, flush once; close if false
///     }
///     true
/// }
/// # let _ = step;
/// ```
pub struct WsLink {
    pub(super) conn: ConnId,
    pub(super) signal: Arc<LinkSignal>,
    pub(super) ops: Arc<dyn Ops>,
}

impl WsLink {
    /// Hands a received frame to the core (runs synchronous handlers before returning).
    ///
    /// ```
    /// # use volley_protocol::api::WsLink;
    /// # fn f(link: &WsLink) {
    /// use volley_protocol::engine::WsFrame;
    /// link.handle_message(WsFrame::Text("4hello".into()));
    /// # }
    /// ```
    pub fn handle_message(&self, frame: WsFrame) {
        self.ops.ws_message(self.conn, frame, true);
    }

    /// Hands a received frame to the core like [`handle_message`](Self::handle_message)
    /// (its synchronous handlers run before this returns), but leaves routing what they
    /// queued (waking the writers, this link's included; answering parked polling requests;
    /// re-arming the timer) to the next [`route`](Self::route): a task that reads several
    /// frames in one wake-up feeds each and routes once, before it writes. Until then the
    /// replies wait in the core, in order (any other call into the endpoint routes them
    /// too).
    ///
    /// ```
    /// # use volley_protocol::api::WsLink;
    /// # fn f(link: &WsLink, received: Vec<volley_protocol::engine::WsFrame>) {
    /// for frame in received {
    ///     link.feed(frame);
    /// }
    /// link.route();
    /// # }
    /// ```
    pub fn feed(&self, frame: WsFrame) {
        self.ops.ws_message(self.conn, frame, false);
    }

    /// Routes what the frames given to [`feed`](Self::feed) queued (see there).
    ///
    /// ```
    /// # use volley_protocol::api::WsLink;
    /// # fn f(link: &WsLink) {
    /// use volley_protocol::engine::WsFrame;
    /// link.feed(WsFrame::Text("42[\"hello\"]".into()));
    /// link.route();
    /// # }
    /// ```
    pub fn route(&self) {
        self.ops.route();
    }

    /// Ready when frames are queued for this connection or the core wants it closed.
    ///
    /// ```
    /// # use volley_protocol::api::WsLink;
    /// # async fn f(link: &WsLink) {
    /// std::future::poll_fn(|cx| link.poll_ready(cx)).await;
    /// # }
    /// ```
    pub fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.signal.poll_until(cx, |st| st.ready || st.close)
    }

    /// Ready once the core wants the connection closed, even while earlier frames are still
    /// being written: a task whose writes are stuck (a peer that does not read) checks this to
    /// give up on the peer instead of waiting for it forever.
    ///
    /// ```
    /// # use volley_protocol::api::WsLink;
    /// # use std::task::Context;
    /// # fn f(link: &WsLink, cx: &mut Context<'_>) {
    /// if link.poll_closing(cx).is_ready() {
    ///     // drain the last frames, try to write them briefly, then close
    /// }
    /// # }
    /// ```
    pub fn poll_closing(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.signal.poll_until(cx, |st| st.close)
    }

    /// Moves every queued frame into `out` (in order). Returns `false` when the connection
    /// must be closed after writing them.
    ///
    /// ```
    /// # use volley_protocol::api::WsLink;
    /// # fn f(link: &WsLink) {
    /// let mut frames = Vec::new();
    /// let open = link.drain(&mut frames);
    /// // write every frame, flush once; then close the socket if `!open`
    /// # let _ = open;
    /// # }
    /// ```
    pub fn drain(&self, out: &mut Vec<WsFrame>) -> bool {
        self.ops.ws_drain(self.conn, &self.signal, out)
    }
}

impl Drop for WsLink {
    fn drop(&mut self) {
        self.ops.ws_closed(self.conn);
    }
}

/// A response 400 `{"code":3,"message":"Bad request"}`, as the reference sends for requests
/// it cannot make sense of.
///
/// ```
/// let response = volley_protocol::api::bad_request();
/// assert_eq!(response.status, 400);
/// ```
pub fn bad_request() -> HttpResponse {
    HttpResponse {
        status: 400,
        headers: vec![(
            Str::from_static("Content-Type"),
            Str::from_static("application/json"),
        )],
        body: Bytes::from_static(br#"{"code":3,"message":"Bad request"}"#),
        compressible: false,
    }
}
