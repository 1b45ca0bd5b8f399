//! The upgraded connection under a WebSocket, with hyper's I/O traits and seen through
//! `futures-io`, for WebSocket libraries of the smol family (async-tungstenite).

use crate::read_ahead::ReadAhead;
use hyper::rt::{Read, ReadBuf, ReadBufCursor, Write};
use hyper::upgrade::Upgraded;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// An upgraded HTTP connection for a WebSocket library: hyper's `Read`/`Write`, and
/// `futures_io::AsyncRead + AsyncWrite` for the smol family.
///
/// Reads go through a read-ahead buffer: the codec's own buffer stays tiny (it is kept while the
/// connection is idle), yet one system call takes all the socket holds, up to 16 KiB, into a
/// chunk the connection holds only until the socket has nothing more.
///
/// ```
/// fn assert_futures_io<T: futures_io::AsyncRead + futures_io::AsyncWrite + Unpin>() {}
/// assert_futures_io::<volley_hyper::UpgradedIo>();
/// ```
#[derive(Debug)]
pub struct UpgradedIo {
    io: Upgraded,
    ahead: ReadAhead,
}

impl UpgradedIo {
    /// Wraps a connection hyper has upgraded.
    pub fn new(io: Upgraded) -> Self {
        UpgradedIo {
            io,
            ahead: ReadAhead::default(),
        }
    }
}

impl Read for UpgradedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.ahead.poll_read(&mut this.io, cx, buf)
    }
}

impl Write for UpgradedIo {
    pass_through!(
        poll_write,
        poll_write_vectored,
        is_write_vectored,
        poll_flush,
        poll_shutdown
    );
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
