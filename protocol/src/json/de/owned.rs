//! Owned strings for `deserialize_string` targets (`String`, and through it `Box<str>`,
//! `Cow<str>`, `Option<String>` …): the string read is handed over with `visit_string`, as
//! serde's contract for that method suggests, instead of `visit_str` followed by the visitor's
//! own `to_owned`.
//!
//! The result is the same `String` (exactly the text's length as capacity, one allocation);
//! what changes is the copy: most strings of Socket.IO events are short, and a `memcpy` call
//! costs more than the copy itself, so up to [`SHORT`] bytes are copied as two overlapping
//! windows (8, 4 or 16 bytes, or three single bytes) with no call.

use std::mem::MaybeUninit;

/// Strings up to this long are copied without a `memcpy` call.
pub(super) const SHORT: usize = 32;

/// `text` as a new `String` whose capacity is its length (what `text.to_owned()` gives).
#[inline(always)]
pub(super) fn owned_string(text: &str) -> String {
    let s = text.as_bytes();
    let n = s.len();
    if n > SHORT {
        return text.to_owned();
    }
    let mut v = Vec::<u8>::with_capacity(n);
    copy_short(&mut v.spare_capacity_mut()[..n], s);
    // SAFETY: `copy_short` wrote all `n` bytes of `v`'s spare capacity (its windows cover
    // `0..n`), and `n <= capacity`.
    #[allow(unsafe_code)]
    unsafe {
        v.set_len(n)
    };
    debug_assert_eq!(v, s);
    // SAFETY: `v` holds the bytes of `text`, a `str`.
    #[allow(unsafe_code)]
    unsafe {
        String::from_utf8_unchecked(v)
    }
}

/// Writes `s` (at most [`SHORT`] bytes) into `dst` (of the same length) as its first and
/// last window of the largest size that fits: every byte of `dst` is written (the windows
/// overlap, with the same bytes in the overlap).
#[inline(always)]
fn copy_short(dst: &mut [MaybeUninit<u8>], s: &[u8]) {
    /// The first and last `W` bytes, each as one array assignment (one load and store).
    #[inline(always)]
    fn window<const W: usize>(dst: &mut [MaybeUninit<u8>], s: &[u8]) {
        if let (Some(head), Some(dh)) = (s.first_chunk::<W>(), dst.first_chunk_mut::<W>()) {
            *dh = head.map(MaybeUninit::new);
        }
        if let (Some(tail), Some(dt)) = (s.last_chunk::<W>(), dst.last_chunk_mut::<W>()) {
            *dt = tail.map(MaybeUninit::new);
        }
    }
    let n = s.len();
    debug_assert!(n <= SHORT && dst.len() == n);
    match n {
        16.. => window::<16>(dst, s),
        8.. => window::<8>(dst, s),
        4.. => window::<4>(dst, s),
        1.. => {
            // First, middle and last byte (some are the same byte).
            dst[0].write(s[0]);
            dst[n / 2].write(s[n / 2]);
            dst[n - 1].write(s[n - 1]);
        }
        0 => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_is_copied_exactly_with_its_length_as_capacity() {
        let text: String = "abcdefghijklmnopqrstuvwxyzé0123456789γ!".repeat(2);
        for start in 0..4 {
            for end in start..text.len() {
                let Some(piece) = text.get(start..end) else {
                    continue;
                };
                let s = owned_string(piece);
                assert_eq!(s, piece);
                assert_eq!(s.capacity(), piece.len(), "{piece:?}");
            }
        }
    }
}
