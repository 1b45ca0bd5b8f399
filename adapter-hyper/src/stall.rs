//! Gives up on a peer that takes none of what the server writes.
//!
//! A response (a polling GET's packets, an app's download) or a WebSocket frame that the peer
//! never reads stays in memory for as long as its connection is open, and hyper has no write
//! timeout: a client that stops reading could hold every response it ever asked for. Once a
//! write or flush has made no progress for the stall limit (the endpoint's pingInterval +
//! pingTimeout, the budget in which any live Engine.IO client reads something), the
//! connection fails with [`io::ErrorKind::TimedOut`] and is dropped. The timer is armed only
//! while the socket is full, so a peer that reads, however slowly, is never cut off.

use crate::IoRuntime;
use hyper::rt::{Read, Write};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// An accepted connection whose writes fail once they have been stuck for `limit`.
pub(crate) struct WriteStall<I, R> {
    io: I,
    rt: R,
    limit: Duration,
    /// Armed when a write could not proceed; disarmed by any progress.
    stalled: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<I, R: IoRuntime> WriteStall<I, R> {
    /// `io`, given up on once a write has made no progress for `limit`.
    pub(crate) fn new(io: I, rt: R, limit: Duration) -> Self {
        WriteStall {
            io,
            rt,
            limit,
            stalled: None,
        }
    }

    /// Passes a write's result through, arming the stall timer while it is pending and
    /// turning it into an error once the timer has run out.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if result.is_ready() {
            self.stalled = None;
            return result;
        }
        let stalled = self.stalled.get_or_insert_with(|| {
            let rt = self.rt.clone();
            let at = Instant::now() + self.limit;
            Box::pin(async move { rt.sleep_until(at).await })
        });
        if stalled.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.stalled = None;
        tracing::debug!(limit = ?self.limit, "peer took nothing of a write; connection dropped");
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the peer stopped reading",
        )))
    }
}

impl<I: Read + Unpin, R: Unpin> Read for WriteStall<I, R> {
    pass_through!(poll_read);
}

impl<I: Write + Unpin, R: IoRuntime> Write for WriteStall<I, R> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write(cx, buf);
        this.watch(cx, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.watch(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_flush(cx);
        this.watch(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_shutdown(cx);
        this.watch(cx, result)
    }
}
