//! Small JSON writing helpers shared by the codecs, and the per-thread scratch buffer the
//! encoders write into.

use bytes::Bytes;
use std::cell::RefCell;

/// Appends `n` in decimal.
pub(crate) fn write_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(n).as_bytes());
}

/// Appends `s` as a JSON string literal, escaped.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaper writes into any `io::Write`; a Vec never fails.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A scratch buffer larger than this is freed after use instead of kept for the next encode,
/// so one huge packet does not pin its memory to the thread.
const SCRATCH_KEEP: usize = 256 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `write` on an empty buffer and returns what it wrote as an exact-size [`Bytes`].
///
/// The buffer is this thread's scratch (warm, already grown), so an encode costs one
/// allocation of exactly its output size: no growth steps while writing, no slack kept
/// alive by the packet, and no separate reference-count block (a `Bytes` made from a `Vec`
/// whose length is not its capacity allocates one). On error nothing is allocated.
/// A nested call (an encode from inside a `Serialize` impl) gets a fresh buffer instead.
pub(crate) fn with_scratch<R, E>(
    write: impl FnOnce(&mut Vec<u8>) -> Result<R, E>,
) -> Result<(Bytes, R), E> {
    let mut write = Some(write);
    let scratch = SCRATCH.try_with(|cell| {
        let mut buf = cell.try_borrow_mut().ok()?;
        buf.clear();
        let write = write.take()?;
        // A `Vec` with length == capacity becomes `Bytes` without a reference-count block.
        let result = write(&mut buf).map(|r| (Bytes::from(buf.to_vec()), r));
        if buf.capacity() > SCRATCH_KEEP {
            *buf = Vec::new();
        }
        Some(result)
    });
    match (scratch, write) {
        (Ok(Some(result)), _) => result,
        // Scratch busy (nested) or gone (thread exiting): a buffer of our own.
        (_, Some(write)) => {
            let mut buf = Vec::new();
            let r = write(&mut buf)?;
            Ok((Bytes::from(buf), r))
        }
        // `write` is only taken once the scratch is borrowed, and then a result is returned.
        (_, None) => unreachable!("scratch write ran without a result"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_starts_empty_and_nested_calls_get_their_own_buffer() {
        let (outer, inner) = with_scratch(|out| {
            out.extend_from_slice(b"outer");
            let (inner, ()) = with_scratch(|o| {
                o.extend_from_slice(b"inner");
                Ok::<_, ()>(())
            })?;
            out.push(b'!');
            Ok::<_, ()>(inner)
        })
        .unwrap();
        assert_eq!(&outer[..], b"outer!");
        assert_eq!(&inner[..], b"inner");
        let (again, ()) = with_scratch(|o| {
            o.push(b'x');
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(&again[..], b"x", "the scratch starts empty every time");
        assert_eq!(with_scratch(|_| Err::<(), _>(7)), Err(7));
    }

    #[test]
    fn oversized_scratch_is_not_kept() {
        with_scratch(|o| {
            o.resize(SCRATCH_KEEP + 1, b' ');
            Ok::<_, ()>(())
        })
        .unwrap();
        SCRATCH.with(|c| assert_eq!(c.borrow().capacity(), 0));
    }
}
