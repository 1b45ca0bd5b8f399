//! Joining a cluster with the user API: the adapter in the server options, and the inbox fed
//! to the server.

use crate::{ClusterInbox, RedisAdapterError, RedisAdapterFactory, RedisConfig};
use volley_protocol::api::{Io, Options};

/// Sets a Redis adapter in `options` (starting its task on the current tokio runtime); give
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

/// Feeds what other nodes send to `io`, on a tokio task, for as long as the server lives.
pub fn attach(io: &Io, mut inbox: ClusterInbox) -> tokio::task::JoinHandle<()> {
    let io = io.clone();
    tokio::spawn(async move {
        while let Some(message) = inbox.recv().await {
            io.handle_cluster_message(message);
        }
    })
}
