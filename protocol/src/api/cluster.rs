//! Cluster requests of the user API that wait for answers from the other nodes and are not
//! in `io.rs`: `serverSideEmitWithAck` and `allRooms`; answering another node's
//! `serverSideEmitWithAck` (the event's ack, see `AckResponder`); the socket's `data`, which
//! other nodes see in `fetch_all_sockets`.
//!
//! A cluster adapter (e.g. `volley-redis`) is given to [`Options::adapters`](super::Options::adapters);
//! messages it receives from other nodes go to [`Io::handle_cluster_message`](super::Io::handle_cluster_message).

use super::ack::AckReply;
use super::event::EmitError;
use super::io::{IoShared, Namespace};
use super::operators::event_payload;
use super::ops::args_of;
use super::socket::{lock, SocketRef};
use crate::server::{Payload, ReplyTo, RequestId, RequestResult};
use crate::socket::RawArgs;
use crate::Str;
use futures_channel::oneshot;
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

type RequestSender = oneshot::Sender<(RequestResult, bool)>;

/// Cluster requests of this API waiting for their answers.
#[derive(Default)]
pub(crate) struct ClusterState {
    requests: Mutex<HashMap<RequestId, RequestSender>>,
}

/// Why a cluster request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// Some node did not answer within the timeout.
    #[error("timeout reached while waiting for the other nodes")]
    Timeout,
    /// The server shut down.
    #[error("server closed")]
    Closed,
}

/// Resolves to the answers of a cluster request once every node answered, or
/// [`ClusterError::Timeout`] (as the reference rejects).
#[must_use = "a cluster request does nothing unless awaited"]
pub struct ClusterFuture<T> {
    rx: oneshot::Receiver<(RequestResult, bool)>,
    nsp: Str,
    map: fn(RequestResult, &Str) -> Option<T>,
}

impl<T> Future for ClusterFuture<T> {
    type Output = Result<T, ClusterError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (map, nsp) = (self.map, self.nsp.clone());
        Pin::new(&mut self.rx).poll(cx).map(|r| match r {
            Ok((_, true)) => Err(ClusterError::Timeout),
            Ok((result, false)) => map(result, &nsp).ok_or(ClusterError::Closed),
            Err(_) => Err(ClusterError::Closed),
        })
    }
}

impl<T> std::fmt::Debug for ClusterFuture<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterFuture")
            .field("nsp", &self.nsp)
            .finish()
    }
}

/// Starts a request under the core lock and registers its answer before it can complete.
fn request<T>(
    io: &Arc<IoShared>,
    nsp: &Str,
    start: impl FnOnce(&mut crate::server::Server, std::time::Instant) -> Option<RequestId>,
    map: fn(RequestResult, &Str) -> Option<T>,
) -> ClusterFuture<T> {
    let (tx, rx) = oneshot::channel();
    io.with_core(|st, now| {
        if let Some(id) = start(&mut st.core, now) {
            lock(&io.app.cluster.requests).insert(id, tx);
        }
    });
    ClusterFuture {
        rx,
        nsp: nsp.clone(),
        map,
    }
}

fn rooms_of(r: RequestResult, _nsp: &Str) -> Option<Vec<Str>> {
    match r {
        RequestResult::AllRooms(mut v) => {
            v.sort_unstable();
            v.dedup();
            Some(v)
        }
        _ => None,
    }
}

fn replies_of(r: RequestResult, nsp: &Str) -> Option<Vec<AckReply>> {
    match r {
        RequestResult::ServerSideEmit(v) => Some(
            v.into_iter()
                .filter_map(|p| args_of(nsp, p, false))
                .map(|args| AckReply { socket: None, args })
                .collect(),
        ),
        _ => None,
    }
}

impl Namespace {
    /// Emits an event to the other nodes and collects one answer per node (the reference's
    /// `serverSideEmitWithAck`): each node answers through the event's ack in its
    /// [`on_server_side_emit`](Self::on_server_side_emit) handler. [`ClusterError::Timeout`]
    /// when some node did not answer within `timeout`; without other nodes, no answers.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// let ns = io.of("/");
    /// ns.on_server_side_emit(|mut event| {
    ///     let _ = event.ack(&"pong");
    /// });
    /// if let Ok(pending) = ns.server_side_emit_with_ack("ping", &(), Duration::from_secs(2)) {
    ///     for reply in pending.await.unwrap_or_default() {
    ///         let answer: String = reply.arg(0).unwrap_or_default();
    ///         # let _ = answer;
    ///     }
    /// }
    /// # }
    /// ```
    pub fn server_side_emit_with_ack<T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
        timeout: Duration,
    ) -> Result<ClusterFuture<Vec<AckReply>>, EmitError> {
        let RawArgs { json, attachments } = event_payload(event, data)?;
        let payload = Payload::with_attachments(json, attachments);
        let nsp = &self.entry.name;
        Ok(request(
            &self.io.0,
            nsp,
            |core, now| core.server_side_emit(now, nsp, payload, Some(timeout)),
            replies_of,
        ))
    }

    /// Every room of the namespace on every node, sorted, each once (the reference's
    /// `adapter.allRooms()`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// if let Ok(rooms) = chat.all_rooms().await {
    ///     println!("{} rooms across the cluster", rooms.len());
    /// }
    /// # }
    /// ```
    pub fn all_rooms(&self) -> ClusterFuture<Vec<Str>> {
        let nsp = self.entry.name.clone();
        request(
            &self.io.0,
            &nsp,
            |core, now| Some(core.all_rooms(now, &nsp)),
            rooms_of,
        )
    }
}

impl SocketRef {
    /// The socket's `data` (the reference's `socket.data`): JSON the other nodes see in
    /// `fetch_all_sockets`. `{}` at first. Its disconnecting handlers still read and change it;
    /// once the socket left, the data it left with, so its disconnect handlers can still read
    /// it (the reference keeps `socket.data` too). `None` only when the server no longer
    /// knows the socket and its leaving was not seen yet.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let user = socket.data().and_then(|d| d.get("user").cloned());
    /// socket.on_disconnect(|socket, reason| {
    ///     let user = socket.data().and_then(|d| d.get("user").cloned());
    ///     println!("{user:?} left: {reason}");
    /// });
    /// # let _ = user;
    /// # }
    /// ```
    pub fn data(&self) -> Option<serde_json::Value> {
        let id = self.entry.id.clone();
        let live = self
            .io
            .with_core(|st, _| st.core.socket(&id).map(|s| s.data().clone()));
        live.or_else(|| {
            let state = self.entry.state();
            state.rare.as_ref()?.leaving_data.clone()
        })
    }

    /// Replaces the socket's `data`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.set_data(serde_json::json!({ "user": "ada", "room": "lobby" }));
    /// # }
    /// ```
    pub fn set_data(&self, data: serde_json::Value) {
        self.update_data(|slot| *slot = data);
    }

    /// Changes the socket's `data` in place, in one step: no other `set_data` or
    /// `update_data` runs between the closure's read and its write, so concurrent handlers
    /// doing read-modify-write never lose an update (as the reference's single-threaded
    /// `socket.data.count++` never does). Returns the closure's result, or `None` (without
    /// calling it) once the socket has left.
    ///
    /// The closure runs under the server's lock: keep it short and call no other Volley API
    /// from it (that would deadlock).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("like", |socket, _event| async move {
    ///     let likes = socket.update_data(|data| {
    ///         let n = data["likes"].as_u64().unwrap_or(0) + 1;
    ///         data["likes"] = n.into();
    ///         n
    ///     });
    ///     if let Some(n) = likes {
    ///         let _ = socket.emit("likes", &n);
    ///     }
    /// });
    /// # }
    /// ```
    pub fn update_data<R>(&self, f: impl FnOnce(&mut serde_json::Value) -> R) -> Option<R> {
        let id = self.entry.id.clone();
        self.io
            .with_core(|st, _| st.core.socket_data_mut(&id).map(f))
    }
}

/// Answers another node's `serverSideEmitWithAck` (one value: the first argument, as in the
/// reference).
pub(crate) fn reply(io: &IoShared, nsp: &Str, to: ReplyTo, args: RawArgs) {
    let payload = Payload::with_attachments(args.json, args.attachments);
    io.with_core(|st, _| st.core.server_side_emit_reply(nsp, to, payload));
}

/// Completes the future of a cluster request of this module.
pub(crate) fn on_request_done(
    io: &IoShared,
    id: RequestId,
    result: RequestResult,
    timed_out: bool,
) {
    if let Some(tx) = lock(&io.app.cluster.requests).remove(&id) {
        let _ = tx.send((result, timed_out));
    }
}
