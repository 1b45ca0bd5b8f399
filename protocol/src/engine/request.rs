//! The HTTP side of Engine.IO, described without any HTTP crate: methods, ids, transports, and
//! routing of a request to a session.

use super::config::EngineConfig;
use super::head::RequestHead;
use super::response::{has_invalid_header_char, ErrorCode};
use std::borrow::Cow;

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
    /// `HEAD`: the client files answer it as a GET without a body; Engine.IO refuses it like
    /// any non-GET.
    Head,
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
            "HEAD" => Method::Head,
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

/// Dense handle of a live Engine.IO session inside one [`EngineServer`](super::EngineServer)
/// (slot index plus a generation): found without hashing the sid, and a handle kept after its
/// session is gone never reaches a later session that reuses the slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey {
    index: u32,
    generation: u32,
}

impl crate::slab::SlabKey for SessionKey {
    fn from_parts(index: u32, generation: u32) -> Self {
        SessionKey { index, generation }
    }
    fn index(self) -> u32 {
        self.index
    }
    fn generation(self) -> u32 {
        self.generation
    }
}

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

/// Where a request goes, decided from the request alone (session lookups come after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route<'a> {
    /// Not under the Engine.IO path.
    NotMine,
    /// `OPTIONS`: answered `204` with the CORS headers.
    Preflight,
    /// Refused before any session is looked at.
    Error(ErrorCode),
    /// A new session on this transport (a GET, or a WebSocket upgrade).
    Handshake(TransportKind),
    /// An upgrade request the reference refuses only after its WebSocket checks pass (a
    /// WebSocket handshake whose `EIO` is not 4): answer a valid WebSocket handshake with
    /// this error instead of `101`.
    RefuseUpgrade(ErrorCode),
    /// An upgrade request for the polling transport without a sid: the reference completes
    /// the WebSocket handshake and closes the WebSocket at once (polling takes no upgrades).
    UpgradeThenClose,
    /// A request for the session `sid`; `eio4`: whether it names protocol 4 (`EIO=4`), which
    /// is checked once the session is found.
    Session {
        sid: Cow<'a, str>,
        transport: TransportKind,
        eio4: bool,
    },
}

/// Routes a request the way the reference's `verify` does, in its order: transport, `Origin`
/// header, `sid`, handshake method, WebSocket without upgrade, then (for handshakes) `EIO`
/// — which the reference checks on an upgrade request only after the WebSocket handshake's
/// own checks, as it does the transport's taking upgrades. `upgrade`: the request asks to
/// switch protocols ([`RequestHead::is_upgrade`]).
pub(crate) fn route<'a>(config: &EngineConfig, head: &'a RequestHead, upgrade: bool) -> Route<'a> {
    if !path_matches(&config.path, head.path()) {
        return Route::NotMine;
    }
    if head.method() == Method::Options {
        return Route::Preflight;
    }
    // One pass over the query for the three parameters routing reads.
    let [transport, sid, eio] = head.query_params(["transport", "sid", "EIO"]);
    let eio4 = eio.as_deref() == Some("4");
    let transport = match transport.as_deref() {
        Some("polling") if config.transports.polling => TransportKind::Polling,
        Some("websocket") if config.transports.websocket => TransportKind::WebSocket,
        _ => return Route::Error(ErrorCode::UnknownTransport),
    };
    if head.header("origin").is_some_and(has_invalid_header_char) {
        return Route::Error(ErrorCode::BadRequest);
    }
    if let Some(sid) = sid.filter(|s| !s.is_empty()) {
        return Route::Session {
            sid,
            transport,
            eio4,
        };
    }
    if head.method() != Method::Get {
        return Route::Error(ErrorCode::BadHandshakeMethod);
    }
    if transport == TransportKind::WebSocket && !upgrade {
        return Route::Error(ErrorCode::BadRequest);
    }
    if upgrade && transport != TransportKind::WebSocket {
        return Route::UpgradeThenClose;
    }
    if !eio4 {
        let code = ErrorCode::UnsupportedProtocolVersion;
        return match upgrade {
            true => Route::RefuseUpgrade(code),
            false => Route::Error(code),
        };
    }
    Route::Handshake(transport)
}

/// Whether the reference asks `allowRequest` about an upgrade request that opens no session:
/// one without a sid whose WebSocket handshake it then turns away (the polling transport, which
/// takes no upgrades; an `EIO` other than 4). Its `verify` asks about every request without a
/// sid before the WebSocket handshake, whatever follows; a refusal is the plain `400`.
pub(crate) fn asked_without_session(config: &EngineConfig, head: &RequestHead) -> bool {
    matches!(
        route(config, head, head.is_upgrade()),
        Route::UpgradeThenClose | Route::RefuseUpgrade(_)
    )
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

    /// The route of `head`, no longer borrowing it.
    fn owned(head: &RequestHead) -> Route<'static> {
        match route(&EngineConfig::default(), head, head.is_upgrade()) {
            Route::Session {
                sid,
                transport,
                eio4,
            } => Route::Session {
                sid: Cow::Owned(sid.into_owned()),
                transport,
                eio4,
            },
            Route::NotMine => Route::NotMine,
            Route::Preflight => Route::Preflight,
            Route::Error(code) => Route::Error(code),
            Route::Handshake(transport) => Route::Handshake(transport),
            Route::RefuseUpgrade(code) => Route::RefuseUpgrade(code),
            Route::UpgradeThenClose => Route::UpgradeThenClose,
        }
    }

    fn r(method: Method, target: &str) -> Route<'static> {
        owned(&RequestHead::new(method, target))
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
                sid: Cow::Borrowed("s1"),
                transport: TransportKind::Polling,
                eio4: true,
            }
        );
        // The protocol of a session's request is checked once the session is found.
        assert_eq!(
            r(Method::Get, "/socket.io/?EIO=3&transport=polling&sid=s%2B1"),
            Route::Session {
                sid: Cow::Borrowed("s+1"),
                transport: TransportKind::Polling,
                eio4: false,
            }
        );
        let upgrade = |target: &str| {
            let head = RequestHead::new(Method::Get, target)
                .with_header("Connection", "Upgrade")
                .with_header("Upgrade", "WebSocket");
            owned(&head)
        };
        assert_eq!(
            upgrade("/socket.io/?EIO=4&transport=websocket"),
            Route::Handshake(TransportKind::WebSocket)
        );
        // On the upgrade path, EIO and the polling transport are refused after the
        // WebSocket checks (the reference checks them once its `ws` accepted the handshake).
        assert_eq!(
            upgrade("/socket.io/?EIO=3&transport=websocket"),
            Route::RefuseUpgrade(UnsupportedProtocolVersion)
        );
        assert_eq!(
            upgrade("/socket.io/?transport=websocket"),
            Route::RefuseUpgrade(UnsupportedProtocolVersion)
        );
        assert_eq!(
            upgrade("/socket.io/?EIO=4&transport=polling"),
            Route::UpgradeThenClose
        );
        assert_eq!(
            upgrade("/socket.io/?EIO=4&transport=foo"),
            Route::Error(UnknownTransport)
        );
        // `Upgrade: websocket` without `Connection: upgrade` is no upgrade to Node.
        let plain = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket")
            .with_header("Upgrade", "websocket");
        assert_eq!(owned(&plain), Route::Error(BadRequest));
    }
}
