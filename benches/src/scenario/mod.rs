//! The load scenarios. Each runs on a single-threaded runtime inside a `LocalSet` (the load
//! generator is pinned to one core), is bounded in client count and time, and talks only to
//! the server address it is given (127.0.0.1).

mod connections;
mod echo;
mod fanout;
mod polling;

pub use connections::{connections, ConnectionsParams};
pub use echo::{echo, EchoParams};
pub use fanout::{fanout, FanoutParams, Rate};
pub use polling::{polling, PollingParams};

use crate::client::{ClientError, SourceAddrs, WsClient};
use crate::stats::{Latencies, Percentiles};
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The server under load.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Where it listens (127.0.0.1).
    pub addr: SocketAddr,
    /// Its process id, for `/proc` readings.
    pub pid: u32,
}

/// A monotonic clock shared by publisher and receivers, in nanoseconds since its start.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    /// Starts the clock.
    pub fn start() -> Clock {
        Clock(Instant::now())
    }

    /// Nanoseconds since the start.
    pub fn now_ns(&self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

/// Warm-up then measurement, in that order.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Load before measuring starts.
    pub warmup: Duration,
    /// The measured part.
    pub measure: Duration,
}

/// What a measured window saw of the server.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Wall time of the window.
    pub elapsed: Duration,
    /// Server CPU time used during it.
    pub cpu: Duration,
}

impl Measured {
    /// CPU use as a fraction of one core.
    pub fn cpu_share(&self) -> f64 {
        self.cpu.as_secs_f64() / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Server CPU microseconds per one of `count` operations.
    pub fn cpu_per_us(&self, count: u64) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / count.max(1) as f64
    }
}

/// What the clients of a scenario count, shared by them on the load generator's one thread.
#[derive(Debug, Default)]
pub struct Meter {
    measuring: Cell<bool>,
    stop: Cell<bool>,
    completed: Cell<u64>,
    latencies: RefCell<Latencies>,
    errors: Cell<u64>,
}

impl Meter {
    /// True between the end of the warm-up and the end of the window.
    pub fn measuring(&self) -> bool {
        self.measuring.get()
    }

    /// True once the window is over: clients stop sending.
    pub fn stopped(&self) -> bool {
        self.stop.get()
    }

    /// Counts one completed operation (only while measuring) and its latency.
    pub fn complete(&self, latency: Option<std::time::Duration>) {
        if self.measuring.get() {
            self.completed.set(self.completed.get() + 1);
            if let Some(l) = latency {
                self.latencies.borrow_mut().record(l);
            }
        }
    }

    /// Counts a client that failed mid-run.
    pub fn error(&self) {
        self.errors.set(self.errors.get() + 1);
    }

    /// Clients that failed mid-run.
    pub fn errors(&self) -> u64 {
        self.errors.get()
    }

    /// Operations completed in the window.
    pub fn completed(&self) -> u64 {
        self.completed.get()
    }

    /// Latency percentiles of the window.
    pub fn latency(&self) -> Option<Percentiles> {
        self.latencies.borrow().summary()
    }

    fn begin(&self) {
        self.latencies.borrow_mut().clear();
        self.measuring.set(true);
    }

    fn end(&self) {
        self.measuring.set(false);
        self.stop.set(true);
    }
}

impl Window {
    /// Sleeps through the warm-up, starts `meter`, sleeps through the window, stops it, and
    /// returns the window's wall and server CPU time.
    pub async fn run(&self, target: Target, meter: &Meter) -> std::io::Result<Measured> {
        tokio::time::sleep(self.warmup).await;
        let cpu0 = crate::proc::cpu_time(target.pid)?;
        let t0 = Instant::now();
        meter.begin();
        tokio::time::sleep(self.measure).await;
        meter.end();
        let elapsed = t0.elapsed();
        let cpu1 = crate::proc::cpu_time(target.pid)?;
        Ok(Measured {
            elapsed,
            cpu: cpu1.saturating_sub(cpu0),
        })
    }
}

/// Why a scenario could not produce a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// Reading the server's `/proc` entries failed (it probably died).
    #[error("reading the server process: {0}")]
    Proc(#[from] std::io::Error),
    /// Too many clients failed.
    #[error("{failed} of {wanted} clients failed; first error: {first}")]
    Clients {
        /// Clients that failed.
        failed: u64,
        /// Clients wanted.
        wanted: u64,
        /// The first failure.
        first: ClientError,
    },
}

/// Connects `count` WebSocket clients, at most `concurrency` handshakes at a time, handing
/// each to `keep`. Returns the wall time it took and how many failed (with the first error).
pub async fn connect_ws_many(
    target: Target,
    count: u64,
    concurrency: u64,
    sources: Rc<SourceAddrs>,
    keep: Rc<dyn Fn(WsClient)>,
) -> (Duration, u64, Option<ClientError>) {
    let started = Instant::now();
    let next = Rc::new(Cell::new(0u64));
    let failed = Rc::new(Cell::new(0u64));
    let first_error = Rc::new(Cell::new(None));
    let mut workers = Vec::new();
    for _ in 0..concurrency.clamp(1, count.max(1)) {
        let (next, failed, first_error) = (next.clone(), failed.clone(), first_error.clone());
        let (sources, keep) = (sources.clone(), keep.clone());
        workers.push(tokio::task::spawn_local(async move {
            while next.get() < count {
                next.set(next.get() + 1);
                match WsClient::connect(target.addr, sources.next()).await {
                    Ok(client) => keep(client),
                    Err(e) => {
                        failed.set(failed.get() + 1);
                        let prev = first_error.take();
                        first_error.set(prev.or(Some(e)));
                    }
                }
            }
        }));
    }
    for w in workers {
        // A worker only ends by finishing its loop; a panic would be a bug worth surfacing.
        w.await.expect("connect worker panicked");
    }
    (started.elapsed(), failed.get(), first_error.take())
}

/// Fails the scenario when more than `tolerated` clients failed.
fn check_failures(
    wanted: u64,
    failed: u64,
    first: Option<ClientError>,
    tolerated: u64,
) -> Result<(), ScenarioError> {
    match first {
        Some(first) if failed > tolerated => Err(ScenarioError::Clients {
            failed,
            wanted,
            first,
        }),
        _ => Ok(()),
    }
}

/// Per-second rate of `count` events over `elapsed`.
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}
