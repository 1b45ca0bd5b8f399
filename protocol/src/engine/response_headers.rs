//! The reference's `initial_headers` and `headers` hooks: application code that edits the
//! headers of Engine.IO's successful responses (a polling `200`, a WebSocket `101`).

use super::config::EngineConfig;
use super::head::RequestHead;
use super::response::{cors_headers, has_invalid_header_char, Headers};
use crate::Str;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Headers the transport itself decides (body framing, the WebSocket handshake): a hook that
/// sets one would corrupt the response, so it is refused.
const RESERVED: [&str; 9] = [
    "connection",
    "content-encoding",
    "content-length",
    "keep-alive",
    "sec-websocket-accept",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
    "transfer-encoding",
    "upgrade",
];

/// The headers of one response, as a headers hook sees and edits them. Names compare
/// case-insensitively and keep the case they were written with.
///
/// A name that is not an HTTP token, a value with a control character (CR, LF, NUL …) or a
/// character past U+00FF, and the framing headers the transport owns (`Content-Length`,
/// `Transfer-Encoding`, `Content-Encoding`, `Connection`, `Keep-Alive`, `Upgrade`,
/// `Sec-WebSocket-Accept`/`-Extensions`/`-Protocol`) are refused: the edit is skipped, never
/// sent, logged as a `tracing` warning, and [`insert`](Self::insert)/[`append`](Self::append)
/// return `false`.
///
/// ```
/// use volley_protocol::engine::ResponseHeaders;
/// let mut headers = ResponseHeaders::default();
/// assert!(headers.insert("X-Custom", "1"));
/// assert!(headers.insert("x-custom", "2")); // replaces
/// assert!(headers.append("Set-Cookie", "a=1"));
/// assert!(headers.append("set-cookie", "b=2")); // adds
/// assert!(!headers.insert("X-Evil", "a\r\nb"));
/// assert_eq!(headers.get("X-CUSTOM"), Some("2"));
/// assert_eq!(headers.get_all("set-cookie").collect::<Vec<_>>(), ["a=1", "b=2"]);
/// assert_eq!(headers.len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseHeaders {
    list: Headers,
}

impl ResponseHeaders {
    pub(crate) fn from_list(list: Headers) -> Self {
        ResponseHeaders { list }
    }

    pub(crate) fn into_list(self) -> Headers {
        self.list
    }

    /// Sets `name` to `value`, replacing every header of that name. `false` (and no change)
    /// if the header is refused.
    pub fn insert(&mut self, name: impl Into<Str>, value: impl Into<Str>) -> bool {
        let (name, value) = (name.into(), value.into());
        if !acceptable(&name, &value) {
            return false;
        }
        match self
            .list
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            Some(i) => {
                self.list[i] = (name, value);
                self.remove_after(i);
            }
            None => self.list.push((name, value)),
        }
        true
    }

    /// Adds a header of `name` after those already there (for `Set-Cookie`). `false` (and no
    /// change) if the header is refused.
    pub fn append(&mut self, name: impl Into<Str>, value: impl Into<Str>) -> bool {
        let (name, value) = (name.into(), value.into());
        if !acceptable(&name, &value) {
            return false;
        }
        self.list.push((name, value));
        true
    }

    /// Removes every header of `name`; `true` if there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.list.len();
        self.list.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.list.len() != before
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let mut all = self
            .list
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        all.next().map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.list
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.list.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// No header at all.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Drops the headers named like the one at `i` that come after it.
    fn remove_after(&mut self, i: usize) {
        let name = self.list[i].0.clone();
        let mut index = 0;
        self.list.retain(|(n, _)| {
            let keep = index <= i || !n.eq_ignore_ascii_case(&name);
            index += 1;
            keep
        });
    }
}

/// A name that is an RFC 9110 token and not [`RESERVED`], a value Node would write; a
/// refused one is logged.
fn acceptable(name: &str, value: &str) -> bool {
    let token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    let why = if !token {
        "the name is not an HTTP token"
    } else if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        "the transport sets this header"
    } else if has_invalid_header_char(value) {
        "the value has a control character or one past U+00FF"
    } else {
        return true;
    };
    tracing::warn!(name = ?name, value = ?value, "headers hook: header refused: {why}");
    false
}

/// A headers hook: edits the headers of a response to the request.
pub type HeadersHook = Arc<dyn Fn(&mut ResponseHeaders, &RequestHead) + Send + Sync>;

/// The reference's `initial_headers` and `headers` hooks (both unset by default).
///
/// `initial` runs for the response that opens a session (the polling handshake's `200`, the
/// `101` of a WebSocket-first handshake); `every` runs after it there, and for every other
/// successful response: each polling `200` (a GET's payload, a POST's `ok`) and the `101` of
/// an upgrade. Error responses, CORS preflights and refusals get neither, as with the
/// reference. The hooks see the headers Engine.IO set (CORS, the session cookie, the content
/// type) and may add, replace or remove headers.
///
/// They run while the server's state is locked, so they must be fast and must not call back
/// into the server. A panic in a hook is caught; the edits it made before panicking stay.
#[derive(Clone, Default)]
pub struct HeaderHooks {
    /// Runs for the response that opens a session, before `every`.
    pub initial: Option<HeadersHook>,
    /// Runs for every successful response.
    pub every: Option<HeadersHook>,
}

impl std::fmt::Debug for HeaderHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeaderHooks")
            .field("initial", &self.initial.is_some())
            .field("every", &self.every.is_some())
            .finish()
    }
}

impl HeaderHooks {
    /// Whether a response that opens a session (`initial`), or another one, has a hook to run.
    pub(crate) fn any(&self, initial: bool) -> bool {
        self.every.is_some() || (initial && self.initial.is_some())
    }

    /// Runs the hooks for a response to `head` whose headers are `list` so far.
    pub(crate) fn run(&self, list: Headers, head: &RequestHead, initial: bool) -> Headers {
        let mut headers = ResponseHeaders::from_list(list);
        let hooks = [
            self.initial.as_ref().filter(|_| initial),
            self.every.as_ref(),
        ];
        for hook in hooks.into_iter().flatten() {
            // A panicking hook must not unwind through the server's state.
            let _ = catch_unwind(AssertUnwindSafe(|| hook(&mut headers, head)));
        }
        headers.into_list()
    }
}

/// The extra headers of a `101` answering `head` (`initial`: a WebSocket-first handshake):
/// the CORS headers, as the reference's `cors` middleware also runs for upgrades, then what
/// the hooks make of them.
pub(crate) fn upgrade_headers(config: &EngineConfig, head: &RequestHead, initial: bool) -> Headers {
    let headers = cors_headers(config.cors.as_ref(), head, false);
    if config.header_hooks.any(initial) {
        return config.header_hooks.run(headers, head, initial);
    }
    headers
}
