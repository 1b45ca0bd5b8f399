//! Volley's JSON reader: a `serde::Deserializer` over `&str` ([`from_str`]) that accepts
//! exactly what `serde_json::from_str` accepts and produces the same values, for every target
//! type, with serde_json's workspace features (`raw_value`, `float_roundtrip`,
//! `preserve_order`):
//!
//! - numbers: `deserialize_any` gives `u64` for non-negative integers, `i64` for negative ones,
//!   `f64` for the rest (`-0`, fractions, exponents, integers beyond 64 bits), correctly
//!   rounded; a float that overflows is an error; `f32` targets round once, to `f32`;
//!   `i128`/`u128` take integer text only;
//! - strings are borrowed from the input when they have no escapes; `\u` surrogate pairs are
//!   joined, a lone surrogate is an error for text and its WTF-8 bytes for byte targets;
//!   `deserialize_string` targets (`String` …) are handed an owned `String` of exactly the
//!   text's length (`visit_string`, `owned.rs`);
//! - structs read from objects and arrays, enums from a string or a one-key object, map keys
//!   parse as numbers or booleans when the key type asks; `serde_json::value::RawValue`
//!   (borrowed or boxed) takes the value's text;
//! - nesting deeper than 127 arrays/objects is an error, except inside values that are
//!   skipped (`IgnoredAny`, unknown fields), which are checked without a limit.
//!
//! Arrays of the two outer levels with at most 2 KiB of input left are counted ahead
//! (`count.rs`), so a `Vec` read from one is allocated at its exact size
//! (`SeqAccess::size_hint`); longer ones get an estimate from their first 2 KiB, which
//! saves most of their `Vec`'s regrowth. A deeper array is not counted: its hint is 0 when
//! it is empty and else 4, the capacity a `Vec` takes at its first push (at most half the
//! bytes left). This changes no value and no error.
//!
//! Errors are `serde_json::Error`s (custom ones, with the line and column), so callers keep
//! one error type. `protocol/tests/json_de_matches_serde_json.rs` checks all of this against
//! serde_json.

mod access;
mod count;
mod number;
mod owned;
mod read;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2;

use access::{Key, Map, RawMap, Seq, UnitVariant, Variant};
pub(crate) use read::{scan_plain, scan_plain_quote};
use read::{Syntax, Text};
use serde::de::{self, Deserialize, Unexpected, Visitor};
use std::cell::Cell;

type Error = serde_json::Error;

/// The newtype name serde_json's `RawValue` asks for.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Nesting allowed, as serde_json counts it: 127 levels, an error at the 128th.
const DEPTH: u8 = 128;

/// Deserializes `T` from the JSON text `s`: what `serde_json::from_str` does (same values,
/// same inputs refused; error messages differ).
pub fn from_str<'de, T: Deserialize<'de>>(s: &'de str) -> Result<T, Error> {
    Deserializer::new(s).run(|de| T::deserialize(de))
}

/// A JSON deserializer over a string; see the [module](self) documentation.
pub(crate) struct Deserializer<'de> {
    input: &'de str,
    /// Next byte to read.
    pos: usize,
    /// Nesting levels left.
    depth: u8,
    /// Unescaped strings (always valid UTF-8 where a string was read into it: see
    /// `Deserializer::unescape_str`).
    scratch: Vec<u8>,
    /// Unescaped byte strings.
    raw: Vec<u8>,
    /// Open containers of a value being skipped.
    stack: Vec<u8>,
    /// Bytes the element counts of [`de::SeqAccess::size_hint`] may still look at: twice the
    /// input's length (only the two outer levels of arrays are counted, so each byte is
    /// looked at by at most two counts), whatever the visitors ask.
    count_budget: Cell<usize>,
}

impl<'de> Deserializer<'de> {
    pub(crate) fn new(input: &'de str) -> Self {
        Deserializer {
            input,
            pos: 0,
            depth: DEPTH,
            scratch: Vec::new(),
            raw: Vec::new(),
            stack: Vec::new(),
            count_budget: Cell::new(input.len().saturating_mul(2)),
        }
    }

    /// Runs `f` on this deserializer, then checks that only whitespace follows; an error
    /// gets the line and column where reading stopped.
    pub(crate) fn run<R>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let result = f(self).and_then(|value| match self.peek() {
            None => Ok(value),
            Some(_) => Err(self.fail(Syntax::TrailingCharacters)),
        });
        result.map_err(|e| self.locate(e))
    }

    #[cold]
    fn locate(&self, e: Error) -> Error {
        let before = &self.input.as_bytes()[..self.pos.min(self.input.len())];
        let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
        let column = before.len()
            - before
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |i| i + 1);
        de::Error::custom(format_args!("{e} at line {line} column {}", column + 1))
    }

    /// The error for a value of the wrong kind, from its first byte.
    #[cold]
    fn invalid_type(&self, first: u8, exp: &dyn de::Expected) -> Error {
        let unexpected = match first {
            b'n' => Unexpected::Unit,
            b't' => Unexpected::Bool(true),
            b'f' => Unexpected::Bool(false),
            b'"' => Unexpected::Other("string"),
            b'-' | b'0'..=b'9' => Unexpected::Other("number"),
            b'[' => Unexpected::Seq,
            b'{' => Unexpected::Map,
            _ => return self.fail(Syntax::ExpectedValue),
        };
        de::Error::invalid_type(unexpected, exp)
    }

    /// The next byte after whitespace, which must exist.
    #[inline(always)]
    fn peek_value(&mut self) -> Result<u8, Error> {
        self.peek().ok_or_else(|| self.fail(Syntax::Eof))
    }

    /// Checks that the next value starts with `c`: `Ok` with `c` at `pos`. The usual case,
    /// `c` right where the last token ended, is one compare (no whitespace test first);
    /// whitespace, the end of the input and other values go to [`Self::expect_slow`].
    #[inline(always)]
    fn expect(&mut self, c: u8, exp: &dyn de::Expected) -> Result<(), Error> {
        if self.input.as_bytes().get(self.pos) == Some(&c) {
            return Ok(());
        }
        self.expect_slow(c, exp)
    }

    /// [`Self::expect`] after whitespace, or the error for what is there instead.
    #[cold]
    #[inline(never)]
    fn expect_slow(&mut self, c: u8, exp: &dyn de::Expected) -> Result<(), Error> {
        match self.peek_value()? {
            next if next == c => Ok(()),
            other => Err(self.invalid_type(other, exp)),
        }
    }

    /// Enters an array or object (its bracket is next): one nesting level less while `f` runs.
    #[inline(always)]
    fn nest<R>(&mut self, f: impl FnOnce(&mut Self) -> Result<R, Error>) -> Result<R, Error> {
        self.depth -= 1;
        if self.depth == 0 {
            return Err(self.fail(Syntax::RecursionLimit));
        }
        self.pos += 1;
        let result = f(self);
        self.depth += 1;
        result
    }

    /// Takes the `]` or `}` (`close`) after a container's last element read.
    #[inline]
    fn close(&mut self, close: u8) -> Result<(), Error> {
        // The usual case: the bracket right after the last element (one compare).
        if self.input.as_bytes().get(self.pos) == Some(&close) {
            self.pos += 1;
            return Ok(());
        }
        self.close_slow(close)
    }

    /// [`Self::close`] after whitespace, or the error for what is there instead.
    #[cold]
    #[inline(never)]
    fn close_slow(&mut self, close: u8) -> Result<(), Error> {
        match self.peek() {
            Some(c) if c == close => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.fail(Syntax::TrailingCharacters)),
            None => Err(self.fail(Syntax::Eof)),
        }
    }

    #[inline]
    fn visit_array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let value = self.nest(|de| visitor.visit_seq(Seq::new(de)))?;
        self.close(b']')?;
        Ok(value)
    }

    #[inline]
    fn visit_object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let value = self.nest(|de| visitor.visit_map(Map::new(de)))?;
        self.close(b'}')?;
        Ok(value)
    }

    /// A string value given to `visitor`, borrowed when it can be.
    ///
    /// # Safety
    ///
    /// The byte at `pos` is a `"` of the input (the string's opening quote).
    #[inline]
    #[allow(unsafe_code)]
    unsafe fn visit_string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        self.pos += 1;
        // SAFETY: the byte before `pos` is the opening quote (this function's condition).
        match unsafe { self.parse_str(self.pos) }? {
            Text::Borrowed(s) => visitor.visit_borrowed_str(s),
            Text::Copied(s) => visitor.visit_str(s),
        }
    }

    /// A number given to `visitor`; see [`Self::parse_number`].
    #[inline]
    fn deserialize_number<V: Visitor<'de>>(
        &mut self,
        visitor: V,
        single: bool,
    ) -> Result<V::Value, Error> {
        // The usual case first: the number right at `pos` (no whitespace test).
        let first = match self.input.as_bytes().get(self.pos) {
            Some(&c @ (b'-' | b'0'..=b'9')) => c,
            _ => self.peek_value()?,
        };
        match first {
            b'-' | b'0'..=b'9' => self.parse_number(single)?.visit(visitor),
            other => Err(self.invalid_type(other, &visitor)),
        }
    }

    /// `deserialize_bool` where the value is not `true` or `false` right at `pos`: after
    /// whitespace, cut short, or another value. Out of line, so that the usual case stays
    /// small enough to be inlined into the caller.
    #[cold]
    #[inline(never)]
    fn deserialize_bool_slow<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        match self.peek_value()? {
            first @ (b't' | b'f') => visitor.visit_bool(self.boolean(first)?),
            other => Err(self.invalid_type(other, &visitor)),
        }
    }

    /// `RawValue`: the value's text, whitespace before it left out (and the `:` after it
    /// taken when the value is a map `key`).
    fn deserialize_raw_value<V: Visitor<'de>>(
        &mut self,
        visitor: V,
        key: bool,
    ) -> Result<V::Value, Error> {
        self.peek();
        let input = self.input;
        let start = self.pos;
        self.skip_value()?;
        let raw = &input[start..self.pos];
        if key {
            self.colon()?;
        }
        visitor.visit_map(RawMap(Some(raw)))
    }

    fn deserialize_i128_<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        self.peek_value()?;
        let text = self.integer_text()?;
        match text.parse::<i128>() {
            Ok(n) => visitor.visit_i128(n),
            Err(_) => Err(self.fail(Syntax::NumberOutOfRange)),
        }
    }

    fn deserialize_u128_<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        if self.peek_value()? == b'-' {
            return Err(self.fail(Syntax::NumberOutOfRange));
        }
        let text = self.integer_text()?;
        match text.parse::<u128>() {
            Ok(n) => visitor.visit_u128(n),
            Err(_) => Err(self.fail(Syntax::NumberOutOfRange)),
        }
    }
}

/// `Deserializer` methods that read a number with [`Deserializer::deserialize_number`].
macro_rules! number_methods {
    ($($method:ident),*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_number(visitor, false)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek_value()? {
            // SAFETY: `peek_value` just returned the `"` at `pos`.
            #[allow(unsafe_code)]
            b'"' => unsafe { self.visit_string(visitor) },
            b'-' | b'0'..=b'9' => self.parse_number(false)?.visit(visitor),
            b'[' => self.visit_array(visitor),
            b'{' => self.visit_object(visitor),
            b'n' => {
                self.null()?;
                visitor.visit_unit()
            }
            first @ (b't' | b'f') => visitor.visit_bool(self.boolean(first)?),
            _ => Err(self.fail(Syntax::ExpectedValue)),
        }
    }

    #[inline]
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // The usual case first: `true`, or `false`, right where the last token ended (one
        // 4-byte compare each); whitespace, other values and errors take the general path.
        let b = self.input.as_bytes();
        if let Some(word) = b.get(self.pos..).and_then(<[u8]>::first_chunk::<4>) {
            if word == b"true" {
                self.pos += 4;
                return visitor.visit_bool(true);
            }
            if word == b"fals" && b.get(self.pos + 4) == Some(&b'e') {
                self.pos += 5;
                return visitor.visit_bool(false);
            }
        }
        self.deserialize_bool_slow(visitor)
    }

    number_methods!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f64
    );

    #[inline]
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_number(visitor, true)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i128_(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u128_(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.expect(b'"', &visitor)?;
        // SAFETY: `expect` just found the `"` at `pos`.
        #[allow(unsafe_code)]
        unsafe {
            self.visit_string(visitor)
        }
    }

    /// The string handed over owned (`visit_string`, see `owned.rs`): what serde's `String`
    /// keeps as it is. A visitor without its own `visit_string` gets `visit_str` of it (serde's
    /// default), so every target reads the same value as from `deserialize_str`.
    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.expect(b'"', &visitor)?;
        self.pos += 1;
        // SAFETY: `expect` just found the `"` before `pos`.
        #[allow(unsafe_code)]
        let string = match unsafe { self.parse_str(self.pos) }? {
            Text::Borrowed(s) => owned::owned_string(s),
            Text::Copied(s) => owned::owned_string(s),
        };
        visitor.visit_string(string)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek_value()? {
            b'"' => {
                self.pos += 1;
                match self.parse_bytes()? {
                    Text::Borrowed(b) => visitor.visit_borrowed_bytes(b),
                    Text::Copied(b) => visitor.visit_bytes(b),
                }
            }
            b'[' => self.visit_array(visitor),
            other => Err(self.invalid_type(other, &visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek() == Some(b'n') {
            self.null()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek_value()? {
            b'n' => {
                self.null()?;
                visitor.visit_unit()
            }
            other => Err(self.invalid_type(other, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == RAW_VALUE_TOKEN {
            return self.deserialize_raw_value(visitor, false);
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.expect(b'[', &visitor)?;
        self.visit_array(visitor)
    }

    #[inline]
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek_value()? {
            b'{' => self.visit_object(visitor),
            other => Err(self.invalid_type(other, &visitor)),
        }
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // The usual case first: an object right at `pos` (no whitespace test). One call site
        // each for `visit_object` and `visit_array`, so that they stay inlined.
        let first = match self.input.as_bytes().get(self.pos) {
            Some(&b'{') => b'{',
            _ => self.peek_value()?,
        };
        match first {
            b'{' => self.visit_object(visitor),
            b'[' => self.visit_array(visitor),
            other => Err(self.invalid_type(other, &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.peek_value()? {
            b'"' => visitor.visit_enum(UnitVariant(self)),
            b'{' => {
                let value = self.nest(|de| visitor.visit_enum(Variant(de)))?;
                match self.peek() {
                    Some(b'}') => {
                        self.pos += 1;
                        Ok(value)
                    }
                    Some(_) => Err(self.fail(Syntax::ExpectedValue)),
                    None => Err(self.fail(Syntax::Eof)),
                }
            }
            _ => Err(self.fail(Syntax::ExpectedValue)),
        }
    }

    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    #[inline]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip_value()?;
        visitor.visit_unit()
    }
}

/// A map key (its opening quote next): a string, or the number or boolean written inside it
/// when the key type asks for one; every method takes the `:` after the key as well.
impl<'de> de::Deserializer<'de> for Key<'_, 'de> {
    type Error = Error;

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let start = self.quote() + 1;
        // SAFETY: a `Key`'s quote index holds a `"` of the input (see `Key::new`).
        #[allow(unsafe_code)]
        match unsafe { self.into_deserializer().parse_key(start) }? {
            Text::Borrowed(s) => visitor.visit_borrowed_str(s),
            Text::Copied(s) => visitor.visit_str(s),
        }
    }

    number_methods!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f64
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.quoted(|de| de.deserialize_number(visitor, true))
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.quoted(|de| de.deserialize_i128_(visitor))
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.quoted(|de| de.deserialize_u128_(visitor))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let start = self.quote() + 1;
        let de = self.at_quote();
        de.pos = start;
        let value = match de.byte() {
            Some(b't') => (b"rue\"".as_slice(), true),
            Some(b'f') => (b"alse\"".as_slice(), false),
            Some(_) => {
                // SAFETY: the byte before `start` is the key's quote (see `Key::new`).
                #[allow(unsafe_code)]
                unsafe { de.parse_str(start) }?;
                return Err(de::Error::invalid_type(
                    Unexpected::Other("string"),
                    &visitor,
                ));
            }
            None => return Err(de.fail(Syntax::Eof)),
        };
        de.pos += 1;
        de.literal(value.0)?;
        de.colon()?;
        visitor.visit_bool(value.1)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == RAW_VALUE_TOKEN {
            return self.at_quote().deserialize_raw_value(visitor, true);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.then_colon(|de| de::Deserializer::deserialize_enum(de, name, variants, visitor))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.then_colon(|de| de::Deserializer::deserialize_bytes(de, visitor))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.then_colon(|de| de::Deserializer::deserialize_bytes(de, visitor))
    }

    serde::forward_to_deserialize_any! {
        char str string unit unit_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

impl<'de> Key<'_, 'de> {
    /// A number written inside the key's quotes.
    fn deserialize_number<V: Visitor<'de>>(
        self,
        visitor: V,
        single: bool,
    ) -> Result<V::Value, Error> {
        self.quoted(|de| de.deserialize_number(visitor, single))
    }

    /// Runs `f` on the key's text, which must start like a number, then takes the closing
    /// quote.
    fn quoted<R>(
        self,
        f: impl FnOnce(&mut Deserializer<'de>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let de = self.at_quote();
        de.pos += 1;
        if !matches!(de.byte(), Some(b'-' | b'0'..=b'9')) {
            return Err(de.fail(Syntax::ExpectedNumericKey));
        }
        let value = f(de)?;
        if de.byte() != Some(b'"') {
            return Err(de.fail(Syntax::ExpectedQuote));
        }
        de.pos += 1;
        de.colon()?;
        Ok(value)
    }

    /// Reads the key with `f`, then takes the `:` after it.
    fn then_colon<R>(
        self,
        f: impl FnOnce(&mut Deserializer<'de>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let de = self.at_quote();
        let value = f(&mut *de)?;
        de.colon()?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests;
