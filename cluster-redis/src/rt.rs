//! The async runtime the Redis task runs on: tokio (feature `tokio`, the default) or the smol
//! family, which async-std runs on too (feature `async-std` or `smol`). With both compiled in,
//! a task started inside a tokio runtime runs on tokio and any other on the smol family, the
//! same rule by which the redis crate picks its connection type, so the task and its
//! connections always share one runtime.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::Poll;
use std::time::{Duration, Instant};

#[cfg(not(any(feature = "tokio", feature = "smol")))]
compile_error!("volley-redis needs a runtime feature: `tokio` (default), `async-std` or `smol`");

/// A pending wake-up at an instant.
pub(crate) type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A runtime to spawn the Redis task on and to read timers from.
#[derive(Debug, Clone)]
pub(crate) enum Rt {
    /// The tokio runtime `start` was called in.
    #[cfg(feature = "tokio")]
    Tokio(tokio::runtime::Handle),
    /// async-io timers, tasks on async-global-executor (the executor async-std spawns on).
    #[cfg(feature = "smol")]
    Smol,
}

/// The future did not finish in time.
#[derive(Debug)]
pub(crate) struct TimedOut;

impl Rt {
    /// The runtime of the caller: tokio when inside one (and compiled in), else the smol
    /// family when compiled in, else none.
    pub(crate) fn current() -> Option<Rt> {
        #[cfg(feature = "tokio")]
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            return Some(Rt::Tokio(handle));
        }
        outside_tokio()
    }

    /// Runs `fut` to completion in the background.
    pub(crate) fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        match self {
            #[cfg(feature = "tokio")]
            Rt::Tokio(handle) => drop(handle.spawn(fut)),
            #[cfg(feature = "smol")]
            Rt::Smol => async_global_executor::spawn(fut).detach(),
        }
    }

    /// Completes at `at`. Poll it on this runtime (tokio timers need their runtime).
    pub(crate) fn sleep_until(&self, at: Instant) -> Sleep {
        match self {
            #[cfg(feature = "tokio")]
            Rt::Tokio(_) => Box::pin(tokio::time::sleep_until(at.into())),
            #[cfg(feature = "smol")]
            Rt::Smol => Box::pin(async move {
                async_io::Timer::at(at).await;
            }),
        }
    }

    /// `fut`'s output, or [`TimedOut`] once `limit` has passed.
    pub(crate) async fn timeout<F: Future>(
        &self,
        limit: Duration,
        fut: F,
    ) -> Result<F::Output, TimedOut> {
        let mut fut = pin!(fut);
        let mut sleep = self.sleep_until(Instant::now() + limit);
        poll_fn(|cx| {
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                return Poll::Ready(Ok(v));
            }
            sleep.as_mut().poll(cx).map(|()| Err(TimedOut))
        })
        .await
    }
}

#[cfg(feature = "smol")]
fn outside_tokio() -> Option<Rt> {
    Some(Rt::Smol)
}

#[cfg(not(feature = "smol"))]
fn outside_tokio() -> Option<Rt> {
    None
}

#[cfg(all(test, feature = "smol"))]
mod tests {
    use super::*;

    #[test]
    fn timeout_yields_the_output_or_times_out_on_the_smol_family() {
        async_io::block_on(async {
            let rt = Rt::Smol;
            let quick = rt.timeout(Duration::from_secs(5), async { 7 }).await;
            assert_eq!(quick.ok(), Some(7));
            let slow = rt.sleep_until(Instant::now() + Duration::from_secs(5));
            let started = Instant::now();
            assert!(rt.timeout(Duration::from_millis(30), slow).await.is_err());
            assert!(started.elapsed() < Duration::from_secs(2));
        });
    }
}
