//! SSE2 versions of the reader's two byte scans, 16 bytes per instruction: the string scan
//! (the next `"`, `\` or control byte) and the element count (`count.rs`), 64 bytes per step.
//!
//! SSE2 is part of x86_64's baseline, so there is no run-time detection: this module is
//! compiled only where `target_feature = "sse2"` is enabled for the whole build. The
//! portable code (`u64` words) stays for other targets and for the string scan's last 15
//! bytes of the input (the count pads its last block with spaces instead); the tests run
//! both and compare.
//! The intrinsics are safe to call inside a `#[target_feature(enable = "sse2")]` function;
//! the loads and the string-byte masks are the crate's (`crate::sse2`, shared with the
//! validator) and dereference no pointer. The
//! one `unsafe` operation is calling such a function from code compiled without the
//! attribute, in [`scan_plain`] and [`count_blocks`], sound because the feature is enabled
//! statically (checked by the `cfg` on this module).

use super::count::State;
use crate::sse2::{bits, eq, load, string_specials};
use std::arch::x86_64::{_mm_and_si128, _mm_cmpeq_epi8, _mm_set1_epi8};

/// Index of the first `"`, `\` or control byte at or after `i`, 16 bytes at a time: `Ok` with
/// it, or `Err` with where fewer than 16 bytes were left (nothing found before).
#[inline]
pub(super) fn scan_plain(b: &[u8], i: usize) -> Result<usize, usize> {
    // SAFETY: calling a `#[target_feature(enable = "sse2")]` function is sound where the CPU
    // has SSE2, which every x86_64 CPU has; the module's `cfg` checks that the build enables
    // it. The function itself only indexes slices with bounds checks.
    #[allow(unsafe_code)]
    unsafe {
        scan_plain_sse2(b, i)
    }
}

#[inline]
#[target_feature(enable = "sse2")]
fn scan_plain_sse2(b: &[u8], mut i: usize) -> Result<usize, usize> {
    while let Some(chunk) = b.get(i..i + 16) {
        let v = load(chunk.try_into().unwrap_or(&[0; 16]));
        let marks = bits(string_specials(v).1);
        if marks != 0 {
            return Ok(i + marks.trailing_zeros() as usize);
        }
        i += 16;
    }
    Err(i)
}

/// [`scan_plain`], also telling whether the byte found is a quote: `Ok((index, true))` when
/// every special byte of the 16-byte window it was found in is a `"` (so the first one is),
/// `Ok((index, false))` when the window holds another one (the caller reads the byte).
#[inline]
pub(super) fn scan_string(b: &[u8], i: usize) -> Result<(usize, bool), usize> {
    // SAFETY: as in `scan_plain`.
    #[allow(unsafe_code)]
    unsafe {
        scan_string_sse2(b, i)
    }
}

#[inline]
#[target_feature(enable = "sse2")]
fn scan_string_sse2(b: &[u8], i: usize) -> Result<(usize, bool), usize> {
    // The rest of the input as a slice: one length test per window (an index would also be
    // tested for overflow).
    let Some(mut rest) = b.get(i..) else {
        return Err(i);
    };
    let mut at = i;
    while let Some(chunk) = rest.first_chunk::<16>() {
        let (quotes, special) = string_specials(load(chunk));
        let marks = bits(special);
        if marks != 0 {
            let only_quotes = bits(quotes) == marks;
            return Ok((at + marks.trailing_zeros() as usize, only_quotes));
        }
        rest = &rest[16..];
        at += 16;
    }
    Err(at)
}

/// Counts 64 bytes at a time from `*i` up to `end` (the last block padded with spaces),
/// updating `state` and `*i`; the index of the array's closing bracket when it is found.
#[inline]
pub(super) fn count_blocks(
    state: &mut State,
    b: &[u8],
    i: &mut usize,
    end: usize,
) -> Option<usize> {
    // SAFETY: as in `scan_plain`.
    #[allow(unsafe_code)]
    unsafe {
        count_blocks_sse2(state, b, i, end)
    }
}

/// One bit per byte (bit `k` for byte `k`) of the 64 bytes of a block.
struct Masks {
    quotes: u64,
    backslashes: u64,
    commas: u64,
    /// `[`, `]`, `{` and `}` (and bytes that only strings hold in valid JSON, see below).
    brackets: u64,
}

#[inline]
#[target_feature(enable = "sse2")]
fn masks(block: &[u8; 64]) -> Masks {
    let mut m = Masks {
        quotes: 0,
        backslashes: 0,
        commas: 0,
        brackets: 0,
    };
    let bracket_bits = _mm_set1_epi8(0xd9_u8 as i8);
    let bracket_value = _mm_set1_epi8(0x59);
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        let v = load(chunk.try_into().unwrap_or(&[0; 16]));
        let shift = 16 * k;
        m.quotes |= u64::from(eq(v, b'"')) << shift;
        m.backslashes |= u64::from(eq(v, b'\\')) << shift;
        m.commas |= u64::from(eq(v, b',')) << shift;
        // `[`, `]`, `{` and `}` are the bytes 0x59 under mask 0xd9 (so are `Y`, `_`, `y` and
        // DEL, which valid JSON has only inside strings), as in `count.rs`.
        let brackets = _mm_cmpeq_epi8(_mm_and_si128(v, bracket_bits), bracket_value);
        m.brackets |= u64::from(bits(brackets)) << shift;
    }
    m
}

/// What the blocks carry from one to the next, besides `State`'s count and depth.
struct Carry {
    /// All bits when the previous block ended inside a string.
    in_string: u64,
    /// Bit 0 when the previous block ended with an escaping backslash.
    escaped_in: u64,
}

#[inline]
#[target_feature(enable = "sse2")]
fn count_blocks_sse2(state: &mut State, b: &[u8], i: &mut usize, end: usize) -> Option<usize> {
    let mut carry = Carry {
        in_string: if state.in_string != 0 { u64::MAX } else { 0 },
        escaped_in: u64::from(state.escaped_in != 0),
    };
    let mut found = None;
    let b = &b[..end];
    let mut at = *i;
    // The last bytes are padded with spaces (outside strings they are nothing).
    let mut padded = [b' '; 64];
    while at < end {
        let (block, step) = match b.get(at..).and_then(<[u8]>::first_chunk::<64>) {
            Some(block) => (block, 64),
            None => {
                let rest = &b[at..];
                padded[..rest.len()].copy_from_slice(rest);
                (&padded, rest.len())
            }
        };
        found = count_block(state, &mut carry, block);
        if found.is_some() {
            break;
        }
        at += step;
    }
    *i = at;
    state.in_string = if carry.in_string != 0 {
        super::count::ONES
    } else {
        0
    };
    state.escaped_in = if carry.escaped_in != 0 { 0x80 } else { 0 };
    found.map(|at| *i + at)
}

/// Counts the 64 bytes of `block`; the closing bracket's index in it if it is there.
#[inline]
#[target_feature(enable = "sse2")]
fn count_block(state: &mut State, carry: &mut Carry, block: &[u8; 64]) -> Option<usize> {
    let m = masks(block);
    let mut quotes = m.quotes;
    if m.backslashes | carry.escaped_in != 0 {
        // Which bytes a backslash escapes (a backslash escaped by the one before it escapes
        // nothing), without a loop over the backslashes: the backslashes that start a run
        // (not escaped themselves) are subtracted from the run ends' bits with the odd
        // positions set, which leaves a bit pattern telling odd-length runs from even ones
        // (simdjson's method).
        const ODD: u64 = 0xaaaa_aaaa_aaaa_aaaa;
        let backslashes = m.backslashes;
        let starts = backslashes & !carry.escaped_in;
        let codes = ((starts << 1) | ODD).wrapping_sub(starts) ^ ODD;
        let escaped = codes ^ (backslashes | carry.escaped_in);
        carry.escaped_in = (codes & backslashes) >> 63;
        quotes &= !escaped;
    }
    // Prefix XOR: bit k is the parity of the quotes at or below k, so it is set from an
    // opening quote up to its closing one.
    let mut inside = quotes;
    for s in [1, 2, 4, 8, 16, 32] {
        inside ^= inside << s;
    }
    inside ^= carry.in_string;
    carry.in_string = 0u64.wrapping_sub(inside >> 63);
    let outside = !inside;
    let mut commas = m.commas & outside;
    let mut events = m.brackets & outside;
    let mut depth = state.depth;
    let mut count = state.count;
    let mut found = None;
    while events != 0 {
        let at = events.trailing_zeros() as usize;
        let below = (1u64 << at) - 1;
        if depth == 1 {
            // Few commas lie between two brackets (one between two records): counted one
            // by one, which is cheaper than a popcount without the `popcnt` instruction.
            let mut before = commas & below;
            while before != 0 {
                count += 1;
                before &= before - 1;
            }
        }
        commas &= !below;
        // Bit 2 tells closing brackets from opening ones.
        if block[at] & 4 != 0 {
            depth -= 1;
            if depth == 0 {
                found = Some(at);
                break;
            }
        } else {
            depth += 1;
        }
        events &= events - 1;
    }
    if depth == 1 {
        count += commas.count_ones() as usize;
    }
    state.depth = depth;
    state.count = count;
    found
}

#[cfg(test)]
mod tests {
    use super::super::count::elements_with;
    use super::super::read::scan_plain_words;
    use super::*;
    use proptest::prelude::*;

    /// The SSE2 scan (with the portable tail) and the portable scan agree from `i`.
    fn scans_agree(b: &[u8], i: usize) {
        let simd = match scan_plain(b, i) {
            Ok(found) => found,
            Err(rest) => {
                assert!(rest + 16 > b.len() && rest >= i);
                scan_plain_words(b, rest)
            }
        };
        assert_eq!(simd, scan_plain_words(b, i), "{b:?} from {i}");
        // The scan that also reports a closing quote finds the same byte, and says it is a
        // quote only when it is one.
        let (found, quote) = match scan_string(b, i) {
            Ok(found) => found,
            Err(rest) => {
                assert!(rest + 16 > b.len() && rest >= i);
                (scan_plain_words(b, rest), false)
            }
        };
        assert_eq!(found, simd, "{b:?} from {i}");
        assert!(!quote || b[found] == b'"', "{b:?} from {i}");
    }

    #[test]
    fn the_string_scan_reports_a_quote_when_its_window_holds_no_other_special_byte() {
        // A quote at each position of a 40-byte text, then another special byte (or a quote,
        // or nothing) at each later position: a quote only when the quote's 16-byte window
        // holds no other kind of special byte.
        for at in 0..40 {
            for (later, kind) in [(b'"', true), (b'\\', false), (0x01, false), (b'a', true)] {
                for next in at + 1..=40 {
                    let mut b = vec![b'a'; 41];
                    b[at] = b'"';
                    b[next] = later;
                    let window = at - at % 16;
                    let (found, quote) = match scan_string(&b, 0) {
                        Ok(found) => found,
                        Err(rest) => (scan_plain_words(&b, rest), false),
                    };
                    assert_eq!(found, at);
                    let full_window = window + 16 <= b.len();
                    let want = full_window && (kind || next >= window + 16);
                    assert_eq!(quote, want, "quote at {at}, {later:#x} at {next}");
                    scans_agree(&b, at.saturating_sub(3));
                }
            }
        }
    }

    #[test]
    fn scan_finds_each_special_byte_at_every_position() {
        // Every special byte, and the bytes next to the control range and the high half
        // (signed compares would mark 0x80 and above), at every offset of 40 bytes.
        for special in [b'"', b'\\', 0x00, 0x1f, 0x0a] {
            for at in 0..40 {
                for start in 0..=at {
                    let mut b = vec![b'a'; 40];
                    b[..at].fill(0x20);
                    b[at / 2] = 0xff;
                    b[at / 3] = 0x80;
                    b[at] = special;
                    scans_agree(&b, start);
                    let found = match scan_plain(&b, start) {
                        Ok(f) => f,
                        Err(rest) => scan_plain_words(&b, rest),
                    };
                    assert_eq!(found, at);
                }
            }
        }
        for clean in [0x20, 0x7f, 0x80, 0xc3, 0xff, b'/'] {
            let b = vec![clean; 37];
            for start in 0..37 {
                scans_agree(&b, start);
                assert_eq!(
                    scan_plain(&b, start).map_err(|r| scan_plain_words(&b, r)),
                    Err(37)
                );
            }
        }
    }

    /// The SSE2 count (64-byte blocks, then words) and the portable count agree.
    fn counts_agree(json: &[u8], start: usize, limit: usize) -> (usize, usize) {
        let simd = elements_with(json, start, true, limit, true);
        let words = elements_with(json, start, true, limit, false);
        assert_eq!(
            simd,
            words,
            "{:?} from {start}, limit {limit}",
            String::from_utf8_lossy(json)
        );
        simd
    }

    #[test]
    fn escapes_and_strings_across_block_boundaries() {
        // A backslash run and an escaped quote at every alignment against the 16-byte loads
        // and the 64-byte blocks, the array's end before, at and after a block's end.
        for pad in 0..80 {
            for run in 0..4 {
                let s = format!("{}{}", "a".repeat(pad), "\\".repeat(run * 2));
                let json = format!(r#"["{s}", "{s}\"],[" , ",]", {{"k":[1,2]}}, "Y_y{{"]"#);
                assert_eq!(counts_agree(json.as_bytes(), 1, usize::MAX).0, 5, "{json}");
            }
        }
        // A string that starts in one block and ends in a later one.
        for pad in 0..70 {
            let json = format!("[{}\"{}]{}\", 1]", " ".repeat(pad), ",".repeat(100), "[");
            assert_eq!(counts_agree(json.as_bytes(), 1, usize::MAX).0, 2, "{json}");
        }
    }

    #[test]
    fn the_closing_bracket_in_every_position_of_a_block() {
        for n in 0..200 {
            let json = format!("[{}1]  ", "1,".repeat(n));
            let (count, seen) = counts_agree(json.as_bytes(), 1, usize::MAX);
            assert_eq!((count, seen), (n + 1, json.len() - 3));
            for limit in [0, 1, 63, 64, 65, 127, 128, json.len()] {
                counts_agree(json.as_bytes(), 1, limit);
            }
        }
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "[", "]", "{", "}", ",", ":", "\"", "\\", "\\\\", "\\\"", "\"a,b]\"", "1", "-2.5e3",
            "true", "null", " ", "\n", "é", "γ", "Y", "_", "y", "\u{7f}", "\u{1}", "abcdefgh",
        ])
    }

    proptest! {
        #[test]
        fn simd_and_portable_agree_on_any_bytes(
            pieces in prop::collection::vec(piece(), 0..120),
            start in 0usize..8,
            limit in prop::option::of(0usize..600),
        ) {
            let json = pieces.concat();
            let b = json.as_bytes();
            let limit = limit.unwrap_or(usize::MAX);
            if start <= b.len() {
                counts_agree(b, start, limit);
            }
            for i in 0..b.len().min(40) {
                scans_agree(b, i);
            }
        }

        #[test]
        fn simd_and_portable_agree_on_arrays(
            items in prop::collection::vec(
                prop::collection::vec(piece(), 0..6).prop_map(|p| p.concat()), 0..40),
            pad in 0usize..64,
        ) {
            // Valid-looking arrays of strings and nested arrays, shifted by `pad` bytes.
            let body: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(k, s)| if k % 3 == 0 {
                    format!("{:?}", s)
                } else {
                    format!("[{:?}, {{\"k\": {:?}}}]", s, s)
                })
                .collect();
            let json = format!("{}[{}]", " ".repeat(pad), body.join(","));
            let (count, _) = counts_agree(json.as_bytes(), pad + 1, usize::MAX);
            prop_assert_eq!(count, items.len());
        }
    }
}
