//! JSON string literals: the escaping rules of serde_json's compact output.
//!
//! `"` and `\` are escaped with a backslash; the control characters U+0000–U+001F as `\b`,
//! `\t`, `\n`, `\f`, `\r` or `\u00xx` (lowercase hex); everything else, `/`, DEL and all
//! non-ASCII text included, is copied as is.

use super::cursor::{append, Cursor};
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

/// Strings up to this long are copied byte by byte while they are scanned, in one reserved
/// write (no call per clean run); longer ones are scanned first and copied in runs.
pub(crate) const SHORT: usize = 32;

/// The most an escaped byte can take (`\u00xx`).
pub(crate) const MAX_ESCAPE: usize = 6;

/// Appends `s` as a JSON string literal, quotes included.
#[inline]
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if bytes.len() <= SHORT {
        append(out, bytes.len() * MAX_ESCAPE + 2, |c| {
            c.put(b'"');
            put_escaped(c, bytes);
            c.put(b'"');
        });
    } else {
        // The common case (nothing to escape) needs exactly this much.
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        write_runs(out, bytes);
        out.push(b'"');
    }
}

/// Puts the escaped `bytes`; the cursor must hold `bytes.len() * MAX_ESCAPE`.
///
/// Eight bytes at a time: a group with nothing to escape (the usual case) is tested with a few
/// word operations and stored at once; a group with something to escape, and the last few
/// bytes, go byte by byte.
#[inline(always)]
pub(crate) fn put_escaped(c: &mut Cursor<'_>, bytes: &[u8]) {
    let mut groups = bytes.chunks_exact(8);
    for group in &mut groups {
        let mut word = [0; 8];
        word.copy_from_slice(group);
        if may_need_escape(u64::from_le_bytes(word)) {
            put_bytes_escaped(c, group);
        } else {
            c.put_array(word);
        }
    }
    put_bytes_escaped(c, groups.remainder());
}

#[inline(always)]
fn put_bytes_escaped(c: &mut Cursor<'_>, bytes: &[u8]) {
    for &b in bytes {
        let esc = ESCAPE[b as usize];
        if esc == NO {
            c.put(b);
        } else {
            put_escape(c, b, esc);
        }
    }
}

/// Whether any of the 8 bytes of `w` is a control character, `"` or `\\`.
#[inline(always)]
fn may_need_escape(w: u64) -> bool {
    special_bytes(w) != 0
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
        append(out, bytes.len() * MAX_ESCAPE, |c| put_escaped(c, bytes));
    } else {
        write_runs(out, bytes);
    }
}

/// The scan stops only at bytes that need an escape; the clean run before one is copied in
/// one piece.
fn write_runs(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE[b as usize];
        if esc != NO {
            out.extend_from_slice(&bytes[start..i]);
            append(out, MAX_ESCAPE, |c| put_escape(c, b, esc));
            start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
}

#[inline]
fn put_escape(c: &mut Cursor<'_>, byte: u8, esc: u8) {
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
                    may_need_escape(u64::from_le_bytes(group)),
                    ESCAPE[b as usize] != NO,
                    "byte {b:#04x} at {at}"
                );
            }
        }
        let long = "x\n".repeat(SHORT);
        assert_eq!(lit(&long), serde_json::to_string(&long).unwrap());
        assert_eq!(lit(""), r#""""#);
    }
}
