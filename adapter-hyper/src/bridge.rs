//! The upgraded connection under a WebSocket, with hyper's I/O traits and seen through
//! `futures-io`, for WebSocket libraries of the smol family (async-tungstenite).

use hyper::rt::{Read, ReadBuf, ReadBufCursor, Write};
use hyper::upgrade::Upgraded;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// An upgraded HTTP connection for a WebSocket library: hyper's `Read`/`Write`, and
/// `futures_io::AsyncRead + AsyncWrite` for the smol family.
///
/// Reads go straight to the socket. (Reading through one per-thread scratch buffer, so the
/// codec's own buffer could stay tiny without more system calls, was tried: it made echo
/// cheaper but fan-out at the maximum rate about 50 % more expensive per delivered message,
/// for reasons not yet understood; see benches/README.md.)
///
/// ```
/// fn assert_futures_io<T: futures_io::AsyncRead + futures_io::AsyncWrite + Unpin>() {}
/// assert_futures_io::<volley_hyper::UpgradedIo>();
/// ```
#[derive(Debug)]
pub struct UpgradedIo {
    io: Upgraded,
}

impl UpgradedIo {
    /// Wraps a connection hyper has upgraded.
    pub fn new(io: Upgraded) -> Self {
        UpgradedIo { io }
    }
}

impl Read for UpgradedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
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
