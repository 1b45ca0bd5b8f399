//! MessagePack → [`Value`], reading what `notepack.io` (the decoder behind the reference's
//! MessagePack parser) reads, and mapping what JSON cannot hold on purpose:
//!
//! - bin 8/16/32, and ext 8/16/32 of type 0 (notepack's `ArrayBuffer`) → [`Value::Binary`],
//!   sharing the input buffer;
//! - fixext 1 of type 0 (notepack's `undefined`) → left out of a map, `null` in an array,
//!   absent as a packet field (what `JSON.stringify` does with `undefined`);
//! - fixext 8 of type 0 (notepack's `Date`, milliseconds since the epoch) → its ISO 8601 text,
//!   as `Date.prototype.toJSON` writes it (`null` outside the range of a JavaScript date);
//! - any other extension → `[type, <binary>]`, the array notepack hands the app;
//! - float NaN and ±infinity → `null` (as `JSON.stringify` writes them); an integral float in
//!   the i64/u64 range → that integer (JavaScript has one number type; `JSON.stringify(3.0)` is
//!   `3`);
//! - 64-bit integers stay exact (notepack rounds them to a double);
//! - strings with invalid UTF-8 → the replacement character (as Node's `Buffer#toString`);
//! - map keys: strings as they are; integers, `true`, `false`, `nil` and `undefined` as
//!   JavaScript spells them when it makes them property names; any other key (a float, an
//!   array, a map, binary, an extension) has no faithful JSON form and is refused.
//!
//! Nesting is bounded ([`MAX_DEPTH`]) and no buffer is reserved beyond what the input can
//! still hold, whatever length a header announces.

use super::MsgPackError;
use crate::socket::Value;
use bytes::Bytes;
use serde_json::Number;

/// Deepest nesting of arrays and maps accepted (the JSON validator's bound).
pub(super) const MAX_DEPTH: usize = crate::socket::validate::MAX_DEPTH;

/// One decoded value, or JavaScript's `undefined`, which JSON cannot hold.
#[derive(Debug, PartialEq)]
pub(super) enum Item {
    Value(Value),
    Undefined,
}

/// A cursor over one MessagePack message.
pub(super) struct Reader<'a> {
    buf: &'a Bytes,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a Bytes) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Refuses bytes left after the last value (notepack refuses them too).
    pub(super) fn finish(&self) -> Result<(), MsgPackError> {
        match self.buf.len() - self.pos {
            0 => Ok(()),
            n => Err(MsgPackError::Trailing(n)),
        }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<std::ops::Range<usize>, MsgPackError> {
        if n > self.remaining() {
            return Err(MsgPackError::Truncated);
        }
        let start = self.pos;
        self.pos += n;
        Ok(start..self.pos)
    }

    /// A big-endian unsigned integer of `width` bytes (1, 2, 4 or 8).
    fn uint(&mut self, width: usize) -> Result<u64, MsgPackError> {
        let range = self.take(width)?;
        Ok(self.buf[range]
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// A length prefix of `width` bytes (at most 4, so it fits a `usize`).
    fn len(&mut self, width: usize) -> Result<usize, MsgPackError> {
        usize::try_from(self.uint(width)?).map_err(|_| MsgPackError::Truncated)
    }

    /// If a map header comes next, consumes it and returns the entry count.
    pub(super) fn map_header(&mut self) -> Result<Option<usize>, MsgPackError> {
        let Some(&m) = self.buf.get(self.pos) else {
            return Err(MsgPackError::Truncated);
        };
        let len = match m {
            0x80..=0x8f => usize::from(m & 0x0f),
            0xde | 0xdf => {
                self.pos += 1;
                return self.len(if m == 0xde { 2 } else { 4 }).map(Some);
            }
            _ => return Ok(None),
        };
        self.pos += 1;
        Ok(Some(len))
    }

    /// The next value, `depth` containers deep.
    pub(super) fn item(&mut self, depth: usize) -> Result<Item, MsgPackError> {
        if depth > MAX_DEPTH {
            return Err(MsgPackError::TooDeep);
        }
        let range = self.take(1)?;
        let m = self.buf[range.start];
        let v = match m {
            0x00..=0x7f => Value::Number(m.into()),
            0x80..=0x8f => self.map(usize::from(m & 0x0f), depth)?,
            0x90..=0x9f => self.array(usize::from(m & 0x0f), depth)?,
            0xa0..=0xbf => self.str(usize::from(m & 0x1f))?,
            0xc0 => Value::Null,
            0xc1 => return Err(MsgPackError::Reserved(m)),
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xc4..=0xc6 => {
                let n = self.len(1 << (m - 0xc4))?;
                Value::Binary(self.buf.slice(self.take(n)?))
            }
            0xc7..=0xc9 => {
                let n = self.len(1 << (m - 0xc7))?;
                return self.ext(n, true);
            }
            0xca => float(f64::from(f32::from_bits(self.uint(4)? as u32))),
            0xcb => float(f64::from_bits(self.uint(8)?)),
            0xcc..=0xcf => Value::Number(self.uint(1 << (m - 0xcc))?.into()),
            0xd0..=0xd3 => {
                let width = 1usize << (m - 0xd0);
                let shift = 64 - 8 * width as u32;
                // Sign-extends the `width`-byte two's complement value.
                Value::Number((((self.uint(width)? << shift) as i64) >> shift).into())
            }
            0xd4..=0xd8 => return self.ext(1 << (m - 0xd4), false),
            0xd9..=0xdb => {
                let n = self.len(1 << (m - 0xd9))?;
                self.str(n)?
            }
            0xdc | 0xdd => {
                let n = self.len(if m == 0xdc { 2 } else { 4 })?;
                self.array(n, depth)?
            }
            0xde | 0xdf => {
                let n = self.len(if m == 0xde { 2 } else { 4 })?;
                self.map(n, depth)?
            }
            0xe0..=0xff => Value::Number((m as i8).into()),
        };
        Ok(Item::Value(v))
    }

    /// A map key as the string JavaScript would make of it (see the module docs).
    pub(super) fn key(&mut self, depth: usize) -> Result<String, MsgPackError> {
        Ok(match self.item(depth)? {
            Item::Value(Value::String(s)) => s,
            Item::Value(Value::Number(n)) if !n.is_f64() => n.to_string(),
            Item::Value(Value::Bool(b)) => b.to_string(),
            Item::Value(Value::Null) => "null".to_owned(),
            Item::Undefined => "undefined".to_owned(),
            Item::Value(_) => return Err(MsgPackError::UnsupportedKey),
        })
    }

    fn str(&mut self, len: usize) -> Result<Value, MsgPackError> {
        let range = self.take(len)?;
        Ok(Value::String(
            String::from_utf8_lossy(&self.buf[range]).into_owned(),
        ))
    }

    fn array(&mut self, len: usize, depth: usize) -> Result<Value, MsgPackError> {
        // Every element takes at least one byte.
        let mut items = Vec::with_capacity(len.min(self.remaining()));
        for _ in 0..len {
            items.push(match self.item(depth + 1)? {
                Item::Value(v) => v,
                Item::Undefined => Value::Null,
            });
        }
        Ok(Value::Array(items))
    }

    fn map(&mut self, len: usize, depth: usize) -> Result<Value, MsgPackError> {
        // Every entry takes at least two bytes.
        let mut entries = Vec::with_capacity(len.min(self.remaining() / 2));
        for _ in 0..len {
            let key = self.key(depth + 1)?;
            if let Item::Value(v) = self.item(depth + 1)? {
                entries.push((key, v));
            }
        }
        Ok(Value::Object(entries))
    }

    /// An extension of `len` data bytes; `sized`: ext 8/16/32 (else fixext).
    fn ext(&mut self, len: usize, sized: bool) -> Result<Item, MsgPackError> {
        let kind = self.take(1).map(|r| self.buf[r.start] as i8)?;
        let data = self.take(len)?;
        Ok(Item::Value(match (kind, sized, len) {
            (0, true, _) => Value::Binary(self.buf.slice(data)),
            (0, false, 1) => return Ok(Item::Undefined),
            (0, false, 8) => {
                let mut ms = [0u8; 8];
                ms.copy_from_slice(&self.buf[data]);
                super::date::to_json(i64::from_be_bytes(ms))
            }
            _ => Value::Array(vec![
                Value::Number(kind.into()),
                Value::Binary(self.buf.slice(data)),
            ]),
        }))
    }
}

/// A float as a JSON number: integral values in range as integers, non-finite as `null`.
fn float(f: f64) -> Value {
    if f.is_finite() && f.fract() == 0.0 {
        if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
            return Value::Number((f as u64).into());
        }
        if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
            return Value::Number((f as i64).into());
        }
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}
