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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bridge;
mod client_dir;
mod conn;
mod cork;
mod http;
mod limit;
mod service;
mod timer;
mod ws;

pub use bridge::UpgradedIo;
pub use client_dir::{with_client, CLIENT_DIR_ENV};
pub use conn::{serve, Limits, Listener, Serve, DEFAULT_SHUTDOWN_DEADLINE};
pub use http::{empty, to_hyper, RemoteAddr};
pub use service::{App, AppBody, BoxError, NotFound, VolleyBody, VolleyLayer, VolleyService};
pub use timer::Timer;
pub use tungstenite;
pub use ws::run as run_websocket;

use bytes::Bytes;
use futures_util::{Sink, Stream};
use http::{read_body, refuse_body, request_head};
use http_body_util::Full;
use hyper::body::Body;
use hyper::{Request, Response, StatusCode};
use std::future::Future;
use std::time::Instant;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Error as WsError, Message};
use volley_protocol::api::{Endpoint, HttpOutcome};
use volley_protocol::engine::Method;

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
    /// Completes at `at`.
    fn sleep_until(&self, at: Instant) -> impl Future<Output = ()> + Send;
    /// Wraps an upgraded HTTP connection (server side) in a WebSocket stream with `config`.
    fn websocket(
        &self,
        io: UpgradedIo,
        config: WebSocketConfig,
    ) -> impl Future<Output = Self::WebSocket> + Send;
}

/// Serves one request under Volley's path: reads the body (answering 413 past maxPayload),
/// hands the request to the core, waits for a parked long-poll, and answers a WebSocket
/// request with `101` while spawning its connection task on `rt`.
pub async fn handle<R, B>(rt: &R, io: Endpoint, req: Request<B>) -> Response<Full<Bytes>>
where
    R: IoRuntime,
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let head = request_head(&req);
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
    let body = match head.method {
        Method::Post | Method::Put => {
            let deadline = Instant::now() + io.body_timeout();
            match read_body(rt, body, io.max_payload(), deadline).await {
                Ok(body) => body,
                Err(e) => {
                    let status = e.status();
                    log(status, None);
                    return refuse_body(status);
                }
            }
        }
        _ => Bytes::new(),
    };
    let (response, parked) = match io.handle_request(head, body) {
        HttpOutcome::Respond(resp) => (to_hyper(resp), None),
        HttpOutcome::Pending(pending) => {
            let parked = traced.is_some().then(Instant::now);
            (to_hyper(pending.await), parked)
        }
        HttpOutcome::WebSocket(upgrade) => (ws::accept(rt, io, &mut parts, upgrade), None),
        HttpOutcome::NotMine => (empty(StatusCode::NOT_FOUND), None),
    };
    log(response.status(), parked);
    response
}
