//! Helpers shared by the tests that drive the user API (`Io` behind an `Endpoint`) by hand.

use std::sync::Mutex;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};
use volley_protocol::api::{BoxFuture, Runtime};

/// A runtime for tests: a fixed clock, and spawned futures polled until they finish.
pub struct TestRuntime(pub Instant);

impl Runtime for TestRuntime {
    fn now(&self) -> Instant {
        self.0
    }
    fn spawn(&self, fut: BoxFuture) {
        run_to_end(fut);
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        counting_bytes(buf);
    }
}

fn run_to_end(mut fut: BoxFuture) {
    let mut cx = Context::from_waker(Waker::noop());
    assert!(
        fut.as_mut().poll(&mut cx).is_ready(),
        "the handlers here do not wait"
    );
}

fn counting_bytes(buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = i as u8;
    }
}

/// [`TestRuntime`] with a clock the test moves forward.
#[allow(dead_code)]
pub struct SteppedRuntime(Mutex<Instant>);

#[allow(dead_code)]
impl SteppedRuntime {
    pub fn new() -> Self {
        SteppedRuntime(Mutex::new(Instant::now()))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Runtime for SteppedRuntime {
    fn now(&self) -> Instant {
        *self.0.lock().unwrap()
    }
    fn spawn(&self, fut: BoxFuture) {
        run_to_end(fut);
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        counting_bytes(buf);
    }
}
