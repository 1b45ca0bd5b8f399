//! The per-thread scratch buffer the encoders write into.

use bytes::Bytes;
use std::cell::Cell;

/// A scratch buffer larger than this is freed after use instead of kept for the next encode,
/// so one huge packet does not pin its memory to the thread.
const KEEP: usize = 256 * 1024;

thread_local! {
    /// The idle scratch buffer (empty while a [`Scratch`] holds it).
    static IDLE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// An empty buffer to write one encode into, then [`Scratch::finish`] it into an exact-size
/// [`Bytes`].
///
/// The buffer is this thread's scratch (warm, already grown), so an encode costs one
/// allocation of exactly its output size: no growth steps while writing, no slack kept alive
/// by the packet, and no separate reference-count block (a `Bytes` made from a `Vec` whose
/// length is not its capacity allocates one). Dropped without `finish` (an error), nothing is
/// allocated. The buffer is taken out of the thread-local slot while it is in use, so a nested
/// encode (from inside a `Serialize` impl) finds the slot empty and grows a buffer of its own;
/// it is a plain value, so writing into it is as cheap as into any local `Vec` (no closure,
/// no borrow flag, nothing moved through the thread-local access).
pub(crate) struct Scratch {
    /// The buffer written into; empty when taken.
    pub(crate) buf: Vec<u8>,
}

impl Scratch {
    /// Takes this thread's scratch buffer (a new, empty one while it is in use or gone).
    #[inline]
    pub(crate) fn take() -> Self {
        Scratch {
            buf: IDLE.try_with(Cell::take).unwrap_or_default(),
        }
    }

    /// What was written, as an exact-size `Bytes`; the buffer goes back for the next encode.
    #[inline]
    pub(crate) fn finish(self) -> Bytes {
        Bytes::from(self.buf.to_vec())
    }
}

impl Drop for Scratch {
    #[inline]
    fn drop(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        if buf.capacity() == 0 || buf.capacity() > KEEP {
            return;
        }
        buf.clear();
        // Replaces what a nested encode may have put back (the outer buffer is the warm one);
        // a thread that is exiting just frees it.
        let _ = IDLE.try_with(|idle| idle.set(buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(bytes: &[u8]) -> Bytes {
        let mut s = Scratch::take();
        s.buf.extend_from_slice(bytes);
        s.finish()
    }

    #[test]
    fn finish_returns_exactly_what_was_written_and_the_buffer_comes_back_empty() {
        let out = written(b"hello");
        assert_eq!(&out[..], b"hello");
        let s = Scratch::take();
        assert!(s.buf.is_empty(), "the scratch starts empty every time");
        assert!(s.buf.capacity() >= 5, "the warm buffer is reused");
    }

    #[test]
    fn nested_scratch_gets_its_own_buffer() {
        let mut outer = Scratch::take();
        outer.buf.extend_from_slice(b"outer");
        let inner = written(b"inner");
        outer.buf.push(b'!');
        assert_eq!(&outer.finish()[..], b"outer!");
        assert_eq!(&inner[..], b"inner");
        assert_eq!(&written(b"x")[..], b"x");
    }

    #[test]
    fn dropped_scratch_is_returned_empty() {
        let mut s = Scratch::take();
        s.buf.extend_from_slice(b"abandoned");
        drop(s);
        assert!(Scratch::take().buf.is_empty());
    }

    #[test]
    fn oversized_scratch_is_not_kept() {
        let mut s = Scratch::take();
        s.buf.resize(KEEP + 1, b' ');
        drop(s);
        assert_eq!(IDLE.with(|idle| idle.take().capacity()), 0);
    }
}
