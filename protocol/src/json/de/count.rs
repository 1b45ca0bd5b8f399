//! Counting an array's remaining elements before reading them, for `SeqAccess::size_hint`.
//!
//! serde's `Vec` (and the other growable collections) reserve what the hint says, capped at
//! 1 MiB; without a hint a `Vec` grows by doubling, and every growth is a reallocation (for
//! a `Vec` of records, glibc also merges all its freed small chunks on the first request
//! above 1 KiB). The count is exact for valid JSON, and for any input it counts commas that
//! are there (at most one element per byte of the array). A long array is counted over its
//! first bytes only and its length estimated from their density (`access.rs`, `Seq::count`):
//! at most one element per byte of input left.
//!
//! Eight bytes at a time, with plain `u64` arithmetic: the word's quotes, backslashes,
//! brackets and commas are found with exact byte-equality masks (no borrow between bytes),
//! escaped quotes are dropped, the bytes inside strings are marked with a prefix XOR of the
//! quote marks, and only words with a bracket outside strings are walked event by event.
//! On x86_64 the same masks are made 64 bytes at a time with SSE2 (`sse2.rs`) instead.

/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;
/// The low seven bits of every byte.
const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// 1 in every byte.
pub(super) const ONES: u64 = 0x0101_0101_0101_0101;

/// Marks (high bit set) the bytes of `x` that are not 0, exactly (no carry crosses a byte).
#[inline(always)]
fn nonzero(x: u64) -> u64 {
    (((x & LOW) + LOW) | x) & HIGH
}

/// Marks (high bit set) exactly the bytes of `w` equal to `c`.
#[inline(always)]
fn eq(w: u64, c: u8) -> u64 {
    !nonzero(w ^ (ONES * u64::from(c))) & HIGH
}

/// The bytes inside strings, as the low bit of each byte, given the quote and backslash marks
/// (high bits); updates what carries over to the next word: whether it starts inside a string
/// (`in_string`, low bits) and whether its first byte is escaped (`escaped_in`, high bit of
/// byte 0).
#[inline(always)]
fn inside_strings(
    mut quotes: u64,
    backslashes: u64,
    in_string: &mut u64,
    escaped_in: &mut u64,
) -> u64 {
    if backslashes | *escaped_in != 0 {
        // Which bytes a backslash escapes, in order (a backslash escaped by the one before
        // it escapes nothing).
        let mut escaped = *escaped_in;
        let mut rest = backslashes & !escaped;
        *escaped_in = 0;
        while rest != 0 {
            let bit = rest & rest.wrapping_neg();
            let next = bit << 8;
            if next == 0 {
                *escaped_in = 0x80;
            }
            escaped |= next;
            rest &= !(bit | next);
        }
        quotes &= !escaped;
    }
    // Each byte of the product is the number of quotes at or below it (at most 8: no carry),
    // so its low bit is set exactly from an opening quote up to its closing one.
    let inside = ((quotes >> 7).wrapping_mul(ONES) & ONES) ^ *in_string;
    *in_string = (inside >> 56).wrapping_mul(ONES);
    inside
}

/// How many elements of an array start at or after `start` in `b`, looking at no more than
/// `limit` bytes: the commas at the array's own level, plus one if `first` (nothing of the
/// array read yet) and the array is not empty. Returns `(count, bytes looked at)`; when the
/// array does not end within `limit` bytes (or the input), the count so far, which is at most
/// the true count.
#[inline]
pub(super) fn elements(b: &[u8], start: usize, first: bool, limit: usize) -> (usize, usize) {
    elements_with(b, start, first, limit, true)
}

/// [`elements`], with the SSE2 blocks (where there are any) when `simd`, else only the
/// portable words.
#[inline(always)]
pub(super) fn elements_with(
    b: &[u8],
    start: usize,
    first: bool,
    limit: usize,
    simd: bool,
) -> (usize, usize) {
    let mut i = start;
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(i) {
        i += 1;
    }
    match b.get(i) {
        None | Some(b']') => return (0, i - start),
        Some(_) => {}
    }
    let end = b.len().min(start.saturating_add(limit)).max(i);
    let mut state = State {
        count: usize::from(first),
        depth: 1,
        in_string: 0,
        escaped_in: 0,
    };
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if simd {
        if let Some(at) = super::sse2::count_blocks(&mut state, b, &mut i, end) {
            return (state.count, at + 1 - start);
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let _ = simd;
    while let Some(chunk) = b.get(i..i + 8).filter(|_| i + 8 <= end) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if let Some(at) = state.word(u64::from_le_bytes(word)) {
            return (state.count, i + at + 1 - start);
        }
        i += 8;
    }
    // The last few bytes, padded with spaces (outside strings they are nothing).
    let mut word = [b' '; 8];
    for (w, &c) in word.iter_mut().zip(&b[i..end]) {
        *w = c;
    }
    match state.word(u64::from_le_bytes(word)) {
        Some(at) => (state.count, i + at + 1 - start),
        None => (state.count, end - start),
    }
}

/// What the count carries from one word (or block) to the next.
pub(super) struct State {
    pub(super) count: usize,
    /// Nesting relative to the array (1: its own elements).
    pub(super) depth: usize,
    /// All low bits when the previous word ended inside a string.
    pub(super) in_string: u64,
    /// The high bit of byte 0 when the previous word ended with an escaping backslash.
    pub(super) escaped_in: u64,
}

impl State {
    /// Takes the 8 bytes of `w`; the index of the array's closing bracket if it is among them.
    #[inline(always)]
    fn word(&mut self, w: u64) -> Option<usize> {
        let inside = inside_strings(
            eq(w, b'"'),
            eq(w, b'\\'),
            &mut self.in_string,
            &mut self.escaped_in,
        ) << 7;
        // `[`, `]`, `{` and `}` are the bytes 0x59 under mask 0xd9 (so are `Y`, `_`, `y` and
        // DEL, which valid JSON has only inside strings); bit 2 tells closing from opening.
        let brackets = !nonzero((w & (ONES * 0xd9)) ^ (ONES * 0x59)) & !inside & HIGH;
        if brackets == 0 {
            if self.depth == 1 {
                self.count += (eq(w, b',') & !inside).count_ones() as usize;
            }
            return None;
        }
        let close = brackets & (w << 5);
        let mut events = brackets | (eq(w, b',') & !inside);
        while events != 0 {
            let bit = events & events.wrapping_neg();
            if close & bit != 0 {
                self.depth -= 1;
                if self.depth == 0 {
                    return Some((bit.trailing_zeros() / 8) as usize);
                }
            } else if brackets & bit != 0 {
                self.depth += 1;
            } else if self.depth == 1 {
                self.count += 1;
            }
            events ^= bit;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The count for the array that opens `json`, all of it read.
    fn count(json: &str) -> usize {
        assert!(json.starts_with('['));
        elements(json.as_bytes(), 1, true, usize::MAX).0
    }

    #[test]
    fn masks_are_exact() {
        let w = u64::from_le_bytes(*b"\"#\"!\x01\x00\"\xa2");
        assert_eq!(eq(w, b'"'), 0x0080_0000_0080_0080);
        let (mut in_string, mut escaped_in) = (0, 0);
        let inside = inside_strings(0x0000_0080_0000_8000, 0, &mut in_string, &mut escaped_in);
        assert_eq!((inside, in_string), (0x0000_0000_0101_0100, 0));
        let inside = inside_strings(0x0000_0080_0000_0000, 0, &mut in_string, &mut escaped_in);
        assert_eq!((inside, in_string), (0x0101_0101_0000_0000, ONES));
        // A backslash in the last byte escapes the next word's first byte.
        let inside = inside_strings(0, 0x8000_0000_0000_0000, &mut in_string, &mut escaped_in);
        assert_eq!((inside, in_string, escaped_in), (ONES, ONES, 0x80));
        let inside = inside_strings(0x80, 0, &mut in_string, &mut escaped_in);
        assert_eq!((inside, in_string, escaped_in), (ONES, ONES, 0));
    }

    #[test]
    fn counts_the_elements_of_valid_arrays() {
        assert_eq!(count("[]"), 0);
        assert_eq!(count("[ \n ]"), 0);
        assert_eq!(count("[1]"), 1);
        assert_eq!(count("[1,2,3]"), 3);
        assert_eq!(count(r#"[[1,2],{"a":[3,4],"b,]":"}"},"x"]"#), 3);
        assert_eq!(count(r#"["\"",",",  "\\",  "\\\"]" , 5 ]"#), 5);
        assert_eq!(
            count(r#"[{"k":"\u005d,\\"},[[[]]],[{}],null,true,-1.5e3]"#),
            6
        );
        // Bytes that look like brackets under the mask, inside strings.
        assert_eq!(count("[\"Y_y\x7f]\", [\"_\"], \"{Y\"]"), 3);
    }

    #[test]
    fn escapes_and_strings_across_word_boundaries() {
        // Every alignment of a backslash run and a quote against the 8-byte words.
        for pad in 0..16 {
            for run in 0..5 {
                let s = format!("{}{}", "a".repeat(pad), "\\".repeat(run * 2));
                let json = format!(r#"["{s}", "{s}\"],[" , ",]"]"#);
                assert_eq!(count(&json), 3, "{json}");
            }
        }
    }

    #[test]
    fn elements_left_after_some_were_read() {
        let json = b"[1, 2 ,3]";
        assert_eq!(elements(json, 2, false, usize::MAX).0, 2);
        assert_eq!(elements(json, 8, false, usize::MAX).0, 0);
    }

    #[test]
    fn a_limit_or_a_cut_gives_a_lower_bound() {
        let json = format!("[{}0]", "0,".repeat(100));
        for limit in [0, 1, 7, 8, 9, 100, 150, 201] {
            let (n, seen) = elements(json.as_bytes(), 1, true, limit);
            assert!(n <= 101 && seen <= limit.max(1), "{limit}: {n} {seen}");
        }
        assert_eq!(elements(json.as_bytes(), 1, true, 202), (101, 202));
        assert_eq!(elements(&json.as_bytes()[..50], 1, true, usize::MAX).0, 25);
        // Garbage counts only commas that are there.
        assert_eq!(count("[,,,,"), 5);
        assert_eq!(count("[\"]"), 1);
    }
}
