//! The tokio side of [`Runtime`] (spawning on the current runtime, clock, randomness, the
//! timer deadline) and of the shared HTTP/WebSocket plumbing ([`IoRuntime`]).

use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use volley_hyper::{IoRuntime, Timer};
use volley_protocol::api::{Runtime, WeakEndpoint};

/// Spawns on a tokio runtime and runs one timer task per server (see [`Timer`]).
pub(crate) struct TokioRuntime {
    handle: tokio::runtime::Handle,
    timer: Timer,
}

impl TokioRuntime {
    /// A runtime bound to the tokio runtime of the calling thread.
    pub(crate) fn current() -> Self {
        TokioRuntime {
            handle: tokio::runtime::Handle::current(),
            timer: Timer::new(),
        }
    }

    /// Starts the timer task for `io`; it ends when the last `Io` handle is gone.
    pub(crate) fn start_timer(&self, io: WeakEndpoint) {
        let _entered = self.handle.enter();
        self.timer.start(&Tokio, io);
    }
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
        self.timer.wake(at);
    }
}

/// Spawning, sleeping and WebSockets for the shared plumbing, on the current tokio runtime.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tokio;

impl IoRuntime for Tokio {
    type WebSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

    fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(fut);
    }

    fn sleep_until(&self, at: Instant) -> impl Future<Output = ()> + Send {
        tokio::time::sleep_until(at.into())
    }

    async fn websocket(
        &self,
        io: hyper::upgrade::Upgraded,
        config: WebSocketConfig,
    ) -> Self::WebSocket {
        WebSocketStream::from_raw_socket(TokioIo::new(io), Role::Server, Some(config)).await
    }
}
