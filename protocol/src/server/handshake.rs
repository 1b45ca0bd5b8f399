//! What a socket knows about how its client connected.

use crate::engine::{Headers, RequestHead};
use crate::Str;
use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// Handshake details of a socket (the reference's `socket.handshake`): the HTTP request that
/// opened the Engine.IO session, shared by every socket of that client, plus the namespace
/// CONNECT's auth object.
#[derive(Debug, Clone)]
pub struct Handshake {
    head: Arc<RequestHead>,
    issued: Instant,
    auth: Str,
}

impl Handshake {
    pub(crate) fn new(head: Arc<RequestHead>, issued: Instant, auth: Str) -> Self {
        Handshake { head, issued, auth }
    }

    /// Request headers as `(lowercase name, value)`, in the order received (repeated names
    /// repeat).
    ///
    /// ```
    /// # fn f(handshake: &volley_protocol::server::Handshake) {
    /// for (name, value) in handshake.headers() {
    ///     println!("{name}: {value}");
    /// }
    /// # }
    /// ```
    pub fn headers(&self) -> Headers<'_> {
        self.head.headers()
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.header(name)
    }

    /// Every header called `name` (case-insensitive), in the order received (Node joins them
    /// into one value).
    ///
    /// ```
    /// # fn f(handshake: &volley_protocol::server::Handshake) {
    /// let forwarded: Vec<&str> = handshake.header_all("x-forwarded-for").collect();
    /// # let _ = forwarded;
    /// # }
    /// ```
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.head.header_all(name)
    }

    /// The raw query string (without `?`).
    pub fn query(&self) -> &str {
        self.head.query()
    }

    /// Query parameter `key`, percent-decoded (last occurrence wins).
    pub fn query_param(&self, key: &str) -> Option<Cow<'_, str>> {
        self.head.query_param(key)
    }

    /// Every query parameter, percent-decoded, in order (the reference's `handshake.query`
    /// keeps the last value of a repeated key).
    ///
    /// ```
    /// # fn f(handshake: &volley_protocol::server::Handshake) {
    /// for (key, value) in handshake.query_pairs() {
    ///     println!("{key} = {value}");
    /// }
    /// # }
    /// ```
    pub fn query_pairs(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
        self.head.query_pairs()
    }

    /// The CONNECT auth object, raw JSON (`{}` when the client sent none).
    pub fn auth(&self) -> &Str {
        &self.auth
    }

    /// The peer address, when the adapter knows it.
    pub fn address(&self) -> Option<SocketAddr> {
        self.head.remote()
    }

    /// When the namespace admitted this socket (the reference's `issued`, also per socket; a
    /// connect middleware's handshake has the time the CONNECT arrived).
    pub fn issued(&self) -> Instant {
        self.issued
    }

    /// The request URL: path and query as received, the reference's `handshake.url`.
    pub fn url(&self) -> &str {
        self.head.target()
    }

    /// Whether the request came from another origin (an `Origin` header is present).
    pub fn xdomain(&self) -> bool {
        self.head.header("origin").is_some()
    }

    /// The whole request head.
    pub fn request(&self) -> &RequestHead {
        &self.head
    }
}
