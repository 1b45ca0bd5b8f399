//! [`Io`], the cloneable server handle, and [`Namespace`]; the Socket.IO core behind the
//! endpoint and the dispatch of its events to the user's handlers.

use super::ack::{AckSender, BroadcastAckSender, FetchSocketsFuture};
use super::connecting::Connecting;
use super::endpoint::Shared;
use super::endpoint_handle::Endpoint;
use super::event::{EmitError, Event};
use super::handler::{erase_connect, DynConnect, HandlerOutput, SharedHandlers};
use super::ids::RuntimeIds;
use super::middleware::{DynMiddleware, MiddlewareOutput};
use super::operators::{BroadcastOperator, Target};
use super::ops::payload;
use super::options::Options;
use super::remote_socket::FetchSender;
use super::runtime::Runtime;
use super::socket::{lock, read, write, SocketEntry, SocketRef};
use crate::engine::EngineServer;
use crate::hash::IdMap;
use crate::server::{
    AckId, BroadcastOptions, ClusterMessage, PatternId, Room, Server, SocketConfig, SocketId,
    SocketLayer,
};
use crate::socket::RawArgs;
use crate::Str;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

pub(crate) type IoShared = Shared<Server>;

/// Handlers of one namespace.
pub(crate) struct NsEntry {
    pub(crate) name: Str,
    pub(crate) kind: NsKind,
    pub(crate) on_connection: RwLock<Vec<DynConnect>>,
    pub(crate) middleware: RwLock<Vec<DynMiddleware>>,
    pub(crate) server_side: RwLock<Option<DynServerSide>>,
    /// Handler lists shared by this namespace's sockets (see `HandlerList::share`).
    pub(crate) handler_lists: Mutex<Vec<SharedHandlers>>,
}

/// What a namespace handle stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NsKind {
    /// A namespace created with `io.of(name)`.
    Static,
    /// A child created by a client's CONNECT to a name matching this pattern.
    Child(PatternId),
    /// The parent of a pattern's children (`io.of_dynamic(..)`): no sockets of its own.
    Parent(PatternId),
}

impl NsEntry {
    pub(crate) fn new(name: Str, kind: NsKind) -> Self {
        NsEntry {
            name,
            kind,
            on_connection: RwLock::default(),
            middleware: RwLock::default(),
            server_side: RwLock::default(),
            handler_lists: Mutex::default(),
        }
    }
}

pub(crate) type DynServerSide = Arc<dyn Fn(Event) + Send + Sync>;

/// The API layer's state next to the Socket.IO core.
#[derive(Default)]
pub(crate) struct SioApp {
    pub(crate) namespaces: RwLock<HashMap<Str, Arc<NsEntry>>>,
    /// Dynamic namespace parents (`io.of_dynamic`), by pattern.
    pub(crate) parents: RwLock<Vec<Arc<NsEntry>>>,
    pub(super) sockets: RwLock<IdMap<SocketId, Arc<SocketEntry>>>,
    pub(super) acks: Mutex<IdMap<(SocketId, AckId), AckSender>>,
    pub(super) broadcast_acks: Mutex<IdMap<u64, BroadcastAckSender>>,
    pub(super) fetches: Mutex<IdMap<Str, FetchSender>>,
    pub(crate) cluster: super::cluster::ClusterState,
    /// Event names handlers were registered for, shared by every socket (no copy per socket).
    names: Mutex<Vec<Str>>,
    /// Connection state recovery admits a restored socket without the namespace middleware.
    pub(crate) skip_middlewares_on_recovery: bool,
    /// The per-client buffer bound (bytes; `None`: unbounded), for a socket's received events
    /// waiting for its connection handlers or an async event middleware.
    pub(crate) gate_limit: Option<usize>,
    /// How many sockets have `on_any_outgoing` listeners: while none do, emits skip the
    /// notification work entirely.
    pub(crate) outgoing_listeners: std::sync::atomic::AtomicUsize,
}

/// The shared copy of an event name.
pub(crate) fn intern(io: &IoShared, name: Str) -> Str {
    let mut names = lock(&io.app.names);
    if let Some(known) = names.iter().find(|n| **n == name) {
        return known.clone();
    }
    // Bounded, so apps registering ever-new names do not grow it without end.
    if names.len() < 256 {
        names.push(name.clone());
    }
    name
}

/// The Socket.IO server handle: cloneable, usable from any thread or task (emit from a
/// background task by keeping a clone).
///
/// ```
/// use std::sync::Arc;
/// use std::time::Instant;
/// use volley_protocol::api::{BoxFuture, Io, Options, Runtime};
///
/// # struct Inert;
/// # impl Runtime for Inert {
/// #     fn now(&self) -> Instant { Instant::now() }
/// #     fn spawn(&self, _f: BoxFuture) {}
/// #     fn wake_timer(&self, _at: Instant) {}
/// #     fn fill_random(&self, buf: &mut [u8]) { buf.fill(1) }
/// # }
/// // Adapters build it for you (`volley_tokio::new(options)`).
/// let io = Io::new(Options::default(), Arc::new(Inert));
/// io.of("/").on_connection(|socket| {
///     let _ = socket.emit("hello", &"world");
/// });
/// let _ = io.emit("announcement", &"server started");
/// ```
#[derive(Clone)]
pub struct Io(pub(crate) Arc<IoShared>);

impl Io {
    /// A server with `options`, using `runtime` for spawning, time, randomness and its timer.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use volley_protocol::api::{BoxFuture, Io, Options, Runtime};
    /// # struct Inert;
    /// # impl Runtime for Inert {
    /// #     fn now(&self) -> Instant { Instant::now() }
    /// #     fn spawn(&self, _f: BoxFuture) {}
    /// #     fn wake_timer(&self, _at: Instant) {}
    /// #     fn fill_random(&self, buf: &mut [u8]) { buf.fill(1) }
    /// # }
    /// let io = Io::new(Options::default(), Arc::new(Inert));
    /// # let _ = io;
    /// ```
    pub fn new(options: Options, runtime: Arc<dyn Runtime>) -> Io {
        let parts = options.into_parts();
        let app = SioApp {
            skip_middlewares_on_recovery: parts
                .recovery
                .as_ref()
                .is_some_and(|r| r.skip_middlewares),
            gate_limit: parts.engine.buffer_limit(),
            ..SioApp::default()
        };
        let config = SocketConfig::new()
            .connect_timeout(parts.connect_timeout)
            .cluster_request_timeout(parts.cluster_request_timeout)
            .cleanup_empty_child_namespaces(parts.cleanup_empty_child_namespaces)
            .max_namespaces_per_client(parts.max_namespaces_per_client)
            .connection_state_recovery(parts.recovery)
            .parser(parts.parser)
            // Handlers validate text events as they read them (see `SocketRef::on_args`).
            .defer_event_validation(true)
            // Disconnecting handlers run while the socket is still in its namespace and
            // rooms; `dispatch` finishes its leaving once they return.
            .hold_disconnecting(true);
        let engine = EngineServer::new(parts.engine, RuntimeIds::new(runtime.clone()));
        let socket_ids = Box::new(RuntimeIds::new(runtime.clone()));
        let layer = match parts.adapters {
            Some(factory) => SocketLayer::with_adapters(config, socket_ids, factory),
            None => SocketLayer::new(config, socket_ids),
        };
        let core = Server::from_parts(engine, layer);
        let shared = Shared::new(core, app, runtime, parts.client);
        shared.set_allow_request(parts.allow_request);
        Io(shared)
    }

    /// The namespace `name` (created on first use; `/` is the default one). Clients may only
    /// join namespaces created here; others are refused with `Invalid namespace`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let admin = io.of("/admin");
    /// assert_eq!(admin.name(), "/admin");
    /// # }
    /// ```
    pub fn of(&self, name: impl Into<Str>) -> Namespace {
        let mut name: Str = name.into();
        if !name.starts_with('/') {
            name = Str::from(format!("/{name}"));
        }
        if let Some(entry) = read(&self.0.app.namespaces).get(&name) {
            return Namespace {
                io: self.clone(),
                entry: entry.clone(),
            };
        }
        let entry = write(&self.0.app.namespaces)
            .entry(name.clone())
            .or_insert_with(|| Arc::new(NsEntry::new(name.clone(), NsKind::Static)))
            .clone();
        // Cannot fail: the name starts with '/'.
        let _ = self.0.with_core(|st, _| st.core.add_namespace(&name));
        Namespace {
            io: self.clone(),
            entry,
        }
    }

    fn root(&self) -> BroadcastOperator {
        BroadcastOperator::new(
            self.0.clone(),
            Str::from_static("/"),
            BroadcastOptions::new(),
        )
    }

    /// Emits to every socket of the default namespace.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.emit("announcement", &"maintenance at noon");
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        self.root().emit(event, data)
    }
    /// Sockets of `/` in `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.to("room1").emit("news", &"for room1 only");
    /// # }
    /// ```
    pub fn to(&self, room: impl Into<Room>) -> BroadcastOperator {
        self.root().to(room)
    }
    /// Sockets of `/` not in `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.except("muted").emit("news", &"for everyone else");
    /// # }
    /// ```
    pub fn except(&self, room: impl Into<Room>) -> BroadcastOperator {
        self.root().except(room)
    }
    /// Volatile emits on `/`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.volatile().emit("tick", &1);
    /// # }
    /// ```
    pub fn volatile(&self) -> BroadcastOperator {
        self.root().volatile()
    }
    /// Emits on `/` that stay on this node.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.local().emit("node-only", &());
    /// # }
    /// ```
    pub fn local(&self) -> BroadcastOperator {
        self.root().local()
    }
    /// An acknowledgement timeout for a broadcast on `/`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// use std::time::Duration;
    /// let acks = io.timeout(Duration::from_secs(1)).emit_with_ack("ready?", &()).unwrap().await;
    /// # let _ = acks;
    /// # }
    /// ```
    pub fn timeout(&self, timeout: Duration) -> BroadcastOperator {
        self.root().timeout(timeout)
    }
    /// The sockets of `/`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// for socket in io.fetch_sockets() {
    ///     println!("{}", socket.id());
    /// }
    /// # }
    /// ```
    pub fn fetch_sockets(&self) -> Vec<SocketRef> {
        self.root().fetch_sockets()
    }
    /// The sockets of `/` on every node of the cluster (this node alone without a cluster
    /// adapter), with their rooms and `data` (the reference's `io.fetchSockets()`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// for socket in io.fetch_all_sockets().await {
    ///     println!("{} {}", socket.id, socket.data);
    /// }
    /// # }
    /// ```
    pub fn fetch_all_sockets(&self) -> FetchSocketsFuture {
        self.root().fetch_all_sockets()
    }
    /// Makes every socket of `/` join `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.sockets_join("everyone");
    /// # }
    /// ```
    pub fn sockets_join(&self, room: impl Into<Room>) {
        self.root().sockets_join(room)
    }
    /// Makes every socket of `/` leave `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.sockets_leave("lobby");
    /// # }
    /// ```
    pub fn sockets_leave(&self, room: &str) {
        self.root().sockets_leave(room)
    }
    /// Disconnects every socket of `/`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.disconnect_sockets();
    /// # }
    /// ```
    pub fn disconnect_sockets(&self) {
        self.root().disconnect_sockets()
    }

    /// Disconnects every socket of `/` and closes their clients' connections (the reference's
    /// `io.disconnectSockets(true)`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.disconnect_sockets_and_close();
    /// # }
    /// ```
    pub fn disconnect_sockets_and_close(&self) {
        self.root().disconnect_sockets_and_close()
    }

    /// Hands the server a message from another node of the cluster (what a cluster adapter
    /// such as Redis received).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io, message: volley_protocol::server::ClusterMessage) {
    /// io.handle_cluster_message(message);
    /// # }
    /// ```
    pub fn handle_cluster_message(&self, message: ClusterMessage) {
        self.0
            .with_core(|st, now| st.core.handle_cluster_message(now, message));
    }

    /// Disconnects every client with reason `server shutting down` (adapters call this during
    /// a graceful shutdown), as the reference's `io.close()`: every socket's disconnecting and
    /// disconnect handlers run (one socket after the other, within this call) while its
    /// connection is still open, so what they send still goes out; then the connections close
    /// (see [`Endpoint::shutdown`]).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.close(); // every client sees `server shutting down`
    /// # }
    /// ```
    pub fn close(&self) {
        Endpoint::from(self.clone()).shutdown();
    }
}

impl From<Io> for Endpoint {
    fn from(io: Io) -> Endpoint {
        Endpoint(io.0)
    }
}

/// One namespace: its connection handlers, middleware, and the operators on its sockets.
///
/// ```
/// # use volley_protocol::api::Io;
/// # fn f(io: Io) {
/// use volley_protocol::socket::ConnectError;
///
/// let admin = io.of("/admin");
/// admin.middleware(|handshake| {
///     match handshake.auth_field("token").as_deref() {
///         Some("secret") => Ok(()),
///         _ => Err(ConnectError::new("not authorized")),
///     }
/// });
/// admin.on_connection(|socket| {
///     let _ = socket.emit("welcome", &"admin");
/// });
/// # }
/// ```
#[derive(Clone)]
pub struct Namespace {
    pub(crate) io: Io,
    pub(crate) entry: Arc<NsEntry>,
}

impl Namespace {
    /// The namespace name (`/`, `/chat`, …).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// assert_eq!(chat.name(), "/chat");
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.entry.name
    }

    /// Adds a connection handler, called with each socket that joins (after the middleware
    /// accepted it). Handlers registered on the socket inside it see every event the client
    /// sends after connecting.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// chat.on_connection(|socket| {
    ///     let _ = socket.emit("welcome", &socket.id().as_str());
    /// });
    /// # }
    /// ```
    pub fn on_connection<F, R, M>(&self, handler: F)
    where
        F: Fn(SocketRef) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        write(&self.entry.on_connection).push(erase_connect(handler));
    }

    /// Adds connect middleware, run in order before a socket is admitted. A middleware gets
    /// a [`Connecting`]: the handshake (headers and cookies, query, auth, address, through
    /// `Deref`) and a place to leave typed values and the initial `data` for the socket
    /// (the reference's `socket.data.user = …` in `io.use`), so the connection handlers need
    /// not look the user up again. It returns `Ok(())` to continue or a
    /// [`ConnectError`](super::ConnectError) (message and optional data), which the client
    /// receives in its `connect_error` event. Plain closures and closures returning a future
    /// are both accepted (see [`MiddlewareOutput`](super::MiddlewareOutput)). A middleware
    /// that panics (or whose future does) refuses the client with `Internal server error`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// chat.middleware(|handshake| match handshake.auth_field("name") {
    ///     Some(_) => Ok(()),
    ///     None => Err(volley_protocol::socket::ConnectError::new("who are you?")),
    /// });
    /// # }
    /// ```
    pub fn middleware<F, R, M>(&self, middleware: F)
    where
        F: Fn(Connecting) -> R + Send + Sync + 'static,
        R: MiddlewareOutput<M>,
    {
        write(&self.entry.middleware).push(super::middleware::erase(middleware));
    }

    /// Emits an event to the apps of the other nodes of the cluster (the reference's
    /// `serverSideEmit`); they receive it in [`Namespace::on_server_side_emit`]. Nothing is
    /// sent without a cluster adapter.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let _ = io.of("/").server_side_emit("cache:invalidate", &"users");
    /// # }
    /// ```
    pub fn server_side_emit<T: Serialize + ?Sized>(
        &self,
        event: &str,
        data: &T,
    ) -> Result<(), EmitError> {
        let payload = payload(super::operators::event_payload(event, data)?);
        let nsp = self.entry.name.clone();
        self.io
            .0
            .with_core(|st, now| st.core.server_side_emit(now, &nsp, payload, None));
        Ok(())
    }

    /// Called with every event another node sent with [`Namespace::server_side_emit`]
    /// (replaces the previous handler).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.of("/").on_server_side_emit(|event| {
    ///     if event.name() == "cache:invalidate" {
    ///         let what: String = event.arg(0).unwrap_or_default();
    ///         # let _ = what;
    ///     }
    /// });
    /// # }
    /// ```
    pub fn on_server_side_emit(&self, handler: impl Fn(Event) + Send + Sync + 'static) {
        *write(&self.entry.server_side) = Some(Arc::new(handler));
    }

    fn all(&self) -> BroadcastOperator {
        let target = match self.entry.kind {
            NsKind::Parent(pattern) => Target::Children(pattern),
            NsKind::Static | NsKind::Child(_) => Target::Nsp(self.entry.name.clone()),
        };
        BroadcastOperator::with_target(self.io.0.clone(), target, BroadcastOptions::new())
    }

    /// Emits to every socket of the namespace.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// let _ = chat.emit("topic", &"rust");
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, data: &T) -> Result<(), EmitError> {
        self.all().emit(event, data)
    }
    /// Emits to every socket of the namespace with forwarded arguments.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// chat.on_connection(move |socket| {
    ///     let chat = socket.nsp();
    ///     socket.on("say", move |_socket, event| {
    ///         let _ = chat.emit_forward("said", event.forward_args());
    ///     });
    /// });
    /// # }
    /// ```
    pub fn emit_forward(&self, event: &str, args: &crate::socket::Args) {
        self.all().emit_forward(event, args)
    }
    /// Emits a serialized `[name, ...args]` payload to every socket of the namespace.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// use volley_protocol::socket::RawArgs;
    /// chat.emit_raw(RawArgs { json: r#"["topic","rust"]"#.into(), attachments: Vec::new() });
    /// # }
    /// ```
    pub fn emit_raw(&self, payload: RawArgs) {
        self.all().emit_raw(payload)
    }
    /// Sockets in `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// let _ = chat.to("rust").emit("msg", &"hi rustaceans");
    /// # }
    /// ```
    pub fn to(&self, room: impl Into<Room>) -> BroadcastOperator {
        self.all().to(room)
    }
    /// Sockets not in `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// let _ = chat.except("afk").emit("msg", &"hi");
    /// # }
    /// ```
    pub fn except(&self, room: impl Into<Room>) -> BroadcastOperator {
        self.all().except(room)
    }
    /// Volatile emits.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// let _ = chat.volatile().emit("typing", &"ann");
    /// # }
    /// ```
    pub fn volatile(&self) -> BroadcastOperator {
        self.all().volatile()
    }
    /// Emits that stay on this node.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// let _ = chat.local().emit("msg", &"this node only");
    /// # }
    /// ```
    pub fn local(&self) -> BroadcastOperator {
        self.all().local()
    }
    /// An acknowledgement timeout for a broadcast.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// use std::time::Duration;
    /// let chat = io.of("/chat");
    /// let acks = chat.timeout(Duration::from_millis(500)).emit_with_ack("here?", &()).unwrap().await;
    /// println!("{} present", acks.replies.len());
    /// # }
    /// ```
    pub fn timeout(&self, timeout: Duration) -> BroadcastOperator {
        self.all().timeout(timeout)
    }
    /// The sockets of the namespace.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// let count = chat.fetch_sockets().len();
    /// # let _ = count;
    /// # }
    /// ```
    pub fn fetch_sockets(&self) -> Vec<SocketRef> {
        self.all().fetch_sockets()
    }
    /// The sockets of the namespace on every node of the cluster, with their rooms and `data`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # async fn f(io: Io) {
    /// let everywhere = io.of("/chat").fetch_all_sockets().await;
    /// # let _ = everywhere;
    /// # }
    /// ```
    pub fn fetch_all_sockets(&self) -> FetchSocketsFuture {
        self.all().fetch_all_sockets()
    }
    /// Makes every socket join `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// chat.sockets_join("announcements");
    /// # }
    /// ```
    pub fn sockets_join(&self, room: impl Into<Room>) {
        self.all().sockets_join(room)
    }
    /// Makes every socket leave `room`.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// chat.sockets_leave("announcements");
    /// # }
    /// ```
    pub fn sockets_leave(&self, room: &str) {
        self.all().sockets_leave(room)
    }
    /// Disconnects every socket of the namespace.
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// let chat = io.of("/chat");
    /// chat.disconnect_sockets();
    /// # }
    /// ```
    pub fn disconnect_sockets(&self) {
        self.all().disconnect_sockets()
    }

    /// Disconnects every socket of the namespace and closes their clients' connections, with
    /// their sockets in other namespaces (the reference's `nsp.disconnectSockets(true)`).
    ///
    /// ```
    /// # use volley_protocol::api::Io;
    /// # fn f(io: Io) {
    /// io.of("/chat").disconnect_sockets_and_close();
    /// # }
    /// ```
    pub fn disconnect_sockets_and_close(&self) {
        self.all().disconnect_sockets_and_close()
    }
}
