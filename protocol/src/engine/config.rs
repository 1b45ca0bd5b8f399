//! Engine.IO server options, with the reference server's defaults.

use crate::Str;
use std::time::Duration;

/// Which transports the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transports {
    /// HTTP long-polling (`transport=polling`).
    pub polling: bool,
    /// WebSocket (`transport=websocket`).
    pub websocket: bool,
}

impl Default for Transports {
    fn default() -> Self {
        Transports {
            polling: true,
            websocket: true,
        }
    }
}

/// Which origins CORS lets in (`Access-Control-Allow-Origin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigin {
    /// `*` for every request.
    Any,
    /// Echo the request's `Origin` back, whatever it is (`origin: true` in the reference).
    Mirror,
    /// Echo the request's `Origin` back only when it is in this list.
    List(Vec<Str>),
}

/// CORS settings, like the reference's `cors` option (off by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    /// Allowed origins.
    pub origin: CorsOrigin,
    /// Send `Access-Control-Allow-Credentials: true`.
    pub credentials: bool,
    /// Value of `Access-Control-Allow-Methods` on preflight responses.
    pub methods: Str,
    /// `Access-Control-Allow-Headers` on preflight responses; `None` mirrors the request's
    /// `Access-Control-Request-Headers`.
    pub allowed_headers: Option<Str>,
    /// `Access-Control-Max-Age` on preflight responses.
    pub max_age: Option<Duration>,
}

impl Cors {
    /// CORS for the given origin policy, other settings at the reference's defaults.
    pub fn new(origin: CorsOrigin) -> Self {
        Cors {
            origin,
            credentials: false,
            methods: Str::from_static("GET,HEAD,PUT,PATCH,POST,DELETE"),
            allowed_headers: None,
            max_age: None,
        }
    }

    /// Sets `Access-Control-Allow-Credentials`.
    pub fn credentials(mut self, on: bool) -> Self {
        self.credentials = on;
        self
    }
}

/// The bound on what one client may make the server buffer: its queued outgoing bytes, and the
/// attachments of one incoming binary packet while they are reassembled.
///
/// The reference has no such bound; Volley's default, [`BufferLimit::Auto`], is generous:
/// `max(4 MiB, 4 × max_payload)`, so raising `max_payload` raises it too.
///
/// ```
/// use volley_protocol::engine::{BufferLimit, EngineConfig};
///
/// let config = EngineConfig::default();
/// assert_eq!(config.max_buffer, BufferLimit::Auto);
/// // 4 × 1 000 000 is below the 4 MiB floor.
/// assert_eq!(config.buffer_limit(), Some(4 << 20));
/// assert_eq!(config.clone().max_payload(10_000_000).buffer_limit(), Some(40_000_000));
/// assert_eq!(config.clone().max_buffer(Some(1 << 20)).buffer_limit(), Some(1 << 20));
/// assert_eq!(config.max_buffer(None).buffer_limit(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BufferLimit {
    /// `max(4 MiB, 4 × max_payload)` bytes.
    #[default]
    Auto,
    /// At most this many bytes.
    Bytes(usize),
    /// No bound (what the reference does): a client that never reads can make the server
    /// buffer without end.
    Unbounded,
}

impl BufferLimit {
    /// The floor of [`BufferLimit::Auto`].
    pub const AUTO_MIN: usize = 4 << 20;
    /// The multiple of `max_payload` [`BufferLimit::Auto`] allows.
    pub const AUTO_PAYLOADS: usize = 4;

    /// The limit in bytes for a server whose `max_payload` is `max_payload`.
    pub fn resolve(self, max_payload: usize) -> Option<usize> {
        match self {
            BufferLimit::Auto => {
                Some(Self::AUTO_MIN.max(max_payload.saturating_mul(Self::AUTO_PAYLOADS)))
            }
            BufferLimit::Bytes(n) => Some(n),
            BufferLimit::Unbounded => None,
        }
    }

    /// The fewest items a bounded buffer may hold, whatever its byte limit (see
    /// [`BufferLimit::max_items`]).
    pub const MIN_ITEMS: usize = 64;

    /// How many items (queued packets, or events waiting for an async middleware) a buffer of
    /// `limit` bytes may hold when each costs about `item_cost` bytes of bookkeeping beyond
    /// its wire bytes; never fewer than [`BufferLimit::MIN_ITEMS`].
    ///
    /// Counting wire bytes alone, a flood of tiny packets (a 5-byte ack each, or empty
    /// binary messages, which count 0) would make the server hold many times the limit in
    /// memory; with this second bound a full buffer holds at most about twice its limit.
    ///
    /// ```
    /// use volley_protocol::engine::BufferLimit;
    ///
    /// assert_eq!(BufferLimit::max_items(4 << 20, 64), 65_536);
    /// assert_eq!(BufferLimit::max_items(100, 64), BufferLimit::MIN_ITEMS);
    /// ```
    pub fn max_items(limit: usize, item_cost: usize) -> usize {
        (limit / item_cost.max(1)).max(Self::MIN_ITEMS)
    }
}

/// `Some(n)` is a bound of `n` bytes, `None` no bound.
impl From<Option<usize>> for BufferLimit {
    fn from(bytes: Option<usize>) -> Self {
        bytes.map_or(BufferLimit::Unbounded, BufferLimit::Bytes)
    }
}

impl From<usize> for BufferLimit {
    fn from(bytes: usize) -> Self {
        BufferLimit::Bytes(bytes)
    }
}

/// Engine.IO server configuration. `EngineConfig::default()` matches the reference server,
/// except that per-client buffers are bounded ([`BufferLimit::Auto`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EngineConfig {
    /// Request path served by Engine.IO (default `/socket.io/`). A trailing slash is optional
    /// on requests.
    pub path: Str,
    /// Interval between server pings (`pingInterval`, default 25 s).
    pub ping_interval: Duration,
    /// How long the client has to answer a ping (`pingTimeout`, default 20 s).
    pub ping_timeout: Duration,
    /// How long a started upgrade may take (`upgradeTimeout`, default 10 s).
    pub upgrade_timeout: Duration,
    /// Largest accepted POST body / WebSocket message (`maxHttpBufferSize`, default 1e6).
    pub max_payload: usize,
    /// Accepted transports.
    pub transports: Transports,
    /// CORS headers, if any.
    pub cors: Option<Cors>,
    /// Per-client buffer bound (see [`BufferLimit`]; default `Auto`, at least 4 MiB). A
    /// session whose queued outgoing bytes would exceed it — after its volatile messages were
    /// dropped, oldest first — is closed with
    /// [`CloseReason::BufferFull`](super::CloseReason) (its sockets see
    /// `transport buffer full`).
    pub max_buffer: BufferLimit,
    /// How long a session closed by the server waits for the client's next poll to tell it
    /// (the reference's polling `closeTimeout`, 30 s).
    pub close_linger: Duration,
    /// The most sessions open at once, counting closed ones still waiting for their last poll
    /// and handshakes awaiting admission (default `None`: no bound, like the reference). A
    /// handshake past it is answered `503` (`{"code":4,"message":"Too many sessions"}` for
    /// polling, the plain message for a WebSocket); the clients retry with their reconnection
    /// backoff.
    pub max_sessions: Option<usize>,
    /// HTTP compression of polling responses and client files (the reference's
    /// `httpCompression`): bodies of at least this many bytes go out gzip- or
    /// deflate-encoded when the request's `Accept-Encoding` allows it (default `Some(1024)`,
    /// as the reference's threshold; `None`: off).
    pub http_compression: Option<usize>,
    /// The session cookie set by the polling handshake's response (the reference's
    /// `cookie` option, for sticky sessions behind a load balancer; default `None`: off).
    pub cookie: Option<super::CookieConfig>,
    /// Whether polling clients are offered the upgrade to WebSocket (the reference's
    /// `allowUpgrades`, default true). When false the handshake lists no upgrades
    /// (`"upgrades":[]`); nothing else changes.
    pub allow_upgrades: bool,
    /// The reference's `initial_headers` and `headers` hooks (default: none). See
    /// [`on_initial_headers`](Self::on_initial_headers) and [`on_headers`](Self::on_headers).
    pub header_hooks: super::HeaderHooks,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            path: Str::from_static("/socket.io/"),
            ping_interval: Duration::from_millis(25_000),
            ping_timeout: Duration::from_millis(20_000),
            upgrade_timeout: Duration::from_millis(10_000),
            max_payload: 1_000_000,
            transports: Transports::default(),
            cors: None,
            max_buffer: BufferLimit::Auto,
            close_linger: Duration::from_secs(30),
            max_sessions: None,
            http_compression: Some(1024),
            cookie: None,
            allow_upgrades: true,
            header_hooks: super::HeaderHooks::default(),
        }
    }
}

impl EngineConfig {
    /// Sets the request path.
    pub fn path(mut self, path: impl Into<Str>) -> Self {
        self.path = path.into();
        self
    }
    /// Sets `pingInterval`.
    pub fn ping_interval(mut self, d: Duration) -> Self {
        self.ping_interval = d;
        self
    }
    /// Sets `pingTimeout`.
    pub fn ping_timeout(mut self, d: Duration) -> Self {
        self.ping_timeout = d;
        self
    }
    /// Sets `upgradeTimeout`.
    pub fn upgrade_timeout(mut self, d: Duration) -> Self {
        self.upgrade_timeout = d;
        self
    }
    /// Sets `maxPayload` (the reference's `maxHttpBufferSize`).
    pub fn max_payload(mut self, bytes: usize) -> Self {
        self.max_payload = bytes;
        self
    }
    /// Sets the accepted transports.
    pub fn transports(mut self, t: Transports) -> Self {
        self.transports = t;
        self
    }
    /// Enables CORS.
    pub fn cors(mut self, cors: Cors) -> Self {
        self.cors = Some(cors);
        self
    }
    /// Sets the per-client buffer bound: `Some(bytes)`, `None` (unbounded) or a
    /// [`BufferLimit`].
    pub fn max_buffer(mut self, limit: impl Into<BufferLimit>) -> Self {
        self.max_buffer = limit.into();
        self
    }
    /// The per-client buffer bound in bytes (`None`: unbounded), `max_buffer` resolved
    /// against `max_payload`.
    pub fn buffer_limit(&self) -> Option<usize> {
        self.max_buffer.resolve(self.max_payload)
    }
    /// Sets how long a server-closed polling session waits for its last poll.
    pub fn close_linger(mut self, d: Duration) -> Self {
        self.close_linger = d;
        self
    }
    /// Sets `max_sessions` (`None`: no bound).
    pub fn max_sessions(mut self, max: Option<usize>) -> Self {
        self.max_sessions = max;
        self
    }
    /// Sets the session cookie (`None`: none).
    pub fn cookie(mut self, cookie: Option<super::CookieConfig>) -> Self {
        self.cookie = cookie;
        self
    }
    /// Sets `allowUpgrades`: whether the handshake offers polling clients the WebSocket
    /// upgrade.
    pub fn allow_upgrades(mut self, on: bool) -> Self {
        self.allow_upgrades = on;
        self
    }
    /// Sets the HTTP compression threshold in bytes (`None`: no compression).
    pub fn http_compression(mut self, threshold: Option<usize>) -> Self {
        self.http_compression = threshold;
        self
    }

    /// Edits the headers of the response that opens a session: the polling handshake's `200`
    /// (which already carries the session cookie, if any) or the `101` of a WebSocket-first
    /// handshake (the reference's `initial_headers` event). It runs before the
    /// [`on_headers`](Self::on_headers) hook.
    ///
    /// It runs while the server's state is locked: keep it fast, and do not call the server
    /// from it.
    ///
    /// ```
    /// use volley_protocol::engine::EngineConfig;
    /// let config = EngineConfig::default().on_initial_headers(|headers, _request| {
    ///     headers.append("Set-Cookie", "greeting=hello; Path=/");
    /// });
    /// assert!(config.header_hooks.initial.is_some());
    /// ```
    pub fn on_initial_headers(
        mut self,
        hook: impl Fn(&mut super::ResponseHeaders, &super::RequestHead) + Send + Sync + 'static,
    ) -> Self {
        self.header_hooks.initial = Some(std::sync::Arc::new(hook));
        self
    }
    /// Edits the headers of every successful Engine.IO response: each polling `200` and each
    /// WebSocket `101` (the reference's `headers` event). Errors, CORS preflights and refused
    /// handshakes are left alone, as by the reference.
    ///
    /// It runs while the server's state is locked: keep it fast, and do not call the server
    /// from it.
    ///
    /// ```
    /// use volley_protocol::engine::EngineConfig;
    /// let config = EngineConfig::default().on_headers(|headers, request| {
    ///     if request.header("cookie").is_some_and(|c| c.contains("beta=1")) {
    ///         headers.insert("X-Beta", "1");
    ///     }
    /// });
    /// assert!(config.header_hooks.every.is_some());
    /// ```
    pub fn on_headers(
        mut self,
        hook: impl Fn(&mut super::ResponseHeaders, &super::RequestHead) + Send + Sync + 'static,
    ) -> Self {
        self.header_hooks.every = Some(std::sync::Arc::new(hook));
        self
    }
}
