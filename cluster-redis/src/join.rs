//! Joining a cluster with the user API: the adapter in the server options, and the inbox fed
//! to the server.

use crate::{ClusterInbox, RedisAdapterError, RedisAdapterFactory, RedisConfig};
use volley_protocol::api::{Endpoint, Io, Options};

/// Sets a Redis adapter in `options` (starting its task on the caller's runtime, see
/// [`RedisAdapterFactory::start`]); give
/// the returned inbox to [`attach`] once the server exists.
///
/// ```no_run
/// # async fn demo() -> Result<(), volley_redis::RedisAdapterError> {
/// use volley_protocol::api::Options;
/// use volley_redis::RedisConfig;
///
/// let (options, inbox) =
///     volley_redis::options(Options::default(), RedisConfig::new("redis://127.0.0.1:6379"))?;
/// # let io: volley_protocol::api::Io = unimplemented!();
/// // let io = volley_tokio::new(options);
/// volley_redis::attach(&io, inbox);
/// # Ok(()) }
/// ```
pub fn options(
    options: Options,
    config: RedisConfig,
) -> Result<(Options, ClusterInbox), RedisAdapterError> {
    let (factory, inbox) = RedisAdapterFactory::start(config)?;
    Ok((options.adapters(factory), inbox))
}

/// Feeds what other nodes send to `io`, on a task of the server's own runtime (tokio,
/// async-std or smol), for as long as the server lives.
pub fn attach(io: &Io, mut inbox: ClusterInbox) {
    let feed = io.clone();
    Endpoint::from(io.clone()).spawn(Box::pin(async move {
        while let Some(message) = inbox.recv().await {
            feed.handle_cluster_message(message);
        }
    }));
}

/// The environment variable the examples read the Redis URL from.
pub const REDIS_URL_ENV: &str = "REDIS_URL";

/// [`options`] with the URL from `REDIS_URL` (and the reference's default key), or `options`
/// unchanged and no inbox when it is not set: how the examples join a cluster.
///
/// ```no_run
/// # async fn demo() -> Result<(), volley_redis::RedisAdapterError> {
/// # use volley_protocol::api::{Io, Options};
/// let (options, cluster) = volley_redis::options_from_env(Options::default())?;
/// # let io: Io = unimplemented!();
/// // let io = volley_tokio::new(options);
/// if let Some(inbox) = cluster {
///     volley_redis::attach(&io, inbox);
/// }
/// # Ok(()) }
/// ```
pub fn options_from_env(
    options: Options,
) -> Result<(Options, Option<ClusterInbox>), RedisAdapterError> {
    match std::env::var(REDIS_URL_ENV) {
        Ok(url) if !url.is_empty() => {
            tracing::info!(url = %url, "joining the Redis cluster");
            let (options, inbox) = self::options(options, RedisConfig::new(url))?;
            Ok((options, Some(inbox)))
        }
        _ => Ok((options, None)),
    }
}
