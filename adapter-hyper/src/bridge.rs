//! hyper's I/O traits seen through `futures-io`, for WebSocket libraries of the smol family
//! (async-tungstenite) running over a connection hyper has upgraded.

use hyper::rt::{Read, ReadBuf, Write};
use hyper::upgrade::Upgraded;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// An upgraded HTTP connection as a `futures_io::AsyncRead + AsyncWrite` stream.
///
/// ```
/// fn assert_futures_io<T: futures_io::AsyncRead + futures_io::AsyncWrite + Unpin>() {}
/// assert_futures_io::<volley_hyper::UpgradedIo>();
/// ```
#[derive(Debug)]
pub struct UpgradedIo(pub Upgraded);

impl futures_io::AsyncRead for UpgradedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut read = ReadBuf::new(buf);
        ready!(Pin::new(&mut self.0).poll_read(cx, read.unfilled()))?;
        Poll::Ready(Ok(read.filled().len()))
    }
}

impl futures_io::AsyncWrite for UpgradedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
