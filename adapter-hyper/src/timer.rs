//! The one timer task per server: sleeps until the core's earliest deadline, then runs its
//! timeout handling, which reports the next deadline. No task per heartbeat or per timer.

use crate::IoRuntime;
use futures_util::future::{select, Either};
use std::future::poll_fn;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::{Poll, Waker};
use std::time::Instant;
use volley_protocol::api::WeakEndpoint;

#[derive(Default)]
struct State {
    deadline: Option<Instant>,
    /// Set when the deadline moved earlier since the task last looked.
    changed: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    io: OnceLock<WeakEndpoint>,
}

/// The deadline an adapter's [`Runtime::wake_timer`](volley_protocol::api::Runtime::wake_timer)
/// records, and the task that acts on it.
#[derive(Default, Clone)]
pub struct Timer(Arc<Inner>);

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Timer {
    /// A timer with no deadline and no task yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for a call to the server's timeout handler at `at` (or earlier).
    pub fn wake(&self, at: Instant) {
        let mut st = lock(&self.0.state);
        if st.deadline.is_none_or(|cur| at < cur) {
            st.deadline = Some(at);
            st.changed = true;
            let waker = st.waker.take();
            drop(st);
            if let Some(w) = waker {
                w.wake();
            }
        }
    }

    /// Starts the timer task for `io` on `rt` (once); it ends when the server is gone.
    pub fn start<R: IoRuntime>(&self, rt: &R, io: WeakEndpoint) {
        if self.0.io.set(io).is_err() {
            return;
        }
        rt.spawn(run(rt.clone(), self.0.clone()));
    }
}

async fn run<R: IoRuntime>(rt: R, timer: Arc<Inner>) {
    loop {
        let deadline = {
            let mut st = lock(&timer.state);
            st.changed = false;
            st.deadline
        };
        let changed = poll_fn(|cx| {
            let mut st = lock(&timer.state);
            if st.changed {
                Poll::Ready(())
            } else {
                if !st.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    st.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        });
        match deadline {
            Some(at) => {
                if let Either::Right(_) = select(pin!(rt.sleep_until(at)), pin!(changed)).await {
                    continue;
                }
            }
            None => {
                changed.await;
                continue;
            }
        }
        lock(&timer.state).deadline = None;
        let Some(io) = timer.io.get().and_then(WeakEndpoint::upgrade) else {
            return;
        };
        let next = io.handle_timeout();
        drop(io);
        if let Some(next) = next {
            let mut st = lock(&timer.state);
            // wake() may have set an earlier deadline while handle_timeout ran.
            st.deadline = Some(st.deadline.map_or(next, |cur| cur.min(next)));
        }
    }
}
