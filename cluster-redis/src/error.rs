//! Errors of setting up the Redis adapter (runtime failures are logged and retried, never
//! returned).

/// Why the Redis adapter could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisAdapterError {
    /// The URL is not a Redis URL.
    #[error("invalid Redis URL {url:?}: {source}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What the Redis client said.
        source: redis::RedisError,
    },
    /// `start` was called outside a tokio runtime, and the `async-std`/`smol` feature, which
    /// runs the adapter anywhere else, is off.
    #[error(
        "the Redis adapter must be started inside a tokio runtime (or enable volley-redis's \
         `async-std` feature)"
    )]
    NoRuntime,
}
