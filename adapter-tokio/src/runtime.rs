//! The tokio side of [`Runtime`] (spawning on the current runtime, clock, randomness, the
//! timer deadline) and of the shared HTTP/WebSocket plumbing ([`IoRuntime`]).

use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use volley_hyper::{IoRuntime, Timer};
use volley_protocol::api::{Endpoint, Runtime, WeakEndpoint};

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

/// tokio as the shared plumbing sees it (spawning on the current runtime, tokio timers,
/// tokio-tungstenite): the runtime parameter of [`VolleyService`](crate::VolleyService) and
/// [`VolleyLayer`](crate::VolleyLayer), which name it for you.
///
/// ```
/// use volley_tokio::{Tokio, VolleyLayer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let io = volley_tokio::new(volley_tokio::Options::default());
/// // volley_tokio::VolleyLayer is volley-hyper's layer on tokio.
/// let layer: volley_hyper::VolleyLayer<Tokio> = VolleyLayer::new(io);
/// # let _ = layer;
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Tokio;

impl IoRuntime for Tokio {
    type WebSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

    fn for_endpoint(_io: &Endpoint) -> Self {
        Tokio
    }

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
