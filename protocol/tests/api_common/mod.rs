//! Helpers shared by the tests that drive the user API (`Io` behind an `Endpoint`) by hand.

use std::task::{Context, Waker};
use std::time::Instant;
use volley_protocol::api::{BoxFuture, Runtime};

/// A runtime for tests: a fixed clock, and spawned futures polled until they finish.
pub struct TestRuntime(pub Instant);

impl Runtime for TestRuntime {
    fn now(&self) -> Instant {
        self.0
    }
    fn spawn(&self, mut fut: BoxFuture) {
        let mut cx = Context::from_waker(Waker::noop());
        assert!(
            fut.as_mut().poll(&mut cx).is_ready(),
            "the handlers here do not wait"
        );
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = i as u8;
        }
    }
}
