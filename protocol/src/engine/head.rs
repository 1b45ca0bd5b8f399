//! The head of an HTTP request (method, target, headers, peer), stored compactly: a session
//! keeps its handshake's head for as long as it lives, so every byte here is paid once per idle
//! connection.

use super::header_name::{self, KNOWN, KNOWN_FLAG};
use super::request::Method;
use std::borrow::Cow;
use std::fmt;
use std::net::SocketAddr;

/// What Engine.IO needs to know about an HTTP request (the body is passed separately).
///
/// The request target and every header share one text block, found through a small table of
/// offsets, so a head costs two allocations whatever its number of headers; common header
/// names take no text at all. Header names are kept in lowercase, as Node reports them, and
/// looked up case-insensitively; header values are text decoded the way Node decodes them
/// (each byte one character, Latin-1).
///
/// ```
/// use volley_protocol::engine::{Method, RequestHead};
///
/// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling&name=J%C3%B6+K")
///     .with_header("Cookie", "a=1")
///     .with_header("Cookie", "b=2");
/// assert_eq!(head.path(), "/socket.io/");
/// assert_eq!(head.query_param("name").as_deref(), Some("Jö K"));
/// assert_eq!(head.header("COOKIE"), Some("a=1"));
/// assert_eq!(head.header_all("cookie").collect::<Vec<_>>(), ["a=1", "b=2"]);
/// assert_eq!(head.headers().next(), Some(("cookie", "a=1")));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RequestHead {
    method: Method,
    /// The request target (`path[?query]`) followed by each header's name (unless it is a
    /// known one) and value, back to back.
    text: Box<str>,
    /// Where the path ends (and `?query`, if any, starts).
    path_end: u32,
    /// Where the request target ends and the first header name starts.
    target_end: u32,
    /// Per header: its name (`KNOWN_FLAG | code` for a known name, else the length of the
    /// name in the text) and where its value ends; the next header starts there.
    fields: Box<[[u32; 2]]>,
    remote: Option<SocketAddr>,
}

impl RequestHead {
    /// A head with no headers and no remote address; `target` is `path[?query]`.
    ///
    /// # Panics
    /// Panics if `target` is 4 GiB or longer.
    pub fn new(method: Method, target: &str) -> Self {
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target, None),
        };
        RequestHeadBuilder::new(method, path, query).build()
    }

    /// A builder for a head with many headers, sizing the text block once (what adapters use).
    ///
    /// ```
    /// use volley_protocol::engine::{Method, RequestHead};
    ///
    /// let mut builder = RequestHead::builder(Method::Get, "/socket.io/", Some("EIO=4"));
    /// builder
    ///     .reserve(2, 27)
    ///     .header_bytes("host", b"example.test")
    ///     .header_bytes("X-Name", b"caf\xe9")
    ///     .remote("127.0.0.1:5000".parse().unwrap());
    /// let head = builder.build();
    /// assert_eq!(head.target(), "/socket.io/?EIO=4");
    /// assert_eq!(head.header("x-name"), Some("café"));
    /// assert!(head.remote().is_some());
    /// ```
    ///
    /// # Panics
    /// Panics if `path` and `query` together are 4 GiB or longer.
    pub fn builder(method: Method, path: &str, query: Option<&str>) -> RequestHeadBuilder {
        RequestHeadBuilder::new(method, path, query)
    }

    /// A head with all its headers given at once, each value the bytes received (decoded as
    /// [`RequestHeadBuilder::header_bytes`] does): the text block and the offset table are
    /// each allocated once, at their exact size, which is what adapters use for every
    /// request. `headers` gives the `(name, value)` pairs; it is called twice (to size, then
    /// to fill).
    ///
    /// ```
    /// use volley_protocol::engine::{Method, RequestHead};
    ///
    /// let headers = [("host", &b"example.test"[..]), ("X-Name", &b"caf\xe9"[..])];
    /// let head = RequestHead::from_header_bytes(
    ///     Method::Get,
    ///     "/socket.io/",
    ///     Some("EIO=4"),
    ///     || headers.iter().copied(),
    ///     Some("127.0.0.1:5000".parse().unwrap()),
    /// );
    /// assert_eq!(head.target(), "/socket.io/?EIO=4");
    /// assert_eq!(head.header("x-name"), Some("café"));
    /// assert_eq!(head.headers().next(), Some(("host", "example.test")));
    /// assert!(head.remote().is_some());
    /// ```
    ///
    /// # Panics
    /// Panics if the head would reach 4 GiB.
    pub fn from_header_bytes<'h, I>(
        method: Method,
        path: &str,
        query: Option<&str>,
        headers: impl Fn() -> I,
        remote: Option<SocketAddr>,
    ) -> RequestHead
    where
        I: Iterator<Item = (&'h str, &'h [u8])>,
    {
        let mut len = path.len() + query.map_or(0, |q| q.len() + 1);
        let mut count = 0;
        for (name, value) in headers() {
            count += 1;
            if known_code(name).is_none() {
                len += name.len();
            }
            len += value.len() + value.iter().filter(|b| !b.is_ascii()).count();
        }
        let mut builder = RequestHeadBuilder::with_capacity(method, path, query, count, len);
        for (name, value) in headers() {
            builder.header_bytes(name, value);
        }
        builder.remote = remote;
        builder.build()
    }

    /// Adds a header (builder style; each call copies the head, so adapters use
    /// [`RequestHead::builder`]).
    ///
    /// # Panics
    /// Panics if the head would reach 4 GiB.
    pub fn with_header(self, name: &str, value: &str) -> Self {
        let mut builder = RequestHeadBuilder::from(self);
        builder.header(name, value);
        builder.build()
    }

    /// Sets the peer address (builder style).
    pub fn with_remote(mut self, remote: SocketAddr) -> Self {
        self.remote = Some(remote);
        self
    }

    /// Request method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The request target as received: path and query (`/socket.io/?EIO=4&…`), the
    /// reference's `req.url`.
    pub fn target(&self) -> &str {
        &self.text[..self.target_end as usize]
    }

    /// Path, without the query string.
    pub fn path(&self) -> &str {
        &self.text[..self.path_end as usize]
    }

    /// Query string, without the leading `?` (may be empty).
    pub fn query(&self) -> &str {
        let target = self.target();
        target.get(self.path_end as usize + 1..).unwrap_or("")
    }

    /// Peer address, when the adapter knows it.
    pub fn remote(&self) -> Option<SocketAddr> {
        self.remote
    }

    /// Every header as `(lowercase name, value)`, in the order received; repeated names
    /// repeat.
    pub fn headers(&self) -> Headers<'_> {
        Headers {
            text: &self.text,
            start: self.target_end as usize,
            fields: self.fields.iter(),
        }
    }

    /// The first header called `name` (case-insensitive). Node joins repeated headers into
    /// one value; [`header_all`](Self::header_all) gives each of them.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every header called `name` (case-insensitive), in the order received.
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The value of query parameter `key`, percent-decoded. As with the reference
    /// (`URLSearchParams` into an object), the last occurrence wins.
    pub fn query_param(&self, key: &str) -> Option<Cow<'_, str>> {
        let [value] = self.query_params([key]);
        value
    }

    /// The values of the query parameters `keys`, percent-decoded, found in one pass over the
    /// query; as with [`query_param`](Self::query_param), the last occurrence of a key wins.
    ///
    /// ```
    /// use volley_protocol::engine::{Method, RequestHead};
    ///
    /// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling&sid=a%2Bb");
    /// let [transport, sid, t] = head.query_params(["transport", "sid", "t"]);
    /// assert_eq!(transport.as_deref(), Some("polling"));
    /// assert_eq!(sid.as_deref(), Some("a+b"));
    /// assert_eq!(t, None);
    /// ```
    pub fn query_params<const N: usize>(&self, keys: [&str; N]) -> [Option<Cow<'_, str>>; N] {
        let query = self.query();
        let mut raw = [None; N];
        // The usual query has nothing to decode: one look tells, and then the pairs are
        // compared and handed out as they are.
        if !query.bytes().any(|b| b == b'%' || b == b'+') {
            for (k, v) in raw_pairs(query) {
                if let Some(i) = keys.iter().position(|key| *key == k) {
                    raw[i] = Some(v);
                }
            }
            return raw.map(|v| v.map(Cow::Borrowed));
        }
        for (k, v) in raw_pairs(query) {
            let k = percent_decode(k);
            if let Some(i) = keys.iter().position(|key| *key == k) {
                raw[i] = Some(v);
            }
        }
        raw.map(|v| v.map(percent_decode))
    }

    /// Every query parameter as `(key, value)`, percent-decoded (`+` is a space), in order;
    /// empty `&&` segments are skipped, as `URLSearchParams` does.
    pub fn query_pairs(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
        raw_pairs(self.query()).map(|(k, v)| (percent_decode(k), percent_decode(v)))
    }

    /// True when the request asks to switch protocols as Node's HTTP parser (and so the
    /// reference) tells it: a non-empty `Upgrade` header, whatever its value, and `upgrade`
    /// among the `Connection` tokens. Such a request takes the reference's upgrade path, whose refusals
    /// are plain text with `Connection: close` (an `Upgrade` other than `websocket` is refused
    /// there, by the WebSocket checks); without `Connection: upgrade` a
    /// `transport=websocket` request is an ordinary one (a JSON `400`).
    pub fn is_upgrade(&self) -> bool {
        self.header("upgrade").is_some_and(|v| !v.is_empty())
            && self.header_all("connection").any(|v| {
                v.split(',')
                    .any(|t| t.trim_matches([' ', '\t']).eq_ignore_ascii_case("upgrade"))
            })
    }
}

impl fmt::Debug for RequestHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestHead")
            .field("method", &self.method)
            .field("target", &self.target())
            .field("headers", &DebugHeaders(self))
            .field("remote", &self.remote)
            .finish()
    }
}

struct DebugHeaders<'a>(&'a RequestHead);

impl fmt::Debug for DebugHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.headers()).finish()
    }
}

/// The headers of a [`RequestHead`]: `(lowercase name, value)` pairs in the order received.
#[derive(Debug, Clone)]
pub struct Headers<'a> {
    text: &'a str,
    /// Where the next header's name starts.
    start: usize,
    fields: std::slice::Iter<'a, [u32; 2]>,
}

impl<'a> Iterator for Headers<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let &[name, value_end] = self.fields.next()?;
        let (name, value_start) = if name & KNOWN_FLAG != 0 {
            (KNOWN[(name & !KNOWN_FLAG) as usize], self.start)
        } else {
            let value_start = self.start + name as usize;
            (&self.text[self.start..value_start], value_start)
        };
        self.start = value_end as usize;
        Some((name, &self.text[value_start..self.start]))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.fields.size_hint()
    }
}

impl ExactSizeIterator for Headers<'_> {}

/// Builds a [`RequestHead`] with all its headers in one go; see [`RequestHead::builder`].
#[derive(Debug)]
pub struct RequestHeadBuilder {
    method: Method,
    text: String,
    path_end: u32,
    target_end: u32,
    fields: Vec<[u32; 2]>,
    remote: Option<SocketAddr>,
}

impl RequestHeadBuilder {
    fn new(method: Method, path: &str, query: Option<&str>) -> Self {
        Self::with_capacity(method, path, query, 0, 0)
    }

    /// A builder whose text block holds `len` bytes (the target included) and whose table
    /// holds `headers` headers before either grows.
    fn with_capacity(
        method: Method,
        path: &str,
        query: Option<&str>,
        headers: usize,
        len: usize,
    ) -> Self {
        let target = path.len() + query.map_or(0, |q| q.len() + 1);
        let mut text = String::with_capacity(len.max(target));
        text.push_str(path);
        let path_end = offset(&text);
        if let Some(query) = query {
            text.push('?');
            text.push_str(query);
        }
        RequestHeadBuilder {
            method,
            target_end: offset(&text),
            path_end,
            text,
            fields: Vec::with_capacity(headers),
            remote: None,
        }
    }

    /// Adds a header whose value is already text. The name is stored in lowercase.
    ///
    /// # Panics
    /// Panics if the head would reach 4 GiB.
    pub fn header(&mut self, name: &str, value: &str) -> &mut Self {
        let name = self.push_name(name);
        self.text.push_str(value);
        self.fields.push([name, offset(&self.text)]);
        self
    }

    /// Adds a header whose value is the bytes received: each byte is one character (Latin-1),
    /// as Node decodes them, so no header is lost to a byte that is not UTF-8. The name is
    /// stored in lowercase.
    ///
    /// # Panics
    /// Panics if the head would reach 4 GiB.
    pub fn header_bytes(&mut self, name: &str, value: &[u8]) -> &mut Self {
        let name = self.push_name(name);
        match value.is_ascii().then(|| std::str::from_utf8(value)) {
            Some(Ok(ascii)) => self.text.push_str(ascii),
            _ => self.text.extend(value.iter().map(|&b| char::from(b))),
        }
        self.fields.push([name, offset(&self.text)]);
        self
    }

    /// Returns `name`'s entry: a known name's code, or its length once written in lowercase.
    fn push_name(&mut self, name: &str) -> u32 {
        if let Some(code) = known_code(name) {
            return KNOWN_FLAG | code;
        }
        let start = self.text.len();
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.text
                .extend(name.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            self.text.push_str(name);
        }
        let len = offset(&self.text[start..]);
        assert!(len & KNOWN_FLAG == 0, "a header name under 2 GiB");
        len
    }

    /// Makes room for `headers` more headers whose names and values take `bytes` bytes, so
    /// that the head is allocated once (bytes past ASCII in
    /// [`header_bytes`](Self::header_bytes) values take two; known names take none, and what
    /// is left over is given back when built).
    pub fn reserve(&mut self, headers: usize, bytes: usize) -> &mut Self {
        self.text.reserve_exact(bytes);
        self.fields.reserve_exact(headers);
        self
    }

    /// Sets the peer address.
    pub fn remote(&mut self, remote: SocketAddr) -> &mut Self {
        self.remote = Some(remote);
        self
    }

    /// The head.
    pub fn build(self) -> RequestHead {
        RequestHead {
            method: self.method,
            text: self.text.into_boxed_str(),
            path_end: self.path_end,
            target_end: self.target_end,
            fields: self.fields.into_boxed_slice(),
            remote: self.remote,
        }
    }
}

impl From<RequestHead> for RequestHeadBuilder {
    fn from(head: RequestHead) -> Self {
        RequestHeadBuilder {
            method: head.method,
            text: head.text.into_string(),
            path_end: head.path_end,
            target_end: head.target_end,
            fields: head.fields.into_vec(),
            remote: head.remote,
        }
    }
}

/// The code of a known header name, in any case (adapters on hyper pass lowercase names,
/// which the first lookup finds).
fn known_code(name: &str) -> Option<u32> {
    header_name::code(name).or_else(|| {
        let upper = name.bytes().any(|b| b.is_ascii_uppercase());
        let found = upper.then(|| KNOWN.iter().position(|k| k.eq_ignore_ascii_case(name)));
        found.flatten().map(|i| i as u32)
    })
}

/// The end of `text` as an offset.
fn offset(text: &str) -> u32 {
    u32::try_from(text.len()).expect("a request head under 4 GiB")
}

/// `key=value` pairs of a query string, still encoded; a pair without `=` has an empty value.
fn raw_pairs(query: &str) -> RawPairs<'_> {
    RawPairs { rest: query }
}

/// The iterator of [`raw_pairs`]: a plain byte loop, which for a query of a few dozen bytes
/// costs a fraction of `split('&')` and `split_once('=')` (each a `memchr` per call).
struct RawPairs<'a> {
    rest: &'a str,
}

impl<'a> Iterator for RawPairs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let rest = self.rest;
            // `&` and `=` are ASCII: the slices below end on character boundaries.
            let end = rest.bytes().position(|b| b == b'&').unwrap_or(rest.len());
            let pair = &rest[..end];
            self.rest = rest.get(end + 1..).unwrap_or("");
            if pair.is_empty() {
                continue;
            }
            return Some(match pair.bytes().position(|b| b == b'=') {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, ""),
            });
        }
    }
}

/// Decodes `%XX` escapes and `+` (as `application/x-www-form-urlencoded` does); invalid
/// escapes are kept as they are, bytes that are not UTF-8 become U+FFFD.
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn one_pass_over_the_query_finds_what_a_lookup_per_key_finds() {
        // A lookup per key written the plain way: split on `&`, then on the first `=`.
        fn reference(query: &str, key: &str) -> Option<String> {
            query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .rfind(|(k, _)| percent_decode(k) == key)
                .map(|(_, v)| percent_decode(v).into_owned())
        }
        let queries = [
            "",
            "&&",
            "EIO=4&transport=polling&sid=abc",
            "sid=a&sid=&sid=b&EIO",
            "EIO=4&transport=polling&sid=a%2Bb&t=x",
            "s%69d=one&sid=two&x+y=z",
            "transport=web+socket&EIO=%34&=v&sid=%zz",
            "a=b=c&&sid==&EIO=4&",
        ];
        let keys = ["transport", "sid", "EIO", "x y", ""];
        for query in queries {
            let head = RequestHead::new(Method::Get, &format!("/socket.io/?{query}"));
            let found = head.query_params(keys).map(|v| v.map(Cow::into_owned));
            let expected = keys.map(|key| reference(query, key));
            assert_eq!(found, expected, "{query}");
        }
    }

    #[test]
    fn query_keys_are_decoded_too_and_invalid_utf8_is_replaced() {
        let h = RequestHead::new(Method::Get, "/x?na%6De=J%C3%B6rg&b%20c=%FF&&x=%E2%82%AC");
        assert_eq!(h.query_param("name").as_deref(), Some("Jörg"));
        assert_eq!(h.query_param("b c").as_deref(), Some("\u{fffd}"));
        assert_eq!(h.query_param("x").as_deref(), Some("€"));
        let pairs: Vec<(String, String)> = h
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("name".into(), "Jörg".into()),
                ("b c".into(), "\u{fffd}".into()),
                ("x".into(), "€".into())
            ]
        );
    }

    #[test]
    fn target_path_and_query_are_slices_of_the_request_target() {
        let h = RequestHead::new(Method::Get, "/socket.io/?EIO=4&t=a?b");
        assert_eq!(h.target(), "/socket.io/?EIO=4&t=a?b");
        assert_eq!(h.path(), "/socket.io/");
        assert_eq!(h.query(), "EIO=4&t=a?b");
        let bare = RequestHead::new(Method::Get, "/socket.io/");
        assert_eq!(
            (bare.path(), bare.query(), bare.target()),
            ("/socket.io/", "", "/socket.io/")
        );
        let empty_query = RequestHead::new(Method::Get, "/p?");
        assert_eq!((empty_query.path(), empty_query.query()), ("/p", ""));
        assert_eq!(empty_query.target(), "/p?");
    }

    #[test]
    fn repeated_headers_are_all_kept_in_order_and_found_case_insensitively() {
        let h = RequestHead::new(Method::Get, "/")
            .with_header("Cookie", "a=1")
            .with_header("X-Empty", "")
            .with_header("cookie", "b=2")
            .with_header("HOST", "example.test");
        assert_eq!(h.header("cookie"), Some("a=1"));
        assert_eq!(h.header("COOKIE"), Some("a=1"));
        assert_eq!(h.header_all("Cookie").collect::<Vec<_>>(), ["a=1", "b=2"]);
        assert_eq!(h.header("x-empty"), Some(""));
        assert_eq!(h.header("host"), Some("example.test"));
        assert_eq!(h.header("missing"), None);
        assert_eq!(
            h.headers().collect::<Vec<_>>(),
            [
                ("cookie", "a=1"),
                ("x-empty", ""),
                ("cookie", "b=2"),
                ("host", "example.test")
            ]
        );
        assert_eq!(h.headers().len(), 4);
        // The text block is only the target, the names that are not known ones, and values.
        assert_eq!(h.text.len(), "/a=1x-emptyb=2example.test".len());
    }

    #[test]
    fn header_bytes_are_decoded_as_latin1_like_node() {
        let mut b = RequestHead::builder(Method::Get, "/", None);
        b.header_bytes("x-latin1", b"caf\xe9")
            .header_bytes("x-utf8", "café".as_bytes())
            .header_bytes("x-ascii", b"plain")
            .header_bytes("x-empty", b"");
        let h = b.build();
        assert_eq!(h.header("x-latin1"), Some("café"));
        // Node reads UTF-8 bytes one by one too.
        assert_eq!(h.header("x-utf8"), Some("cafÃ©"));
        assert_eq!(h.header("x-ascii"), Some("plain"));
        assert_eq!(h.header("x-empty"), Some(""));
        assert_eq!(h.headers().count(), 4);
    }

    #[test]
    fn a_reserved_builder_allocates_exactly_once() {
        let mut b = RequestHead::builder(Method::Post, "/socket.io/", Some("EIO=4"));
        b.reserve(2, 8);
        let text = b.text.as_ptr();
        b.header_bytes("Host", b"h").header_bytes("x", b"\xff");
        assert_eq!(b.text.as_ptr(), text);
        assert_eq!(b.fields.len(), b.fields.capacity());
        let h = b.build();
        assert_eq!(h.method(), Method::Post);
        assert_eq!(h.header("x"), Some("\u{ff}"));
    }

    #[test]
    fn with_header_and_with_remote_keep_what_was_there() {
        let addr: SocketAddr = "10.0.0.1:4000".parse().unwrap();
        let h = RequestHead::new(Method::Get, "/a?b=c")
            .with_remote(addr)
            .with_header("Upgrade", "WebSocket");
        assert_eq!(h.remote(), Some(addr));
        assert_eq!(h.query_param("b").as_deref(), Some("c"));
        assert!(!h.is_upgrade(), "no Connection: upgrade");
        let debug = format!("{h:?}");
        assert!(debug.contains("\"/a?b=c\"") && debug.contains("(\"upgrade\", \"WebSocket\")"));
    }

    #[test]
    fn an_upgrade_is_an_upgrade_header_with_connection_upgrade_as_node_parses_it() {
        let head = |headers: &[(&str, &str)]| {
            headers
                .iter()
                .fold(RequestHead::new(Method::Get, "/"), |h, (n, v)| {
                    h.with_header(n, v)
                })
        };
        let yes = [
            &[("Connection", "Upgrade"), ("Upgrade", "websocket")][..],
            &[("Connection", "keep-alive, UPGRADE"), ("Upgrade", "foo")],
            &[
                ("Connection", "keep-alive"),
                ("Connection", "upgrade"),
                ("Upgrade", "x"),
            ],
            &[("Upgrade", "websocket"), ("Connection", "close,\tupgrade ")],
        ];
        for h in yes {
            assert!(head(h).is_upgrade(), "{h:?}");
        }
        let no = [
            &[("Upgrade", "websocket")][..],
            &[("Connection", "Upgrade")],
            &[("Connection", "keep-alive"), ("Upgrade", "websocket")],
            &[("Connection", "upgrades"), ("Upgrade", "websocket")],
            &[("Connection", "upgrade"), ("Upgrade", "")],
        ];
        for h in no {
            assert!(!head(h).is_upgrade(), "{h:?}");
        }
    }

    #[test]
    fn debug_shows_the_target_and_headers() {
        let h = RequestHead::new(Method::Get, "/a?b=c").with_header("Upgrade", "WebSocket");
        let debug = format!("{h:?}");
        assert!(debug.contains("\"/a?b=c\"") && debug.contains("(\"upgrade\", \"WebSocket\")"));
    }
}
