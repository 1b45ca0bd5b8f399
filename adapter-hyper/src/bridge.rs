//! The upgraded connection under a WebSocket: reads go through one scratch buffer per thread,
//! so an idle connection holds no read buffer of its own; and hyper's I/O traits seen through
//! `futures-io`, for WebSocket libraries of the smol family (async-tungstenite).

use hyper::rt::{Read, ReadBuf, ReadBufCursor, Write};
use hyper::upgrade::Upgraded;
use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Bytes taken from the socket per read system call.
const SCRATCH: usize = 32 * 1024;

thread_local! {
    /// Every connection polled on this thread reads into this one buffer.
    static SCRATCH_BUF: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH].into_boxed_slice());
}

/// An upgraded HTTP connection for a WebSocket library: hyper's `Read`/`Write`, and
/// `futures_io::AsyncRead + AsyncWrite` for the smol family.
///
/// The WebSocket codec asks for small reads (its own buffer is kept small because every
/// connection holds one); this stream serves them from one large read into a per-thread
/// scratch buffer and keeps only what the codec did not take yet, freeing it once taken.
///
/// ```
/// fn assert_futures_io<T: futures_io::AsyncRead + futures_io::AsyncWrite + Unpin>() {}
/// assert_futures_io::<volley_hyper::UpgradedIo>();
/// ```
#[derive(Debug)]
pub struct UpgradedIo {
    io: Upgraded,
    /// Read from the socket and not yet handed out (boxed: the stream lives inside every
    /// connection's task, and most of the time nothing is left over).
    rest: Option<Box<Leftover>>,
}

/// Bytes read from the socket and not yet handed out: `data[at..]`.
#[derive(Debug)]
struct Leftover {
    data: Vec<u8>,
    at: usize,
}

impl UpgradedIo {
    /// Wraps a connection hyper has upgraded.
    pub fn new(io: Upgraded) -> Self {
        UpgradedIo { io, rest: None }
    }

    /// Hands out up to `buf.remaining()` bytes of what is left from an earlier read; false
    /// if nothing is left.
    fn take_rest(&mut self, buf: &mut ReadBufCursor<'_>) -> bool {
        let Some(rest) = self.rest.as_mut() else {
            return false;
        };
        let n = buf.remaining().min(rest.data.len() - rest.at);
        buf.put_slice(&rest.data[rest.at..rest.at + n]);
        rest.at += n;
        if rest.at == rest.data.len() {
            self.rest = None;
        }
        true
    }
}

impl Read for UpgradedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.take_rest(&mut buf) {
            return Poll::Ready(Ok(()));
        }
        if buf.remaining() >= SCRATCH {
            return Pin::new(&mut this.io).poll_read(cx, buf);
        }
        SCRATCH_BUF.with(|scratch| {
            let Ok(mut scratch) = scratch.try_borrow_mut() else {
                // Not reachable (reads do not nest); a direct read is correct anyway.
                return Pin::new(&mut this.io).poll_read(cx, buf);
            };
            let mut read = ReadBuf::new(&mut scratch[..]);
            ready!(Pin::new(&mut this.io).poll_read(cx, read.unfilled()))?;
            let got = read.filled();
            let n = buf.remaining().min(got.len());
            buf.put_slice(&got[..n]);
            if n < got.len() {
                this.rest = Some(Box::new(Leftover {
                    data: got[n..].to_vec(),
                    at: 0,
                }));
            }
            Poll::Ready(Ok(()))
        })
    }
}

impl Write for UpgradedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl futures_io::AsyncRead for UpgradedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut read = ReadBuf::new(buf);
        ready!(Read::poll_read(self, cx, read.unfilled()))?;
        Poll::Ready(Ok(read.filled().len()))
    }
}

impl futures_io::AsyncWrite for UpgradedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Write::poll_write(self, cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Write::poll_write_vectored(self, cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Write::poll_flush(self, cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Write::poll_shutdown(self, cx)
    }
}
