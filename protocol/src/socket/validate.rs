//! A JSON validator for packets without attachments: one forward pass, no allocation, no
//! recursion (an explicit bracket stack bounded at [`MAX_DEPTH`]).
//!
//! It accepts exactly what serde_json accepts when parsing into a value (RFC 8259 grammar,
//! nesting up to serde_json's limit of 127 levels), except that, like `JSON.parse` and serde_json's own
//! skipping, it does not reject lone UTF-16 surrogates in `\u` escapes. Strings are scanned
//! eight bytes at a time.

use super::scan::{reserved_event, First, Root};
use crate::Str;

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
    Validator {
        s: json,
        b: json.as_bytes(),
        i: 0,
    }
    .run(&mut ())
}

/// [`validate`], also pushing the byte range of every top-level element (for an array root:
/// its elements; for an object root: its values) to `elements`, in order.
pub(crate) fn validate_split(json: &str, elements: &mut impl Elements) -> Result<Root, Invalid> {
    Validator {
        s: json,
        b: json.as_bytes(),
        i: 0,
    }
    .run(elements)
}

/// [`validate`] of an array whose `[` and first element end before `after_first`, the first
/// element being a string the caller has already checked (an event name: valid escapes, no
/// control characters, not reserved). The rest is checked exactly as [`validate`] would check
/// it; the root is then `Root::Array(Some(First::Str(None)))`.
pub(crate) fn validate_after_first(json: &str, after_first: usize) -> Result<(), Invalid> {
    Validator {
        s: json,
        b: json.as_bytes(),
        i: after_first,
    }
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

struct Validator<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bytes of `w` that are `"`, `\` or a control character, as a high-bit mask.
#[inline]
fn specials(w: u64) -> u64 {
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let quote = has_zero(w ^ (LO * u64::from(b'"')));
    let backslash = has_zero(w ^ (LO * u64::from(b'\\')));
    let control = w.wrapping_sub(LO * 0x20) & !w & HI;
    quote | backslash | control
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

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
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
        // Bit `d` set = the container at depth `d` is an object (else an array); 127 levels fit.
        let mut stack = 0u128;
        let mut depth = 0usize;
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
                self.skip_ws();
                let start = self.i;
                if depth == 1 {
                    element = start;
                }
                let Some(c) = self.peek() else {
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
                        stack = (stack & !(1 << depth)) | (u128::from(is_obj) << depth);
                        depth += 1;
                        self.i += 1;
                        self.skip_ws();
                        let close = if is_obj { b'}' } else { b']' };
                        if self.peek() == Some(close) {
                            self.i += 1;
                            depth -= 1;
                            None
                        } else {
                            if is_obj {
                                self.key()?;
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
                self.skip_ws();
                if depth == 0 {
                    if self.i != self.b.len() {
                        return self.fail();
                    }
                    return Ok(match root {
                        Some(b'{') => Root::Object,
                        Some(b'[') => Root::Array(first),
                        Some(b'"') => Root::String,
                        _ => Root::Other,
                    });
                }
                let is_obj = stack >> (depth - 1) & 1 == 1;
                if depth == 1 {
                    elements.push(element, end);
                }
                match (self.peek(), is_obj) {
                    (Some(b','), _) => {
                        self.i += 1;
                        if is_obj {
                            self.skip_ws();
                            self.key()?;
                        }
                        break;
                    }
                    (Some(b']'), false) | (Some(b'}'), true) => {
                        self.i += 1;
                        depth -= 1;
                    }
                    _ => return self.fail(),
                }
            }
        }
    }

    /// An object key and its colon.
    fn key(&mut self) -> Result<(), Invalid> {
        if self.peek() != Some(b'"') {
            return self.fail();
        }
        self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return self.fail();
        }
        self.i += 1;
        Ok(())
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<(), Invalid> {
        self.i += 1;
        loop {
            // Eight bytes at a time until something needs a look.
            while let Some(chunk) = self.b.get(self.i..self.i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let m = specials(u64::from_le_bytes(w));
                if m != 0 {
                    self.i += (m.trailing_zeros() / 8) as usize;
                    break;
                }
                self.i += 8;
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

    fn literal(&mut self, word: &[u8]) -> Result<(), Invalid> {
        if self.b.get(self.i..self.i + word.len()) != Some(word) {
            return self.fail();
        }
        self.i += word.len();
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
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

    #[inline]
    fn digits(&mut self) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        validate(s).is_ok()
    }

    #[test]
    fn accepts_the_grammar() {
        for s in [
            "0",
            "-0",
            "1.5e-3",
            "-12E+7",
            "1e9",
            "true",
            "false",
            "null",
            "\"\"",
            "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
            "\"\\ud800\"",
            " [ 1 , { \"a\" : [ ] , \"b\" : { } } ] ",
            "{}",
            "[]",
            "[[[]]]",
            "\"héllo wörld, a long string over eight bytes\"",
        ] {
            assert!(ok(s), "{s:?}");
        }
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for s in [
            "",
            " ",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "tru",
            "nul",
            "[1,]",
            "[,1]",
            "{\"a\"}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1,}",
            "[1 2]",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"a\u{1}b\"",
            "[1]]",
            "[1] x",
            "{\"a\":1]",
            "[}",
            "NaN",
            "\"\t\"",
        ] {
            assert!(!ok(s), "{s:?}");
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(s).is_err(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn depth_limit_matches_serde_json() {
        let at = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(ok(&at(MAX_DEPTH)));
        assert!(serde_json::from_str::<serde_json::Value>(&at(MAX_DEPTH)).is_ok());
        assert!(validate(&at(MAX_DEPTH + 1)).unwrap_err().too_deep);
        assert!(serde_json::from_str::<serde_json::Value>(&at(MAX_DEPTH + 1)).is_err());
        assert!(!ok(&"[".repeat(100_000)));
    }

    #[test]
    fn reports_root_and_first_element() {
        assert_eq!(validate("{}"), Ok(Root::Object));
        assert_eq!(validate(" [ ] "), Ok(Root::Array(None)));
        assert_eq!(
            validate("[\"a\",1]"),
            Ok(Root::Array(Some(First::Str(None))))
        );
        assert_eq!(
            validate("[\"conn\\u0065ct\"]"),
            Ok(Root::Array(Some(First::Str(Some("connect")))))
        );
        assert_eq!(
            validate("[\"disconnecting\"]"),
            Ok(Root::Array(Some(First::Str(Some("disconnecting")))))
        );
        assert_eq!(validate("[-1]"), Ok(Root::Array(Some(First::Number))));
        assert_eq!(validate("[[1],2]"), Ok(Root::Array(Some(First::Other))));
        assert_eq!(validate("[{\"a\":1}]"), Ok(Root::Array(Some(First::Other))));
        assert_eq!(validate("\"s\""), Ok(Root::String));
        assert_eq!(validate("12"), Ok(Root::Other));
    }

    #[test]
    fn split_reports_each_top_level_element() {
        fn split(s: &str) -> Result<Vec<&str>, Invalid> {
            let mut v = Vec::new();
            validate_split(s, &mut v)?;
            Ok(v.iter().map(|&(a, b)| &s[a..b]).collect())
        }
        assert_eq!(split(" [ ] "), Ok(vec![]));
        assert_eq!(
            split("[ \"a,]\" , [1,[2]] ,{\"k\":[3]},-1.5e3,true ]"),
            Ok(vec!["\"a,]\"", "[1,[2]]", "{\"k\":[3]}", "-1.5e3", "true"])
        );
        assert_eq!(split("{\"a\": 1 ,\"b\":[2]}"), Ok(vec!["1", "[2]"]));
        assert!(split("[1,]").is_err());
    }

    #[test]
    fn swar_finds_the_first_special_byte() {
        let w = u64::from_le_bytes(*b"abc\"def\\");
        assert_eq!(specials(w).trailing_zeros() / 8, 3);
        let w = u64::from_le_bytes(*b"\xc3\xa9\xc3\xa9abcd");
        assert_eq!(specials(w), 0);
        let w = u64::from_le_bytes(*b"abcdefg\x1f");
        assert_eq!(specials(w).trailing_zeros() / 8, 7);
    }

    fn token() -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"a\"",
            "\"\\u00e9\\n\"",
            "\"é😀\"",
            "1",
            "-0.5e3",
            "0",
            "true",
            "false",
            "null",
            " ",
            "\"",
            "\\",
            "01",
            "1.",
            "-",
            "é",
            "\t",
            "\u{1}",
            "\"\\ud800\"",
            "\"\\u12\"",
            "e5",
            ".",
        ])
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_serde_json(tokens in proptest::collection::vec(token(), 0..40)) {
            let s: String = tokens.concat();
            let mine = validate(&s).is_ok();
            if serde_json::from_str::<serde_json::Value>(&s).is_ok() {
                proptest::prop_assert!(mine, "serde_json parses {:?}", s);
            }
            if mine {
                proptest::prop_assert!(
                    serde_json::from_str::<serde::de::IgnoredAny>(&s).is_ok(),
                    "serde_json refuses {:?}", s
                );
            }
        }

        #[test]
        fn resuming_after_a_string_name_agrees_with_the_whole_pass(
            ws in "[ \t\n]{0,2}",
            tokens in proptest::collection::vec(token(), 0..30),
        ) {
            // `[`, a plain non-reserved name, then anything.
            let s = format!("{ws}[{ws}\"chat\"{}", tokens.concat());
            let after_name = s.find("\"chat\"").unwrap() + "\"chat\"".len();
            let whole = validate(&s).map(|root| {
                assert_eq!(root, Root::Array(Some(First::Str(None))));
            });
            proptest::prop_assert_eq!(validate_after_first(&s, after_name), whole, "{:?}", s);
        }
    }

    #[test]
    fn resuming_after_the_name_reports_the_same_errors() {
        for s in [
            r#"["a"]"#,
            r#"["a" , 1, {"b":[true,null]}] "#,
            r#"["a",]"#,
            r#"["a",1,]"#,
            r#"["a" 1]"#,
            r#"["a","#,
            r#"["a"]]"#,
            r#"["a"}"#,
            r#"["a"] x"#,
        ] {
            let after_name = s.find(r#""a""#).unwrap() + 3;
            assert_eq!(
                validate_after_first(s, after_name),
                validate(s).map(|_| ()),
                "{s}"
            );
        }
        let deep = format!(
            r#"["a",{}{}]"#,
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        let err = validate_after_first(&deep, 4).unwrap_err();
        assert!(err.too_deep);
        assert_eq!(Err(err), validate(&deep).map(|_| ()));
    }
}
