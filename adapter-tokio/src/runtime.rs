//! The tokio side of [`Runtime`]: spawning on the current runtime and the one timer task.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use tokio::sync::Notify;
use volley_protocol::api::{Runtime, WeakEndpoint};

/// Spawns on a tokio runtime and runs one timer task per server.
///
/// The timer task sleeps until the earliest deadline the core reported through
/// [`Runtime::wake_timer`], then calls the core's timeout handling, which returns the next
/// deadline. There is no task per heartbeat or per timer.
pub(crate) struct TokioRuntime {
    handle: tokio::runtime::Handle,
    timer: Arc<TimerState>,
}

struct TimerState {
    deadline: Mutex<Option<Instant>>,
    notify: Notify,
    io: OnceLock<WeakEndpoint>,
}

impl TokioRuntime {
    /// A runtime bound to the tokio runtime of the calling thread.
    pub(crate) fn current() -> Self {
        TokioRuntime {
            handle: tokio::runtime::Handle::current(),
            timer: Arc::new(TimerState {
                deadline: Mutex::new(None),
                notify: Notify::new(),
                io: OnceLock::new(),
            }),
        }
    }

    /// Starts the timer task for `io`; it ends when the last `Io` handle is gone.
    pub(crate) fn start_timer(&self, io: WeakEndpoint) {
        if self.timer.io.set(io).is_err() {
            return;
        }
        let timer = self.timer.clone();
        self.handle.spawn(run_timer(timer));
    }
}

async fn run_timer(timer: Arc<TimerState>) {
    loop {
        let deadline = *lock(&timer.deadline);
        match deadline {
            Some(at) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(at.into()) => {}
                    _ = timer.notify.notified() => continue,
                }
            }
            None => {
                timer.notify.notified().await;
                continue;
            }
        }
        *lock(&timer.deadline) = None;
        let Some(io) = timer.io.get().and_then(WeakEndpoint::upgrade) else {
            return;
        };
        let next = io.handle_timeout();
        drop(io);
        if let Some(next) = next {
            let mut slot = lock(&timer.deadline);
            // wake_timer may have set an earlier deadline while handle_timeout ran.
            *slot = Some(slot.map_or(next, |cur| cur.min(next)));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Runtime for TokioRuntime {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn spawn(&self, fut: Pin<Box<dyn Future<Output = ()> + Send + 'static>>) {
        self.handle.spawn(fut);
    }

    fn fill_random(&self, buf: &mut [u8]) {
        if let Err(e) = getrandom::fill(buf) {
            // Without OS randomness ids would be guessable; refusing to run is the safe choice.
            panic!("no OS random source: {e}");
        }
    }

    fn wake_timer(&self, at: Instant) {
        let mut slot = lock(&self.timer.deadline);
        if slot.is_none_or(|cur| at < cur) {
            *slot = Some(at);
            drop(slot);
            self.timer.notify.notify_one();
        }
    }
}
