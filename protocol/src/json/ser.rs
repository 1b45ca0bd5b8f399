//! Volley's compact JSON `serde::Serializer`.
//!
//! It writes exactly what `serde_json::to_vec` writes for every input (the proptest in
//! `protocol/tests/codec_json_matches_serde_json.rs` checks this byte for byte), straight into
//! a `Vec<u8>`: each token reserves what it needs once and is appended without going through
//! `io::Write` or a formatter. Separators cost no per-element state: every element of an array
//! or object is written with a leading `,`, and the first one becomes the opening bracket when
//! the container ends.
//!
//! In attachment mode (the Socket.IO encoders) bytes become `{"_placeholder":true,"num":i}`
//! and are collected as attachment `i`; otherwise they are an array of numbers, as in
//! serde_json.

use super::cursor::append;
use super::digits;
use super::escape::{put_escaped, write_str, EscapingWriter, MAX_ESCAPE, SHORT, SLACK};
use super::float::Float as _;
use super::key::MapKey;
use bytes::Bytes;
use serde::ser::{self, Serialize};
use std::cell::RefCell;
use std::fmt::{self, Write as _};

/// The struct name and field under which `serde_json::value::RawValue` hands over its text
/// (and `serde_json::Number` too, when serde_json's `arbitrary_precision` feature is on).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
const RAW_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Why a value could not be written as JSON. Display texts are serde_json's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A map key that JSON cannot hold as a string (a sequence, map, struct, unit, `None`,
    /// bytes or a newtype variant).
    #[error("key must be a string")]
    KeyMustBeAString,
    /// A float map key that is NaN or infinite.
    #[error("float key must be finite (got NaN or +/-inf)")]
    FloatKeyMustBeFinite,
    /// Something other than a string handed over as a `RawValue`'s text.
    #[error("expected RawValue")]
    InvalidRawValue,
    /// A `Display` implementation used through `collect_str` failed.
    #[error("a Display implementation returned an error")]
    Fmt,
    /// An error raised by a `Serialize` implementation.
    #[error("{0}")]
    Custom(String),
}

impl ser::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
}

/// Serializes `value` as compact JSON (the same bytes as `serde_json::to_vec`).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(128);
    value.serialize(&mut Serializer::new(&mut out))?;
    Ok(out)
}

/// Compact JSON appended to a `Vec<u8>`, byte for byte what `serde_json::to_vec` writes.
///
/// Each token reserves what it needs once and is written straight into the buffer (no
/// `io::Write`, no formatter); bytes are written as arrays of numbers, as in serde_json.
pub struct Serializer<'a> {
    pub(super) out: &'a mut Vec<u8>,
    att: Option<&'a RefCell<Vec<Bytes>>>,
}

impl<'a> Serializer<'a> {
    /// Appends to `out`; bytes are written as arrays of numbers.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Serializer { out, att: None }
    }

    /// Appends to `out`; bytes (and [`Binary`](crate::socket::Binary), without a copy) become
    /// placeholders, their data appended to `att`.
    pub(crate) fn with_attachments(out: &'a mut Vec<u8>, att: &'a RefCell<Vec<Bytes>>) -> Self {
        Serializer {
            out,
            att: Some(att),
        }
    }

    #[inline]
    fn placeholder(&mut self, att: &RefCell<Vec<Bytes>>, bytes: Bytes) {
        let num = {
            let mut att = att.borrow_mut();
            att.push(bytes);
            att.len() - 1
        };
        crate::socket::write_placeholder(self.out, num);
    }

    /// `{"<variant>":` — the start of every non-unit enum variant.
    #[inline]
    fn variant_open(&mut self, variant: &str) {
        self.out.reserve(variant.len() + 4);
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
    }
}

/// Appends an integer in decimal: below 10^8 with [`digits::small`], otherwise with itoa.
#[inline]
pub(super) fn write_int<I: itoa::Integer + TryInto<u64> + Copy>(out: &mut Vec<u8>, v: I) {
    if let Ok(small) = v.try_into() {
        if small < digits::SMALL {
            let (word, len) = digits::small(small);
            append(out, 8, |c| c.put_word_prefix(word, len));
            return;
        }
    }
    let mut buf = itoa::Buffer::new();
    let text = buf.format(v).as_bytes();
    append(out, text.len() + 8, |c| c.put_text(text));
}

macro_rules! ints {
    ($($method:ident: $ty:ty,)*) => {$(
        #[inline]
        fn $method(self, v: $ty) -> Result<(), Error> {
            write_int(self.out, v);
            Ok(())
        }
    )*};
}

macro_rules! floats {
    ($($method:ident: $ty:ty,)*) => {$(
        #[inline]
        fn $method(self, v: $ty) -> Result<(), Error> {
            if v.is_finite() {
                v.write_finite(self.out);
            } else {
                self.out.extend_from_slice(b"null");
            }
            Ok(())
        }
    )*};
}

impl<'s, 'a> ser::Serializer for &'s mut Serializer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'s, 'a>;
    type SerializeTuple = Seq<'s, 'a>;
    type SerializeTupleStruct = Seq<'s, 'a>;
    type SerializeTupleVariant = Seq<'s, 'a>;
    type SerializeMap = Map<'s, 'a>;
    type SerializeStruct = Struct<'s, 'a>;
    type SerializeStructVariant = Struct<'s, 'a>;

    #[inline]
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        // One word store either way (a slice of either length would be a `memcpy` call).
        let (word, len) = if v {
            (*b"true    ", 4)
        } else {
            (*b"false   ", 5)
        };
        append(self.out, 8, |c| c.put_word_prefix(word, len));
        Ok(())
    }

    text_methods!(out);

    number_methods!(ints, floats);

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        if let Some(att) = self.att {
            self.placeholder(att, Bytes::copy_from_slice(v));
            return Ok(());
        }
        let out = &mut *self.out;
        // At most three digits and a comma per byte.
        out.reserve(2 + 4 * v.len());
        out.push(b'[');
        for (i, &b) in v.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_int(out, b);
        }
        out.push(b']');
        Ok(())
    }

    #[inline]
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    #[inline]
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    #[inline]
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if let Some(att) = self.att {
            if name == crate::socket::BINARY_TOKEN {
                if let Some(bytes) = crate::socket::take_outgoing_binary() {
                    self.placeholder(att, bytes);
                    return Ok(());
                }
            }
        }
        value.serialize(self)
    }

    #[inline]
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant_open(variant);
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }

    #[inline]
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'s, 'a>, Error> {
        Ok(Seq::new(self, b""))
    }

    #[inline]
    fn serialize_tuple(self, _len: usize) -> Result<Seq<'s, 'a>, Error> {
        Ok(Seq::new(self, b""))
    }

    #[inline]
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Seq<'s, 'a>, Error> {
        Ok(Seq::new(self, b""))
    }

    #[inline]
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Seq<'s, 'a>, Error> {
        self.variant_open(variant);
        Ok(Seq::new(self, b"}"))
    }

    #[inline]
    fn serialize_map(self, _len: Option<usize>) -> Result<Map<'s, 'a>, Error> {
        let start = self.out.len();
        Ok(Map { ser: self, start })
    }

    #[inline]
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Struct<'s, 'a>, Error> {
        let kind = if name == RAW_VALUE_TOKEN || name == RAW_NUMBER_TOKEN {
            Kind::Raw(name)
        } else {
            Kind::Plain
        };
        Ok(Struct::new(self, kind))
    }

    #[inline]
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Struct<'s, 'a>, Error> {
        self.variant_open(variant);
        Ok(Struct::new(self, Kind::Variant))
    }

    /// What serde's default does (`Vec`, slices and other sequences come here), as a plain loop
    /// over the elements, marked for inlining into the caller's `serialize`.
    #[inline]
    fn collect_seq<I>(self, iter: I) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: Serialize,
    {
        let mut seq = Seq::new(self, b"");
        for value in iter {
            seq.element(&value)?;
        }
        seq.finish()
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.out.push(b'"');
        write!(EscapingWriter(self.out), "{value}").map_err(|_| Error::Fmt)?;
        self.out.push(b'"');
        Ok(())
    }
}

/// Closes a container whose elements were each written with a leading `,` from `start` on:
/// the first comma becomes `open`, or `open close` is appended when there was no element.
#[inline]
fn close(out: &mut Vec<u8>, start: usize, open: u8, close: u8) {
    match out.get_mut(start) {
        Some(first) => *first = open,
        None => out.push(open),
    }
    out.push(close);
}

/// An array in progress (sequences, tuples, tuple structs and tuple variants).
pub struct Seq<'s, 'a> {
    ser: &'s mut Serializer<'a>,
    start: usize,
    /// Written after the `]`: `}` for a tuple variant.
    suffix: &'static [u8],
}

impl<'s, 'a> Seq<'s, 'a> {
    #[inline]
    fn new(ser: &'s mut Serializer<'a>, suffix: &'static [u8]) -> Self {
        let start = ser.out.len();
        Seq { ser, start, suffix }
    }

    #[inline]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.out.push(b',');
        value.serialize(&mut *self.ser)
    }

    #[inline]
    fn finish(self) -> Result<(), Error> {
        close(self.ser.out, self.start, b'[', b']');
        self.ser.out.extend_from_slice(self.suffix);
        Ok(())
    }
}

macro_rules! seq_impl {
    ($($trait:ident::$method:ident,)*) => {$(
        impl ser::$trait for Seq<'_, '_> {
            type Ok = ();
            type Error = Error;
            #[inline]
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            #[inline]
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

seq_impl! {
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
}

/// An object in progress from `serialize_map`.
pub struct Map<'s, 'a> {
    ser: &'s mut Serializer<'a>,
    start: usize,
}

impl ser::SerializeMap for Map<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.ser.out.push(b',');
        key.serialize(MapKey(self.ser.out))
    }

    #[inline]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.out.push(b':');
        value.serialize(&mut *self.ser)
    }

    #[inline]
    fn end(self) -> Result<(), Error> {
        close(self.ser.out, self.start, b'{', b'}');
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A struct: an object.
    Plain,
    /// A struct variant: an object inside `{"variant":…}`.
    Variant,
    /// serde_json's private struct carrying raw JSON text under this name.
    Raw(&'static str),
}

/// An object in progress from `serialize_struct` / `serialize_struct_variant`.
pub struct Struct<'s, 'a> {
    ser: &'s mut Serializer<'a>,
    start: usize,
    kind: Kind,
}

impl<'s, 'a> Struct<'s, 'a> {
    #[inline]
    fn new(ser: &'s mut Serializer<'a>, kind: Kind) -> Self {
        let start = ser.out.len();
        Struct { ser, start, kind }
    }

    #[inline]
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if let Kind::Raw(token) = self.kind {
            return if key == token {
                value.serialize(RawText(self.ser.out))
            } else {
                Err(Error::InvalidRawValue)
            };
        }
        let out = &mut *self.ser.out;
        let k = key.as_bytes();
        if k.len() <= SHORT {
            // `,"key":` in one write.
            append(out, k.len() * MAX_ESCAPE + SLACK + 4, |c| {
                c.put(b',');
                c.put(b'"');
                put_escaped(c, k);
                c.put(b'"');
                c.put(b':');
            });
        } else {
            out.push(b',');
            write_str(out, key);
            out.push(b':');
        }
        value.serialize(&mut *self.ser)
    }

    #[inline]
    fn finish(self) -> Result<(), Error> {
        match self.kind {
            Kind::Raw(_) => {}
            Kind::Plain => close(self.ser.out, self.start, b'{', b'}'),
            Kind::Variant => {
                close(self.ser.out, self.start, b'{', b'}');
                self.ser.out.push(b'}');
            }
        }
        Ok(())
    }
}

macro_rules! struct_impl {
    ($($trait:ident,)*) => {$(
        impl ser::$trait for Struct<'_, '_> {
            type Ok = ();
            type Error = Error;
            #[inline]
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }
            #[inline]
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

struct_impl! { SerializeStruct, SerializeStructVariant, }

/// Receives the text of a `RawValue` and writes it unchanged; anything else is an error.
struct RawText<'a>(&'a mut Vec<u8>);

impl ser::Serializer for RawText<'_> {
    #[inline]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.extend_from_slice(v.as_bytes());
        Ok(())
    }

    refuse! { Error::InvalidRawValue;
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_i128(i128); serialize_u8(u8); serialize_u16(u16);
        serialize_u32(u32); serialize_u64(u64); serialize_u128(u128); serialize_f32(f32);
        serialize_f64(f64); serialize_char(char);
        serialize_unit_variant(&'static str, u32, &'static str);
    }
    string_only_serializer!(Error::InvalidRawValue);

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(Error::InvalidRawValue)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(Error::InvalidRawValue)
    }
}
