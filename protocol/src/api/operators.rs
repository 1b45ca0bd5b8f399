//! Emit operators: one socket with flags ([`SocketEmitter`]) and broadcasts
//! ([`BroadcastOperator`]: `to`, `except`, `volatile`, `local`, `timeout`).

use super::ack::{AckFuture, BroadcastAckFuture, FetchSocketsFuture};
use super::event::EmitError;
use super::io::IoShared;
use super::ops;
use super::socket::SocketRef;
use crate::server::{BroadcastOptions, PatternId, Room};
use crate::socket::{is_reserved_event, to_event, Args, RawArgs};
use crate::Str;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Acknowledgement timeout when none is given.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(volley_protocol::api::DEFAULT_ACK_TIMEOUT, Duration::from_secs(5));
/// ```
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn event_payload<T: Serialize + ?Sized>(
    event: &str,
    data: &T,
) -> Result<RawArgs, EmitError> {
    if is_reserved_event(event) {
        return Err(EmitError::ReservedName(event.to_owned()));
    }
    Ok(to_event(event, data)?)
}

/// One socket with emit flags. Made by [`SocketRef::timeout`] and [`SocketRef::volatile`].
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # async fn f(socket: SocketRef) {
/// use std::time::Duration;
/// let answer = socket.timeout(Duration::from_secs(1)).emit_with_ack("ready?", &());
/// if let Ok(fut) = answer {
///     let _ = fut.await;
/// }
/// let _ = socket.volatile().emit("position", &(10, 20));
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SocketEmitter {
    socket: SocketRef,
    timeout: Option<Duration>,
    volatile: bool,
}

impl SocketEmitter {
    pub(crate) fn new(socket: SocketRef) -> Self {
        SocketEmitter {
            socket,
            timeout: None,
            volatile: false,
        }
    }

    /// Sets the acknowledgement timeout.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// use std::time::Duration;
    /// let reply = socket.timeout(Duration::from_millis(300)).emit_with_ack("ping", &()).unwrap().await;
    /// # let _ = reply;
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Marks packets volatile (dropped first when the client falls behind).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let _ = socket.volatile().emit("cursor", &(3, 4));
    /// # }
    /// ```
    pub fn volatile(mut self) -> Self {
        self.volatile = true;
        self
    }

    /// Emits `event` (see [`SocketRef::emit`] for how `data` becomes arguments).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let _ = socket.volatile().emit("cursor", &(3, 4));
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        self.emit_raw(event_payload(event, data)?)
    }

    /// Emits `event` with forwarded arguments.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("echo", |socket, event| {
    ///     let _ = socket.volatile().emit_forward("echo", event.forward_args());
    /// });
    /// # }
    /// ```
    pub fn emit_forward(&self, event: &str, args: &Args) -> Result<(), EmitError> {
        self.emit_raw(super::forward::event_payload(event, args))
    }

    /// Emits a serialized `[name, ...args]` payload.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// use volley_protocol::socket::to_event;
    /// let payload = to_event("score", &("ann", 3)).unwrap();
    /// let _ = socket.volatile().emit_raw(payload);
    /// # }
    /// ```
    pub fn emit_raw(&self, payload: RawArgs) -> Result<(), EmitError> {
        let s = &self.socket;
        ops::emit_to_socket(&s.io, &s.entry.id, &s.entry.nsp, payload, self.volatile)
    }

    /// Emits `event` and waits for the acknowledgement.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// use std::time::Duration;
    /// if let Ok(answer) = socket.timeout(Duration::from_secs(2)).emit_with_ack("confirm?", &"delete") {
    ///     let confirmed = answer.await.map(|r| r.arg::<bool>(0).unwrap_or(false));
    ///     # let _ = confirmed;
    /// }
    /// # }
    /// ```
    pub fn emit_with_ack<T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> Result<AckFuture, EmitError> {
        let payload = event_payload(event, data)?;
        let s = &self.socket;
        let timeout = self.timeout.unwrap_or(DEFAULT_ACK_TIMEOUT);
        ops::emit_with_ack(&s.io, &s.entry.id, &s.entry.nsp, payload, timeout)
    }
}

/// A selection of sockets in one namespace, to emit to or act on. Made by `io.to(..)`,
/// `io.of(..).except(..)`, `socket.broadcast()`, …; each operator returns a new selection.
///
/// ```
/// # use volley_protocol::api::Io;
/// # fn f(io: Io) -> Result<(), volley_protocol::api::EmitError> {
/// // Everyone in "room1" or "room2", except those in "muted".
/// io.to("room1").to("room2").except("muted").emit("news", &"hello")?;
/// // Dropped for clients that are not ready, and not sent to other cluster nodes.
/// io.volatile().local().emit("tick", &42)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct BroadcastOperator {
    io: Arc<IoShared>,
    target: Target,
    opts: BroadcastOptions,
}

/// The namespaces a selection spans.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// One namespace.
    Nsp(Str),
    /// Every live child of a dynamic namespace pattern (the reference's parent namespace).
    Children(PatternId),
}

impl BroadcastOperator {
    pub(crate) fn new(io: Arc<IoShared>, nsp: Str, opts: BroadcastOptions) -> Self {
        Self::with_target(io, Target::Nsp(nsp), opts)
    }

    pub(crate) fn with_target(io: Arc<IoShared>, target: Target, opts: BroadcastOptions) -> Self {
        BroadcastOperator { io, target, opts }
    }

    /// Calls `f` with each namespace of the selection (children as they are right now).
    fn each_nsp<R>(&self, mut f: impl FnMut(&Str) -> R) -> Vec<R> {
        match &self.target {
            Target::Nsp(nsp) => vec![f(nsp)],
            Target::Children(pattern) => super::dynamic::children(&self.io, *pattern)
                .iter()
                .map(f)
                .collect(),
        }
    }

    /// Adds a target room (the selection is the union of its rooms).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.to("a").to("b").emit("both", &());
    /// # }
    /// ```
    pub fn to(mut self, room: impl Into<Room>) -> Self {
        self.opts = self.opts.to(room);
        self
    }

    /// Same as [`BroadcastOperator::to`].
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.to("a").within("b").emit("both", &());
    /// # }
    /// ```
    pub fn within(self, room: impl Into<Room>) -> Self {
        self.to(room)
    }

    /// Excludes the sockets in `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.to("game").except("spectators").emit("turn", &1);
    /// # }
    /// ```
    pub fn except(mut self, room: impl Into<Room>) -> Self {
        self.opts = self.opts.except(room);
        self
    }

    /// Packets may be dropped for clients that are not ready.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.to("game").volatile().emit("frame", &[1, 2, 3]);
    /// # }
    /// ```
    pub fn volatile(mut self) -> Self {
        self.opts = self.opts.volatile();
        self
    }

    /// Only this node (not published to other cluster nodes).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.to("game").local().emit("frame", &());
    /// # }
    /// ```
    pub fn local(mut self) -> Self {
        self.opts = self.opts.local();
        self
    }

    /// Acknowledgement timeout for [`BroadcastOperator::emit_with_ack`].
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// use std::time::Duration;
    /// let acks = io.to("game").timeout(Duration::from_secs(1)).emit_with_ack("ready?", &()).unwrap().await;
    /// # let _ = acks;
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.opts.flags.timeout = Some(timeout);
        self
    }

    /// Emits `event` to every selected socket; encoded once for all of them.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.to("room").emit("news", &serde_json::json!({ "title": "hi" }));
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        let payload = event_payload(event, data)?;
        self.emit_raw(payload);
        Ok(())
    }

    /// Emits `event` with forwarded arguments.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("chat", |socket, event| {
    ///     socket.to("chat").emit_forward("chat", event.forward_args());
    /// });
    /// # }
    /// ```
    pub fn emit_forward(&self, event: &str, args: &Args) {
        self.emit_raw(super::forward::event_payload(event, args));
    }

    /// Emits a serialized `[name, ...args]` payload.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// use volley_protocol::socket::to_event;
    /// io.to("room").emit_raw(to_event("news", &"encoded once").unwrap());
    /// # }
    /// ```
    pub fn emit_raw(&self, payload: RawArgs) {
        match &self.target {
            // The common case without the detour through a list.
            Target::Nsp(nsp) => ops::broadcast(&self.io, nsp, &self.opts, payload),
            Target::Children(_) => {
                self.each_nsp(|nsp| ops::broadcast(&self.io, nsp, &self.opts, payload.clone()));
            }
        }
    }

    /// Emits `event` and collects one acknowledgement per selected socket, until all answered
    /// or the timeout (default 5 s) passed.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// use std::time::Duration;
    /// if let Ok(acks) = io.timeout(Duration::from_secs(2)).emit_with_ack("vote?", &()) {
    ///     let acks = acks.await;
    ///     println!("{} of {} answered", acks.replies.len(), acks.expected);
    /// }
    /// # }
    /// ```
    pub fn emit_with_ack<T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> Result<BroadcastAckFuture, EmitError> {
        let payload = event_payload(event, data)?;
        let mut opts = self.opts.clone();
        opts.flags.timeout.get_or_insert(DEFAULT_ACK_TIMEOUT);
        let futures =
            self.each_nsp(|nsp| ops::broadcast_with_ack(&self.io, nsp, &opts, payload.clone()));
        Ok(BroadcastAckFuture::merge(futures))
    }

    /// The selected sockets (on this node).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let in_room = io.to("room").fetch_sockets();
    /// # let _ = in_room;
    /// # }
    /// ```
    pub fn fetch_sockets(&self) -> Vec<SocketRef> {
        let found = self.each_nsp(|nsp| ops::fetch_sockets(&self.io, nsp, &self.opts));
        found.into_iter().flatten().collect()
    }

    /// The selected sockets on every node of the cluster (unless `local`), as plain data:
    /// id, rooms, handshake details. Without a cluster adapter, the same sockets as
    /// [`BroadcastOperator::fetch_sockets`].
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// let online = io.to("lobby").fetch_all_sockets().await.len();
    /// # let _ = online;
    /// # }
    /// ```
    pub fn fetch_all_sockets(&self) -> FetchSocketsFuture {
        let futures = self.each_nsp(|nsp| ops::fetch_all_sockets(&self.io, nsp, &self.opts));
        FetchSocketsFuture::merge(futures)
    }

    /// Makes every selected socket join `room` (on every node unless `local`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.to("lobby").sockets_join("game-1");
    /// # }
    /// ```
    pub fn sockets_join(&self, room: impl Into<Room>) {
        let rooms = [room.into()];
        self.each_nsp(|nsp| ops::sockets_join(&self.io, nsp, &self.opts, &rooms));
    }

    /// Makes every selected socket leave `room` (on every node unless `local`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.to("game-1").sockets_leave("game-1");
    /// # }
    /// ```
    pub fn sockets_leave(&self, room: &str) {
        self.each_nsp(|nsp| ops::sockets_leave(&self.io, nsp, &self.opts, room));
    }

    /// Disconnects every selected socket (on every node unless `local`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.to("banned").disconnect_sockets();
    /// # }
    /// ```
    pub fn disconnect_sockets(&self) {
        self.each_nsp(|nsp| ops::disconnect_sockets(&self.io, nsp, &self.opts, false));
    }

    /// Disconnects every selected socket and closes its client's connection, with every other
    /// socket of that client (the reference's `disconnectSockets(true)`; on every node unless
    /// `local`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.to("banned").disconnect_sockets_and_close();
    /// # }
    /// ```
    pub fn disconnect_sockets_and_close(&self) {
        self.each_nsp(|nsp| ops::disconnect_sockets(&self.io, nsp, &self.opts, true));
    }
}

impl std::fmt::Debug for BroadcastOperator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BroadcastOperator")
            .field("target", &self.target)
            .field("opts", &self.opts)
            .finish()
    }
}
