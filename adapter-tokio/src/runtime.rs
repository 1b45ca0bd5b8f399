//! The tokio side of [`Runtime`] (spawning on the current runtime, clock, randomness, the
//! timer deadline) and of the shared HTTP/WebSocket plumbing ([`IoRuntime`]).

use hyper_util::rt::TokioIo;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use volley_hyper::{IoRuntime, Timer, UpgradedIo};
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
        RANDOM.with_borrow_mut(|pool| pool.fill(buf));
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
    type WebSocket = WebSocketStream<TokioIo<UpgradedIo>>;

    fn for_endpoint(_io: &Endpoint) -> Self {
        Tokio
    }

    fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(fut);
    }

    fn spawn_blocking(&self, f: impl FnOnce() + Send + 'static) {
        tokio::task::spawn_blocking(f);
    }

    fn sleep_until(&self, at: Instant) -> impl Future<Output = ()> + Send {
        tokio::time::sleep_until(at.into())
    }

    async fn websocket(&self, io: UpgradedIo, config: WebSocketConfig) -> Self::WebSocket {
        WebSocketStream::from_raw_socket(TokioIo::new(io), Role::Server, Some(config)).await
    }
}

/// OS randomness fetched in blocks: a session id and a socket id per connection would
/// otherwise cost a system call each.
struct RandomPool {
    block: [u8; RANDOM_BLOCK],
    /// Bytes of `block` already handed out (and wiped).
    used: usize,
}

const RANDOM_BLOCK: usize = 256;

thread_local! {
    static RANDOM: RefCell<RandomPool> = const {
        RefCell::new(RandomPool { block: [0; RANDOM_BLOCK], used: RANDOM_BLOCK })
    };
}

impl RandomPool {
    fn fill(&mut self, buf: &mut [u8]) {
        if buf.len() > RANDOM_BLOCK / 4 {
            return os_random(buf);
        }
        if self.used + buf.len() > RANDOM_BLOCK {
            os_random(&mut self.block);
            self.used = 0;
        }
        let handed = &mut self.block[self.used..self.used + buf.len()];
        buf.copy_from_slice(handed);
        // Bytes handed out once are never handed out again.
        handed.fill(0);
        self.used += buf.len();
    }
}

fn os_random(buf: &mut [u8]) {
    if let Err(e) = getrandom::fill(buf) {
        // Without OS randomness ids would be guessable; refusing to run is the safe choice.
        panic!("no OS random source: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_random_ids_are_fresh_across_block_refills() {
        let mut pool = RandomPool {
            block: [0; RANDOM_BLOCK],
            used: RANDOM_BLOCK,
        };
        // Forty 15-byte ids span three blocks; none repeats and none is left zeroed.
        let ids: Vec<[u8; 15]> = (0..40)
            .map(|_| {
                let mut id = [0u8; 15];
                pool.fill(&mut id);
                id
            })
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_ne!(id, &[0u8; 15], "id {i}");
            assert!(!ids[..i].contains(id), "id {i} repeats");
        }
    }

    #[test]
    fn large_random_requests_bypass_the_pool() {
        let mut pool = RandomPool {
            block: [0; RANDOM_BLOCK],
            used: RANDOM_BLOCK,
        };
        let mut big = [0u8; RANDOM_BLOCK];
        pool.fill(&mut big);
        assert_ne!(big, [0u8; RANDOM_BLOCK]);
        assert_eq!(pool.used, RANDOM_BLOCK, "the pool was not touched");
    }
}
