//! Sends a WebSocket handshake answer and the first frames after it in one write.
//!
//! hyper writes `101 Switching Protocols` and flushes it before it hands the connection over;
//! on loopback and on busy servers every write is a system call and a TCP segment of its own,
//! so the answer and the Engine.IO open packet that follows it would go out separately. The
//! wrapper keeps the `101` in memory until the WebSocket side flushes (which the connection
//! task does as soon as it has nothing to read), so both go out together.
//!
//! Only a `101` that Volley's own WebSocket answer asked for ([`CorkNext`]) is kept: an app
//! served behind Volley may upgrade connections for protocols that read before they write.

use hyper::rt::{Read, ReadBufCursor, Write};
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// The status line hyper writes for a switching-protocols answer.
const SWITCHING: &[u8] = b"HTTP/1.1 101 ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Writes and flushes go straight to the socket.
    Direct,
    /// hyper is writing a `101` answer: keep it.
    Holding,
    /// hyper flushed the `101` (it is done with the connection): keep it, and whatever the
    /// WebSocket side writes after it, until the WebSocket side flushes.
    Held,
    /// Writing out what was kept; then `Direct` again.
    Releasing,
}

/// Handed by the standalone server with each of Volley's requests: [`CorkNext::set`] asks the
/// connection to keep its next `101` answer until the WebSocket side flushes.
#[derive(Debug, Clone)]
pub(crate) struct CorkNext(Arc<AtomicBool>);

impl CorkNext {
    /// Called by Volley's WebSocket answer, which flushes as soon as its task starts.
    pub(crate) fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// An accepted connection whose `101` answer waits for the first WebSocket flush.
#[derive(Debug)]
pub(crate) struct Corked<I> {
    inner: I,
    /// Dropped once a `101` went out: the connection speaks another protocol from then on.
    next: Option<CorkNext>,
    state: State,
    held: Vec<u8>,
}

impl<I> Corked<I> {
    /// The wrapped connection, and the handle to put into its requests.
    pub(crate) fn new(inner: I) -> (Self, CorkNext) {
        let next = CorkNext(Arc::new(AtomicBool::new(false)));
        let corked = Corked {
            inner,
            next: Some(next.clone()),
            state: State::Direct,
            held: Vec::new(),
        };
        (corked, next)
    }

    /// Whether `first` (the start of a write) is the `101` asked for; then the flag is spent.
    fn starts_kept_answer(&self, first: &[u8]) -> bool {
        first.starts_with(SWITCHING)
            && self
                .next
                .as_ref()
                .is_some_and(|next| next.0.swap(false, Ordering::Relaxed))
    }

    fn keep(&mut self, bufs: &[IoSlice<'_>]) -> usize {
        let len = bufs.iter().map(|b| b.len()).sum();
        self.held.reserve(len);
        for b in bufs {
            self.held.extend_from_slice(b);
        }
        len
    }
}

impl<I: Write + Unpin> Corked<I> {
    /// Writes out everything kept; `Ready(Ok)` once it is all with the socket.
    fn poll_release(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.state = State::Releasing;
        while !self.held.is_empty() {
            let n = match Pin::new(&mut self.inner).poll_write(cx, &self.held) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            // Rare (the socket took part of a few hundred bytes): move the rest up.
            self.held.drain(..n);
        }
        self.held = Vec::new();
        self.next = None;
        self.state = State::Direct;
        Poll::Ready(Ok(()))
    }
}

impl<I: Read + Unpin> Read for Corked<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: Write + Unpin> Write for Corked<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.state == State::Direct {
            if !this.starts_kept_answer(buf) {
                return Pin::new(&mut this.inner).poll_write(cx, buf);
            }
            this.state = State::Holding;
        }
        Pin::new(this).poll_write_vectored(cx, &[IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match this.state {
            State::Direct => {
                if bufs.first().is_some_and(|b| this.starts_kept_answer(b)) {
                    this.state = State::Holding;
                    return Poll::Ready(Ok(this.keep(bufs)));
                }
                Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
            }
            State::Holding | State::Held => Poll::Ready(Ok(this.keep(bufs))),
            State::Releasing => {
                // Order: what was kept goes first.
                match this.poll_release(cx) {
                    Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_write_vectored(cx, bufs),
                    Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match this.state {
            State::Direct => Pin::new(&mut this.inner).poll_flush(cx),
            // hyper's own flush of the `101`: the next one comes from the WebSocket side.
            State::Holding => {
                this.state = State::Held;
                Poll::Ready(Ok(()))
            }
            State::Held | State::Releasing => {
                std::task::ready!(this.poll_release(cx))?;
                Pin::new(&mut this.inner).poll_flush(cx)
            }
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.state != State::Direct {
            std::task::ready!(this.poll_release(cx))?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
