//! [`RemoteSocket`]: a socket found by `fetch_all_sockets`, on this node or another one of the
//! cluster, that the app can still act on (the reference's `RemoteSocket`).
//!
//! Every action is a cluster-wide operation selecting the socket's own room, the way the
//! reference does it: `emit` is a broadcast to `[id]`, an emit with an ack is a broadcast with
//! acks expecting one answer, `join`/`leave`/`disconnect` are `socketsJoin`/`socketsLeave`/
//! `disconnectSockets` on `[id]`. The node that holds the socket applies them; the cluster
//! messages are the ones those operations already send, so a reference node (with
//! `@socket.io/redis-adapter`) holding the socket applies them too.

use super::ack::AckFuture;
use super::event::EmitError;
use super::io::IoShared;
use super::operators::{event_payload, DEFAULT_ACK_TIMEOUT};
use super::ops;
use crate::server::{BroadcastOptions, Room, SocketId, SocketInfo};
use crate::socket::{Args, RawArgs};
use crate::Str;
use futures_channel::oneshot;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// A socket of the cluster (this node's or another node's), as `fetch_all_sockets` found it:
/// the plain data of a [`SocketInfo`] (through `Deref`: `id`, `rooms`, `data`, the handshake's
/// `headers`, `query`, `auth`, `address`, `url`, `age`), the namespace it belongs to, and
/// actions that reach the socket on whichever node holds it.
///
/// The data is a snapshot taken when it was fetched: `rooms` does not change after
/// [`join`](Self::join). The actions go out at once and do not report whether the socket was
/// still there (as in the reference), except [`emit_with_ack`](Self::emit_with_ack), whose
/// answer says.
///
/// ```
/// # use volley_protocol::api::Io;
/// # async fn f(io: Io) {
/// use std::time::Duration;
/// for socket in io.fetch_all_sockets().await {
///     if socket.data["role"] == "admin" {
///         socket.join("admins");
///         let _ = socket.emit("promoted", &());
///         let answer = socket.timeout(Duration::from_secs(2)).emit_with_ack("ready?", &());
///         if let Ok(answer) = answer {
///             let ready = answer.await.is_ok();
///             # let _ = ready;
///         }
///     } else if socket.data["banned"] == true {
///         socket.disconnect();
///     }
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct RemoteSocket {
    io: Arc<IoShared>,
    nsp: Str,
    info: SocketInfo,
    timeout: Option<Duration>,
}

impl std::ops::Deref for RemoteSocket {
    type Target = SocketInfo;
    fn deref(&self) -> &SocketInfo {
        &self.info
    }
}

impl std::fmt::Debug for RemoteSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSocket")
            .field("nsp", &self.nsp)
            .field("info", &self.info)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RemoteSocket {
    pub(crate) fn new(io: Arc<IoShared>, nsp: Str, info: SocketInfo) -> Self {
        RemoteSocket {
            io,
            nsp,
            info,
            timeout: None,
        }
    }

    /// The socket id (also the name of its own room).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// for socket in io.fetch_all_sockets().await {
    ///     assert_eq!(socket.id(), &socket.id);
    /// }
    /// # }
    /// ```
    pub fn id(&self) -> &SocketId {
        &self.info.id
    }

    /// The namespace the socket belongs to.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// for socket in io.of("/chat").fetch_all_sockets().await {
    ///     assert_eq!(socket.ns(), "/chat");
    /// }
    /// # }
    /// ```
    pub fn ns(&self) -> &str {
        &self.nsp
    }

    /// The rooms the socket was in when it was fetched (its own id first).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// let playing = io.fetch_all_sockets().await.into_iter()
    ///     .filter(|s| s.rooms().iter().any(|r| r.starts_with("game-")))
    ///     .count();
    /// # let _ = playing;
    /// # }
    /// ```
    pub fn rooms(&self) -> &[Room] {
        &self.info.rooms
    }

    /// The socket's `data` when it was fetched (see
    /// [`SocketRef::data`](super::SocketRef::data)).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// let names: Vec<String> = io.fetch_all_sockets().await.iter()
    ///     .filter_map(|s| s.data()["name"].as_str().map(str::to_owned))
    ///     .collect();
    /// # let _ = names;
    /// # }
    /// ```
    pub fn data(&self) -> &serde_json::Value {
        &self.info.data
    }

    /// The plain description, without the handle.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// let infos: Vec<_> = io.fetch_all_sockets().await.into_iter().map(|s| s.into_info()).collect();
    /// # let _ = infos;
    /// # }
    /// ```
    pub fn into_info(self) -> SocketInfo {
        self.info
    }

    /// The selection of this one socket, wherever it lives.
    fn selection(&self) -> BroadcastOptions {
        BroadcastOptions::new().to(self.info.id.room())
    }

    /// The acknowledgement timeout of [`emit_with_ack`](Self::emit_with_ack) on the returned
    /// handle (5 s otherwise), as the reference's `remoteSocket.timeout(ms)`.
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # async fn f(socket: RemoteSocket) {
    /// use std::time::Duration;
    /// if let Ok(answer) = socket.timeout(Duration::from_millis(500)).emit_with_ack("ping", &()) {
    ///     let _ = answer.await;
    /// }
    /// # }
    /// ```
    pub fn timeout(&self, timeout: Duration) -> RemoteSocket {
        RemoteSocket {
            timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// Emits `event` to the socket (see [`SocketRef::emit`](super::SocketRef::emit) for how
    /// `data` becomes arguments). `Err` only for a reserved event name or data that does not
    /// serialize; a socket that is gone is not reported.
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # fn f(socket: RemoteSocket) {
    /// let _ = socket.emit("notice", &("maintenance", 5));
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        self.emit_raw(event_payload(event, data)?);
        Ok(())
    }

    /// Emits `event` with forwarded arguments (another event's or ack's, unparsed).
    ///
    /// ```
    /// # use volley_protocol::api::{Io, SocketRef};
    /// # fn f(io: Io, socket: SocketRef) {
    /// socket.on("tell", move |_socket, event| {
    ///     let io = io.clone();
    ///     async move {
    ///         for peer in io.to("support").fetch_all_sockets().await {
    ///             peer.emit_forward("told", event.forward_args());
    ///         }
    ///     }
    /// });
    /// # }
    /// ```
    pub fn emit_forward(&self, event: &str, args: &Args) {
        self.emit_raw(super::forward::event_payload(event, args));
    }

    /// Emits a serialized `[name, ...args]` payload.
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # fn f(socket: RemoteSocket) {
    /// use volley_protocol::socket::to_event;
    /// socket.emit_raw(to_event("score", &("ann", 3)).unwrap());
    /// # }
    /// ```
    pub fn emit_raw(&self, payload: RawArgs) {
        ops::broadcast(&self.io, &self.nsp, &self.selection(), payload);
    }

    /// Emits `event` and waits for the client's acknowledgement, for the timeout set with
    /// [`timeout`](Self::timeout) (5 s by default). The answer is
    /// [`AckError::Timeout`](super::AckError::Timeout) when the client did not answer in time,
    /// and [`AckError::Disconnected`](super::AckError::Disconnected) when no node holds the
    /// socket any more (the reference resolves with `undefined` then).
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # async fn f(socket: RemoteSocket) {
    /// use volley_protocol::api::AckError;
    /// match socket.emit_with_ack("version?", &()).map(|answer| async { answer.await }) {
    ///     Ok(answer) => match answer.await {
    ///         Ok(reply) => println!("runs {}", reply.arg::<String>(0).unwrap_or_default()),
    ///         Err(AckError::Disconnected) => println!("gone from every node"),
    ///         Err(e) => println!("{e}"),
    ///     },
    ///     Err(e) => println!("not sent: {e}"),
    /// }
    /// # }
    /// ```
    pub fn emit_with_ack<T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> Result<AckFuture, EmitError> {
        let payload = event_payload(event, data)?;
        let opts = self
            .selection()
            .timeout(self.timeout.unwrap_or(DEFAULT_ACK_TIMEOUT));
        let (rx, _) = ops::start_broadcast_with_ack(&self.io, &self.nsp, &opts, payload);
        Ok(AckFuture::broadcast(rx, self.info.id.clone()))
    }

    /// Makes the socket join `room`.
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # fn f(socket: RemoteSocket) {
    /// socket.join("vip");
    /// # }
    /// ```
    pub fn join(&self, room: impl Into<Room>) {
        self.join_many([room]);
    }

    /// Makes the socket join several rooms at once (the reference's `join(["a", "b"])`).
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # fn f(socket: RemoteSocket) {
    /// socket.join_many(["game-7", "team-red"]);
    /// # }
    /// ```
    pub fn join_many<I>(&self, rooms: I)
    where
        I: IntoIterator,
        I::Item: Into<Room>,
    {
        let rooms: Vec<Room> = rooms.into_iter().map(Into::into).collect();
        ops::sockets_join(&self.io, &self.nsp, &self.selection(), &rooms);
    }

    /// Makes the socket leave `room`.
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # fn f(socket: RemoteSocket) {
    /// socket.leave("vip");
    /// # }
    /// ```
    pub fn leave(&self, room: &str) {
        ops::sockets_leave(&self.io, &self.nsp, &self.selection(), room);
    }

    /// Disconnects the socket from its namespace; the client sees `io server disconnect`.
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # fn f(socket: RemoteSocket) {
    /// socket.disconnect();
    /// # }
    /// ```
    pub fn disconnect(&self) {
        ops::disconnect_sockets(&self.io, &self.nsp, &self.selection(), false);
    }

    /// Disconnects the socket and closes its client's connection (every namespace of that
    /// client): the reference's `remoteSocket.disconnect(true)`.
    ///
    /// ```
    /// # use volley_protocol::api::RemoteSocket;
    /// # fn f(socket: RemoteSocket) {
    /// socket.disconnect_and_close();
    /// # }
    /// ```
    pub fn disconnect_and_close(&self) {
        ops::disconnect_sockets(&self.io, &self.nsp, &self.selection(), true);
    }
}

/// Where the answer to one namespace's `fetch_all_sockets` request goes.
pub(crate) struct FetchSender {
    tx: oneshot::Sender<Vec<RemoteSocket>>,
    nsp: Str,
}

impl FetchSender {
    pub(crate) fn new(tx: oneshot::Sender<Vec<RemoteSocket>>, nsp: Str) -> Self {
        FetchSender { tx, nsp }
    }

    /// Completes the request with the sockets found on every node.
    pub(crate) fn send(self, io: &Arc<IoShared>, found: Vec<SocketInfo>) {
        let FetchSender { tx, nsp } = self;
        let sockets = found
            .into_iter()
            .map(|info| RemoteSocket::new(io.clone(), nsp.clone(), info))
            .collect();
        let _ = tx.send(sockets);
    }
}
