//! MessagePack as the reference writes it (`notepack.io`). The encoder is the one of
//! `volley_protocol::socket::msgpack` (re-exported here); decoding accepts every MessagePack
//! form and never panics on garbage (it returns an error instead).

use bytes::Bytes;
use serde_json::Number;
use volley_protocol::socket::Value;

pub use volley_protocol::socket::msgpack::{
    encode, encode_array_len, encode_bin, encode_int, encode_map_len, encode_number, encode_str,
    encode_uint,
};

/// Why a MessagePack buffer could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The buffer ended inside a value.
    #[error("truncated MessagePack value")]
    Truncated,
    /// A string was not valid UTF-8.
    #[error("invalid UTF-8 in a MessagePack string")]
    InvalidUtf8,
    /// A marker byte that MessagePack reserves (0xc1).
    #[error("reserved MessagePack marker 0x{0:02x}")]
    Reserved(u8),
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("MessagePack nesting too deep")]
    TooDeep,
    /// Bytes left after the value.
    #[error("{0} trailing bytes after the MessagePack value")]
    Trailing(usize),
}

/// Deepest nesting accepted when decoding (a guard against stack exhaustion).
pub const MAX_DEPTH: usize = 128;

/// Decodes one complete MessagePack value. Binary values share `input`'s buffer.
///
/// Mapping to [`Value`]: integers and floats become numbers (NaN and infinities become
/// `null`, as `JSON.stringify` writes them), binary stays binary, map keys that are not
/// strings are written as their JSON text, timestamps become their seconds as a number and
/// other extension types become `null`.
pub fn decode(input: &Bytes) -> Result<Value, DecodeError> {
    let mut r = Reader { buf: input, pos: 0 };
    let v = r.value(0)?;
    match input.len() - r.pos {
        0 => Ok(v),
        n => Err(DecodeError::Trailing(n)),
    }
}

struct Reader<'a> {
    buf: &'a Bytes,
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn len(&mut self, width: u8) -> Result<usize, DecodeError> {
        Ok(match width {
            1 => self.byte()? as usize,
            2 => u16::from_be_bytes(self.be()?) as usize,
            _ => u32::from_be_bytes(self.be()?) as usize,
        })
    }

    fn str(&mut self, len: usize) -> Result<String, DecodeError> {
        let raw = self.take(len)?;
        std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|_| DecodeError::InvalidUtf8)
    }

    fn bin(&mut self, len: usize) -> Result<Value, DecodeError> {
        let start = self.pos;
        self.take(len)?;
        Ok(Value::Binary(self.buf.slice(start..start + len)))
    }

    fn array(&mut self, len: usize, depth: usize) -> Result<Value, DecodeError> {
        // Every element takes at least one byte: never reserve more than what is left.
        let mut items = Vec::with_capacity(len.min(self.buf.len() - self.pos));
        for _ in 0..len {
            items.push(self.value(depth + 1)?);
        }
        Ok(Value::Array(items))
    }

    fn map(&mut self, len: usize, depth: usize) -> Result<Value, DecodeError> {
        let mut entries = Vec::with_capacity(len.min((self.buf.len() - self.pos) / 2));
        for _ in 0..len {
            let key = match self.value(depth + 1)? {
                Value::String(s) => s,
                other => {
                    let mut out = Vec::new();
                    other.write_json(&mut out, &mut Vec::new());
                    String::from_utf8(out).map_err(|_| DecodeError::InvalidUtf8)?
                }
            };
            entries.push((key, self.value(depth + 1)?));
        }
        Ok(Value::Object(entries))
    }

    fn ext(&mut self, len: usize) -> Result<Value, DecodeError> {
        let kind = self.byte()? as i8;
        let data = self.take(len)?;
        // Timestamp (type -1): seconds since the epoch, as a number.
        let secs = match (kind, data.len()) {
            (-1, 4) => Some(u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as f64),
            (-1, 8) => {
                let raw = u64::from_be_bytes(data.try_into().unwrap_or([0; 8]));
                let nanos = (raw >> 34) as f64;
                Some((raw & 0x3_ffff_ffff) as f64 + nanos / 1e9)
            }
            (-1, 12) => {
                let nanos = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as f64;
                let s = i64::from_be_bytes(data[4..12].try_into().unwrap_or([0; 8])) as f64;
                Some(s + nanos / 1e9)
            }
            _ => None,
        };
        Ok(secs.map_or(Value::Null, float))
    }

    fn value(&mut self, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let m = self.byte()?;
        Ok(match m {
            0x00..=0x7f => Value::Number(Number::from(m)),
            0x80..=0x8f => self.map((m & 0x0f) as usize, depth)?,
            0x90..=0x9f => self.array((m & 0x0f) as usize, depth)?,
            0xa0..=0xbf => Value::String(self.str((m & 0x1f) as usize)?),
            0xc0 => Value::Null,
            0xc1 => return Err(DecodeError::Reserved(m)),
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xc4 => {
                let n = self.len(1)?;
                self.bin(n)?
            }
            0xc5 => {
                let n = self.len(2)?;
                self.bin(n)?
            }
            0xc6 => {
                let n = self.len(4)?;
                self.bin(n)?
            }
            0xc7 => {
                let n = self.len(1)?;
                self.ext(n)?
            }
            0xc8 => {
                let n = self.len(2)?;
                self.ext(n)?
            }
            0xc9 => {
                let n = self.len(4)?;
                self.ext(n)?
            }
            0xca => float(f32::from_be_bytes(self.be()?) as f64),
            0xcb => float(f64::from_be_bytes(self.be()?)),
            0xcc => Value::Number(self.byte()?.into()),
            0xcd => Value::Number(u16::from_be_bytes(self.be()?).into()),
            0xce => Value::Number(u32::from_be_bytes(self.be()?).into()),
            0xcf => Value::Number(u64::from_be_bytes(self.be()?).into()),
            0xd0 => Value::Number((self.byte()? as i8).into()),
            0xd1 => Value::Number(i16::from_be_bytes(self.be()?).into()),
            0xd2 => Value::Number(i32::from_be_bytes(self.be()?).into()),
            0xd3 => Value::Number(i64::from_be_bytes(self.be()?).into()),
            0xd4 => self.ext(1)?,
            0xd5 => self.ext(2)?,
            0xd6 => self.ext(4)?,
            0xd7 => self.ext(8)?,
            0xd8 => self.ext(16)?,
            0xd9 => {
                let n = self.len(1)?;
                Value::String(self.str(n)?)
            }
            0xda => {
                let n = self.len(2)?;
                Value::String(self.str(n)?)
            }
            0xdb => {
                let n = self.len(4)?;
                Value::String(self.str(n)?)
            }
            0xdc => {
                let n = self.len(2)?;
                self.array(n, depth)?
            }
            0xdd => {
                let n = self.len(4)?;
                self.array(n, depth)?
            }
            0xde => {
                let n = self.len(2)?;
                self.map(n, depth)?
            }
            0xdf => {
                let n = self.len(4)?;
                self.map(n, depth)?
            }
            0xe0..=0xff => Value::Number((m as i8).into()),
        })
    }
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(v: &Value) -> Value {
        let mut out = Vec::new();
        encode(v, &mut out);
        decode(&Bytes::from(out)).unwrap()
    }

    #[test]
    fn values_survive_a_round_trip() {
        let v = Value::Array(vec![
            Value::Null,
            Value::Bool(true),
            Value::from("ünï"),
            Value::String("s".repeat(70_000)),
            Value::Binary(Bytes::from(vec![7u8; 300])),
            Value::Object(vec![("k".into(), Value::from(-1.5)), ("".into(), 0.into())]),
            Value::Array((0..20).map(Value::from).collect()),
        ]);
        assert_eq!(roundtrip(&v), v);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let cases: &[&[u8]] = &[
            &[],
            &[0xc1],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'],
            &[0xa2, 0xff, 0xfe],
            &[0xc4, 0x05, 1],
            &[0x01, 0x02],
        ];
        for c in cases {
            assert!(decode(&Bytes::copy_from_slice(c)).is_err(), "{c:x?}");
        }
        let deep = vec![0x91u8; MAX_DEPTH + 2];
        assert_eq!(decode(&Bytes::from(deep)), Err(DecodeError::TooDeep));
    }

    #[test]
    fn float32_ext_and_non_string_keys_decode() {
        let mut b = vec![0x83, 0x01, 0xca];
        b.extend_from_slice(&0.5f32.to_be_bytes());
        b.extend_from_slice(&[0xa1, b't', 0xd6, 0xff, 0, 0, 0, 10]);
        b.extend_from_slice(&[0xa1, b'x', 0xd4, 0x05, 0x00]);
        let v = decode(&Bytes::from(b)).unwrap();
        assert_eq!(
            v,
            Value::Object(vec![
                ("1".into(), Value::from(0.5)),
                ("t".into(), Value::from(10.0)),
                ("x".into(), Value::Null),
            ])
        );
    }
}
