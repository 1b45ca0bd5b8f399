//! JSON string literals: the escaping rules of serde_json's compact output.
//!
//! `"` and `\` are escaped with a backslash; the control characters U+0000–U+001F as `\b`,
//! `\t`, `\n`, `\f`, `\r` or `\u00xx` (lowercase hex); everything else, `/`, DEL and all
//! non-ASCII text included, is copied as is.

use super::cursor::{append, load_short, Cursor};
use super::de::scan_plain;
use std::fmt;

/// No escape needed.
const NO: u8 = 0;
/// `\u00xx`.
const UX: u8 = b'u';

/// For each byte, the letter after the backslash of its escape, or [`NO`].
static ESCAPE: [u8; 256] = {
    let mut table = [NO; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = UX;
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Strings up to this long are escaped while they are copied, in one reserved write (no call
/// per clean run); longer ones are scanned first and copied in runs.
pub(crate) const SHORT: usize = 32;

/// The most an escaped byte can take (`\u00xx`).
pub(crate) const MAX_ESCAPE: usize = 6;

/// What [`put_escaped`] may need beyond `MAX_ESCAPE` per byte: it stores whole 8-byte words
/// and keeps only the part that belongs to the string.
pub(crate) const SLACK: usize = 8;

/// Strings up to this long with nothing to escape are written inline (see [`write_str`]).
pub(crate) const INLINE: usize = 16;

/// Strings up to this long with nothing to escape are written out of line without the
/// escaping loop (see [`write_str_general`]).
const PLAIN: usize = 24;

/// Appends `s` as a JSON string literal, quotes included.
///
/// The usual case, a string of up to [`INLINE`] bytes with nothing to escape (keys, tags,
/// enum variants), is two word tests and two word stores at most, small enough to be inlined
/// into every `Serialize` that writes a string. Longer strings and escaping are out of line in
/// [`write_str_general`], so how much gets inlined around a string does not depend on how big
/// the escaping code is.
#[inline]
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if bytes.len() <= INLINE && append(out, INLINE + 2, |c| put_plain(c, bytes, false)) {
        return;
    }
    write_str_general(out, bytes);
}

/// Puts `"bytes"` when `bytes` needs no escaping and returns `true`; puts nothing and returns
/// `false` otherwise. `bytes` must be at most [`INLINE`] long (`middle` false) or [`PLAIN`]
/// long (`middle` true), and the cursor must hold that length + 2.
///
/// From 8 bytes on, two or three words are tested, with no loop: the first eight bytes, with
/// `middle` the eight at `min(8, n - 8)`, and the last eight; they are stored whole, each over
/// the tail of the one before (the same bytes where they overlap), the cursor advanced to
/// where the next one goes. Shorter strings are one word padded with spaces, the closing quote
/// stored over the padding.
#[inline(always)]
fn put_plain(c: &mut Cursor<'_>, bytes: &[u8], middle: bool) -> bool {
    let n = bytes.len();
    debug_assert!(n <= if middle { PLAIN } else { INLINE });
    if let (Some(head), Some(tail)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        let mid = if middle { (n - 8).min(8) } else { n - 8 };
        let Some(second) = bytes[mid..].first_chunk::<8>() else {
            return false;
        };
        let words = [head, second, tail].map(|w| u64::from_le_bytes(*w));
        let marks = special_bytes(words[0]) | special_bytes(words[2]);
        if marks | if middle { special_bytes(words[1]) } else { 0 } != 0 {
            return false;
        }
        c.put(b'"');
        c.put_word_prefix(*head, mid);
        if middle {
            c.put_word_prefix(*second, n - 8 - mid);
        }
        c.put_word_prefix(*tail, 8);
    } else if n > 0 {
        let word = load_short(bytes);
        if special_bytes(word) != 0 {
            return false;
        }
        c.put(b'"');
        c.put_word_prefix(word.to_le_bytes(), n);
    } else {
        c.put(b'"');
    }
    c.put(b'"');
    true
}

/// [`write_str`] for what its inline case does not take: longer strings, or with a byte to
/// escape. Clean strings up to [`PLAIN`] bytes as in the inline case (three words); up to
/// [`SHORT`] bytes escaped while copied ([`put_escaped`]) in one reserved write; longer ones:
/// clean runs found by the reader's 16-byte scan and copied in one piece each.
#[inline(never)]
fn write_str_general(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    if INLINE < n && n <= PLAIN && append(out, PLAIN + 2, |c| put_plain(c, bytes, true)) {
        return;
    }
    if n <= SHORT {
        append(out, n * MAX_ESCAPE + SLACK + 2, |c| {
            c.put(b'"');
            put_escaped(c, bytes);
            c.put(b'"');
        });
    } else {
        // The common case (nothing to escape) needs exactly this much.
        out.reserve(n + 2);
        out.push(b'"');
        write_runs(out, bytes);
        out.push(b'"');
    }
}

/// Puts the escaped `bytes`; the cursor must hold `bytes.len() * MAX_ESCAPE + SLACK`.
///
/// Eight bytes at a time, the last few padded with spaces to a word: a word test marks the
/// bytes that may need an escape; the word is stored whole and the cursor advanced past its
/// clean prefix (all of it when nothing is marked, the usual case), then the first marked byte
/// is escaped and the scan goes on right after it. No byte-by-byte loop, not even for the tail
/// or for strings shorter than a word (keys, tags).
#[inline(always)]
pub(crate) fn put_escaped(c: &mut Cursor<'_>, bytes: &[u8]) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let (word, len) = match rest.first_chunk::<8>() {
            Some(w) => (u64::from_le_bytes(*w), 8),
            None => (load_short(rest), rest.len()),
        };
        // The lowest mark is a real match (see `special_bytes`), and the padding is clean.
        let clean = (special_bytes(word).trailing_zeros() / 8) as usize;
        c.put_word_prefix(word.to_le_bytes(), clean.min(len));
        if clean >= len {
            rest = &rest[len..];
            continue;
        }
        let b = rest[clean];
        put_escape(c, b, ESCAPE[b as usize]);
        rest = &rest[clean + 1..];
    }
}

/// Marks (high bit set) the bytes of `w` (little-endian) that are control characters, `"` or
/// `\\`; 0 when there are none. A borrow can also mark a clean byte above one that matches,
/// never one below it, so the lowest mark (`trailing_zeros() / 8`) is always a real match.
/// Bytes of 0x80 and above are never marked.
#[inline(always)]
pub(crate) fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below `n` (n <= 0x80) sets its high bit in `(x - n) & !x`.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * n as u64) & !x;
    let control = below(w, 0x20);
    let quote = below(w ^ (ONES * b'"' as u64), 1);
    let backslash = below(w ^ (ONES * b'\\' as u64), 1);
    (control | quote | backslash) & HIGH
}

/// Appends the escaped contents of `s`, without quotes.
#[inline]
fn write_str_contents(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if bytes.len() <= SHORT {
        append(out, bytes.len() * MAX_ESCAPE + SLACK, |c| {
            put_escaped(c, bytes)
        });
    } else {
        write_runs(out, bytes);
    }
}

/// Copies the clean runs in one piece each, found by the reader's string scan (16 bytes at a
/// time with SSE2), and escapes the bytes between them.
fn write_runs(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    loop {
        let i = scan_plain(bytes, start);
        out.extend_from_slice(&bytes[start..i]);
        let Some(&b) = bytes.get(i) else { return };
        append(out, MAX_ESCAPE, |c| put_escape(c, b, ESCAPE[b as usize]));
        start = i + 1;
    }
}

/// Puts `byte` escaped as `esc` says (as itself when `esc` is [`NO`]).
#[inline]
fn put_escape(c: &mut Cursor<'_>, byte: u8, esc: u8) {
    if esc == NO {
        c.put(byte);
        return;
    }
    c.put(b'\\');
    c.put(esc);
    if esc == UX {
        c.put_all(&[
            b'0',
            b'0',
            HEX[(byte >> 4) as usize],
            HEX[(byte & 0xf) as usize],
        ]);
    }
}

/// A `fmt::Write` that escapes what it is given into a JSON string's contents (for
/// `collect_str`, without an intermediate `String`).
pub(crate) struct EscapingWriter<'a>(pub(crate) &'a mut Vec<u8>);

impl fmt::Write for EscapingWriter<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_str_contents(self.0, s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_escape_form_matches_serde_json() {
        for b in 0u8..=0x7f {
            let s = (b as char).to_string();
            assert_eq!(lit(&s), serde_json::to_string(&s).unwrap(), "byte {b:#04x}");
        }
        assert_eq!(
            lit("a\"b\\c/d\u{1f}é\u{7f}"),
            "\"a\\\"b\\\\c/d\\u001fé\u{7f}\""
        );
        for b in 0u8..=0xff {
            // Each byte at every position of an 8-byte group.
            for at in 0..8 {
                let mut group = *b"abcdefgh";
                group[at] = b;
                assert_eq!(
                    special_bytes(u64::from_le_bytes(group)) != 0,
                    ESCAPE[b as usize] != NO,
                    "byte {b:#04x} at {at}"
                );
            }
        }
        let long = "x\n".repeat(SHORT);
        assert_eq!(lit(&long), serde_json::to_string(&long).unwrap());
        assert_eq!(lit(""), r#""""#);
    }

    #[test]
    fn long_strings_escape_at_every_position_of_the_16_byte_scan() {
        // The run-wise copy's scan reads 16 bytes at a time, then words, then bytes: one or two
        // bytes to escape at every position of strings up to five 16-byte blocks long.
        for len in SHORT + 1..=80 {
            for at in 0..len {
                for x in ['"', '\\', '\n', '\u{1}'] {
                    for gap in [1, 15, 16, 17] {
                        let s: String = (0..len)
                            .map(|i| match i {
                                _ if i == at || i == at + gap => x,
                                _ => (b'a' + (i % 26) as u8) as char,
                            })
                            .collect();
                        assert_eq!(lit(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_length_and_position_matches_serde_json() {
        // Words, tails and strings shorter than a word: each byte class (clean ASCII, non-ASCII,
        // `"`, `\\`, named and `\u00xx` controls, DEL, the bytes next to the class edges) at
        // every position of every length up to five words, alone and followed by a second one.
        // Lengths cover the inline case (up to `INLINE`), the word-wise escaping (up to
        // `SHORT`) and the run-wise copy after it.
        let chars = [
            'a', ' ', '!', '#', '[', ']', '"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é', '€',
        ];
        for len in 0..=SHORT + 8 {
            for at in 0..len {
                for &x in &chars {
                    for &y in &chars {
                        let s: String = (0..len)
                            .map(|i| match i {
                                _ if i == at => x,
                                _ if i == at + 3 => y,
                                _ => (b'a' + (i % 26) as u8) as char,
                            })
                            .collect();
                        assert_eq!(lit(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                        let mut out = Vec::new();
                        write_str_contents(&mut out, &s);
                        let whole = serde_json::to_string(&s).unwrap();
                        assert_eq!(out, whole.as_bytes()[1..whole.len() - 1], "{s:?}");
                    }
                }
            }
        }
    }
}
