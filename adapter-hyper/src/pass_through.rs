//! The connection wrappers (`limit`, `stall`, `linger`, `head_timeout`, `bridge`) each change
//! one or two of hyper's I/O methods and hand the rest to the connection they wrap, `self.io`.

/// Inside an `impl hyper::rt::Read` or `impl hyper::rt::Write` for a wrapper whose inner
/// connection is the field `io`: the named methods, passed straight through to it.
macro_rules! pass_through {
    (poll_read) => {
        fn poll_read(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: hyper::rt::ReadBufCursor<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
        }
    };
    (poll_write) => {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::pin::Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
        }
    };
    (poll_write_vectored) => {
        fn poll_write_vectored(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            bufs: &[std::io::IoSlice<'_>],
        ) -> std::task::Poll<std::io::Result<usize>> {
            std::pin::Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
        }
    };
    (is_write_vectored) => {
        fn is_write_vectored(&self) -> bool {
            self.io.is_write_vectored()
        }
    };
    (poll_flush) => {
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.get_mut().io).poll_flush(cx)
        }
    };
    (poll_shutdown) => {
        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            std::pin::Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
        }
    };
    ($($method:ident),+ $(,)?) => {
        $(pass_through!($method);)+
    };
}
