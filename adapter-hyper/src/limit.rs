//! The optional bound on a standalone server's open connections
//! ([`Serve::max_connections`](crate::Serve::max_connections)).

use hyper::rt::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts a server's open connections, HTTP and WebSocket alike, against a maximum.
#[derive(Clone)]
pub(crate) struct ConnectionLimit {
    max: usize,
    open: Arc<AtomicUsize>,
}

impl ConnectionLimit {
    /// A limit of `max` open connections.
    pub(crate) fn new(max: usize) -> Self {
        ConnectionLimit {
            max,
            open: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A slot for one more connection, or `None` when `max` are open.
    pub(crate) fn try_acquire(&self) -> Option<Slot> {
        let mut open = self.open.load(Ordering::Relaxed);
        loop {
            if open >= self.max {
                return None;
            }
            match self.open.compare_exchange_weak(
                open,
                open + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(Slot(self.open.clone())),
                Err(now) => open = now,
            }
        }
    }
}

/// One open connection's place under a [`ConnectionLimit`]; freed when dropped.
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An accepted socket holding its slot (if the server has a limit). The slot goes with the
/// socket, so an upgraded WebSocket keeps it until the WebSocket ends.
pub(crate) struct Counted<I> {
    io: I,
    _slot: Option<Slot>,
}

impl<I> Counted<I> {
    pub(crate) fn new(io: I, slot: Option<Slot>) -> Self {
        Counted { io, _slot: slot }
    }
}

impl<I: Read + Unpin> Read for Counted<I> {
    pass_through!(poll_read);
}

impl<I: Write + Unpin> Write for Counted<I> {
    pass_through!(
        poll_write,
        poll_flush,
        poll_shutdown,
        is_write_vectored,
        poll_write_vectored
    );
}
