//! A throwaway `redis-server` (Debian package, installed by scripts/setup.sh) on a free port.
#![allow(dead_code)]

use std::future::{poll_fn, Future};
use std::net::{TcpListener, TcpStream};
use std::pin::{pin, Pin};
use std::process::{Child, Command, Stdio};
use std::task::Poll;
use std::time::{Duration, Instant};

/// A running redis-server; killed on drop.
pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RedisServer {
    /// Starts redis-server (no persistence) on `port`; returns once it accepts connections.
    pub fn start(port: u16) -> RedisServer {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/setup.sh installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        RedisServer {
            port,
            child: Some(child),
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops it and waits for the exit (the port is free again afterwards).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits `d` (on any runtime).
pub async fn pause(d: Duration) {
    async_io::Timer::after(d).await;
}

/// `fut`'s output, or `None` once `limit` has passed (on any runtime).
pub async fn within<F: Future>(limit: Duration, fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut timer = async_io::Timer::after(limit);
    poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        Pin::new(&mut timer).poll(cx).map(|_| None)
    })
    .await
}

/// Polls `cond` every 20 ms until it holds or `limit` passes (on any runtime).
pub async fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        pause(Duration::from_millis(20)).await;
    }
    cond()
}

/// A server created by `new` (an adapter's constructor, e.g. `volley_tokio::new`), one node of
/// the cluster at `url`.
pub fn node(
    url: &str,
    new: fn(volley_tokio::Options) -> volley_tokio::Io,
) -> (volley_tokio::Io, volley_redis::RedisAdapterFactory) {
    let config =
        volley_redis::RedisConfig::new(url).server_count_interval(Duration::from_millis(100));
    let (factory, inbox) = volley_redis::RedisAdapterFactory::start(config).unwrap();
    let io = new(volley_tokio::Options::default()
        .serve_client(false)
        .adapters(factory.clone()));
    volley_redis::attach(&io, inbox);
    (io, factory)
}

/// Two nodes created by `new` on the cluster at `url`, once each counts both.
pub async fn two_nodes(
    url: &str,
    new: fn(volley_tokio::Options) -> volley_tokio::Io,
) -> (volley_tokio::Io, volley_tokio::Io) {
    let (a, fa) = node(url, new);
    let (b, fb) = node(url, new);
    let settled = eventually(Duration::from_secs(5), || {
        fa.server_count("/") == 2 && fb.server_count("/") == 2
    })
    .await;
    assert!(settled, "both nodes count two nodes");
    (a, b)
}
