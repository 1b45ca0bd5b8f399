//! The smol-family side of [`Runtime`] (spawning, clock, randomness, the timer deadline) and
//! of the shared HTTP/WebSocket plumbing ([`IoRuntime`]).

use async_executor::Executor;
use async_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use async_tungstenite::WebSocketStream;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use volley_hyper::{IoRuntime, Timer, UpgradedIo};
use volley_protocol::api::{BoxFuture, Endpoint, Runtime};

/// The executor Volley's tasks run on.
#[derive(Clone)]
pub(crate) enum Spawner {
    /// `async-global-executor`, the executor async-std itself spawns on.
    Global,
    /// An executor the application runs (the usual smol setup).
    Executor(Arc<Executor<'static>>),
    /// Whatever the server was created with.
    Endpoint(Endpoint),
}

impl Spawner {
    fn spawn(&self, fut: BoxFuture) {
        match self {
            Spawner::Global => async_global_executor::spawn(fut).detach(),
            Spawner::Executor(ex) => ex.spawn(fut).detach(),
            Spawner::Endpoint(io) => io.spawn(fut),
        }
    }
}

/// The [`Runtime`] of a server: its executor and its one timer task (see [`Timer`]).
pub(crate) struct SmolRuntime {
    spawner: Spawner,
    timer: Timer,
}

impl Runtime for SmolRuntime {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn spawn(&self, fut: BoxFuture) {
        self.spawner.spawn(fut);
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

/// Creates a server with `make` on `spawner` and starts its timer task.
pub(crate) fn start<T>(spawner: Spawner, make: impl FnOnce(Arc<dyn Runtime>) -> T) -> T
where
    T: Clone + Into<Endpoint>,
{
    let timer = Timer::new();
    let runtime = SmolRuntime {
        spawner: spawner.clone(),
        timer: timer.clone(),
    };
    let server = make(Arc::new(runtime));
    timer.start(&Smol(spawner), server.clone().into().downgrade());
    server
}

/// async-std and smol as the shared plumbing sees them (spawning on the executor a server was
/// created with, async-io timers, async-tungstenite over the upgraded connection): the runtime
/// parameter of [`VolleyService`](crate::VolleyService) and
/// [`VolleyLayer`](crate::VolleyLayer), which name it for you.
///
/// ```
/// use volley_async_std::{Smol, VolleyLayer};
///
/// let io = volley_async_std::new(volley_async_std::Options::default());
/// // volley_async_std::VolleyLayer is volley-hyper's layer on async-std / smol.
/// let layer: volley_hyper::VolleyLayer<Smol> = VolleyLayer::new(io);
/// # let _ = layer;
/// ```
#[derive(Clone)]
pub struct Smol(pub(crate) Spawner);

impl IoRuntime for Smol {
    type WebSocket = WebSocketStream<UpgradedIo>;

    fn for_endpoint(io: &Endpoint) -> Self {
        Smol(Spawner::Endpoint(io.clone()))
    }

    fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        self.0.spawn(Box::pin(fut));
    }

    async fn sleep_until(&self, at: Instant) {
        async_io::Timer::at(at).await;
    }

    async fn websocket(&self, io: UpgradedIo, config: WebSocketConfig) -> Self::WebSocket {
        WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await
    }
}
