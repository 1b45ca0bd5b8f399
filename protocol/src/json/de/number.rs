//! Numbers: typed as serde_json types them, floats correctly rounded.
//!
//! The digits are accumulated without overflow checks: up to 19 digits always fit a `u64`,
//! and the rare longer numbers are read again by the slow paths (checked integers, or the
//! standard library's correctly rounded `str::parse` on the number's text).

use super::read::Syntax;
use super::{Deserializer, Error};
use serde::de::Visitor;

/// A JSON number as serde_json types it: a non-negative integer that fits `u64`, a negative
/// one that fits `i64` (`-0` is not one), or else the correctly rounded `f64`.
///
/// The float is kept as its bits ([`Number::float`]), so that every variant's payload is an
/// integer and `Result<Number, Error>` is a pair of integers, returned in two registers
/// (with an `f64` payload it was returned through memory: a store and reload per number).
pub(super) enum Number {
    U64(u64),
    I64(i64),
    /// `f64::to_bits` of the value.
    F64(u64),
}

impl Number {
    /// The float `f`.
    #[inline(always)]
    pub(super) fn float(f: f64) -> Number {
        Number::F64(f.to_bits())
    }

    #[inline]
    pub(super) fn visit<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Number::U64(n) => visitor.visit_u64(n),
            Number::I64(n) => visitor.visit_i64(n),
            Number::F64(bits) => visitor.visit_f64(f64::from_bits(bits)),
        }
    }
}

/// Decimal digits that always fit a `u64` (10^19 − 1 < 2^64).
const FITS: usize = 19;

/// Powers of ten an `f64` holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The powers of ten a `u64` holds.
const POW10_U64: [u64; FITS + 1] = {
    let mut table = [1; FITS + 1];
    let mut k = 1;
    while k <= FITS {
        table[k] = table[k - 1] * 10;
        k += 1;
    }
    table
};

#[inline(always)]
fn digit(c: Option<&u8>) -> Option<u8> {
    let d = c?.wrapping_sub(b'0');
    (d < 10).then_some(d)
}

/// The digits from `i` on: their value (modulo 2^64: exact for up to [`FITS`] digits) and
/// where they end.
#[inline(always)]
fn digits(b: &[u8], mut i: usize) -> (u64, usize) {
    let mut n = 0u64;
    while let Some(d) = digit(b.get(i)) {
        n = n.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    (n, i)
}

/// The number `sig` read as an integer, with its sign.
#[inline(always)]
fn integer(negative: bool, sig: u64) -> Number {
    if !negative {
        Number::U64(sig)
    } else if sig == 0 || sig > 1 << 63 {
        // `-0` and integers below i64::MIN are floats.
        Number::float(-(sig as f64))
    } else {
        Number::I64((sig as i64).wrapping_neg())
    }
}

impl<'de> Deserializer<'de> {
    /// Reads a number at `pos` (a `-` or a digit). `single`: a float is rounded to `f32`
    /// directly (not through `f64`), as serde_json does for `f32` targets.
    #[inline]
    pub(super) fn parse_number(&mut self, single: bool) -> Result<Number, Error> {
        let b = self.input.as_bytes();
        let start = self.pos;
        let negative = b.get(start) == Some(&b'-');
        let first = start + usize::from(negative);
        let (sig, i) = digits(b, first);
        let len = i - first;
        if len == 0 {
            self.pos = first;
            return Err(self.fail(if first < b.len() {
                Syntax::InvalidNumber
            } else {
                Syntax::Eof
            }));
        }
        if len > 1 && b[first] == b'0' {
            self.pos = first + 1;
            return Err(self.fail(Syntax::InvalidNumber));
        }
        if let Some(b'.' | b'e' | b'E') = b.get(i) {
            return self.parse_float(start, i, negative, sig, len, single);
        }
        self.pos = i;
        if len > FITS {
            return self.long_integer(start, negative, single);
        }
        Ok(integer(negative, sig))
    }

    /// The rest of a number with a fraction or an exponent (at `i`, after the integer part
    /// of `len` digits whose value is `sig`).
    #[inline(always)]
    fn parse_float(
        &mut self,
        start: usize,
        mut i: usize,
        negative: bool,
        mut sig: u64,
        mut len: usize,
        single: bool,
    ) -> Result<Number, Error> {
        let b = self.input.as_bytes();
        // Decimal exponent of `sig` (when `len` ≤ FITS).
        let mut exp = 0i32;
        if b.get(i) == Some(&b'.') {
            let (fraction, end) = digits(b, i + 1);
            let n = end - (i + 1);
            if n == 0 {
                self.pos = end;
                return Err(self.fail(Syntax::InvalidNumber));
            }
            len += n;
            if len <= FITS {
                sig = sig * POW10_U64[n] + fraction;
                // n ≤ FITS here.
                exp = -(n as i32);
            }
            i = end;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let negative_exp = b.get(i) == Some(&b'-');
            if let Some(b'-' | b'+') = b.get(i) {
                i += 1;
            }
            let first = i;
            let mut e = 0i32;
            while let Some(d) = digit(b.get(i)) {
                e = e.saturating_mul(10).saturating_add(i32::from(d));
                i += 1;
            }
            if i == first {
                self.pos = i;
                return Err(self.fail(Syntax::InvalidNumber));
            }
            exp = if negative_exp {
                exp.saturating_sub(e)
            } else {
                exp.saturating_add(e)
            };
        }
        self.pos = i;
        if !single && len <= FITS && sig <= 1 << 53 && (-22..=22).contains(&exp) {
            // Both operands are exact, so the one rounding of the product or quotient gives
            // the correctly rounded value (finite: below 2^53 · 10^22).
            let m = sig as f64;
            let f = if exp < 0 {
                m / POW10[exp.unsigned_abs() as usize]
            } else {
                m * POW10[exp as usize]
            };
            return Ok(Number::float(if negative { -f } else { f }));
        }
        let text = &self.input[start..i];
        self.parsed_float(text, single)
    }

    /// `text` (a number's whole text) correctly rounded by `str::parse` (to `f32` first for
    /// `single`), out of range when it is not finite.
    fn parsed_float(&self, text: &str, single: bool) -> Result<Number, Error> {
        let f = if single {
            text.parse::<f32>().map(f64::from)
        } else {
            text.parse::<f64>()
        };
        match f {
            Ok(f) if f.is_finite() => Ok(Number::float(f)),
            _ => Err(self.fail(Syntax::NumberOutOfRange)),
        }
    }

    /// An integer of more than [`FITS`] digits (`start..pos`, sign included): a `u64` or
    /// `i64` if it fits, else the correctly rounded float.
    #[cold]
    fn long_integer(
        &mut self,
        start: usize,
        negative: bool,
        single: bool,
    ) -> Result<Number, Error> {
        let text = &self.input[start..self.pos];
        let fits = text[usize::from(negative)..]
            .bytes()
            .try_fold(0u64, |n, c| {
                n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
            });
        if let Some(sig) = fits {
            return Ok(integer(negative, sig));
        }
        self.parsed_float(text, single)
    }

    /// The text of an integer (no fraction or exponent) at `pos`, sign included, for the
    /// 128-bit targets.
    pub(super) fn integer_text(&mut self) -> Result<&'de str, Error> {
        let input = self.input;
        let b = input.as_bytes();
        let start = self.pos;
        let mut i = start + usize::from(b.get(start) == Some(&b'-'));
        match b.get(i) {
            Some(b'0') => {
                i += 1;
                if digit(b.get(i)).is_some() {
                    self.pos = i;
                    return Err(self.fail(Syntax::InvalidNumber));
                }
            }
            Some(b'1'..=b'9') => {
                while digit(b.get(i)).is_some() {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return Err(self.fail(Syntax::InvalidNumber));
            }
        }
        self.pos = i;
        Ok(&input[start..i])
    }

    /// Skips a number at `pos`, checking its syntax.
    pub(super) fn skip_number(&mut self) -> Result<(), Error> {
        self.integer_text()?;
        let b = self.input.as_bytes();
        let mut i = self.pos;
        if b.get(i) == Some(&b'.') {
            i = self.skip_digits(i + 1)?;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'-' | b'+') = b.get(i) {
                i += 1;
            }
            i = self.skip_digits(i)?;
        }
        self.pos = i;
        Ok(())
    }

    /// The end of the run of digits at `i`, which must hold at least one.
    fn skip_digits(&mut self, from: usize) -> Result<usize, Error> {
        let b = self.input.as_bytes();
        let mut i = from;
        while digit(b.get(i)).is_some() {
            i += 1;
        }
        if i == from {
            self.pos = i;
            return Err(self.fail(Syntax::InvalidNumber));
        }
        Ok(i)
    }
}
