//! Server options with the reference server's defaults.

use super::admission::{erase, DynAllowRequest, RequestRefused};
use super::client::ClientFiles;
use super::middleware::MiddlewareOutput;
use crate::engine::{
    CookieConfig, Cors, CorsOrigin, EngineConfig, RequestHead, ResponseHeaders, Transports,
};
use crate::server::{AdapterFactory, RecoveryConfig};
use crate::socket::Parser;
use crate::Str;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Options of a Socket.IO server. `Options::default()` matches the reference server:
/// pingInterval 25 s, pingTimeout 20 s, upgradeTimeout 10 s, maxPayload 1 000 000 bytes,
/// connectTimeout 45 s, path `/socket.io/`, polling and WebSocket, no CORS, and the browser
/// client served.
///
/// ```
/// use std::time::Duration;
/// use volley_protocol::api::Options;
///
/// let options = Options::default()
///     .ping_interval(Duration::from_millis(300))
///     .ping_timeout(Duration::from_millis(200))
///     .connect_timeout(Duration::from_secs(1))
///     .cors_any_origin();
/// assert_eq!(options.engine().max_payload, 1_000_000);
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    engine: EngineConfig,
    connect_timeout: Duration,
    serve_client: bool,
    client: Option<ClientFiles>,
    adapters: Adapters,
    cluster_request_timeout: Duration,
    cleanup_empty_child_namespaces: bool,
    max_namespaces_per_client: usize,
    recovery: Option<RecoveryConfig>,
    allow_request: AllowRequest,
    parser: Parser,
}

/// The `allow_request` hook, if any.
#[derive(Clone, Default)]
struct AllowRequest(Option<DynAllowRequest>);

impl std::fmt::Debug for AllowRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "hook" } else { "none" })
    }
}

/// The namespace adapter factory, taken once by the server that is built with the options.
#[derive(Clone, Default)]
struct Adapters(Option<Arc<TakeOnce>>);

type TakeOnce = Mutex<Option<Box<dyn AdapterFactory>>>;

impl std::fmt::Debug for Adapters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "custom"
        } else {
            "in-memory"
        })
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            engine: EngineConfig::default(),
            connect_timeout: Duration::from_secs(45),
            serve_client: true,
            client: None,
            adapters: Adapters::default(),
            cluster_request_timeout: Duration::from_secs(5),
            cleanup_empty_child_namespaces: false,
            max_namespaces_per_client: crate::server::DEFAULT_MAX_NAMESPACES_PER_CLIENT,
            recovery: None,
            allow_request: AllowRequest::default(),
            parser: Parser::Json,
        }
    }
}

impl Options {
    /// Sets the request path (default `/socket.io/`).
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let options = Options::default().path("/ws");
    /// assert_eq!(options.engine().path, "/ws/");
    /// ```
    pub fn path(mut self, path: impl Into<Str>) -> Self {
        let path: Str = path.into();
        // The reference normalizes the path to end with a slash.
        self.engine.path = if path.ends_with('/') {
            path
        } else {
            Str::from(format!("{path}/"))
        };
        self
    }
    /// Sets `pingInterval` (default 25 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_protocol::api::Options;
    /// let options = Options::default().ping_interval(Duration::from_secs(10));
    /// assert_eq!(options.engine().ping_interval, Duration::from_secs(10));
    /// ```
    pub fn ping_interval(mut self, d: Duration) -> Self {
        self.engine.ping_interval = d;
        self
    }
    /// Sets `pingTimeout` (default 20 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_protocol::api::Options;
    /// let options = Options::default().ping_timeout(Duration::from_secs(5));
    /// assert_eq!(options.engine().ping_timeout, Duration::from_secs(5));
    /// ```
    pub fn ping_timeout(mut self, d: Duration) -> Self {
        self.engine.ping_timeout = d;
        self
    }
    /// Sets `upgradeTimeout` (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_protocol::api::Options;
    /// let options = Options::default().upgrade_timeout(Duration::from_secs(3));
    /// assert_eq!(options.engine().upgrade_timeout, Duration::from_secs(3));
    /// ```
    pub fn upgrade_timeout(mut self, d: Duration) -> Self {
        self.engine.upgrade_timeout = d;
        self
    }
    /// Sets `maxPayload` (the reference's `maxHttpBufferSize`, default 1 000 000 bytes): the
    /// largest polling body and the largest WebSocket message accepted.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let options = Options::default().max_payload(64 * 1024);
    /// assert_eq!(options.engine().max_payload, 65536);
    /// ```
    pub fn max_payload(mut self, bytes: usize) -> Self {
        self.engine.max_payload = bytes;
        self
    }
    /// Sets `connectTimeout` (default 45 s): how long a client may take to join a namespace.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_protocol::api::Options;
    /// let options = Options::default().connect_timeout(Duration::from_secs(5));
    /// assert_eq!(options.get_connect_timeout(), Duration::from_secs(5));
    /// ```
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Sets the accepted transports (default both).
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let websocket_only = Options::default().transports(false, true);
    /// assert!(!websocket_only.engine().transports.polling);
    /// ```
    pub fn transports(mut self, polling: bool, websocket: bool) -> Self {
        self.engine.transports = Transports { polling, websocket };
        self
    }
    /// Sets CORS (default off).
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// use volley_protocol::engine::{Cors, CorsOrigin};
    /// let options = Options::default().cors(Cors::new(CorsOrigin::Mirror).credentials(true));
    /// assert!(options.engine().cors.is_some());
    /// ```
    pub fn cors(mut self, cors: Cors) -> Self {
        self.engine.cors = Some(cors);
        self
    }
    /// CORS with `Access-Control-Allow-Origin: *`.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert!(Options::default().cors_any_origin().engine().cors.is_some());
    /// ```
    pub fn cors_any_origin(self) -> Self {
        self.cors(Cors::new(CorsOrigin::Any))
    }
    /// CORS for a list of origins, optionally with credentials.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let options = Options::default().cors_origins(["https://example.com"], true);
    /// assert!(options.engine().cors.as_ref().is_some_and(|c| c.credentials));
    /// ```
    pub fn cors_origins<I, S>(self, origins: I, credentials: bool) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Str>,
    {
        let list = origins.into_iter().map(Into::into).collect();
        self.cors(Cors::new(CorsOrigin::List(list)).credentials(credentials))
    }
    /// Bounds what one client can make the server buffer: its queued outgoing bytes and the
    /// attachments of one binary packet it is sending. The default,
    /// [`BufferLimit::Auto`](crate::engine::BufferLimit), is `max(4 MiB, 4 × maxPayload)`
    /// (the reference has no bound). When a client falls that far behind, its volatile packets
    /// are dropped first (oldest first); if that is not enough, it is disconnected with
    /// reason `transport buffer full`. A binary packet whose attachments exceed it closes the
    /// client (`forced close`, like any malformed packet). The events a client sends while an
    /// async event middleware or its connection handlers run wait under the same bound (wire
    /// bytes); past it the client is disconnected with `transport buffer full`. `None`
    /// removes the bound.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// use volley_protocol::engine::BufferLimit;
    /// assert_eq!(Options::default().engine().buffer_limit(), Some(4 << 20));
    /// let options = Options::default().max_buffer(Some(1 << 20));
    /// assert_eq!(options.engine().max_buffer, BufferLimit::Bytes(1 << 20));
    /// ```
    pub fn max_buffer(mut self, limit: impl Into<crate::engine::BufferLimit>) -> Self {
        self.engine.max_buffer = limit.into();
        self
    }
    /// Bounds the Engine.IO sessions open at once (default `None`: no bound, like the
    /// reference). Every handshake makes one — polling or WebSocket, whether or not it ever
    /// joins a namespace (connectTimeout closes those) — so this caps what a flood of
    /// handshakes can hold, which `Serve::max_connections` cannot: polling sessions hold no
    /// connection between requests. Past it a handshake is answered `503`, and clients retry
    /// with their reconnection backoff.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert_eq!(Options::default().max_sessions(Some(50_000)).engine().max_sessions, Some(50_000));
    /// ```
    pub fn max_sessions(mut self, max: Option<usize>) -> Self {
        self.engine.max_sessions = max;
        self
    }
    /// HTTP compression (the reference's `httpCompression`): polling bodies and client files
    /// of at least `threshold` bytes go out gzip- or deflate-encoded when the request's
    /// `Accept-Encoding` allows it, chosen as the reference chooses (default `Some(1024)`, the
    /// reference's threshold; `None` turns it off).
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert_eq!(Options::default().engine().http_compression, Some(1024));
    /// assert_eq!(Options::default().http_compression(None).engine().http_compression, None);
    /// ```
    pub fn http_compression(mut self, threshold: Option<usize>) -> Self {
        self.engine.http_compression = threshold;
        self
    }
    /// The session cookie (the reference's `cookie` option, off by default): the polling
    /// handshake's response sets `io=<session id>` (name and attributes from `cookie`), for
    /// load balancers that keep a client on one node by cookie.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// use volley_protocol::engine::CookieConfig;
    /// let options = Options::default().cookie(Some(CookieConfig::new().name("sticky")));
    /// assert_eq!(options.engine().cookie.as_ref().map(|c| c.name.as_str()), Some("sticky"));
    /// ```
    pub fn cookie(mut self, cookie: Option<CookieConfig>) -> Self {
        self.engine.cookie = cookie;
        self
    }
    /// `allowUpgrades` (default true): whether polling clients are offered the upgrade to
    /// WebSocket. When false the handshake lists no upgrades (`"upgrades":[]`) and clients
    /// stay on polling; WebSocket-first clients are not affected.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert!(!Options::default().allow_upgrades(false).engine().allow_upgrades);
    /// ```
    pub fn allow_upgrades(mut self, on: bool) -> Self {
        self.engine.allow_upgrades = on;
        self
    }
    /// `allowRequest`: a check run on every handshake (a request that would open a new
    /// Engine.IO session, polling or WebSocket-first), after the server's own checks (path,
    /// transport, protocol version, method) and before the session exists; requests of open
    /// sessions and their upgrades never reach it. It sees the request's query, headers and
    /// remote address and returns `Result<(), RequestRefused>`, or a future of one. A
    /// refused polling client gets `403 {"code":4,"message":…}`, a WebSocket-first one the
    /// reference's plain `400`; the official clients report it as `connect_error`. A hook
    /// that panics refuses the request. As in the reference, it is also asked about the
    /// WebSocket upgrade requests without a sid that open no session — for the polling
    /// transport (switched, then closed) or with an `EIO` other than 4 (refused as
    /// `Unsupported protocol version`), which the reference turns away only after asking: a
    /// refusal is then the plain `400` with the hook's message.
    ///
    /// ```
    /// use volley_protocol::api::{Options, RequestRefused};
    ///
    /// // Plain: decided at once.
    /// let options = Options::default().allow_request(|head| match head.header("origin") {
    ///     Some("https://example.com") => Ok(()),
    ///     _ => Err(RequestRefused::new("unknown origin")),
    /// });
    /// // Async: what the future needs is taken from the head first.
    /// let options = options.allow_request(|head| {
    ///     let token = head.query_param("token").map(|t| t.into_owned());
    ///     async move {
    ///         match token {
    ///             Some(_) => Ok(()),
    ///             None => Err(RequestRefused::forbidden()),
    ///         }
    ///     }
    /// });
    /// # let _ = options;
    /// ```
    pub fn allow_request<F, R, M>(mut self, f: F) -> Self
    where
        F: Fn(&RequestHead) -> R + Send + Sync + 'static,
        R: MiddlewareOutput<M, RequestRefused>,
    {
        self.allow_request = AllowRequest(Some(erase(f)));
        self
    }
    /// Edits the headers of the response that opens a session (the reference's
    /// `io.engine.on("initial_headers", …)`): see [`EngineConfig::on_initial_headers`].
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let options = Options::default().on_initial_headers(|headers, _request| {
    ///     headers.append("Set-Cookie", "greeting=hello; Path=/");
    /// });
    /// assert!(options.engine().header_hooks.initial.is_some());
    /// ```
    pub fn on_initial_headers(
        mut self,
        hook: impl Fn(&mut ResponseHeaders, &RequestHead) + Send + Sync + 'static,
    ) -> Self {
        self.engine = self.engine.on_initial_headers(hook);
        self
    }
    /// Edits the headers of every successful Engine.IO response (the reference's
    /// `io.engine.on("headers", …)`): see [`EngineConfig::on_headers`].
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let options = Options::default().on_headers(|headers, request| {
    ///     if let Some(cookie) = request.header("cookie") {
    ///         headers.insert("X-Had-Cookie", if cookie.is_empty() { "0" } else { "1" });
    ///     }
    /// });
    /// assert!(options.engine().header_hooks.every.is_some());
    /// ```
    pub fn on_headers(
        mut self,
        hook: impl Fn(&mut ResponseHeaders, &RequestHead) + Send + Sync + 'static,
    ) -> Self {
        self.engine = self.engine.on_headers(hook);
        self
    }
    /// Connection state recovery (the reference's `connectionStateRecovery`, off by
    /// default): a socket whose connection drops for a recoverable reason (transport closed
    /// or failed, ping timeout, forced close, server shutting down) keeps its id, rooms and
    /// `data` for `max_disconnection_duration`; when its client reconnects in time it gets
    /// the same socket back ([`SocketRef::recovered`](super::SocketRef::recovered)) and the
    /// events sent to it meanwhile. Every event without an ack and not volatile then carries
    /// an offset as its last argument, as with the reference, and is kept that long. Each
    /// node keeps its own log: in a cluster, clients must come back to the same node.
    ///
    /// ```
    /// use std::time::Duration;
    /// use volley_protocol::api::Options;
    /// use volley_protocol::server::RecoveryConfig;
    /// let options = Options::default().connection_state_recovery(Some(
    ///     RecoveryConfig::new().max_disconnection_duration(Duration::from_secs(60)),
    /// ));
    /// # let _ = options;
    /// ```
    pub fn connection_state_recovery(mut self, recovery: Option<RecoveryConfig>) -> Self {
        self.recovery = recovery;
        self
    }
    /// How packets are written on the wire (the reference's `parser` option), for every
    /// client of the server: [`Parser::Json`] (the default) or [`Parser::MsgPack`], the
    /// reference's `socket.io-msgpack-parser`, whose clients are created with
    /// `io(url, { parser: require("socket.io-msgpack-parser") })`. See
    /// [`socket::msgpack`](crate::socket::msgpack) for how MessagePack values map to the JSON
    /// arguments handlers read.
    ///
    /// ```
    /// use volley_protocol::api::{Options, Parser};
    /// let options = Options::default().parser(Parser::MsgPack);
    /// assert_eq!(options.get_parser(), Parser::MsgPack);
    /// assert_eq!(Options::default().get_parser(), Parser::Json);
    /// ```
    pub fn parser(mut self, parser: Parser) -> Self {
        self.parser = parser;
        self
    }

    /// `parser`.
    pub fn get_parser(&self) -> Parser {
        self.parser
    }

    /// Whether to serve the browser client under the path (default true).
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert!(!Options::default().serve_client(false).serves_client());
    /// ```
    pub fn serve_client(mut self, on: bool) -> Self {
        self.serve_client = on;
        self
    }
    /// Sets the client files to serve (adapters load them from the npm package).
    ///
    /// ```
    /// use volley_protocol::api::{ClientFiles, Options};
    /// let options = Options::default().client_files(ClientFiles::new("4.8.1"));
    /// # let _ = options;
    /// ```
    pub fn client_files(mut self, files: ClientFiles) -> Self {
        self.client = Some(files);
        self
    }

    /// Sets the factory of namespace adapters (default: in memory, one node). A cluster
    /// adapter (e.g. Redis) goes here; feed the messages it receives from other nodes to
    /// [`Io::handle_cluster_message`](super::Io::handle_cluster_message).
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// use volley_protocol::server::InMemoryAdapterFactory;
    /// let options = Options::default().adapters(InMemoryAdapterFactory);
    /// # let _ = options;
    /// ```
    pub fn adapters(mut self, factory: impl AdapterFactory + 'static) -> Self {
        self.adapters = Adapters(Some(Arc::new(Mutex::new(Some(Box::new(factory))))));
        self
    }

    /// How long cluster requests (fetching sockets, server-side emit with acks, all rooms)
    /// wait for the other nodes (default 5 s, the reference's `requestsTimeout`).
    ///
    /// ```
    /// # use volley_protocol::api::Options;
    /// use std::time::Duration;
    /// let options = Options::default().cluster_request_timeout(Duration::from_secs(2));
    /// # let _ = options;
    /// ```
    pub fn cluster_request_timeout(mut self, d: Duration) -> Self {
        self.cluster_request_timeout = d;
        self
    }

    /// Removes a dynamic child namespace (see [`Io::of_dynamic`](super::Io::of_dynamic)) when
    /// its last socket leaves (default false, the reference's `cleanupEmptyChildNamespaces`).
    /// Turn it on when clients can choose among unboundedly many names, so that every name
    /// ever joined does not stay in memory.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let options = Options::default().cleanup_empty_child_namespaces(true);
    /// assert!(options.get_cleanup_empty_child_namespaces());
    /// ```
    pub fn cleanup_empty_child_namespaces(mut self, on: bool) -> Self {
        self.cleanup_empty_child_namespaces = on;
        self
    }
    /// How many namespaces one client may join at once (default 1000; the reference has no
    /// bound). A CONNECT beyond it gets `connect_error` "Too many namespaces".
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// let options = Options::default().max_namespaces_per_client(10);
    /// # let _ = options;
    /// ```
    pub fn max_namespaces_per_client(mut self, n: usize) -> Self {
        self.max_namespaces_per_client = n;
        self
    }
    /// `cleanupEmptyChildNamespaces`.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert!(!Options::default().get_cleanup_empty_child_namespaces());
    /// ```
    pub fn get_cleanup_empty_child_namespaces(&self) -> bool {
        self.cleanup_empty_child_namespaces
    }

    /// The Engine.IO part of the options.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert_eq!(Options::default().engine().path, "/socket.io/");
    /// ```
    pub fn engine(&self) -> &EngineConfig {
        &self.engine
    }
    /// `connectTimeout`.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert_eq!(Options::default().get_connect_timeout().as_secs(), 45);
    /// ```
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// Whether the browser client is served.
    ///
    /// ```
    /// use volley_protocol::api::Options;
    /// assert!(Options::default().serves_client());
    /// ```
    pub fn serves_client(&self) -> bool {
        self.serve_client
    }

    pub(crate) fn into_parts(self) -> Parts {
        let client = if self.serve_client { self.client } else { None };
        let adapters = self
            .adapters
            .0
            .and_then(|cell| cell.lock().unwrap_or_else(|e| e.into_inner()).take());
        Parts {
            engine: self.engine,
            connect_timeout: self.connect_timeout,
            client,
            adapters,
            cluster_request_timeout: self.cluster_request_timeout,
            cleanup_empty_child_namespaces: self.cleanup_empty_child_namespaces,
            max_namespaces_per_client: self.max_namespaces_per_client,
            recovery: self.recovery,
            allow_request: self.allow_request.0,
            parser: self.parser,
        }
    }
}

/// What a server is built from.
pub(crate) struct Parts {
    pub(crate) cleanup_empty_child_namespaces: bool,
    pub(crate) max_namespaces_per_client: usize,
    pub(crate) engine: EngineConfig,
    pub(crate) connect_timeout: Duration,
    pub(crate) client: Option<ClientFiles>,
    pub(crate) adapters: Option<Box<dyn AdapterFactory>>,
    pub(crate) cluster_request_timeout: Duration,
    pub(crate) recovery: Option<RecoveryConfig>,
    pub(crate) allow_request: Option<DynAllowRequest>,
    pub(crate) parser: Parser,
}
