//! MessagePack → JSON text plus attachments, in one pass and without a value tree, reading
//! what `notepack.io` (the decoder behind the reference's MessagePack parser) reads. The
//! mapping of what JSON cannot hold is described on [`crate::socket::msgpack`].
//!
//! Nesting is bounded ([`MAX_DEPTH`]), binary values are counted against a limit, and nothing
//! is reserved beyond what the input can still hold, whatever length a header announces: the
//! JSON written is at most a few times the input.

use super::MsgPackError;
use crate::json::write_str;
use crate::socket::value::{write_number, write_placeholder};
use bytes::Bytes;
use serde_json::Number;
use std::borrow::Cow;

/// Deepest nesting of arrays and maps accepted (the JSON validator's bound).
pub(super) const MAX_DEPTH: usize = crate::socket::validate::MAX_DEPTH;

/// What was written for one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Written {
    /// A JSON value.
    Value,
    /// JavaScript's `undefined` (notepack's fixext 1 of type 0): nothing was written.
    Undefined,
}

/// A cursor over one MessagePack message.
pub(super) struct Reader<'a> {
    buf: &'a Bytes,
    pos: usize,
    /// Binary values still accepted in this message.
    bins_left: usize,
    max_bins: usize,
}

/// Where one value's JSON goes.
pub(super) struct Sink<'s> {
    pub(super) json: &'s mut Vec<u8>,
    pub(super) attachments: &'s mut Vec<Bytes>,
}

impl<'a> Reader<'a> {
    /// A reader accepting at most `max_bins` binary values in the whole message.
    pub(super) fn new(buf: &'a Bytes, max_bins: usize) -> Self {
        Reader {
            buf,
            pos: 0,
            bins_left: max_bins,
            max_bins,
        }
    }

    /// Refuses bytes left after the last value (notepack refuses them too).
    pub(super) fn finish(&self) -> Result<(), MsgPackError> {
        match self.remaining() {
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

    fn byte(&mut self) -> Result<u8, MsgPackError> {
        let r = self.take(1)?;
        Ok(self.buf[r.start])
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

    /// A two's complement integer of `width` bytes.
    fn int(&mut self, width: usize) -> Result<i64, MsgPackError> {
        let shift = 64 - 8 * width as u32;
        Ok(((self.uint(width)? << shift) as i64) >> shift)
    }

    fn text(&mut self, len: usize) -> Result<Cow<'a, str>, MsgPackError> {
        let range = self.take(len)?;
        let buf: &'a Bytes = self.buf;
        Ok(String::from_utf8_lossy(&buf[range]))
    }

    /// If a map header comes next, consumes it and returns the entry count.
    pub(super) fn map_header(&mut self) -> Result<Option<usize>, MsgPackError> {
        let Some(&m) = self.buf.get(self.pos) else {
            return Err(MsgPackError::Truncated);
        };
        let width = match m {
            0x80..=0x8f => {
                self.pos += 1;
                return Ok(Some(usize::from(m & 0x0f)));
            }
            0xde => 2,
            0xdf => 4,
            _ => return Ok(None),
        };
        self.pos += 1;
        self.len(width).map(Some)
    }

    /// A map key as the string JavaScript makes of it when it names a property: strings as
    /// they are; integers, booleans, nil and undefined as JavaScript spells them. Any other
    /// key is refused before it is read any further.
    pub(super) fn key(&mut self) -> Result<Cow<'a, str>, MsgPackError> {
        let m = self.byte()?;
        let n: i128 = match m {
            0xa0..=0xbf => return self.text(usize::from(m & 0x1f)),
            0xd9..=0xdb => {
                let len = self.len(1 << (m - 0xd9))?;
                return self.text(len);
            }
            0xc0 => return Ok(Cow::Borrowed("null")),
            0xc2 => return Ok(Cow::Borrowed("false")),
            0xc3 => return Ok(Cow::Borrowed("true")),
            0xd4 if self.buf.get(self.pos) == Some(&0) => {
                self.take(2)?;
                return Ok(Cow::Borrowed("undefined"));
            }
            0x00..=0x7f => i128::from(m),
            0xe0..=0xff => i128::from(m as i8),
            0xcc..=0xcf => i128::from(self.uint(1 << (m - 0xcc))?),
            0xd0..=0xd3 => i128::from(self.int(1 << (m - 0xd0))?),
            _ => return Err(MsgPackError::UnsupportedKey),
        };
        Ok(Cow::Owned(n.to_string()))
    }

    /// Writes the next value, `depth` containers deep, as JSON: binary values become
    /// placeholders numbered after the attachments already in `sink`.
    pub(super) fn json(
        &mut self,
        depth: usize,
        sink: &mut Sink<'_>,
    ) -> Result<Written, MsgPackError> {
        if depth > MAX_DEPTH {
            return Err(MsgPackError::TooDeep);
        }
        let m = self.byte()?;
        let mut itoa = itoa::Buffer::new();
        let out = &mut *sink.json;
        match m {
            0x00..=0x7f => out.extend_from_slice(itoa.format(m).as_bytes()),
            0x80..=0x8f => self.map(usize::from(m & 0x0f), depth, sink)?,
            0x90..=0x9f => self.array(usize::from(m & 0x0f), depth, sink)?,
            0xa0..=0xbf => write_str(out, &self.text(usize::from(m & 0x1f))?),
            0xc0 => out.extend_from_slice(b"null"),
            0xc1 => return Err(MsgPackError::Reserved(m)),
            0xc2 => out.extend_from_slice(b"false"),
            0xc3 => out.extend_from_slice(b"true"),
            0xc4..=0xc6 => {
                let len = self.len(1 << (m - 0xc4))?;
                self.bin(len, sink)?;
            }
            0xc7..=0xc9 => {
                let len = self.len(1 << (m - 0xc7))?;
                return self.ext(len, true, sink);
            }
            0xca => float(out, f64::from(f32::from_bits(self.uint(4)? as u32))),
            0xcb => float(out, f64::from_bits(self.uint(8)?)),
            0xcc..=0xcf => {
                let n = self.uint(1 << (m - 0xcc))?;
                out.extend_from_slice(itoa.format(n).as_bytes());
            }
            0xd0..=0xd3 => {
                let n = self.int(1 << (m - 0xd0))?;
                out.extend_from_slice(itoa.format(n).as_bytes());
            }
            0xd4..=0xd8 => return self.ext(1 << (m - 0xd4), false, sink),
            0xd9..=0xdb => {
                let len = self.len(1 << (m - 0xd9))?;
                write_str(out, &self.text(len)?);
            }
            0xdc | 0xdd => {
                let len = self.len(if m == 0xdc { 2 } else { 4 })?;
                self.array(len, depth, sink)?;
            }
            0xde | 0xdf => {
                let len = self.len(if m == 0xde { 2 } else { 4 })?;
                self.map(len, depth, sink)?;
            }
            0xe0..=0xff => out.extend_from_slice(itoa.format(m as i8).as_bytes()),
        }
        Ok(Written::Value)
    }

    fn bin(&mut self, len: usize, sink: &mut Sink<'_>) -> Result<(), MsgPackError> {
        let range = self.take(len)?;
        self.bins_left = self
            .bins_left
            .checked_sub(1)
            .ok_or(MsgPackError::TooManyBinaries { max: self.max_bins })?;
        write_placeholder(sink.json, sink.attachments.len());
        sink.attachments.push(self.buf.slice(range));
        Ok(())
    }

    fn array(&mut self, len: usize, depth: usize, sink: &mut Sink<'_>) -> Result<(), MsgPackError> {
        sink.json.push(b'[');
        for i in 0..len {
            if i > 0 {
                sink.json.push(b',');
            }
            if self.json(depth + 1, sink)? == Written::Undefined {
                sink.json.extend_from_slice(b"null");
            }
        }
        sink.json.push(b']');
        Ok(())
    }

    fn map(&mut self, len: usize, depth: usize, sink: &mut Sink<'_>) -> Result<(), MsgPackError> {
        sink.json.push(b'{');
        let mut empty = true;
        for _ in 0..len {
            let mark = sink.json.len();
            if !empty {
                sink.json.push(b',');
            }
            let key = self.key()?;
            write_str(sink.json, &key);
            sink.json.push(b':');
            match self.json(depth + 1, sink)? {
                Written::Value => empty = false,
                // `JSON.stringify` leaves the entry out.
                Written::Undefined => sink.json.truncate(mark),
            }
        }
        sink.json.push(b'}');
        Ok(())
    }

    /// An extension of `len` data bytes; `sized`: ext 8/16/32 (else fixext).
    fn ext(
        &mut self,
        len: usize,
        sized: bool,
        sink: &mut Sink<'_>,
    ) -> Result<Written, MsgPackError> {
        let kind = self.byte()? as i8;
        match (kind, sized, len) {
            (0, true, _) => self.bin(len, sink)?,
            (0, false, 1) => {
                self.take(1)?;
                return Ok(Written::Undefined);
            }
            (0, false, 8) => {
                let ms = self.int(8)?;
                match super::date::iso(ms) {
                    Some(iso) => write_str(sink.json, &iso),
                    None => sink.json.extend_from_slice(b"null"),
                }
            }
            _ => {
                sink.json.push(b'[');
                sink.json
                    .extend_from_slice(itoa::Buffer::new().format(kind).as_bytes());
                sink.json.push(b',');
                self.bin(len, sink)?;
                sink.json.push(b']');
            }
        }
        Ok(Written::Value)
    }
}

/// A float as a JSON number: an integral value in the i64/u64 range as that integer,
/// non-finite ones as `null` (as `JSON.stringify` writes them).
fn float(out: &mut Vec<u8>, f: f64) {
    let mut itoa = itoa::Buffer::new();
    if f.is_finite() && f.fract() == 0.0 {
        if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
            return out.extend_from_slice(itoa.format(f as u64).as_bytes());
        }
        if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
            return out.extend_from_slice(itoa.format(f as i64).as_bytes());
        }
    }
    match Number::from_f64(f) {
        Some(n) => write_number(out, &n),
        None => out.extend_from_slice(b"null"),
    }
}
