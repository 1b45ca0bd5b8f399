//! Ctrl-C as a future, for [`Serve::with_graceful_shutdown`](crate::Serve::with_graceful_shutdown):
//! async-std and smol have no signal API of their own (tokio has `tokio::signal::ctrl_c`).

use futures_lite::StreamExt;
use std::io;

/// Completes at the first Ctrl-C (SIGINT) that arrives after it is first polled — the
/// counterpart of `tokio::signal::ctrl_c`, on async-io (async-signal), so it works under
/// async-std and smol alike. Pass it to
/// [`Serve::with_graceful_shutdown`](crate::Serve::with_graceful_shutdown): Ctrl-C then stops
/// accepting and disconnects every client with `server shutting down` instead of killing the
/// process. As with tokio, once it has been polled Ctrl-C no longer ends the process by
/// itself. `Err` if the handler cannot be installed.
///
/// ```no_run
/// # async fn run(io: volley_async_std::Io) -> std::io::Result<()> {
/// let listener = async_net::TcpListener::bind("127.0.0.1:3000").await?;
/// volley_async_std::serve(listener, io)
///     .with_graceful_shutdown(async {
///         let _ = volley_async_std::ctrl_c().await;
///     })
///     .await
/// # }
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut signals = async_signal::Signals::new([async_signal::Signal::Int])?;
    match signals.next().await {
        Some(received) => received.map(drop),
        None => Err(io::Error::other("the signal stream ended")),
    }
}
