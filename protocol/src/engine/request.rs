//! The HTTP side of Engine.IO, described without any HTTP crate: request summaries, responses,
//! the reference's error responses, CORS, and routing of a request to a session.

use super::config::EngineConfig;
use super::response::{has_invalid_header_char, ErrorCode};
use crate::Str;
use std::borrow::Cow;
use std::net::SocketAddr;

/// HTTP request method, as far as Engine.IO cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: handshake, long-poll, or WebSocket upgrade.
    Get,
    /// `POST`: polling data from the client.
    Post,
    /// `OPTIONS`: CORS preflight.
    Options,
    /// `PUT` (refused for handshakes like any non-GET).
    Put,
    /// Anything else.
    Other,
}

impl Method {
    /// Maps a method name (case-sensitive, as HTTP defines it).
    pub fn from_name(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "OPTIONS" => Method::Options,
            "PUT" => Method::Put,
            _ => Method::Other,
        }
    }
}

/// An HTTP request, chosen by the adapter, unique while the request is in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReqId(pub u64);

/// A WebSocket connection, chosen by the adapter, unique while the connection is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Which Engine.IO transport a request or session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// HTTP long-polling.
    Polling,
    /// WebSocket.
    WebSocket,
}

impl TransportKind {
    /// The protocol's name for it (`polling`, `websocket`).
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Polling => "polling",
            TransportKind::WebSocket => "websocket",
        }
    }
}

/// What Engine.IO needs to know about an HTTP request (the body is passed separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// Request method.
    pub method: Method,
    /// Path, without the query string.
    pub path: Str,
    /// Query string, without the leading `?` (may be empty).
    pub query: Str,
    /// Header names and values as received (names are matched case-insensitively).
    pub headers: Vec<(Str, Str)>,
    /// Peer address, when the adapter knows it.
    pub remote: Option<SocketAddr>,
}

impl RequestHead {
    /// A head with no headers and no remote address; `target` is `path[?query]`.
    pub fn new(method: Method, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        RequestHead {
            method,
            path: Str::from(path),
            query: Str::from(query),
            headers: Vec::new(),
            remote: None,
        }
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((Str::from(name), Str::from(value)));
        self
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&Str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The value of query parameter `key`, percent-decoded. As with the reference
    /// (`URLSearchParams` into an object), the last occurrence wins.
    pub fn query_param(&self, key: &str) -> Option<Cow<'_, str>> {
        let mut found = None;
        for pair in self.query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if percent_decode(k) == key {
                found = Some(v);
            }
        }
        found.map(percent_decode)
    }

    /// True when the request asks to switch to WebSocket (`Upgrade: websocket`).
    pub fn is_websocket_upgrade(&self) -> bool {
        self.header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    }
}

/// Decodes `%XX` escapes and `+` (as `application/x-www-form-urlencoded` does); invalid
/// escapes are kept as they are.
fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex(b: Option<&u8>) -> Option<u8> {
    let b = *b?;
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Where a request goes, decided from the request alone (session lookups come after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// Not under the Engine.IO path.
    NotMine,
    /// `OPTIONS`: answered `204` with the CORS headers.
    Preflight,
    /// Refused before any session is looked at.
    Error(ErrorCode),
    /// A new session on this transport (a GET, or a WebSocket upgrade).
    Handshake(TransportKind),
    /// A request for the session `sid`.
    Session { sid: Str, transport: TransportKind },
}

/// Routes a request the way the reference's `verify` does, in its order: transport, `Origin`
/// header, `sid`, handshake method, WebSocket without upgrade, then (for handshakes) `EIO`.
pub(crate) fn route(config: &EngineConfig, head: &RequestHead) -> Route {
    if !path_matches(&config.path, &head.path) {
        return Route::NotMine;
    }
    if head.method == Method::Options {
        return Route::Preflight;
    }
    let transport = match head.query_param("transport").as_deref() {
        Some("polling") if config.transports.polling => TransportKind::Polling,
        Some("websocket") if config.transports.websocket => TransportKind::WebSocket,
        _ => return Route::Error(ErrorCode::UnknownTransport),
    };
    if head
        .header("origin")
        .is_some_and(|o| has_invalid_header_char(o))
    {
        return Route::Error(ErrorCode::BadRequest);
    }
    let upgrade = head.is_websocket_upgrade();
    // Only the WebSocket transport handles upgrade requests.
    if upgrade && transport != TransportKind::WebSocket {
        return Route::Error(ErrorCode::BadRequest);
    }
    if let Some(sid) = head.query_param("sid").filter(|s| !s.is_empty()) {
        return Route::Session {
            sid: Str::from(sid.as_ref()),
            transport,
        };
    }
    if head.method != Method::Get {
        return Route::Error(ErrorCode::BadHandshakeMethod);
    }
    if transport == TransportKind::WebSocket && !upgrade {
        return Route::Error(ErrorCode::BadRequest);
    }
    if head.query_param("EIO").as_deref() != Some("4") {
        return Route::Error(ErrorCode::UnsupportedProtocolVersion);
    }
    Route::Handshake(transport)
}

/// `/socket.io/` matches `/socket.io/…` and `/socket.io` itself.
fn path_matches(base: &str, path: &str) -> bool {
    let trimmed = base.strip_suffix('/').unwrap_or(base);
    match path.strip_prefix(trimmed) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(method: Method, target: &str) -> Route {
        route(&EngineConfig::default(), &RequestHead::new(method, target))
    }

    #[test]
    fn query_params_are_percent_decoded_and_last_wins() {
        let h = RequestHead::new(Method::Get, "/x?a=1&sid=ab%2Bc&a=2&flag&sp=a+b");
        assert_eq!(h.query_param("a").as_deref(), Some("2"));
        assert_eq!(h.query_param("sid").as_deref(), Some("ab+c"));
        assert_eq!(h.query_param("flag").as_deref(), Some(""));
        assert_eq!(h.query_param("sp").as_deref(), Some("a b"));
        assert_eq!(h.query_param("missing"), None);
        let bad = RequestHead::new(Method::Get, "/x?v=%zz%4");
        assert_eq!(bad.query_param("v").as_deref(), Some("%zz%4"));
    }

    #[test]
    fn routing_follows_the_reference_order() {
        use ErrorCode::*;
        assert_eq!(
            r(Method::Get, "/other/?EIO=4&transport=polling"),
            Route::NotMine
        );
        assert_eq!(
            r(Method::Get, "/socket.ioX?EIO=4&transport=polling"),
            Route::NotMine
        );
        assert_eq!(r(Method::Options, "/socket.io/"), Route::Preflight);
        assert_eq!(
            r(Method::Get, "/socket.io/?EIO=4"),
            Route::Error(UnknownTransport)
        );
        assert_eq!(
            r(Method::Get, "/socket.io/?EIO=3&transport=foo"),
            Route::Error(UnknownTransport)
        );
        assert_eq!(
            r(Method::Get, "/socket.io/?transport=polling"),
            Route::Error(UnsupportedProtocolVersion)
        );
        assert_eq!(
            r(Method::Get, "/socket.io/?EIO=3&transport=polling"),
            Route::Error(UnsupportedProtocolVersion)
        );
        assert_eq!(
            r(Method::Post, "/socket.io/?EIO=4&transport=polling"),
            Route::Error(BadHandshakeMethod)
        );
        assert_eq!(
            r(Method::Put, "/socket.io/?EIO=4&transport=polling"),
            Route::Error(BadHandshakeMethod)
        );
        assert_eq!(
            r(Method::Get, "/socket.io/?EIO=4&transport=websocket"),
            Route::Error(BadRequest)
        );
        assert_eq!(
            r(Method::Get, "/socket.io/?EIO=4&transport=polling&t=abc"),
            Route::Handshake(TransportKind::Polling)
        );
        assert_eq!(
            r(Method::Post, "/socket.io?EIO=4&transport=polling&sid=s1"),
            Route::Session {
                sid: Str::from("s1"),
                transport: TransportKind::Polling
            }
        );
        let ws = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket")
            .with_header("Upgrade", "WebSocket");
        assert_eq!(
            route(&EngineConfig::default(), &ws),
            Route::Handshake(TransportKind::WebSocket)
        );
    }
}
