//! Slowloris protection: a connection must send a complete request head within the head
//! timeout of being accepted or of its previous response going out, else it is dropped. That
//! covers a client that trickles a head byte by byte and a keep-alive connection that never
//! sends its next request.
//!
//! hyper has this built in (`header_read_timeout`), but it boxes a timer, registers it with
//! the runtime and removes it again for every request. Here the connection keeps one timer
//! for as long as it lives (≈1,160 instructions, 4.8 %, fewer per polling request; see
//! benches/README.md): serving a request only counts it in [`Exchanges`] (an atomic add as the
//! request starts, one as its response body is done) and takes the time once when the
//! response has been flushed. The timer is armed the first time a read finds nothing and
//! polled on every read that finds nothing; it is looked at only when it fires, then re-armed
//! for the deadline the connection has by then, so a busy keep-alive connection re-arms it
//! about once per timeout.
//!
//! A request in progress is never timed out here: its body has the endpoint's body timeout
//! (`read_body`), a parked long-poll ends with the heartbeat, and a response the peer does not
//! take is the write stall's (`stall`). A connection switched to another protocol (a
//! WebSocket) is no longer watched.

use crate::{BoxError, IoRuntime};
use hyper::rt::{Read, ReadBufCursor, Write};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The default time a connection gets to send a complete request head, from being accepted
/// or from its previous response (Node: `headersTimeout` 60 s, `keepAliveTimeout` 5 s).
pub const DEFAULT_HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// A request started: one more in the count of requests (the high 32 bits, wrapping) and in
/// the number in progress (the low 32 bits).
const STARTED: u64 = (1 << 32) | 1;
/// A response finished: one fewer in progress. (Counting finished responses up instead would
/// carry into the high half when the low half wraps.)
const FINISHED: u64 = 1;

#[derive(Default)]
struct Shared {
    /// Requests started (high 32 bits, wrapping) and in progress (low 32 bits): the value
    /// changes with every request, and the connection is between requests when the low half
    /// is zero.
    exchanges: AtomicU64,
    /// Set once a response switched the connection to another protocol.
    switched: AtomicBool,
}

/// The requests of one connection, as its service sees them: handed to the service, which
/// calls [`Exchanges::start`] for each request.
#[derive(Clone, Default)]
pub(crate) struct Exchanges(Arc<Shared>);

impl Exchanges {
    /// A request's head is complete and the service has it; the returned token finishes the
    /// exchange when dropped (keep it with the response body until hyper has written it).
    pub(crate) fn start(&self) -> Exchange {
        self.0.exchanges.fetch_add(STARTED, Ordering::Relaxed);
        Exchange(self.0.clone())
    }
}

/// One request in progress; dropping it marks its response done.
pub(crate) struct Exchange(Arc<Shared>);

impl Exchange {
    /// The response switches protocols (`101`): the connection is no longer HTTP and no
    /// longer waits for request heads.
    pub(crate) fn switched(&self) {
        self.0.switched.store(true, Ordering::Relaxed);
    }

    /// The exchange as an error map for the response body (`BodyExt::map_err`) that passes
    /// errors through: the body carries the exchange until hyper drops it, having taken all
    /// of it. (A map of the errors, unlike one of the frames, keeps the body's size, so a
    /// known length still goes out as `Content-Length`.)
    pub(crate) fn held_by_body(self) -> impl FnMut(BoxError) -> BoxError + Send + 'static {
        move |e| {
            let _ends_with_the_body = &self;
            e
        }
    }
}

impl Drop for Exchange {
    fn drop(&mut self) {
        self.0.exchanges.fetch_sub(FINISHED, Ordering::Relaxed);
    }
}

fn between_requests(exchanges: u64) -> bool {
    exchanges as u32 == 0
}

type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// An accepted connection that fails its reads with [`io::ErrorKind::TimedOut`] once it has
/// been between requests for the head timeout.
pub(crate) struct HeadTimeout<I, R> {
    io: I,
    rt: R,
    limit: Duration,
    exchanges: Arc<Shared>,
    /// The count of [`Shared::exchanges`] last looked at.
    seen: u64,
    /// Since when the connection has been waiting for a request head; `None` while a request
    /// is in progress (or its response not yet flushed).
    waiting_since: Option<Instant>,
    /// Armed the first time a read finds nothing, polled on every such read, re-armed only
    /// after it fired.
    timer: Option<Sleep>,
    /// Cleared when the connection switches protocols.
    watching: bool,
}

impl<I, R: IoRuntime> HeadTimeout<I, R> {
    /// `io`, just accepted, with the head timeout `limit`, and the handle its service counts
    /// requests with.
    pub(crate) fn new(io: I, rt: R, limit: Duration) -> (Self, Exchanges) {
        let exchanges = Exchanges::default();
        let watched = HeadTimeout {
            io,
            rt,
            limit,
            exchanges: exchanges.0.clone(),
            seen: 0,
            waiting_since: Some(Instant::now()),
            timer: None,
            watching: true,
        };
        (watched, exchanges)
    }

    /// Takes in what the service counted since the last look: an exchange started or
    /// finished since then ends the wait. A new one begins when a flush (`flushed`) finds no
    /// request in progress: the last response is out.
    fn look(&mut self, flushed: bool) {
        if self.exchanges.switched.load(Ordering::Relaxed) {
            self.watching = false;
            self.timer = None;
            return;
        }
        let exchanges = self.exchanges.exchanges.load(Ordering::Relaxed);
        if exchanges != self.seen {
            self.seen = exchanges;
            self.waiting_since = None;
        }
        if flushed && self.waiting_since.is_none() && between_requests(exchanges) {
            self.waiting_since = Some(Instant::now());
        }
    }

    /// After a read found nothing: `Pending` with the timer armed and polled, or the timeout
    /// error once the connection has waited for a head for the whole limit.
    ///
    /// The timer is polled on every read that finds nothing, during a request too: after a
    /// response hyper may not read again until the peer sends something, so the waker of its
    /// last read must be the one the timer holds.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.watching {
            let waiting_since = self.waiting_since;
            let timer = self.timer.get_or_insert_with(|| {
                // During a request: a look once per limit, to re-arm for the next wait.
                let at = waiting_since.unwrap_or_else(Instant::now) + self.limit;
                let rt = self.rt.clone();
                Box::pin(async move { rt.sleep_until(at).await })
            });
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.timer = None;
            self.look(false);
            if self
                .waiting_since
                .is_some_and(|since| since.elapsed() >= self.limit)
            {
                tracing::debug!(limit = ?self.limit, "no complete request head in time; connection dropped");
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no complete request head in time",
                )));
            }
        }
        Poll::Pending
    }
}

impl<I: Read + Unpin, R: IoRuntime> Read for HeadTimeout<I, R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Pending => this.poll_deadline(cx),
            read => read,
        }
    }
}

impl<I: Write + Unpin, R: IoRuntime> Write for HeadTimeout<I, R> {
    pass_through!(
        poll_write,
        poll_write_vectored,
        is_write_vectored,
        poll_shutdown
    );

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.io).poll_flush(cx);
        // A response is out once it is flushed: the wait for the next head starts then.
        if let Poll::Ready(Ok(())) = flushed {
            if this.watching {
                this.look(true);
            }
        }
        flushed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(count: u64) -> Exchanges {
        let exchanges = Exchanges::default();
        exchanges.0.exchanges.store(count, Ordering::Relaxed);
        exchanges
    }

    fn count(exchanges: &Exchanges) -> u64 {
        exchanges.0.exchanges.load(Ordering::Relaxed)
    }

    #[test]
    fn every_request_changes_the_count_and_only_finished_ones_leave_it_between_requests() {
        let exchanges = at(0);
        assert!(between_requests(count(&exchanges)));
        let first = exchanges.start();
        let during = count(&exchanges);
        assert!(!between_requests(during));
        drop(first);
        let after = count(&exchanges);
        assert!(between_requests(after));
        assert_ne!(after, 0, "a whole exchange went unnoticed");
        let second = exchanges.start();
        assert_ne!(count(&exchanges), during);
        drop(second);
        assert_ne!(count(&exchanges), after);
    }

    #[test]
    fn the_count_of_requests_wraps_without_losing_the_ones_in_progress() {
        // 2^32 - 1 requests so far, none in progress.
        let exchanges = at(u64::MAX << 32);
        let before = count(&exchanges);
        let last = exchanges.start();
        let next = exchanges.start();
        assert!(!between_requests(count(&exchanges)));
        drop(last);
        assert!(!between_requests(count(&exchanges)));
        drop(next);
        let after = count(&exchanges);
        assert!(between_requests(after));
        assert_ne!(after, before);
    }
}
