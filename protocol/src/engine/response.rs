//! HTTP responses: polling bodies, the reference's JSON error bodies, and CORS headers.

use super::config::{Cors, CorsOrigin};
use super::head::RequestHead;
use super::response_headers::HeaderHooks;
use crate::Str;
use bytes::Bytes;

/// An HTTP response for the adapter to write. The adapter adds `Content-Length` and
/// framing headers; everything Engine.IO cares about is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers to send, in order.
    pub headers: Vec<(Str, Str)>,
    /// Body bytes.
    pub body: Bytes,
    /// The body may go out compressed (a polling payload, a client file): the adapter calls
    /// [`compress_for`](HttpResponse::compress_for) with the request's `Accept-Encoding`.
    pub compressible: bool,
}

impl HttpResponse {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&Str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub(crate) fn new(status: u16, headers: Headers, body: Bytes) -> Self {
        HttpResponse {
            status,
            headers,
            body,
            compressible: false,
        }
    }

    /// `200` with a polling payload (`text/plain; charset=UTF-8`).
    pub(crate) fn payload(headers: ReplyHeaders, body: Bytes) -> Self {
        HttpResponse {
            compressible: true,
            ..HttpResponse::new(200, headers.success(PAYLOAD_TYPE), body)
        }
    }

    /// `200 ok`, the answer to an accepted POST (the reference sends it as `text/html`).
    pub(crate) fn ok(headers: ReplyHeaders) -> Self {
        HttpResponse::new(200, headers.success(OK_TYPE), Bytes::from_static(b"ok"))
    }

    /// The reference's routing error: `{"code":N,"message":"…"}`, status 403 for
    /// [`ErrorCode::Forbidden`] and 400 otherwise.
    pub(crate) fn error(mut headers: Headers, code: ErrorCode, message: Option<&str>) -> Self {
        let message = message.unwrap_or(code.message());
        let body = serde_json::json!({ "code": code as u8, "message": message }).to_string();
        headers.push(named("Content-Type", Str::from_static("application/json")));
        let status = if code == ErrorCode::Forbidden {
            403
        } else {
            400
        };
        HttpResponse::new(status, headers, Bytes::from(body))
    }

    /// A handshake past [`EngineConfig::max_sessions`](super::EngineConfig::max_sessions):
    /// `503` with the reference's JSON error body (code 4, as for a refused handshake), or
    /// for a WebSocket the plain message, closing the connection.
    pub(crate) fn too_many_sessions(headers: Headers, websocket: bool) -> Self {
        Self::unavailable(headers, websocket, "Too many sessions")
    }

    /// A handshake after [`EngineServer::shutdown`](super::EngineServer::shutdown): `503`,
    /// shaped as [`too_many_sessions`](Self::too_many_sessions).
    pub(crate) fn shutting_down(headers: Headers, websocket: bool) -> Self {
        Self::unavailable(headers, websocket, "Server is shutting down")
    }

    fn unavailable(mut headers: Headers, websocket: bool, message: &'static str) -> Self {
        let body = if websocket {
            headers.push(named("Connection", Str::from_static("close")));
            headers.push(named("Content-Type", Str::from_static("text/html")));
            Bytes::from_static(message.as_bytes())
        } else {
            headers.push(named("Content-Type", Str::from_static("application/json")));
            Bytes::from(format!(r#"{{"code":4,"message":"{message}"}}"#))
        };
        HttpResponse::new(503, headers, body)
    }

    /// A refused WebSocket upgrade: the reference answers the raw socket with
    /// `400 Bad Request`, `text/html`, the plain message, and closes it.
    pub(crate) fn upgrade_error(code: ErrorCode, message: Option<&str>) -> Self {
        let message = message.unwrap_or(code.message()).to_owned();
        HttpResponse::new(
            400,
            vec![
                named("Connection", Str::from_static("close")),
                named("Content-Type", Str::from_static("text/html")),
            ],
            Bytes::from(message),
        )
    }
}

pub(crate) type Headers = Vec<(Str, Str)>;

/// A header whose name is known at compile time.
pub(crate) const fn named(name: &'static str, value: Str) -> (Str, Str) {
    (Str::from_static(name), value)
}

/// The content type of a polling payload.
const PAYLOAD_TYPE: &str = "text/plain; charset=UTF-8";
/// The content type of a POST's `ok`.
const OK_TYPE: &str = "text/html";

/// What a polling `200` adds to the CORS headers.
fn success_headers(mut headers: Headers, content_type: &'static str) -> Headers {
    headers.push(named("Content-Type", Str::from_static(content_type)));
    headers.push(named("Cache-Control", Str::from_static("no-store")));
    headers
}

/// The headers of a polling request's answer. An error gets the CORS headers (and the
/// session cookie) alone; a `200` also its content type, and then, as the reference does when
/// it writes the response, the headers hooks run on it.
#[derive(Debug)]
pub(crate) struct ReplyHeaders {
    base: Headers,
    /// With a hook set: what it needs to run once the answer is known to be a success.
    hooks: Option<Box<Hooked>>,
}

#[derive(Debug)]
struct Hooked {
    hooks: HeaderHooks,
    head: RequestHead,
    initial: bool,
}

impl ReplyHeaders {
    /// For a request to `head` with `base` (CORS, the session cookie); `initial` for the
    /// request that opens a session. Keeps nothing more than `base` when no hook would run.
    pub(crate) fn new(
        base: Headers,
        hooks: &HeaderHooks,
        head: RequestHead,
        initial: bool,
    ) -> Self {
        let hooks = hooks.any(initial).then(|| {
            Box::new(Hooked {
                hooks: hooks.clone(),
                head,
                initial,
            })
        });
        ReplyHeaders { base, hooks }
    }

    /// Without hooks.
    pub(crate) fn plain(base: Headers) -> Self {
        ReplyHeaders { base, hooks: None }
    }

    /// The headers of an error answer.
    pub(crate) fn base(self) -> Headers {
        self.base
    }

    fn success(self, content_type: &'static str) -> Headers {
        let list = success_headers(self.base, content_type);
        match self.hooks {
            Some(h) => h.hooks.run(list, &h.head, h.initial),
            None => list,
        }
    }
}

/// The reference's Engine.IO error codes, sent in JSON error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorCode {
    /// 0: missing or unknown `transport`.
    UnknownTransport = 0,
    /// 1: `sid` does not name an open session.
    UnknownSid = 1,
    /// 2: a handshake that is not a GET.
    BadHandshakeMethod = 2,
    /// 3: anything else malformed.
    BadRequest = 3,
    /// 4: the application refused the handshake (HTTP 403).
    Forbidden = 4,
    /// 5: missing or unsupported `EIO` version.
    UnsupportedProtocolVersion = 5,
}

impl ErrorCode {
    /// The reference's message for the code.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::UnknownTransport => "Transport unknown",
            ErrorCode::UnknownSid => "Session ID unknown",
            ErrorCode::BadHandshakeMethod => "Bad handshake method",
            ErrorCode::BadRequest => "Bad request",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::UnsupportedProtocolVersion => "Unsupported protocol version",
        }
    }
}

/// CORS headers for a response to `head`, as the `cors` middleware of the reference adds them.
pub(crate) fn cors_headers(cors: Option<&Cors>, head: &RequestHead, preflight: bool) -> Headers {
    let mut out = Headers::new();
    let Some(cors) = cors else {
        return out;
    };
    let origin = head.header("origin");
    match &cors.origin {
        CorsOrigin::Any => out.push(named("Access-Control-Allow-Origin", Str::from_static("*"))),
        CorsOrigin::Mirror => {
            if let Some(o) = origin {
                out.push(named("Access-Control-Allow-Origin", Str::from(o)));
            }
            out.push(named("Vary", Str::from_static("Origin")));
        }
        CorsOrigin::List(list) => {
            // The list's own copy of the matching origin: no new allocation.
            if let Some(o) = origin.and_then(|o| list.iter().find(|a| *a == o)) {
                out.push(named("Access-Control-Allow-Origin", o.clone()));
            }
            out.push(named("Vary", Str::from_static("Origin")));
        }
    }
    if cors.credentials {
        out.push(named(
            "Access-Control-Allow-Credentials",
            Str::from_static("true"),
        ));
    }
    if preflight {
        out.push(named("Access-Control-Allow-Methods", cors.methods.clone()));
        match &cors.allowed_headers {
            Some(h) => out.push(named("Access-Control-Allow-Headers", h.clone())),
            None => {
                if let Some(h) = head.header("access-control-request-headers") {
                    out.push(named("Access-Control-Allow-Headers", Str::from(h)));
                }
                out.push(named(
                    "Vary",
                    Str::from_static("Access-Control-Request-Headers"),
                ));
            }
        }
        if let Some(age) = cors.max_age {
            let age = Str::from(age.as_secs().to_string());
            out.push(named("Access-Control-Max-Age", age));
        }
    }
    out
}

/// `true` if `value` has a character the reference's `checkInvalidHeaderChar` rejects.
pub(crate) fn has_invalid_header_char(value: &str) -> bool {
    value
        .chars()
        .any(|c| !(c == '\t' || (' '..='~').contains(&c) || ('\u{80}'..='\u{ff}').contains(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::request::Method;

    #[test]
    fn error_bodies_match_the_reference() {
        let r = HttpResponse::error(Vec::new(), ErrorCode::UnknownSid, None);
        assert_eq!(r.status, 400);
        assert_eq!(&r.body[..], br#"{"code":1,"message":"Session ID unknown"}"#);
        let r = HttpResponse::error(Vec::new(), ErrorCode::Forbidden, Some("no cookie"));
        assert_eq!(r.status, 403);
        assert_eq!(&r.body[..], br#"{"code":4,"message":"no cookie"}"#);
    }

    #[test]
    fn cors_list_echoes_only_listed_origins() {
        let cors =
            Cors::new(CorsOrigin::List(vec![Str::from("https://a.example")])).credentials(true);
        let ok =
            RequestHead::new(Method::Get, "/socket.io/").with_header("Origin", "https://a.example");
        let h = cors_headers(Some(&cors), &ok, false);
        assert_eq!(
            h,
            vec![
                named(
                    "Access-Control-Allow-Origin",
                    Str::from("https://a.example")
                ),
                named("Vary", Str::from("Origin")),
                named("Access-Control-Allow-Credentials", Str::from("true")),
            ]
        );
        let other =
            RequestHead::new(Method::Get, "/socket.io/").with_header("Origin", "https://b.example");
        let h = cors_headers(Some(&cors), &other, false);
        assert!(h.iter().all(|(n, _)| *n != "Access-Control-Allow-Origin"));
    }

    #[test]
    fn invalid_header_chars_are_detected() {
        assert!(!has_invalid_header_char("https://a.example"));
        assert!(has_invalid_header_char("a\nb"));
        assert!(has_invalid_header_char("€"));
    }
}
