//! Writing a token into a `Vec<u8>` with one capacity check: reserve the most the token can
//! need, write its bytes into the spare capacity, then extend the length once.
//!
//! `Vec::push` per byte re-checks the capacity and stores the length for every byte, and
//! `extend_from_slice` calls `memcpy`, which costs more than the copy for the short keys,
//! values and numbers that make up most JSON. This is the crate's one `unsafe` writer (the
//! other `unsafe` code is `Str::as_str`, `Str::from_utf8_unchecked` (for its callers), the
//! calls into the reader's SSE2 scans, `json/de/sse2.rs`, and the reader's strings,
//! `json/de/read.rs`: unescaped text taken as UTF-8 and string slices whose start follows an
//! opening quote, `Key` and `visit_string` carrying that quote as their precondition;
//! `json/de/owned.rs` sets the length of the `String` it copied a string into): the length is
//! set to what a [`Cursor`] has provably written.

use std::mem::MaybeUninit;

/// Write position in the spare capacity of a `Vec<u8>`; only [`append`] creates one.
pub(crate) struct Cursor<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    /// Bytes written so far: `buf[..n]` is initialized.
    n: usize,
}

impl Cursor<'_> {
    /// Writes one byte. Panics (never unsound) if the token outgrows what was reserved.
    #[inline(always)]
    pub(crate) fn put(&mut self, b: u8) {
        self.buf[self.n].write(b);
        self.n += 1;
    }

    /// Stores all 8 bytes of `word` (one store, one bounds check) but keeps only the first
    /// `keep` (`<= 8`): the next write goes over the rest. The cursor must have room for all 8.
    #[inline(always)]
    pub(crate) fn put_word_prefix(&mut self, word: [u8; 8], keep: usize) {
        let dst: &mut [MaybeUninit<u8>; 8] = (&mut self.buf[self.n..self.n + 8])
            .try_into()
            .expect("a range of 8 bytes");
        // One array assignment (one 8-byte store; a loop of byte writes can end up as eight).
        *dst = word.map(MaybeUninit::new);
        self.n += keep.min(8);
    }

    /// Stores all 16 bytes of `block` (one store) but keeps only the first `keep` (`<= 16`),
    /// as [`Self::put_word_prefix`]. The cursor must have room for all 16.
    #[inline(always)]
    pub(crate) fn put_block_prefix(&mut self, block: &[u8; 16], keep: usize) {
        let dst: &mut [MaybeUninit<u8>; 16] = (&mut self.buf[self.n..self.n + 16])
            .try_into()
            .expect("a 16-byte range");
        // One 16-byte copy (a loop of byte writes here stays 16 byte stores).
        *dst = block.map(MaybeUninit::new);
        self.n += keep.min(16);
    }

    /// Writes a few bytes, one at a time (for short tokens: no `memcpy` call).
    #[inline(always)]
    pub(crate) fn put_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.put(b);
        }
    }

    /// Writes a short token (numbers' text) with at most two word stores: up to 16 bytes as
    /// their first and last eight (overlapping), up to 7 as one word padded with spaces; longer
    /// ones byte by byte. The cursor must have room for `bytes.len() + 8`.
    #[inline(always)]
    pub(crate) fn put_text(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(head), Some(tail)) if n <= 16 => {
                self.put_word_prefix(*head, n - 8);
                self.put_word_prefix(*tail, 8);
            }
            (Some(_), Some(_)) => self.put_all(bytes),
            _ if n > 0 => self.put_word_prefix(load_short(bytes).to_le_bytes(), n),
            _ => {}
        }
    }
}

/// The 1 to 7 bytes of `s` as the low bytes of a little-endian word, the rest spaces, read
/// with at most three loads and no loop.
#[inline(always)]
pub(crate) fn load_short(s: &[u8]) -> u64 {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    let n = s.len();
    debug_assert!((1..8).contains(&n));
    let low = if n >= 4 {
        // Two overlapping 4-byte loads; the overlap holds the same bytes in both.
        let head = u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64;
        let tail = u32::from_le_bytes([s[n - 4], s[n - 3], s[n - 2], s[n - 1]]) as u64;
        head | tail << (8 * (n - 4))
    } else {
        // n = 1, 2, 3: first, middle and last byte (some are the same byte).
        s[0] as u64 | (s[n / 2] as u64) << (8 * (n / 2)) | (s[n - 1] as u64) << (8 * (n - 1))
    };
    low | SPACES << (8 * n)
}

/// Appends to `out` what `write` puts into a cursor holding `max` bytes of spare capacity.
#[inline(always)]
pub(crate) fn append<R>(
    out: &mut Vec<u8>,
    max: usize,
    write: impl FnOnce(&mut Cursor<'_>) -> R,
) -> R {
    out.reserve(max);
    let len = out.len();
    let mut cursor = Cursor {
        buf: &mut out.spare_capacity_mut()[..max],
        n: 0,
    };
    let r = write(&mut cursor);
    let n = cursor.n;
    // SAFETY: `n` counts the bytes `Cursor::put` wrote, in order from the start of the spare
    // capacity (`buf[..n]` is initialized), and `n <= max <= capacity - len` (a `put` past
    // `max` panics on the bounds check before writing).
    #[allow(unsafe_code)]
    unsafe {
        out.set_len(len + n);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_exactly_what_was_put() {
        let mut out = b"ab".to_vec();
        append(&mut out, 13, |c| {
            c.put(b'c');
            c.put_all(b"de");
            c.put_word_prefix(*b"fgXXXXXX", 2);
            c.put_word_prefix(*b"hijklmno", 8);
        });
        assert_eq!(out, b"abcdefghijklmno");
        append(&mut out, 16, |c| {
            c.put_block_prefix(b"pqrstuvwxyzXXXXX", 11)
        });
        append(&mut out, 32, |c| {
            c.put_block_prefix(b"0123456789ABCDEF", 16);
            c.put_block_prefix(b"GHIJKLMNOPQRSTUV", 0);
        });
        assert_eq!(out, b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEF");
        append(&mut out, 0, |_| ());
        assert_eq!(out, b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEF");
    }

    #[test]
    fn put_text_writes_every_length() {
        let text: Vec<u8> = (b'a'..=b'z').collect();
        for n in 0..=text.len() {
            let mut out = b"<".to_vec();
            append(&mut out, n + 8, |c| c.put_text(&text[..n]));
            out.push(b'>');
            assert_eq!(out[1..n + 1], text[..n], "length {n}");
            assert_eq!(out.len(), n + 2, "length {n}");
        }
    }

    #[test]
    #[should_panic]
    fn putting_more_than_reserved_panics() {
        let mut out = Vec::new();
        append(&mut out, 1, |c| c.put_all(b"xy"));
    }

    #[test]
    #[should_panic]
    fn a_block_needs_room_for_all_sixteen_bytes() {
        let mut out = Vec::new();
        append(&mut out, 15, |c| c.put_block_prefix(b"0123456789abcdef", 1));
    }

    #[test]
    #[should_panic]
    fn a_word_needs_room_for_all_eight_bytes() {
        let mut out = Vec::new();
        append(&mut out, 7, |c| c.put_word_prefix(*b"abcdefgh", 1));
    }
}
