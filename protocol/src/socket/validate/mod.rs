//! A JSON validator for packets without attachments: one forward pass, no allocation, no
//! recursion (an explicit bracket stack bounded at [`MAX_DEPTH`]).
//!
//! It accepts exactly what serde_json accepts when parsing into a value (RFC 8259 grammar,
//! nesting up to serde_json's limit of 127 levels), except that, like `JSON.parse` and serde_json's own
//! skipping, it does not reject lone UTF-16 surrogates in `\u` escapes. Strings stop at the
//! marks of 64-byte blocks (`blocks.rs`; 16 bytes an instruction with SSE2), the input's last
//! bytes are scanned with the JSON reader's scan.

use super::scan::{reserved_event, First, Root};
use crate::json::scan_plain_quote;
use crate::Str;
use blocks::Block;

mod blocks;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2;

/// The deepest nesting serde_json parses (its recursion limit); deeper input is refused alike.
pub(crate) const MAX_DEPTH: usize = 127;

// The container stack is one bit per level in a `u128`.
const _: () = assert!(MAX_DEPTH <= 128);

/// Why validation failed: the byte offset, for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) at: usize,
    pub(crate) too_deep: bool,
}

/// Validates `json` and reports the top-level shape (and, for arrays, the first element).
pub(crate) fn validate(json: &str) -> Result<Root, Invalid> {
    Validator::new(json, 0).run(&mut ())
}

/// [`validate`], also pushing the byte range of every top-level element (for an array root:
/// its elements; for an object root: its values) to `elements`, in order.
pub(crate) fn validate_split(json: &str, elements: &mut impl Elements) -> Result<Root, Invalid> {
    Validator::new(json, 0).run(elements)
}

/// [`validate`] of an array whose `[` and first element end before `after_first`, the first
/// element being a string the caller has already checked (an event name: valid escapes, no
/// control characters, not reserved). The rest is checked exactly as [`validate`] would check
/// it; the root is then `Root::Array(Some(First::Str(None)))`.
pub(crate) fn validate_after_first(json: &str, after_first: usize) -> Result<(), Invalid> {
    Validator::new(json, after_first)
        .run_from(&mut (), true)
        .map(|_| ())
}

/// Where the validator reports top-level elements; `()` ignores them (and compiles away).
pub(crate) trait Elements {
    fn push(&mut self, start: usize, end: usize);
}

impl Elements for () {
    #[inline(always)]
    fn push(&mut self, _: usize, _: usize) {}
}

#[cfg(test)]
impl Elements for Vec<(usize, usize)> {
    #[inline]
    fn push(&mut self, start: usize, end: usize) {
        Vec::push(self, (start, end));
    }
}

/// Collects each top-level element as a slice of the validated text (no list of bounds in
/// between), after skipping the first `skip` of them.
pub(crate) struct Slices<'a> {
    text: &'a Str,
    skip: usize,
    /// The collected elements.
    pub(crate) out: Vec<Str>,
}

impl<'a> Slices<'a> {
    pub(crate) fn new(text: &'a Str, skip: usize) -> Self {
        Slices {
            text,
            skip,
            out: Vec::new(),
        }
    }
}

impl Elements for Slices<'_> {
    #[inline]
    fn push(&mut self, start: usize, end: usize) {
        if self.skip > 0 {
            self.skip -= 1;
        } else {
            // The boundaries sit next to ASCII bytes (brackets, commas, quotes, digits, …).
            self.out.push(self.text.slice(start..end));
        }
    }
}

/// Records the byte ranges of up to `N` top-level elements in place (no allocation), after
/// skipping the first `skip`; `overflow` is set when there were more.
pub(crate) struct InlineBounds<const N: usize> {
    skip: usize,
    len: usize,
    bounds: [(usize, usize); N],
    /// More than `N` elements followed the skipped ones.
    pub(crate) overflow: bool,
}

impl<const N: usize> InlineBounds<N> {
    pub(crate) fn new(skip: usize) -> Self {
        InlineBounds {
            skip,
            len: 0,
            bounds: [(0, 0); N],
            overflow: false,
        }
    }

    /// The recorded ranges, in order.
    pub(crate) fn bounds(&self) -> &[(usize, usize)] {
        &self.bounds[..self.len]
    }
}

impl<const N: usize> Elements for InlineBounds<N> {
    #[inline]
    fn push(&mut self, start: usize, end: usize) {
        if self.skip > 0 {
            self.skip -= 1;
        } else if self.len < N {
            self.bounds[self.len] = (start, end);
            self.len += 1;
        } else {
            self.overflow = true;
        }
    }
}

/// The high bit of each byte of `w` that is not an ASCII digit (exactly: no carry crosses a
/// byte).
#[inline(always)]
fn non_digits(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Digits become 0..=9; adding 0x76 to the low seven bits sets bit 7 from 10 up.
    let x = w ^ (ONES * 0x30);
    (((x & (ONES * 0x7f)) + ONES * 0x76) | x) & (ONES * 0x80)
}

struct Validator<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    /// The marks of the 64-byte block the last string step ended in.
    block: Block,
}

impl<'a> Validator<'a> {
    fn new(json: &'a str, i: usize) -> Self {
        Validator {
            s: json,
            b: json.as_bytes(),
            i,
            block: Block::NONE,
        }
    }

    fn fail<T>(&self) -> Result<T, Invalid> {
        Err(Invalid {
            at: self.i,
            too_deep: false,
        })
    }

    /// The byte at the cursor, 0 at the end of the input. A NUL byte is refused wherever the
    /// end is, at the same position, so the two need not be told apart (one compare per test
    /// instead of a tag and a value).
    #[inline(always)]
    fn byte(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    /// The two bytes at the cursor (zeros when fewer are left).
    #[inline(always)]
    fn pair(&self) -> [u8; 2] {
        match self.b.get(self.i..self.i + 2) {
            Some(&[a, b]) => [a, b],
            _ => [0; 2],
        }
    }

    /// Skips whitespace and returns the next byte (not taken, 0 at the end); compact JSON
    /// (the next byte above a space) costs one comparison.
    #[inline(always)]
    fn ws_byte(&mut self) -> u8 {
        let next = self.byte();
        if next > b' ' {
            return next;
        }
        while let b' ' | b'\t' | b'\n' | b'\r' = self.byte() {
            self.i += 1;
        }
        self.byte()
    }

    #[inline]
    fn run(self, elements: &mut impl Elements) -> Result<Root, Invalid> {
        self.run_from(elements, false)
    }

    /// `after_first`: start inside a top-level array, after its first element (a string).
    ///
    /// The top level is read before the loop (what the root is, an array's first element),
    /// so the loop itself only reads values, separators and brackets.
    #[inline(always)]
    fn run_from(
        mut self,
        elements: &mut impl Elements,
        after_first: bool,
    ) -> Result<Root, Invalid> {
        // One bit per open container, the innermost in bit 0: set for an object, clear for an
        // array; above the outermost one a set bit, so the depth is the index of the highest
        // set bit (127 levels fit) and no register holds it. The loop starts inside the root
        // container (depth 1): an array unless set below.
        let mut stack = 0b10u128;
        // Start of the current top-level element.
        let mut element = self.i;
        let root;
        if after_first {
            root = Root::Array(Some(First::Str(None)));
            if self.after_first_string(elements, element)? {
                return self.finish(root);
            }
        } else {
            let c = self.ws_byte();
            match c {
                b'{' | b'[' => {
                    let is_obj = c == b'{';
                    self.i += 1;
                    let next = self.ws_byte();
                    if next == if is_obj { b'}' } else { b']' } {
                        self.i += 1;
                        return self.finish(if is_obj {
                            Root::Object
                        } else {
                            Root::Array(None)
                        });
                    }
                    if is_obj {
                        stack = 0b11;
                        root = Root::Object;
                        self.key(next)?;
                    } else {
                        element = self.i;
                        root = Root::Array(Some(match next {
                            b'"' => {
                                let first = First::Str(self.first_string()?);
                                if self.after_first_string(elements, element)? {
                                    return self.finish(Root::Array(Some(first)));
                                }
                                first
                            }
                            b'-' | b'0'..=b'9' => First::Number,
                            // Checked by the loop.
                            _ => First::Other,
                        }));
                    }
                }
                _ => {
                    self.scalar(c)?;
                    return self.finish(if c == b'"' { Root::String } else { Root::Other });
                }
            }
        }
        loop {
            // A value.
            let c = self.ws_byte();
            if stack < 0b100 {
                // Depth 1.
                element = self.i;
            }
            if c == b'"' {
                self.string()?;
            } else if c == b'{' || c == b'[' {
                if stack >> MAX_DEPTH != 0 {
                    return Err(Invalid {
                        at: self.i,
                        too_deep: true,
                    });
                }
                let is_obj = c == b'{';
                self.i += 1;
                let next = self.ws_byte();
                if next != if is_obj { b'}' } else { b']' } {
                    stack = stack << 1 | u128::from(is_obj);
                    if is_obj {
                        self.key(next)?;
                    }
                    continue;
                }
                self.i += 1;
            } else {
                self.scalar(c)?;
            }
            // After a value: a comma (and the next key in an object), or closing brackets.
            loop {
                let end = self.i;
                let in_obj = stack & 1 == 1;
                if in_obj && self.pair() == *b",\"" {
                    // `,"` between entries, as `JSON.stringify` writes them: the key follows.
                    if stack < 0b100 {
                        elements.push(element, end);
                    }
                    self.i += 1;
                    self.key(b'"')?;
                    break;
                }
                let next = self.ws_byte();
                if stack < 0b100 {
                    elements.push(element, end);
                }
                if next == b',' {
                    self.i += 1;
                    if in_obj {
                        let next = self.ws_byte();
                        self.key(next)?;
                    }
                    break;
                }
                if next != if in_obj { b'}' } else { b']' } {
                    return self.fail();
                }
                self.i += 1;
                stack >>= 1;
                if stack == 1 {
                    // Depth 0: the root closed.
                    return self.finish(root);
                }
            }
        }
    }

    /// The top-level array's first element, a string: the reserved event name it is, if any.
    #[inline(always)]
    fn first_string(&mut self) -> Result<Option<&'static str>, Invalid> {
        let start = self.i;
        self.string()?;
        Ok(self.reserved(start))
    }

    /// After the top-level array's first element: `true` when the array ends there, `false`
    /// after the comma (a value follows).
    #[inline(always)]
    fn after_first_string(
        &mut self,
        elements: &mut impl Elements,
        element: usize,
    ) -> Result<bool, Invalid> {
        let end = self.i;
        let next = self.ws_byte();
        elements.push(element, end);
        let closed = next == b']';
        if next != b',' && !closed {
            return self.fail();
        }
        self.i += 1;
        Ok(closed)
    }

    /// The end of the root value: only whitespace may follow.
    fn finish(mut self, root: Root) -> Result<Root, Invalid> {
        self.ws_byte();
        if self.i < self.b.len() {
            return self.fail();
        }
        Ok(root)
    }

    /// A value other than an object or array, `c` being its first byte (at the cursor).
    #[inline(always)]
    fn scalar(&mut self, c: u8) -> Result<(), Invalid> {
        match c {
            b'"' => self.string(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(c),
            _ => self.fail(),
        }
    }

    /// An object key and its colon, `next` being the byte at the cursor (after whitespace).
    #[inline(always)]
    fn key(&mut self, next: u8) -> Result<(), Invalid> {
        if next != b'"' {
            return self.fail();
        }
        self.string()?;
        // The colon right after the closing quote (as `JSON.stringify` writes it) is one test.
        if self.byte() != b':' && self.ws_byte() != b':' {
            return self.fail();
        }
        self.i += 1;
        Ok(())
    }

    /// A string starting at the opening quote.
    #[inline(always)]
    fn string(&mut self) -> Result<(), Invalid> {
        let mut from = self.i + 1;
        loop {
            // To the next quote, backslash or control byte: from the marks of the 64-byte
            // block it lies in, else (in the input's last bytes) with the reader's scan (16
            // bytes a step with SSE2, which also tells when that byte is the closing quote).
            match self.block.find(self.b, from) {
                Ok(at) => self.i = at,
                Err(rest) => {
                    let (at, quote) = scan_plain_quote(self.b, rest);
                    self.i = at;
                    if quote {
                        self.i += 1;
                        return Ok(());
                    }
                }
            }
            match self.byte() {
                b'"' => {
                    self.i += 1;
                    return Ok(());
                }
                b'\\' => {
                    self.i += 1;
                    match self.byte() {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {
                            self.i += 1;
                        }
                        b'u' => {
                            let hex = self.b.get(self.i + 1..self.i + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.fail();
                            }
                            self.i += 5;
                        }
                        _ => return self.fail(),
                    }
                    from = self.i;
                }
                // A control byte, or the end of the input.
                _ => return self.fail(),
            }
        }
    }

    #[inline(always)]
    fn literal(&mut self, word: &[u8]) -> Result<(), Invalid> {
        if self.b.get(self.i..).and_then(|rest| rest.get(..word.len())) != Some(word) {
            return self.fail();
        }
        self.i += word.len();
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, `first` being its first byte.
    #[inline(always)]
    fn number(&mut self, first: u8) -> Result<(), Invalid> {
        // `first` is the byte at the cursor: read again only after a minus.
        let mut c = first;
        if c == b'-' {
            self.i += 1;
            c = self.byte();
        }
        match c {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return self.fail(),
        }
        if self.byte() == b'.' {
            self.i += 1;
            if !self.byte().is_ascii_digit() {
                return self.fail();
            }
            self.digits();
        }
        if let b'e' | b'E' = self.byte() {
            self.i += 1;
            if let b'+' | b'-' = self.byte() {
                self.i += 1;
            }
            if !self.byte().is_ascii_digit() {
                return self.fail();
            }
            self.digits();
        }
        Ok(())
    }

    /// Skips ASCII digits, eight bytes at a time while there are eight left.
    #[inline(always)]
    fn digits(&mut self) {
        while let Some(chunk) = self.b.get(self.i..).and_then(<[u8]>::first_chunk::<8>) {
            let others = non_digits(u64::from_le_bytes(*chunk));
            if others != 0 {
                self.i += (others.trailing_zeros() / 8) as usize;
                return;
            }
            self.i += 8;
        }
        while self.byte().is_ascii_digit() {
            self.i += 1;
        }
    }

    /// The reserved event name equal to the string literal `b[start..self.i]`, if any.
    fn reserved(&self, start: usize) -> Option<&'static str> {
        // Both ends are ASCII quotes, so these are char boundaries.
        let lit = self.s.get(start..self.i)?;
        let inner = &lit[1..lit.len() - 1];
        if !inner.contains('\\') {
            return reserved_event(inner);
        }
        serde_json::from_str::<String>(lit)
            .ok()
            .and_then(|n| reserved_event(&n))
    }
}

#[cfg(test)]
mod previous;
#[cfg(test)]
mod tests;
