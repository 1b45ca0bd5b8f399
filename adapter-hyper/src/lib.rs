//! # volley-hyper
//!
//! The part of Volley's HTTP and WebSocket plumbing that does not depend on an async runtime,
//! shared by `volley-tokio` and `volley-async-std`: turning hyper 1.x requests into the core's
//! [`RequestHead`](volley_protocol::engine::RequestHead) and its responses back, the WebSocket
//! handshake answer and the task that drives one WebSocket (any tungstenite 0.30 stream, from
//! tokio-tungstenite or async-tungstenite), one HTTP/1.1 connection with graceful shutdown,
//! the server-wide shutdown sequence, the one timer task per server, and loading the official
//! browser client from npm.
//!
//! An adapter implements [`IoRuntime`] (spawning, sleeping, wrapping an upgraded connection
//! in its WebSocket stream) and its own accept loop; everything else comes from here,
//! including the tower [`VolleyService`] / [`VolleyLayer`], which each adapter names for its
//! runtime.
// One `unsafe` block: a text frame tungstenite validated is not validated again (`ws.rs`).
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod pass_through;

mod bridge;
mod client_dir;
mod conn;
mod cork;
mod head_timeout;
mod http;
mod limit;
mod linger;
mod read_ahead;
mod service;
mod stall;
mod timer;
mod ws;
mod ws_handshake;

pub use bridge::UpgradedIo;
pub use client_dir::{with_client, CLIENT_DIR_ENV};
pub use conn::{serve, Limits, Listener, Serve, DEFAULT_SHUTDOWN_DEADLINE};
pub use head_timeout::DEFAULT_HEAD_TIMEOUT;
pub use http::{empty, to_hyper, RemoteAddr};
pub use service::{App, AppBody, BoxError, NotFound, VolleyBody, VolleyLayer, VolleyService};
pub use timer::Timer;
pub use tungstenite;
pub use ws::run as run_websocket;

use bytes::Bytes;
use futures_util::future::{select, Either};
use futures_util::{Sink, Stream};
use http::{read_body, refuse_body, request_head, BodyError};
use http_body_util::Full;
use hyper::body::Body;
use hyper::{Request, Response, StatusCode};
use std::future::Future;
use std::pin::pin;
use std::time::Instant;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Error as WsError, Message};
use volley_protocol::api::{Endpoint, HeadOutcome, HttpOutcome};

/// What the shared plumbing needs from an async runtime. `volley-tokio` and
/// `volley-async-std` each implement it in a few lines.
pub trait IoRuntime: Clone + Send + Sync + Unpin + 'static {
    /// The runtime's tungstenite stream over an upgraded connection.
    type WebSocket: Stream<Item = Result<Message, WsError>>
        + Sink<Message, Error = WsError>
        + Send
        + Unpin;
    /// The runtime that runs `io`'s connection tasks (where a runtime is not global, the one
    /// `io` was created on).
    fn for_endpoint(io: &Endpoint) -> Self;
    /// Runs `fut` in the background.
    fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static);
    /// Runs `f` where it may block for as long as it takes without holding up the runtime's
    /// tasks (the graceful shutdown runs the app's disconnect handlers there, bounded by its
    /// deadline), in the runtime's context, so code it calls may spawn tasks. The default
    /// runs it on a thread of its own.
    fn spawn_blocking(&self, f: impl FnOnce() + Send + 'static) {
        let spawned = std::thread::Builder::new()
            .name("volley-blocking".to_owned())
            .spawn(f);
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start a thread");
        }
    }
    /// Completes at `at`.
    fn sleep_until(&self, at: Instant) -> impl Future<Output = ()> + Send;
    /// Wraps an upgraded HTTP connection (server side) in a WebSocket stream with `config`.
    fn websocket(
        &self,
        io: UpgradedIo,
        config: WebSocketConfig,
    ) -> impl Future<Output = Self::WebSocket> + Send;
}

/// Serves one request under Volley's path: hands its head to the core, reads a POST body
/// when the core asks for it (answering 413 past maxPayload, and stopping early when the
/// core ends the request), waits for a parked long-poll, and answers a WebSocket
/// request with `101` while spawning its connection task on `rt`.
///
/// The peer address comes from the request's [`RemoteAddr`] extension, when there is one.
pub async fn handle<R, B>(rt: &R, io: Endpoint, req: Request<B>) -> Response<Full<Bytes>>
where
    R: IoRuntime,
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    handle_on(rt, io, req, ConnInfo::default()).await
}

/// What the standalone server knows about the connection a request came on, handed to
/// [`handle_on`] directly rather than as request extensions (which would cost a map and a box
/// per extension for every request).
#[derive(Default)]
pub(crate) struct ConnInfo {
    /// The peer address; without it, the request's [`RemoteAddr`] extension, if any.
    pub(crate) remote: Option<std::net::SocketAddr>,
    /// Asks the connection to keep its next `101` answer (see `cork`).
    pub(crate) cork: Option<cork::CorkNext>,
}

/// [`handle`] for a request whose connection is described by `conn`.
pub(crate) async fn handle_on<R, B>(
    rt: &R,
    io: Endpoint,
    req: Request<B>,
    conn: ConnInfo,
) -> Response<Full<Bytes>>
where
    R: IoRuntime,
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let remote = conn
        .remote
        .or_else(|| req.extensions().get::<RemoteAddr>().map(|r| r.0));
    let head = request_head(&req, remote);
    let (mut parts, body) = req.into_parts();
    // Every request at debug level (method, query, status, how long it took, how long it was
    // parked): what tells a late answer from a wrong one when a client reports an error.
    let traced = tracing::enabled!(tracing::Level::DEBUG)
        .then(|| (parts.method.clone(), parts.uri.clone(), Instant::now()));
    let log = |status: StatusCode, parked: Option<Instant>| {
        if let Some((method, uri, started)) = &traced {
            tracing::debug!(
                %method,
                query = uri.query().unwrap_or(""),
                status = status.as_u16(),
                took_ms = started.elapsed().as_millis() as u64,
                parked_ms = parked.map(|p| p.elapsed().as_millis() as u64),
                "request"
            );
        }
    };
    // A POST's head goes to the core before its body is read, so the core knows the POST is
    // in flight (a second one meanwhile is refused, as by the reference).
    let outcome = match io.handle_head(head) {
        // A handshake waiting for an async `allow_request`: dropped with this future when
        // the client goes away, which tells the core.
        HeadOutcome::Ready(HttpOutcome::Deferred(verdict)) => verdict.await,
        HeadOutcome::Ready(outcome) => outcome,
        HeadOutcome::ReadBody(mut post) => {
            let deadline = Instant::now() + io.body_timeout();
            let read = {
                let read = read_body(rt, body, io.max_payload(), deadline);
                match select(pin!(read), pin!(post.ended())).await {
                    Either::Left((read, _)) => Ok(read),
                    Either::Right((response, _)) => Err(response),
                }
            };
            match read {
                Ok(Ok(body)) => HttpOutcome::Respond(io.handle_body(post, Some(body))),
                Ok(Err(BodyError::TooLarge)) => {
                    let response = refuse_body(to_hyper(io.handle_body(post, None)));
                    log(response.status(), None);
                    return response;
                }
                Ok(Err(e)) => {
                    // Dropping `post` tells the core the POST never completed.
                    drop(post);
                    let status = e.status();
                    log(status, None);
                    return refuse_body(empty(status));
                }
                Err(ended) => {
                    // The session closed while the body was arriving: the reference
                    // destroys such a request; answer it and drop the rest of the body.
                    let response = refuse_body(to_hyper(ended));
                    log(response.status(), None);
                    return response;
                }
            }
        }
    };
    // Polling bodies and client files may go out compressed (`httpCompression`): decided
    // here, on the request's own task, outside the core's lock.
    let accept_encoding = (parts.method == hyper::Method::GET)
        .then(|| parts.headers.get(hyper::header::ACCEPT_ENCODING).cloned())
        .flatten();
    let finish = |mut resp: volley_protocol::engine::HttpResponse| {
        if resp.compressible {
            let accept = accept_encoding.as_ref().and_then(|v| v.to_str().ok());
            resp.compress_for(accept, io.http_compression());
        }
        to_hyper(resp)
    };
    let (response, parked) = match outcome {
        HttpOutcome::Respond(resp) => (finish(resp), None),
        HttpOutcome::Pending(pending) => {
            let parked = traced.is_some().then(Instant::now);
            (finish(pending.await), parked)
        }
        HttpOutcome::WebSocket(upgrade) => (
            ws::accept(rt, io, &mut parts, conn.cork.as_ref(), upgrade),
            None,
        ),
        HttpOutcome::NotMine => (empty(StatusCode::NOT_FOUND), None),
        // A resolved verdict is never deferred again.
        HttpOutcome::Deferred(_) => (to_hyper(volley_protocol::api::bad_request()), None),
    };
    log(response.status(), parked);
    response
}
