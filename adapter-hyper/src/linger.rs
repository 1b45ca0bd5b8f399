//! A lingering close: the connection's input is read and thrown away for a while after its
//! last response went out, so the peer gets to read that response.
//!
//! A server that answers a request early (`400` for a malformed chunk, `413` past
//! maxPayload, hyper's own `400`/`431` for a bad head) and closes its socket while the client
//! is still sending makes the kernel answer the client's next segments, or the unread bytes
//! still queued at close, with a reset. The reset can overtake the answer: a client that
//! writes its whole request before it reads (Node's, curl) sees its write fail and reports an
//! empty reply. As nginx's `lingering_close` does (Go's server shuts down its side and waits
//! too), the connection instead shuts down its write half (the peer reads the answer, then
//! the end of the stream), then reads and drops what still arrives until the peer closes its
//! side too, or until [`LINGER_BYTES`] were dropped or [`LINGER_TIME`] has passed, whichever
//! comes first; only then is the socket closed.
//!
//! A graceful shutdown waits for lingering connections like for any other, within its
//! deadline. The graceful close of an idle keep-alive connection lingers too: a well-behaved
//! client closes its side as soon as it reads the end of the stream.
//!
//! It runs inside the `poll_shutdown` that hyper calls once it is done with a connection, so
//! on the connection's own task, with one timer only while a peer keeps its side open. A peer
//! that has already closed its side costs one read that finds the end of the stream.

use crate::IoRuntime;
use hyper::rt::{Read, ReadBuf, Write};
use std::future::Future;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The longest a closing connection reads (and drops) the peer's input after its write half
/// was shut down. Enough for a client on a slow link to read a small answer; short enough
/// that a peer cannot keep a connection this way.
pub(crate) const LINGER_TIME: Duration = Duration::from_secs(2);
/// The most input a closing connection reads and drops before it closes anyway: a refused
/// upload usually stops right after the answer, so a few MiB cover what is in flight, while a
/// peer that keeps sending cannot make the server read without end.
pub(crate) const LINGER_BYTES: usize = 4 * 1024 * 1024;
/// Bytes dropped per read system call.
const DISCARD_CHUNK: usize = 8 * 1024;
/// Reads per wake-up before the task yields, so a fast sender cannot hold a worker thread.
const READS_PER_POLL: usize = 16;

type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

enum Phase {
    /// Serving: reads and writes pass straight through.
    Open,
    /// Shutting down the write half.
    Closing,
    /// The write half is shut; dropping input until the end of the stream or a bound.
    Draining {
        until: Instant,
        /// Armed the first time a read finds nothing.
        timer: Option<Sleep>,
        left: usize,
    },
    /// Done: further shutdowns are no-ops.
    Closed,
}

/// An accepted connection whose shutdown lingers (see the module docs).
pub(crate) struct Lingering<I, R> {
    io: I,
    rt: R,
    phase: Phase,
}

impl<I, R> Lingering<I, R> {
    /// `io`, lingering when shut down.
    pub(crate) fn new(io: I, rt: R) -> Self {
        Lingering {
            io,
            rt,
            phase: Phase::Open,
        }
    }
}

impl<I: Read + Write + Unpin, R: IoRuntime> Lingering<I, R> {
    /// Drops input until the end of the stream, an error, [`LINGER_BYTES`] or [`LINGER_TIME`].
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Phase::Draining { until, timer, left } = &mut self.phase else {
            return Poll::Ready(());
        };
        let mut scratch = [MaybeUninit::<u8>::uninit(); DISCARD_CHUNK];
        for _ in 0..READS_PER_POLL {
            let mut buf = ReadBuf::uninit(&mut scratch);
            match Pin::new(&mut self.io).poll_read(cx, buf.unfilled()) {
                Poll::Ready(Ok(())) => {
                    let got = buf.filled().len();
                    if got == 0 {
                        return Poll::Ready(());
                    }
                    *left = left.saturating_sub(got);
                    if *left == 0 {
                        tracing::debug!(
                            bytes = LINGER_BYTES,
                            "peer kept sending after the connection closed; dropped"
                        );
                        return Poll::Ready(());
                    }
                }
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Pending => {
                    let at = *until;
                    let rt = &self.rt;
                    let timer = timer.get_or_insert_with(|| {
                        let rt = rt.clone();
                        Box::pin(async move { rt.sleep_until(at).await })
                    });
                    if timer.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    tracing::debug!(
                        limit = ?LINGER_TIME,
                        "peer kept its side open after the connection closed; dropped"
                    );
                    return Poll::Ready(());
                }
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl<I: Read + Unpin, R: Unpin> Read for Lingering<I, R> {
    pass_through!(poll_read);
}

impl<I: Read + Write + Unpin, R: IoRuntime> Write for Lingering<I, R> {
    pass_through!(
        poll_write,
        poll_write_vectored,
        is_write_vectored,
        poll_flush
    );

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            match this.phase {
                Phase::Open => this.phase = Phase::Closing,
                Phase::Closing => {
                    if let Err(e) = std::task::ready!(Pin::new(&mut this.io).poll_shutdown(cx)) {
                        // Nothing reaches the peer any more: no reason to wait for it.
                        this.phase = Phase::Closed;
                        return Poll::Ready(Err(e));
                    }
                    this.phase = Phase::Draining {
                        until: Instant::now() + LINGER_TIME,
                        timer: None,
                        left: LINGER_BYTES,
                    };
                }
                Phase::Draining { .. } => {
                    std::task::ready!(this.poll_drain(cx));
                    this.phase = Phase::Closed;
                }
                Phase::Closed => return Poll::Ready(Ok(())),
            }
        }
    }
}
