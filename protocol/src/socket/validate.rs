//! A JSON validator for packets without attachments: one forward pass, no allocation, no
//! recursion (an explicit bracket stack bounded at [`MAX_DEPTH`]).
//!
//! It accepts exactly what serde_json accepts when parsing into a value (RFC 8259 grammar,
//! nesting up to serde_json's limit of 127 levels), except that, like `JSON.parse` and serde_json's own
//! skipping, it does not reject lone UTF-16 surrogates in `\u` escapes. Strings are scanned
//! with the JSON reader's scan (16 bytes at a time with SSE2, else eight).

use super::scan::{reserved_event, First, Root};
use crate::json::scan_plain;
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
            // To the next quote, backslash or control byte (16 bytes a step with SSE2).
            self.i = scan_plain(self.b, self.i);
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
    fn non_digits_marks_exactly_the_other_bytes() {
        for b in 0..=255u8 {
            for k in 0..8 {
                let mut w = *b"01234567";
                w[k] = b;
                let marks = non_digits(u64::from_le_bytes(w));
                let want = if b.is_ascii_digit() {
                    0
                } else {
                    0x80 << (8 * k)
                };
                assert_eq!(marks, want, "byte {b:#x} at {k}");
            }
        }
        // Numbers of every length around the eight-byte steps, followed by each delimiter.
        for len in 1..20 {
            let n = "9".repeat(len);
            for end in [",", "]", " ", ".5", "e3"] {
                let json = format!("[{n}{end}]");
                let want = serde_json::from_str::<serde_json::Value>(&json).is_ok();
                assert_eq!(ok(&json), want, "{json}");
            }
            assert!(!ok(&format!("[{n}x]")));
            assert!(!ok(&format!("[0{n}]")));
            assert!(ok(&format!("[-{n}.{n}E-{n}]")));
        }
    }

    #[test]
    fn strings_are_checked_at_every_position_of_the_scan() {
        // Around the scan's 16-byte steps and its last bytes: each special byte at each
        // position of strings up to 40 bytes, after multi-byte characters.
        for len in 0..40 {
            for k in 0..len {
                let with = |special: &str| {
                    let mut s = String::from("[\"");
                    for j in 0..len {
                        s.push_str(if j == k {
                            special
                        } else if j % 7 == 3 {
                            "é"
                        } else {
                            "a"
                        });
                    }
                    s.push_str("\",1]");
                    s
                };
                assert!(ok(&with("\\n")), "{}", with("\\n"));
                assert!(ok(&with("\\u00e9")), "{}", with("\\u00e9"));
                assert!(ok(&with("\\\\")), "{}", with("\\\\"));
                assert!(!ok(&with("\u{1f}")), "{:?}", with("\u{1f}"));
                assert!(!ok(&with("\\x")), "{}", with("\\x"));
                assert!(!ok(&with("\\u00g0")), "{}", with("\\u00g0"));
                // A quote inside ends the string early: what follows is not JSON.
                assert!(!ok(&with("\"")), "{}", with("\""));
            }
        }
        // Unterminated, at every length.
        for len in 0..40 {
            assert!(!ok(&format!("[\"{}", "a".repeat(len))));
        }
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
