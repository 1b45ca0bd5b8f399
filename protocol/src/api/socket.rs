//! [`SocketRef`]: a handle to one connected socket, the Rust counterpart of the reference's
//! server-side `socket`.

use super::ack::AckFuture;
use super::any::{AnyListeners, DynListener};
use super::connecting::{find, put, Extensions};
use super::event::{AckResponder, EmitError, Event};
use super::handler::{
    erase_args, erase_event, erase_event_shared, erase_once, share_stateless, DynEvent,
    HandlerList, HandlerOutput,
};
use super::incoming::Gate;
use super::io::IoShared;
use super::middleware::{EventRefused, EventVerdict, MiddlewareOutput};
use super::operators::{BroadcastOperator, SocketEmitter};
use super::ops;
use super::runtime::Runtime;
use crate::server::{BroadcastOptions, DisconnectReason, Handshake, Room, SocketId, SocketKey};
use crate::socket::{Args, RawArgs};
use crate::Str;
use serde::Serialize;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

pub(crate) type DynDisconnect = Arc<dyn Fn(SocketRef, DisconnectReason) + Send + Sync>;
pub(crate) type DynEventMiddleware = Arc<dyn Fn(&SocketRef, &Event) -> EventVerdict + Send + Sync>;
pub(crate) type DynError = Arc<dyn Fn(SocketRef, EventRefused) + Send + Sync>;
pub(crate) type DynUpgrade = Arc<dyn Fn(SocketRef) + Send + Sync>;

/// Per-socket state kept by the API layer: handlers and user data. One lock for all of it
/// keeps an idle socket small; it is only held to look up or register, never while a handler
/// runs.
pub(crate) struct SocketEntry {
    pub(crate) id: SocketId,
    /// The core's handle of the socket.
    pub(crate) key: SocketKey,
    pub(crate) nsp: Str,
    pub(crate) handshake: Arc<Handshake>,
    pub(crate) state: Mutex<SocketState>,
}

pub(crate) struct SocketState {
    /// Few per socket, so a list (smaller than a map, and as fast to search); usually
    /// shared with the namespace's other sockets once the connection handlers ran.
    pub(crate) handlers: HandlerList,
    /// Events that arrived while the connection handlers or an async event middleware were
    /// still running; replayed after.
    pub(crate) gate: Option<Gate>,
    /// What many sockets never use, boxed so an idle socket does not carry it.
    pub(crate) rare: Option<Box<RareState>>,
}

/// The parts of [`SocketState`] set only by some applications, or only while leaving.
#[derive(Default)]
pub(crate) struct RareState {
    /// `on_any` listeners, in call order.
    pub(crate) any: Option<AnyListeners>,
    /// The `on_fallback` handler.
    pub(crate) fallback: Option<DynEvent>,
    pub(crate) disconnecting: Vec<DynDisconnect>,
    pub(crate) disconnect: Vec<DynDisconnect>,
    /// Event middleware (`socket.use`), in registration order.
    pub(crate) middleware: Vec<DynEventMiddleware>,
    /// What hears an event middleware's refusal.
    pub(crate) error: Vec<DynError>,
    /// `on_any_outgoing` listeners.
    pub(crate) outgoing: Vec<DynListener>,
    /// `on_upgrade` listeners.
    pub(crate) upgrade: Vec<DynUpgrade>,
    /// The `data` at the moment of leaving, for `data()` in disconnect handlers.
    pub(crate) leaving_data: Option<serde_json::Value>,
    pub(crate) extensions: Extensions,
}

impl SocketState {
    /// The rarely used parts, created on first use.
    pub(crate) fn rare(&mut self) -> &mut RareState {
        self.rare.get_or_insert_with(Default::default)
    }
}

impl SocketEntry {
    pub(crate) fn new(id: SocketId, key: SocketKey, nsp: Str, handshake: Arc<Handshake>) -> Self {
        SocketEntry {
            id,
            key,
            nsp,
            handshake,
            state: Mutex::new(SocketState {
                handlers: HandlerList::Empty,
                gate: Some(Gate::default()),
                rare: None,
            }),
        }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, SocketState> {
        lock(&self.state)
    }
}

pub(crate) fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}
pub(crate) fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A connected socket in one namespace. Cheap to clone; stays usable after the client left
/// (its emits then send nothing and return [`EmitError::Disconnected`], and
/// [`SocketRef::connected`] is false). While its disconnecting handlers run it is still
/// connected, in its namespace and rooms, as in the reference; its client takes nothing more
/// then (an emit returns `Ok` and sends nothing, as the reference's write goes nowhere).
///
/// ```
/// use volley_protocol::api::SocketRef;
///
/// fn on_connection(socket: SocketRef) {
///     let room: String = socket
///         .handshake()
///         .query_param("room")
///         .map(|r| r.into_owned())
///         .unwrap_or_else(|| "lobby".into());
///     socket.join(room.as_str());
///     socket.on("say", move |socket, event| {
///         let text: String = event.arg(0).unwrap_or_default();
///         let _ = socket.to(room.as_str()).emit("said", &(socket.id().as_str(), text));
///     });
///     socket.on_disconnect(|socket, reason| println!("{} left: {reason}", socket.id()));
/// }
/// # let _ = on_connection;
/// ```
#[derive(Clone)]
pub struct SocketRef {
    pub(crate) io: Arc<IoShared>,
    pub(crate) entry: Arc<SocketEntry>,
}

impl SocketRef {
    pub(crate) fn runtime(&self) -> Arc<dyn Runtime> {
        self.io.runtime.clone()
    }

    /// The socket id (also the name of its own room), as sent to the client.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// println!("socket {} connected", socket.id());
    /// # }
    /// ```
    pub fn id(&self) -> &SocketId {
        &self.entry.id
    }

    /// The namespace this socket joined.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// assert!(socket.ns().starts_with('/'));
    /// # }
    /// ```
    pub fn ns(&self) -> &str {
        &self.entry.nsp
    }

    /// The handshake: query parameters, headers, CONNECT auth and address.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let hs = socket.handshake();
    /// let agent = hs.header("user-agent").map(|v| v.to_string());
    /// let room = hs.query_param("room");
    /// let token = hs.auth_field("token");
    /// let address = hs.address();
    /// # let _ = (agent, room, token, address);
    /// # }
    /// ```
    pub fn handshake(&self) -> &Handshake {
        &self.entry.handshake
    }

    /// True while the socket is connected: also in its disconnecting handlers (as the
    /// reference's `socket.connected`), false from its disconnect handlers on.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let socket2 = socket.clone();
    /// socket.on("bye", move |_s, _e| assert!(socket2.connected()));
    /// # }
    /// ```
    pub fn connected(&self) -> bool {
        ops::is_connected(&self.io, &self.entry.id)
    }

    /// Whether connection state recovery restored this socket: it kept the id, rooms and
    /// `data` it had before its connection dropped, and got the events sent meanwhile (the
    /// reference's `socket.recovered`). Always false unless
    /// [`Options::connection_state_recovery`](super::Options::connection_state_recovery) is
    /// on.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// if !socket.recovered() {
    ///     socket.join("lobby"); // a restored socket is in its rooms already
    /// }
    /// # }
    /// ```
    pub fn recovered(&self) -> bool {
        let id = self.entry.id.clone();
        self.io
            .with_core(|st, _| st.core.socket_recovered(&id))
            .unwrap_or(false)
    }

    /// Registers the handler for `event` (replacing any previous one). Plain closures run in
    /// order as events arrive; closures returning a future are spawned.
    ///
    /// The event is validated in full before the handler runs (a malformed one closes the
    /// client instead), so the handler may read, forward or broadcast its raw arguments. When
    /// the handler only deserializes its arguments, [`SocketRef::on_args`] does the same in
    /// one pass.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("ping", |socket, mut event| {
    ///     let _ = event.ack(&"pong");
    ///     let _ = socket.emit("pinged", &());
    /// });
    /// socket.on("slow", |socket, event| async move {
    ///     let n: u64 = event.arg(0).unwrap_or(0);
    ///     let _ = socket.emit("done", &n);
    /// });
    /// # }
    /// ```
    pub fn on<F, R, M>(&self, event: impl Into<Str>, handler: F)
    where
        F: Fn(SocketRef, Event) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        let event = super::io::intern(&self.io, event.into());
        let handler = erase_event_shared(handler);
        self.entry.state().handlers.set(event, handler);
    }

    /// Registers a typed handler for `event` (replacing any previous one): the arguments
    /// are deserialized into `T` — a tuple `(A, B)` for `socket.emit("event", a, b)`, `(A,)`
    /// for one argument, `()` for none, a `Vec<_>` — and the handler gets them with the
    /// acknowledgement responder, if the client asked for one. Arguments beyond what `T`
    /// takes are ignored, as a JavaScript handler ignores them, and an `Option` in a tuple
    /// whose argument the client left out is `None` (a JavaScript parameter is then
    /// `undefined`).
    ///
    /// This is the fast path: the arguments are read by one serde pass that is also their
    /// validation, where [`SocketRef::on`] validates the whole packet before its handler
    /// reads it. A malformed packet closes the client exactly as with `on` (the handler is
    /// not called, nor any handler for a later packet of that client). A well-formed event
    /// whose arguments do not deserialize into `T` is dropped: the handler is not called
    /// and the client stays connected (JavaScript clients have no types; an acknowledgement
    /// it asked for is not sent). Such a skip is logged at `debug` level with the
    /// event name and why the arguments did not fit (`RUST_LOG=volley_protocol=debug`). To see such
    /// events, register with `on` and read them with [`Event::args`].
    ///
    /// Binary arguments: the handler owns its event, so an attachment read into
    /// `bytes::Bytes` (or `serde_bytes::ByteBuf`) is the buffer it arrived in, not a copy,
    /// when nothing else holds that buffer and the buffer starts with it — as for a polling
    /// client's `b<base64>` message. A WebSocket frame from tungstenite is a slice of its read
    /// buffer, which tungstenite still uses when the handler runs: that one is copied, as is
    /// an attachment an `on_any` listener or middleware kept. [`crate::socket::Binary`] never
    /// copies.
    ///
    /// Plain closures run in order as events arrive; closures returning a future are spawned.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// // socket.emit("chat", "hello", 3, (ack) => …) in JavaScript:
    /// socket.on_args("chat", |socket, (text, n): (String, u32), ack| {
    ///     let _ = socket.broadcast().emit("chat", &(text, n));
    ///     if let Some(ack) = ack {
    ///         let _ = ack.send(&"delivered");
    ///     }
    /// });
    /// #[derive(serde::Deserialize)]
    /// struct Move { x: i32, y: i32 }
    /// socket.on_args("move", |socket, (m,): (Move,), _ack| async move {
    ///     let _ = socket.emit("moved", &(m.x, m.y));
    /// });
    /// # }
    /// ```
    pub fn on_args<T, F, R, M>(&self, event: impl Into<Str>, handler: F)
    where
        T: serde::de::DeserializeOwned + 'static,
        F: Fn(SocketRef, T, Option<AckResponder>) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        let event = super::io::intern(&self.io, event.into());
        let handler = share_stateless(handler, erase_args);
        self.entry.state().handlers.set(event, handler);
    }

    /// Registers a handler for the first `event` only (the reference's `socket.once`): once it
    /// ran, it is removed, so a later `event` finds no handler (or the fallback) unless
    /// one is registered again. Like [`SocketRef::on`], it replaces any handler for `event`,
    /// and a handler registered for `event` before the first one arrives replaces it.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.once("hello", |socket, _event| {
    ///     let _ = socket.emit("welcome", &"first hello only");
    /// });
    /// socket.once("ready", |socket, _event| async move {
    ///     let _ = socket.emit("go", &());
    /// });
    /// # }
    /// ```
    pub fn once<F, R, M>(&self, event: impl Into<Str>, handler: F)
    where
        F: Fn(SocketRef, Event) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        let event = super::io::intern(&self.io, event.into());
        let handler = erase_once(event.clone(), erase_event(handler));
        self.entry.state().handlers.set(event, handler);
    }

    /// [`once`](Self::once) for a typed handler: [`on_args`](Self::on_args) for the first
    /// `event` whose arguments fit `T`: one that does not is skipped as with `on_args`, and
    /// the handler stays for the next.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.once_args("hello", |socket, (name,): (String,), ack| {
    ///     let _ = socket.emit("welcome", &name);
    ///     if let Some(ack) = ack {
    ///         let _ = ack.send(&"first hello only");
    ///     }
    /// });
    /// # }
    /// ```
    pub fn once_args<T, F, R, M>(&self, event: impl Into<Str>, handler: F)
    where
        T: serde::de::DeserializeOwned + 'static,
        F: Fn(SocketRef, T, Option<AckResponder>) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        let event = super::io::intern(&self.io, event.into());
        let handler = erase_once(event.clone(), erase_args(handler));
        self.entry.state().handlers.set(event, handler);
    }

    /// Removes the handler for `event`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("once", |socket, _event| socket.off("once"));
    /// # }
    /// ```
    pub fn off(&self, event: &str) {
        self.entry.state().handlers.remove(event);
    }

    /// Called when the socket is about to leave (the reference's `disconnecting`). It is still
    /// connected, in its namespace and in its rooms: `fetch_sockets` lists it, room counts
    /// include it, it may still join or leave rooms (and with connection state recovery, the
    /// rooms and `data` it has when the handlers return are what a reconnecting client gets
    /// back). Its client takes nothing more: broadcasts pass it by, and its own emits return
    /// `Ok` and send nothing (the reference writes them to a client that has left the
    /// namespace or lost its connection). It leaves its rooms and namespace when the
    /// disconnecting handlers have returned, then the disconnect handlers run. A task a handler
    /// spawns runs on its own: it may find the socket gone already.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_disconnecting(|socket, reason| {
    ///     for room in socket.rooms() {
    ///         let _ = socket.to(room).emit("leaving", &(socket.id().as_str(), reason.as_str()));
    ///     }
    /// });
    /// # }
    /// ```
    pub fn on_disconnecting(
        &self,
        f: impl Fn(SocketRef, DisconnectReason) + Send + Sync + 'static,
    ) {
        self.entry.state().rare().disconnecting.push(Arc::new(f));
    }

    /// Called once the socket left, with the reason (`transport close`, `ping timeout`, …).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_disconnect(|socket, reason| println!("{} left: {reason}", socket.id()));
    /// # }
    /// ```
    pub fn on_disconnect(&self, f: impl Fn(SocketRef, DisconnectReason) + Send + Sync + 'static) {
        self.entry.state().rare().disconnect.push(Arc::new(f));
    }

    /// Adds an event middleware (the reference's `socket.use`): it sees every event this
    /// client sends on this socket, validated, before the event's handler, in the order the
    /// middlewares were added. `Err` stops the event there: no handler runs, its ack is never
    /// sent, the client is told nothing, and the [`on_error`](Self::on_error) handlers get
    /// the refusal (the reference's `error` event). A middleware may also return a future
    /// (see [`EventVerdict`]): the socket's later events then wait for it, so they
    /// still reach the handlers in the order they arrived.
    ///
    /// ```
    /// # use volley_protocol::api::{EventRefused, SocketRef};
    /// # fn f(socket: SocketRef) {
    /// socket.middleware(|socket, event| {
    ///     let logged_in = socket.data().is_some_and(|d| d.get("user").is_some());
    ///     if event.name() != "login" && !logged_in {
    ///         return Err(EventRefused::new("unauthorized event"));
    ///     }
    ///     Ok(())
    /// });
    /// socket.on_error(|socket, error| {
    ///     if error.message == "unauthorized event" {
    ///         socket.disconnect();
    ///     }
    /// });
    /// # }
    /// ```
    pub fn middleware<F, R, M>(&self, f: F)
    where
        F: Fn(&SocketRef, &Event) -> R + Send + Sync + 'static,
        R: MiddlewareOutput<M, EventRefused>,
    {
        let erased: DynEventMiddleware = Arc::new(move |s, e| f(s, e).verdict());
        self.entry.state().rare().middleware.push(erased);
    }

    /// Called when an event [`middleware`](Self::middleware) refuses an event (the
    /// reference's `socket.on("error")` for `socket.use` refusals).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_error(|socket, error| eprintln!("{}: {error}", socket.id()));
    /// # }
    /// ```
    pub fn on_error(&self, f: impl Fn(SocketRef, EventRefused) + Send + Sync + 'static) {
        self.entry.state().rare().error.push(Arc::new(f));
    }

    /// Emits `event` to this client. A tuple is spread into several arguments (`&(a, b)`),
    /// `&()` sends none, anything else is one argument; `bytes::Bytes` values travel as
    /// binary attachments.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) -> Result<(), volley_protocol::api::EmitError> {
    /// socket.emit("welcome", &"hello")?;
    /// socket.emit("score", &("alice", 3))?;
    /// socket.emit("file", &bytes::Bytes::from_static(b"\x00\x01"))?;
    /// # Ok(()) }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        self.emitter().emit(event, data)
    }

    /// Emits `event` with the arguments of a received event, unchanged (binary stays binary).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("message", |socket, event| {
    ///     let _ = socket.emit_forward("message-back", event.forward_args());
    /// });
    /// # }
    /// ```
    pub fn emit_forward(&self, event: &str, args: &Args) -> Result<(), EmitError> {
        self.emitter().emit_forward(event, args)
    }

    /// Emits already serialized arguments (`[name, ...args]`).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// use volley_protocol::socket::RawArgs;
    /// let _ = socket.emit_raw(RawArgs { json: r#"["config",{"theme":"dark"}]"#.into(), attachments: Vec::new() });
    /// # }
    /// ```
    pub fn emit_raw(&self, payload: RawArgs) -> Result<(), EmitError> {
        self.emitter().emit_raw(payload)
    }

    /// Emits `event` and waits for the client's acknowledgement (5 s timeout; see
    /// [`SocketRef::timeout`]). If the socket disconnects first, the future resolves to
    /// [`AckError::Disconnected`](super::AckError::Disconnected) right away (the reference
    /// reports a timeout once the timeout has passed instead).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// match socket.emit_with_ack("question", &"6 x 7?") {
    ///     Ok(answer) => match answer.await {
    ///         Ok(reply) => println!("answer {:?}", reply.arg::<u32>(0)),
    ///         Err(e) => println!("no answer: {e}"),
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
        self.emitter().emit_with_ack(event, data)
    }

    fn emitter(&self) -> SocketEmitter {
        SocketEmitter::new(self.clone())
    }

    /// This socket with an acknowledgement timeout, for
    /// [`SocketEmitter::emit_with_ack`].
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// use std::time::Duration;
    /// let answer = socket.timeout(Duration::from_secs(1)).emit_with_ack("alive?", &());
    /// # let _ = answer;
    /// # }
    /// ```
    pub fn timeout(&self, timeout: Duration) -> SocketEmitter {
        self.emitter().timeout(timeout)
    }

    /// This socket with the volatile flag: the packet may be dropped if the client is not
    /// ready to receive it.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let _ = socket.volatile().emit("position", &(1.5, 2.5));
    /// # }
    /// ```
    pub fn volatile(&self) -> SocketEmitter {
        self.emitter().volatile()
    }

    /// Every socket of this namespace, this one included (the reference's `socket.nsp`).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("all", |socket, event| socket.nsp().emit_forward("all", event.forward_args()));
    /// # }
    /// ```
    pub fn nsp(&self) -> BroadcastOperator {
        BroadcastOperator::new(
            self.io.clone(),
            self.entry.nsp.clone(),
            BroadcastOptions::new(),
        )
    }

    /// Every socket of this namespace except this one.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let _ = socket.broadcast().emit("joined", &socket.id().as_str());
    /// # }
    /// ```
    pub fn broadcast(&self) -> BroadcastOperator {
        self.operator()
    }

    /// The sockets in `room`, except this one.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let _ = socket.to("room1").emit("msg", &"hi room1 (not me)");
    /// # }
    /// ```
    pub fn to(&self, room: impl Into<Room>) -> BroadcastOperator {
        self.operator().to(room)
    }

    /// Every socket of this namespace except this one and those in `room`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let _ = socket.except("admins").emit("msg", &"hi non-admins (not me)");
    /// # }
    /// ```
    pub fn except(&self, room: impl Into<Room>) -> BroadcastOperator {
        self.operator().except(room)
    }

    fn operator(&self) -> BroadcastOperator {
        BroadcastOperator::new(
            self.io.clone(),
            self.entry.nsp.clone(),
            BroadcastOptions::new().except_socket(&self.entry.id),
        )
    }

    /// Joins `room`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.join("room1");
    /// assert!(socket.rooms().iter().any(|r| r == "room1"));
    /// # }
    /// ```
    pub fn join(&self, room: impl Into<Room>) {
        ops::join(&self.io, &self.entry.id, room.into());
    }

    /// Joins several rooms at once (the reference's `socket.join(["a", "b"])`), in one step:
    /// a broadcast sent meanwhile sees the socket in all of them or in none.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.join_many(["room1", "room2"]);
    /// let rooms = socket.rooms();
    /// assert!(rooms.iter().any(|r| r == "room1") && rooms.iter().any(|r| r == "room2"));
    /// # }
    /// ```
    pub fn join_many<I>(&self, rooms: I)
    where
        I: IntoIterator,
        I::Item: Into<Room>,
    {
        let rooms: Vec<Room> = rooms.into_iter().map(Into::into).collect();
        ops::join_many(&self.io, &self.entry.id, &rooms);
    }

    /// Leaves `room`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.leave("room1");
    /// # }
    /// ```
    pub fn leave(&self, room: &str) {
        ops::leave(&self.io, &self.entry.id, room);
    }

    /// The rooms this socket is in (its own id first). In a disconnecting handler it is still
    /// in them; empty once it left.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// let rooms = socket.rooms();
    /// assert_eq!(rooms.first().map(|r| r.as_str()), Some(socket.id().as_str()));
    /// # }
    /// ```
    pub fn rooms(&self) -> Vec<Room> {
        ops::rooms(&self.io, &self.entry.id).unwrap_or_default()
    }

    /// Disconnects this socket from its namespace; the client sees `io server disconnect`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("kick me", |socket, _event| socket.disconnect());
    /// # }
    /// ```
    pub fn disconnect(&self) {
        ops::disconnect(&self.io, &self.entry.id, false);
    }

    /// Disconnects every socket of this socket's client (each gets `server namespace
    /// disconnect`) and closes its connection: the reference's `socket.disconnect(true)`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("ban me", |socket, _event| socket.disconnect_and_close());
    /// # }
    /// ```
    pub fn disconnect_and_close(&self) {
        ops::disconnect(&self.io, &self.entry.id, true);
    }

    /// Stores a value of type `T` on this socket (replacing any previous `T`).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// struct User(String);
    /// socket.insert(User("alice".into()));
    /// assert_eq!(socket.get::<User>().unwrap().0, "alice");
    /// # }
    /// ```
    pub fn insert<T: Send + Sync + 'static>(&self, value: T) {
        put(&mut self.entry.state().rare().extensions, value);
    }

    /// The value of type `T` stored with [`SocketRef::insert`] or by a connect middleware
    /// ([`Connecting::insert`](super::Connecting::insert)).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// struct Name(String);
    /// if let Some(name) = socket.get::<Name>() {
    ///     println!("{}", name.0);
    /// }
    /// # }
    /// ```
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        find(&self.entry.state().rare.as_ref()?.extensions)
    }
}

impl std::fmt::Debug for SocketRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketRef")
            .field("id", &self.entry.id)
            .field("nsp", &self.entry.nsp)
            .finish()
    }
}
