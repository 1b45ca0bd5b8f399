//! What a socket knows about how its client connected.

use crate::engine::RequestHead;
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

    /// Request headers as received.
    pub fn headers(&self) -> &[(Str, Str)] {
        &self.head.headers
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&Str> {
        self.head.header(name)
    }

    /// The raw query string (without `?`).
    pub fn query(&self) -> &Str {
        &self.head.query
    }

    /// Query parameter `key`, percent-decoded (last occurrence wins).
    pub fn query_param(&self, key: &str) -> Option<Cow<'_, str>> {
        self.head.query_param(key)
    }

    /// The CONNECT auth object, raw JSON (`{}` when the client sent none).
    pub fn auth(&self) -> &Str {
        &self.auth
    }

    /// The peer address, when the adapter knows it.
    pub fn address(&self) -> Option<SocketAddr> {
        self.head.remote
    }

    /// When the Engine.IO session was opened.
    pub fn issued(&self) -> Instant {
        self.issued
    }

    /// The request URL: path and query, as the reference's `handshake.url`.
    pub fn url(&self) -> String {
        if self.head.query.is_empty() {
            self.head.path.to_string()
        } else {
            format!("{}?{}", self.head.path, self.head.query)
        }
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
