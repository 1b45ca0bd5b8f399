//! The validator as it was before its loop was reworked (2026-11-27 night), kept as the
//! oracle the tests compare the current one with: same inputs accepted and refused, same error
//! positions, same roots and element bounds. Its string scan is a plain byte loop (it was the
//! shared SSE2 scan, which finds the same byte).

use super::{non_digits, Elements, Invalid, MAX_DEPTH};
use crate::socket::scan::{reserved_event, First, Root};

/// [`super::validate_split`] as it was.
pub(super) fn validate_split(json: &str, elements: &mut impl Elements) -> Result<Root, Invalid> {
    Validator {
        s: json,
        b: json.as_bytes(),
        i: 0,
    }
    .run(elements)
}

/// [`super::validate_after_first`] as it was.
pub(super) fn validate_after_first(json: &str, after_first: usize) -> Result<(), Invalid> {
    Validator {
        s: json,
        b: json.as_bytes(),
        i: after_first,
    }
    .run_from(&mut (), true)
    .map(|_| ())
}

struct Validator<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl Validator<'_> {
    fn fail<T>(&self) -> Result<T, Invalid> {
        Err(Invalid {
            at: self.i,
            too_deep: false,
        })
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips whitespace and returns the next byte (not taken); compact JSON (the next byte
    /// above a space) costs one comparison.
    #[inline(always)]
    fn ws_peek(&mut self) -> Option<u8> {
        let next = self.peek();
        if next.is_some_and(|c| c > b' ') {
            return next;
        }
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
        self.peek()
    }

    #[inline]
    fn run(self, elements: &mut impl Elements) -> Result<Root, Invalid> {
        self.run_from(elements, false)
    }

    /// `after_first`: start inside a top-level array, after its first element (a string).
    #[inline(always)]
    fn run_from(
        mut self,
        elements: &mut impl Elements,
        after_first: bool,
    ) -> Result<Root, Invalid> {
        // One bit per open container, the innermost in bit 0: set for an object, clear for an
        // array; 127 levels fit.
        let mut stack = 0u128;
        let mut depth = 0usize;
        // Whether the innermost open container is an object (bit 0 of `stack`).
        let mut in_obj = false;
        let mut root = None;
        let mut first = None;
        let mut want_first = false;
        // Start of the current top-level element.
        let mut element = 0;
        let mut resume = after_first;
        if after_first {
            depth = 1;
            root = Some(b'[');
            first = Some(First::Str(None));
            element = self.i;
        }
        loop {
            if resume {
                // The first element was read by the caller: go on with what follows it.
                resume = false;
            } else {
                // A value.
                let next = self.ws_peek();
                let start = self.i;
                if depth == 1 {
                    element = start;
                }
                let Some(c) = next else {
                    return self.fail();
                };
                let opened = match c {
                    b'{' | b'[' => {
                        if depth == MAX_DEPTH {
                            return Err(Invalid {
                                at: self.i,
                                too_deep: true,
                            });
                        }
                        let is_obj = c == b'{';
                        let close = if is_obj { b'}' } else { b']' };
                        self.i += 1;
                        let next = self.ws_peek();
                        if next == Some(close) {
                            self.i += 1;
                            None
                        } else {
                            stack = stack << 1 | u128::from(is_obj);
                            depth += 1;
                            in_obj = is_obj;
                            if is_obj {
                                self.key(next)?;
                            }
                            Some(is_obj)
                        }
                    }
                    b'"' => {
                        self.string()?;
                        None
                    }
                    b't' => self.literal(b"true").map(|()| None)?,
                    b'f' => self.literal(b"false").map(|()| None)?,
                    b'n' => self.literal(b"null").map(|()| None)?,
                    b'-' | b'0'..=b'9' => self.number().map(|()| None)?,
                    _ => return self.fail(),
                };
                if root.is_none() {
                    root = Some(c);
                    want_first = opened == Some(false);
                    if want_first {
                        continue;
                    }
                } else if want_first {
                    want_first = false;
                    first = Some(match c {
                        b'"' => First::Str(self.reserved(start)),
                        b'-' | b'0'..=b'9' => First::Number,
                        _ => First::Other,
                    });
                }
                if opened.is_some() {
                    continue;
                }
            }
            // After a value: separators and closing brackets.
            loop {
                let end = self.i;
                let next = self.ws_peek();
                if depth == 0 {
                    if next.is_some() {
                        return self.fail();
                    }
                    return Ok(match root {
                        Some(b'{') => Root::Object,
                        Some(b'[') => Root::Array(first),
                        Some(b'"') => Root::String,
                        _ => Root::Other,
                    });
                }
                if depth == 1 {
                    elements.push(element, end);
                }
                match (next, in_obj) {
                    (Some(b','), _) => {
                        self.i += 1;
                        if in_obj {
                            let next = self.ws_peek();
                            self.key(next)?;
                        }
                        break;
                    }
                    (Some(b']'), false) | (Some(b'}'), true) => {
                        self.i += 1;
                        depth -= 1;
                        stack >>= 1;
                        in_obj = stack & 1 == 1;
                    }
                    _ => return self.fail(),
                }
            }
        }
    }

    /// An object key and its colon, `next` being the byte the key should start with.
    #[inline(always)]
    fn key(&mut self, next: Option<u8>) -> Result<(), Invalid> {
        if next != Some(b'"') {
            return self.fail();
        }
        self.string()?;
        if self.ws_peek() != Some(b':') {
            return self.fail();
        }
        self.i += 1;
        Ok(())
    }

    /// A string starting at the opening quote.
    #[inline(always)]
    fn string(&mut self) -> Result<(), Invalid> {
        self.i += 1;
        loop {
            // To the next quote, backslash or control byte.
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.i += 1;
            }
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.i += 1;
                        }
                        Some(b'u') => {
                            let hex = self.b.get(self.i + 1..self.i + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.fail();
                            }
                            self.i += 5;
                        }
                        _ => return self.fail(),
                    }
                }
                Some(c) if c < 0x20 => return self.fail(),
                Some(_) => self.i += 1,
                None => return self.fail(),
            }
        }
    }

    #[inline(always)]
    fn literal(&mut self, word: &[u8]) -> Result<(), Invalid> {
        if self.b.get(self.i..self.i + word.len()) != Some(word) {
            return self.fail();
        }
        self.i += word.len();
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    #[inline(always)]
    fn number(&mut self) -> Result<(), Invalid> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.fail(),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return self.fail();
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return self.fail();
            }
            self.digits();
        }
        Ok(())
    }

    /// Skips ASCII digits, eight bytes at a time while there are eight left.
    #[inline(always)]
    fn digits(&mut self) {
        while let Some(chunk) = self.b.get(self.i..self.i + 8) {
            let mut w = [0; 8];
            w.copy_from_slice(chunk);
            let others = non_digits(u64::from_le_bytes(w));
            if others != 0 {
                self.i += (others.trailing_zeros() / 8) as usize;
                return;
            }
            self.i += 8;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
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
