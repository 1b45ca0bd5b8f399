//! The scanner under [`Deserializer`]: whitespace, literals, strings, numbers, and skipping
//! a whole value without building anything.
//!
//! Everything works on one byte cursor (`pos`) over the input; a token is read with plain
//! slice indexing, and errors only record what went wrong (the position is added once, by
//! [`Deserializer::run`]).

use super::{Deserializer, Error};
use crate::json::cursor::append;
use crate::json::escape::special_bytes;
use serde::de;

/// A string's contents: a slice of the input when it has no escapes, else of the scratch.
pub(super) enum Text<'de, 's, T: ?Sized> {
    Borrowed(&'de T),
    Copied(&'s T),
}

/// The syntax errors, one message each.
#[derive(Clone, Copy)]
pub(super) enum Syntax {
    Eof,
    ExpectedValue,
    ExpectedIdent,
    InvalidNumber,
    NumberOutOfRange,
    ControlCharacter,
    InvalidEscape,
    LoneSurrogate,
    ExpectedListCommaOrEnd,
    ExpectedObjectCommaOrEnd,
    ExpectedColon,
    KeyMustBeAString,
    ExpectedNumericKey,
    ExpectedQuote,
    TrailingComma,
    TrailingCharacters,
    RecursionLimit,
}

impl Syntax {
    fn message(self) -> &'static str {
        match self {
            Syntax::Eof => "EOF while parsing a value",
            Syntax::ExpectedValue => "expected value",
            Syntax::ExpectedIdent => "expected ident",
            Syntax::InvalidNumber => "invalid number",
            Syntax::NumberOutOfRange => "number out of range",
            Syntax::ControlCharacter => {
                "control character (\\u0000-\\u001F) found while parsing a string"
            }
            Syntax::InvalidEscape => "invalid escape",
            Syntax::LoneSurrogate => "lone surrogate in hex escape",
            Syntax::ExpectedListCommaOrEnd => "expected `,` or `]`",
            Syntax::ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            Syntax::ExpectedColon => "expected `:`",
            Syntax::KeyMustBeAString => "key must be a string",
            Syntax::ExpectedNumericKey => "invalid value: expected key to be a number in quotes",
            Syntax::ExpectedQuote => "expected `\"`",
            Syntax::TrailingComma => "trailing comma",
            Syntax::TrailingCharacters => "trailing characters",
            Syntax::RecursionLimit => "recursion limit exceeded",
        }
    }
}

/// The value of each single-letter escape by its letter, 0 for the bytes that are not one
/// (no escape's value is 0).
static SIMPLE_ESCAPES: [u8; 256] = {
    let mut table = [0; 256];
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[b'/' as usize] = b'/';
    table[b'b' as usize] = 0x08;
    table[b'f' as usize] = 0x0c;
    table[b'n' as usize] = b'\n';
    table[b'r' as usize] = b'\r';
    table[b't' as usize] = b'\t';
    table
};

/// Bytes reserved for unescaped strings when the first one is read.
const SCRATCH: usize = 64;

/// Index of the first `"`, `\` or control byte at or after `i` (the input length if none):
/// 16 bytes at a time with SSE2 on x86_64, then [`scan_plain_words`].
#[inline(always)]
pub(crate) fn scan_plain(b: &[u8], i: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let i = match super::sse2::scan_plain(b, i) {
        Ok(found) => return found,
        Err(rest) => rest,
    };
    scan_plain_words(b, i)
}

/// [`scan_plain`], also telling whether the byte found is certainly a `"`: `true` when the
/// SSE2 window it was found in held no other special byte (free to know there), `false`
/// when that is not known (the caller reads the byte).
#[inline(always)]
pub(crate) fn scan_plain_quote(b: &[u8], i: usize) -> (usize, bool) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let i = match super::sse2::scan_string(b, i) {
        Ok(found) => return found,
        Err(rest) => rest,
    };
    (scan_plain_words(b, i), false)
}

/// [`scan_plain`] for the pieces of an escaped string, with the portable tail (the input's
/// last 15 bytes, with SSE2) out of line: inlined in the loop over the pieces, its word
/// constants were loaded again after every escape (five 64-bit moves).
#[inline(always)]
fn scan_piece(b: &[u8], i: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return match super::sse2::scan_plain(b, i) {
        Ok(found) => found,
        Err(rest) => scan_plain_tail(b, rest),
    };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    scan_plain_words(b, i)
}

/// [`scan_plain_words`] out of line, for [`scan_piece`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)]
fn scan_plain_tail(b: &[u8], i: usize) -> usize {
    scan_plain_words(b, i)
}

/// [`scan_plain`] with portable code: eight bytes at a time, then byte by byte.
#[inline(always)]
pub(super) fn scan_plain_words(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let marks = special_bytes(u64::from_le_bytes(word));
        if marks != 0 {
            return i + (marks.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// Appends `b[from..to]` (a piece of a string between escapes) to `out`, then `escape` (a
/// single-letter escape's byte) if there is one: as one 16-byte store (and the byte) when the
/// piece is shorter than 16 bytes and 16 bytes of input are left from `from` (the usual
/// piece: no `memcpy` call, one capacity check for both), else with `extend_from_slice`.
#[inline(always)]
fn push_piece(out: &mut Vec<u8>, b: &[u8], from: usize, to: usize, escape: Option<u8>) {
    let keep = to - from;
    match b.get(from..).and_then(<[u8]>::first_chunk::<16>) {
        Some(block) if keep < 16 => append(out, 17, |c| {
            c.put_block_prefix(block, keep);
            if let Some(e) = escape {
                c.put(e);
            }
        }),
        _ => {
            out.extend_from_slice(&b[from..to]);
            out.extend(escape);
        }
    }
}

/// Appends code point (or lone surrogate) `n` in (generalized) UTF-8.
fn push_wtf8(out: &mut Vec<u8>, n: u32) {
    // The casts keep the low bits, which is what each byte takes.
    match n {
        0..=0x7f => out.push(n as u8),
        0x80..=0x7ff => out.extend_from_slice(&[0xc0 | (n >> 6) as u8, 0x80 | (n & 0x3f) as u8]),
        0x800..=0xffff => out.extend_from_slice(&[
            0xe0 | (n >> 12) as u8,
            0x80 | ((n >> 6) & 0x3f) as u8,
            0x80 | (n & 0x3f) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xf0 | (n >> 18) as u8,
            0x80 | ((n >> 12) & 0x3f) as u8,
            0x80 | ((n >> 6) & 0x3f) as u8,
            0x80 | (n & 0x3f) as u8,
        ]),
    }
}

impl<'de> Deserializer<'de> {
    /// A syntax error (positioned later, by [`Deserializer::run`]).
    #[cold]
    #[inline(never)]
    pub(super) fn fail(&self, what: Syntax) -> Error {
        de::Error::custom(what.message())
    }

    /// Skips whitespace and returns the next byte without taking it.
    ///
    /// The usual case, a token right where the last one ended, is one load and compare
    /// inline; whitespace is left to [`Self::peek_after_whitespace`].
    #[inline(always)]
    pub(super) fn peek(&mut self) -> Option<u8> {
        match self.input.as_bytes().get(self.pos) {
            Some(&c) if c > b' ' => Some(c),
            Some(_) => self.peek_after_whitespace(),
            None => None,
        }
    }

    /// [`Self::peek`] where the next byte is whitespace (or another byte up to `0x20`):
    /// cold, since JSON from Socket.IO clients (`JSON.stringify`) has none.
    #[cold]
    #[inline(never)]
    fn peek_after_whitespace(&mut self) -> Option<u8> {
        let b = self.input.as_bytes();
        while let Some(&c) = b.get(self.pos) {
            if c > b' ' || !matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(c);
            }
            self.pos += 1;
        }
        None
    }

    /// The next byte, without skipping whitespace.
    #[inline(always)]
    pub(super) fn byte(&self) -> Option<u8> {
        self.input.as_bytes().get(self.pos).copied()
    }

    /// Takes `rest`, the letters after the first one of a literal (`ull` of `null`).
    #[inline]
    pub(super) fn literal(&mut self, rest: &[u8]) -> Result<(), Error> {
        let end = self.pos + rest.len();
        if self.input.as_bytes().get(self.pos..end) == Some(rest) {
            self.pos = end;
            Ok(())
        } else if end > self.input.len() {
            Err(self.fail(Syntax::Eof))
        } else {
            Err(self.fail(Syntax::ExpectedIdent))
        }
    }

    /// Whether the four bytes at `at` are `word` (one 4-byte compare, no `memcmp` call).
    #[inline(always)]
    fn four(&self, at: usize, word: &[u8; 4]) -> bool {
        self.input
            .as_bytes()
            .get(at..)
            .and_then(<[u8]>::first_chunk::<4>)
            == Some(word)
    }

    /// Takes `null` (its `n` next).
    #[inline]
    pub(super) fn null(&mut self) -> Result<(), Error> {
        if self.four(self.pos, b"null") {
            self.pos += 4;
            return Ok(());
        }
        self.pos += 1;
        self.literal(b"ull")
    }

    /// Takes `true` or `false` (`first`, their first letter, next).
    #[inline]
    pub(super) fn boolean(&mut self, first: u8) -> Result<bool, Error> {
        let value = first == b't';
        // `true` whole, or the four letters after the `f` of `false`.
        let at = self.pos + usize::from(!value);
        if self.four(at, if value { b"true" } else { b"alse" }) {
            self.pos = at + 4;
            return Ok(value);
        }
        self.pos += 1;
        self.literal(if value { b"rue".as_slice() } else { b"alse" })?;
        Ok(value)
    }

    /// Reads a string from `start`, just after its opening quote, unescaping it (pairs of
    /// `\u` surrogates included; a lone surrogate is an error).
    ///
    /// # Safety
    ///
    /// The byte before `start` is a `"` of the input (its opening quote): so `start` is a
    /// char boundary, which the string's slices rely on instead of testing it.
    #[inline]
    #[allow(unsafe_code)]
    pub(super) unsafe fn parse_str<'s>(
        &'s mut self,
        start: usize,
    ) -> Result<Text<'de, 's, str>, Error> {
        // SAFETY: the caller's guarantee is this function's.
        unsafe { self.parse_text(start, false) }
    }

    /// [`Self::parse_str`] of an object's key, then the `:` after it (as [`Self::colon`]):
    /// where the colon follows the closing quote directly, as in JSON without whitespace,
    /// the byte after the quote is tested while the quote's index is at hand.
    ///
    /// # Safety
    ///
    /// As for [`Self::parse_str`].
    #[inline]
    #[allow(unsafe_code)]
    pub(super) unsafe fn parse_key<'s>(
        &'s mut self,
        start: usize,
    ) -> Result<Text<'de, 's, str>, Error> {
        // SAFETY: the caller's guarantee is this function's.
        unsafe { self.parse_text(start, true) }
    }

    /// [`Self::parse_str`], and the colon after it when `key`.
    ///
    /// # Safety
    ///
    /// As for [`Self::parse_str`].
    #[inline(always)]
    #[allow(unsafe_code)]
    unsafe fn parse_text<'s>(
        &'s mut self,
        start: usize,
        key: bool,
    ) -> Result<Text<'de, 's, str>, Error> {
        let input = self.input;
        let b = input.as_bytes();
        debug_assert_eq!(b.get(start.wrapping_sub(1)), Some(&b'"'));
        let i = scan_plain(b, start);
        if b.get(i) == Some(&b'"') {
            // SAFETY: `start <= i < input.len()`: `scan_plain` returns an index at or after
            // the one it starts from, and `b[i]` exists. Both ends are char boundaries:
            // `b[i]` is a quote (ASCII) and so is the byte before `start` (the caller's
            // guarantee). So `start..i` is a valid range of the `str` (the checked slice
            // would test `start`'s boundary once per string, about six instructions).
            let text = unsafe { input.get_unchecked(start..i) };
            if key && b.get(i + 1) == Some(&b':') {
                self.pos = i + 2;
            } else {
                self.pos = i + 1;
                if key {
                    self.colon()?;
                }
            }
            return Ok(Text::Borrowed(text));
        }
        // SAFETY: the caller's guarantee is `unescape_str`'s.
        unsafe { self.unescape_str(start, i, key) }.map(Text::Copied)
    }

    /// [`Self::parse_text`] of a string starting at `start` whose first escape (or error) is
    /// at `i`: the string unescaped into the scratch buffer (and the colon after it taken
    /// when `key`).
    ///
    /// # Safety
    ///
    /// As for [`Self::parse_str`]: `start` is just after a `"` of the input.
    #[inline]
    #[allow(unsafe_code)]
    unsafe fn unescape_str(
        &mut self,
        start: usize,
        mut i: usize,
        key: bool,
    ) -> Result<&str, Error> {
        let b = self.input.as_bytes();
        // What the scratch is made of is valid UTF-8 (see the end), given that `start` is a
        // char boundary: the byte before it is the opening quote (the caller's guarantee).
        self.scratch.clear();
        // Room for the usual escaped string in one allocation per deserializer.
        self.scratch.reserve(SCRATCH);
        let mut from = start;
        loop {
            match b.get(i) {
                Some(b'"') => {
                    push_piece(&mut self.scratch, b, from, i, None);
                    self.pos = i + 1;
                    if key {
                        self.colon()?;
                    }
                    // SAFETY: the scratch holds only (1) pieces `from..i` of the input (a
                    // `str`), each from `start` (a char boundary: the function's safety
                    // condition) or from just after an escape (whose last
                    // byte is ASCII: a letter or a hex digit checked by `hex4`) up to a quote,
                    // a backslash or a control byte (ASCII) — so each piece is cut at char
                    // boundaries and is valid UTF-8 —, (2) the ASCII bytes of single-letter
                    // escapes (`simple_escape` returns only ASCII), and (3) whole UTF-8
                    // encoded `char`s. A concatenation of valid UTF-8 is valid UTF-8.
                    let text = unsafe { std::str::from_utf8_unchecked(&self.scratch) };
                    return Ok(text);
                }
                Some(b'\\') => match b.get(i + 1).and_then(|&c| Self::simple_escape(c)) {
                    // `pos` is only stored where the loop leaves (or calls out).
                    Some(e) => {
                        push_piece(&mut self.scratch, b, from, i, Some(e));
                        from = i + 2;
                    }
                    None => {
                        push_piece(&mut self.scratch, b, from, i, None);
                        self.pos = i + 1;
                        self.unicode_into_scratch()?;
                        from = self.pos;
                    }
                },
                Some(_) => {
                    self.pos = i;
                    return Err(self.fail(Syntax::ControlCharacter));
                }
                None => {
                    self.pos = i;
                    return Err(self.fail(Syntax::Eof));
                }
            }
            i = scan_piece(b, from);
        }
    }

    /// Reads a string whose opening quote was taken as bytes: as [`Self::parse_str`], but a
    /// lone surrogate escape becomes its 3-byte (WTF-8) form instead of an error, and control
    /// characters are taken as they are (as serde_json does for bytes).
    pub(super) fn parse_bytes<'s>(&'s mut self) -> Result<Text<'de, 's, [u8]>, Error> {
        let input = self.input.as_bytes();
        let end = |from: usize| {
            memchr::memchr2(b'"', b'\\', &input[from..]).map_or(input.len(), |n| from + n)
        };
        let start = self.pos;
        let mut i = end(start);
        if input.get(i) == Some(&b'"') {
            self.pos = i + 1;
            return Ok(Text::Borrowed(&input[start..i]));
        }
        self.raw.clear();
        let mut from = start;
        loop {
            self.raw.extend_from_slice(&input[from..i]);
            match input.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Text::Copied(&self.raw));
                }
                Some(_) => {
                    self.pos = i + 1;
                    self.unescape_raw()?;
                }
                None => {
                    self.pos = i;
                    return Err(self.fail(Syntax::Eof));
                }
            }
            from = self.pos;
            i = end(from);
        }
    }

    /// The single-letter escapes' values: one load from [`SIMPLE_ESCAPES`] (a `match` here
    /// compiled to a range test, a jump table and a separate test for `"`).
    #[inline(always)]
    fn simple_escape(c: u8) -> Option<u8> {
        match SIMPLE_ESCAPES[usize::from(c)] {
            0 => None,
            e => Some(e),
        }
    }

    /// Takes a `\u` escape after a backslash into the scratch (any other escape left here
    /// is an error).
    fn unicode_into_scratch(&mut self) -> Result<(), Error> {
        match self.byte() {
            Some(b'u') => {
                self.pos += 1;
                let c = self.unicode_escape()?;
                self.scratch
                    .extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                Ok(())
            }
            Some(_) => {
                self.pos += 1;
                Err(self.fail(Syntax::InvalidEscape))
            }
            None => Err(self.fail(Syntax::Eof)),
        }
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u16, Error> {
        let Some(digits) = self.input.as_bytes().get(self.pos..self.pos + 4) else {
            self.pos = self.input.len();
            return Err(self.fail(Syntax::Eof));
        };
        let mut n = 0u16;
        for &c in digits {
            let v = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(self.fail(Syntax::InvalidEscape)),
            };
            n = n << 4 | u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// A `\u` escape (after the `u`), with its low surrogate escape if it is a high one.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let n = self.hex4()?;
        let code = match n {
            0xdc00..=0xdfff => return Err(self.fail(Syntax::LoneSurrogate)),
            0xd800..=0xdbff => {
                for expected in [b'\\', b'u'] {
                    match self.byte() {
                        Some(c) if c == expected => self.pos += 1,
                        Some(_) => return Err(self.fail(Syntax::LoneSurrogate)),
                        None => return Err(self.fail(Syntax::Eof)),
                    }
                }
                let low = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&low) {
                    return Err(self.fail(Syntax::LoneSurrogate));
                }
                0x1_0000 + ((u32::from(n) - 0xd800) << 10 | (u32::from(low) - 0xdc00))
            }
            _ => u32::from(n),
        };
        char::from_u32(code).ok_or_else(|| self.fail(Syntax::LoneSurrogate))
    }

    /// Takes the escape after a backslash into the raw scratch, lone surrogates allowed.
    fn unescape_raw(&mut self) -> Result<(), Error> {
        let Some(c) = self.byte() else {
            return Err(self.fail(Syntax::Eof));
        };
        self.pos += 1;
        if c != b'u' {
            let Some(e) = Self::simple_escape(c) else {
                return Err(self.fail(Syntax::InvalidEscape));
            };
            self.raw.push(e);
            return Ok(());
        }
        let mut n = self.hex4()?;
        loop {
            if !(0xd800..=0xdbff).contains(&n) {
                push_wtf8(&mut self.raw, u32::from(n));
                return Ok(());
            }
            // A high surrogate: a low one may follow.
            match self.byte() {
                Some(b'\\') => self.pos += 1,
                Some(_) => {
                    push_wtf8(&mut self.raw, u32::from(n));
                    return Ok(());
                }
                None => return Err(self.fail(Syntax::Eof)),
            }
            match self.byte() {
                Some(b'u') => self.pos += 1,
                Some(_) => {
                    push_wtf8(&mut self.raw, u32::from(n));
                    // The backslash starts another (single-letter) escape.
                    return self.unescape_raw();
                }
                None => return Err(self.fail(Syntax::Eof)),
            }
            let low = self.hex4()?;
            if (0xdc00..=0xdfff).contains(&low) {
                let code = 0x1_0000 + ((u32::from(n) - 0xd800) << 10 | (u32::from(low) - 0xdc00));
                push_wtf8(&mut self.raw, code);
                return Ok(());
            }
            push_wtf8(&mut self.raw, u32::from(n));
            n = low;
        }
    }

    /// Skips a string whose opening quote was taken, checking its escapes (any `\u` escape
    /// is accepted, as serde_json does when skipping).
    pub(super) fn skip_str(&mut self) -> Result<(), Error> {
        let b = self.input.as_bytes();
        loop {
            let i = scan_plain(b, self.pos);
            self.pos = i + 1;
            match b.get(i) {
                Some(b'"') => return Ok(()),
                Some(b'\\') => match self.byte() {
                    Some(b'u') => {
                        self.pos += 1;
                        self.hex4()?;
                    }
                    Some(c) if Self::simple_escape(c).is_some() => self.pos += 1,
                    Some(_) => return Err(self.fail(Syntax::InvalidEscape)),
                    None => return Err(self.fail(Syntax::Eof)),
                },
                Some(_) => return Err(self.fail(Syntax::ControlCharacter)),
                None => {
                    self.pos = i;
                    return Err(self.fail(Syntax::Eof));
                }
            }
        }
    }

    /// Takes `:` (after whitespace).
    #[inline]
    pub(super) fn colon(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.fail(Syntax::ExpectedColon)),
            None => Err(self.fail(Syntax::Eof)),
        }
    }

    /// Takes a `"key":` of an object being skipped.
    fn skip_key(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b'"') => self.pos += 1,
            Some(_) => return Err(self.fail(Syntax::KeyMustBeAString)),
            None => return Err(self.fail(Syntax::Eof)),
        }
        self.skip_str()?;
        self.colon()
    }

    /// Skips one value, checking its syntax, without a nesting limit (as serde_json skips):
    /// open containers are kept on a stack, not in recursion.
    pub(super) fn skip_value(&mut self) -> Result<(), Error> {
        self.stack.clear();
        loop {
            // A value is expected.
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    self.skip_str()?;
                }
                Some(b'-' | b'0'..=b'9') => self.skip_number()?,
                Some(b'n') => self.null()?,
                Some(first @ (b't' | b'f')) => {
                    self.boolean(first)?;
                }
                Some(open @ (b'[' | b'{')) => {
                    self.pos += 1;
                    let close = open + 2;
                    if self.peek() == Some(close) {
                        self.pos += 1;
                    } else {
                        if open == b'{' {
                            self.skip_key()?;
                        }
                        self.stack.push(open);
                        continue;
                    }
                }
                Some(_) => return Err(self.fail(Syntax::ExpectedValue)),
                None => return Err(self.fail(Syntax::Eof)),
            }
            // After a value: commas and closing brackets.
            loop {
                let Some(&open) = self.stack.last() else {
                    return Ok(());
                };
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if open == b'{' {
                            self.skip_key()?;
                        }
                        break;
                    }
                    Some(c) if c == open + 2 => {
                        self.pos += 1;
                        self.stack.pop();
                    }
                    Some(_) if open == b'[' => {
                        return Err(self.fail(Syntax::ExpectedListCommaOrEnd))
                    }
                    Some(_) => return Err(self.fail(Syntax::ExpectedObjectCommaOrEnd)),
                    None => return Err(self.fail(Syntax::Eof)),
                }
            }
        }
    }
}
