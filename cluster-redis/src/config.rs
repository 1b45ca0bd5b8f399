//! Settings of the Redis adapter.

use crate::wire::DEFAULT_KEY;
use std::time::Duration;

/// How a node joins its cluster. `RedisConfig::new("redis://127.0.0.1:6379")` has the
/// reference's defaults (key `socket.io`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// Redis URL (`redis://[user:password@]host[:port][/db]`).
    pub url: String,
    /// Channel prefix, the reference's `key` option (default `socket.io`).
    pub key: String,
    /// How often the node counts the cluster's nodes (PUBSUB NUMSUB), default 1 s. Requests
    /// (fetch sockets, server-side emit with acks, …) wait for that many answers.
    pub server_count_interval: Duration,
    /// How long answers to this node's requests are still matched after the request's
    /// timeout as far as this adapter knows it (default 30 s, which covers a longer
    /// `cluster_request_timeout`); later ones are dropped.
    pub response_grace: Duration,
    /// First delay before reconnecting after a failure (default 100 ms); doubled per failed
    /// attempt up to `reconnect_max`.
    pub reconnect_min: Duration,
    /// Longest delay between reconnection attempts (default 5 s).
    pub reconnect_max: Duration,
    /// Timeout of connecting and of each Redis command (default 3 s).
    pub command_timeout: Duration,
    /// Messages from other nodes buffered for the server before the Redis task waits
    /// (default 4096).
    pub inbox_capacity: usize,
}

impl RedisConfig {
    /// Defaults for a Redis at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            key: DEFAULT_KEY.to_owned(),
            server_count_interval: Duration::from_secs(1),
            response_grace: Duration::from_secs(30),
            reconnect_min: Duration::from_millis(100),
            reconnect_max: Duration::from_secs(5),
            command_timeout: Duration::from_secs(3),
            inbox_capacity: 4096,
        }
    }

    /// Sets the channel prefix.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// Sets how often the cluster's nodes are counted.
    pub fn server_count_interval(mut self, d: Duration) -> Self {
        self.server_count_interval = d;
        self
    }

    /// Sets the reconnection backoff bounds.
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.reconnect_min = min;
        self.reconnect_max = max.max(min);
        self
    }
}
