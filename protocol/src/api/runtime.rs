//! What the user API needs from an async runtime.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

/// A boxed, sendable future, as handed to [`Runtime::spawn`].
///
/// ```
/// use volley_protocol::api::BoxFuture;
/// let fut: BoxFuture = Box::pin(async {});
/// # let _ = fut;
/// ```
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The services of an async runtime that the API layer uses. Adapters implement it.
///
/// The core itself has no clock and never sleeps: it reports its next deadline, and the
/// runtime arranges one call to the timeout handler at that instant (one timer per server,
/// not one per session).
///
/// ```
/// use std::time::Instant;
/// use volley_protocol::api::{BoxFuture, Runtime};
///
/// /// A runtime for tests: runs nothing, remembers the last deadline.
/// struct Inert(std::sync::Mutex<Option<Instant>>);
///
/// impl Runtime for Inert {
///     fn now(&self) -> Instant { Instant::now() }
///     fn spawn(&self, _fut: BoxFuture) {}
///     fn wake_timer(&self, at: Instant) { *self.0.lock().unwrap() = Some(at); }
///     fn fill_random(&self, buf: &mut [u8]) { buf.fill(4) } // not random: tests only
/// }
/// # let _ = Inert(Default::default());
/// ```
pub trait Runtime: Send + Sync + 'static {
    /// The current time; the only clock the API layer reads.
    fn now(&self) -> Instant;
    /// Runs `fut` to completion in the background (async handlers, async middleware).
    fn spawn(&self, fut: BoxFuture);
    /// Asks for a call to the server's timeout handler at `at` or earlier. A later call with an
    /// earlier instant moves the deadline forward; an extra early call is harmless.
    fn wake_timer(&self, at: Instant);
    /// Fills `buf` with unpredictable bytes (session and socket ids must be unguessable).
    fn fill_random(&self, buf: &mut [u8]);
}
