//! Serializing user data into raw Socket.IO arguments, binary values becoming placeholders.
//!
//! The encoders here write with Volley's own JSON serializer ([`crate::json`]) in attachment
//! mode. [`Placeholders`] does the same for any other serde `Serializer`: it forwards
//! everything to it except
//! `serialize_bytes` (e.g. `bytes::Bytes` with its `serde` feature, `serde_bytes`, or
//! [`Value::Binary`](super::Value::Binary)), which it writes as
//! `{"_placeholder":true,"num":i}` while collecting the bytes as attachment `i`.

use crate::json::Scratch;
use crate::Str;
use bytes::Bytes;
use serde::ser::{
    self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant,
    SerializeTuple, SerializeTupleStruct, SerializeTupleVariant, Serializer,
};
use std::cell::RefCell;

use super::packet::{Encoded, PacketType, DEFAULT_NSP};
use super::probe::{self, Top};
use super::value::Value;

/// Raw JSON arguments plus the attachments their placeholders refer to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RawArgs {
    /// The JSON array text (`["name",…]` for events, `[…]` for acks).
    pub json: Str,
    /// The binary attachments, in placeholder order.
    pub attachments: Vec<Bytes>,
}

/// Serializes an EVENT payload `[name, ...args]`.
///
/// `args` follows the variadic rule: a tuple is spread into separate arguments (`(a, b)` →
/// `["name",a,b]`), `()` means no argument, anything else is one argument (a `Vec` stays one
/// array argument; wrap a tuple or fixed-size array in a 1-tuple to send it as one argument).
pub fn to_event<T: Serialize + ?Sized>(name: &str, args: &T) -> Result<RawArgs, serde_json::Error> {
    let mut scratch = Scratch::take();
    let out = &mut scratch.buf;
    out.push(b'[');
    crate::json::write_str(out, name);
    out.push(b',');
    let attachments = write_args(out, args)?;
    Ok(RawArgs {
        json: Str::from_trusted_utf8(scratch.finish()),
        attachments,
    })
}

/// Serializes an ACK payload `[...args]`, with the same variadic rule as [`to_event`].
pub fn to_ack<T: Serialize + ?Sized>(args: &T) -> Result<RawArgs, serde_json::Error> {
    let mut scratch = Scratch::take();
    scratch.buf.push(b'[');
    let attachments = write_args(&mut scratch.buf, args)?;
    Ok(RawArgs {
        json: Str::from_trusted_utf8(scratch.finish()),
        attachments,
    })
}

/// Encodes an EVENT (BINARY_EVENT when `args` holds bytes) straight from user data: header and
/// JSON are written into one buffer, with no intermediate [`Packet`](super::Packet). Same result as
/// `Packet::event(nsp, to_event(name, args)?.json, …).encode()`, one copy and pass cheaper.
pub fn encode_event<T: Serialize + ?Sized>(
    nsp: &str,
    id: Option<u64>,
    name: &str,
    args: &T,
) -> Result<Encoded, serde_json::Error> {
    encode_args(PacketType::Event, nsp, id, Some(name), args)
}

/// Encodes an ACK (BINARY_ACK when `args` holds bytes) straight from user data; see
/// [`encode_event`].
pub fn encode_ack<T: Serialize + ?Sized>(
    nsp: &str,
    id: u64,
    args: &T,
) -> Result<Encoded, serde_json::Error> {
    encode_args(PacketType::Ack, nsp, Some(id), None, args)
}

#[inline]
fn encode_args<T: Serialize + ?Sized>(
    kind: PacketType,
    nsp: &str,
    id: Option<u64>,
    name: Option<&str>,
    args: &T,
) -> Result<Encoded, serde_json::Error> {
    let mut scratch = Scratch::take();
    let out = &mut scratch.buf;
    out.push(kind.as_byte());
    if nsp != DEFAULT_NSP && !nsp.is_empty() {
        out.extend_from_slice(nsp.as_bytes());
        out.push(b',');
    }
    if let Some(id) = id {
        crate::json::write_u64(out, id);
    }
    out.push(b'[');
    if let Some(name) = name {
        crate::json::write_str(out, name);
        out.push(b',');
    }
    let attachments = write_args(out, args)?;
    if !attachments.is_empty() {
        // Only now is the count known: `2…` becomes `5<n>-…` (binary packets are dominated
        // by their attachments, so this one shift in the scratch buffer is cheap next to
        // them).
        out[0] = match kind {
            PacketType::Ack => PacketType::BinaryAck,
            _ => PacketType::BinaryEvent,
        }
        .as_byte();
        let mut n = itoa::Buffer::new();
        let count = n.format(attachments.len());
        out.splice(1..1, count.bytes().chain(std::iter::once(b'-')));
    }
    Ok(Encoded {
        text: Str::from_trusted_utf8(scratch.finish()),
        attachments,
    })
}

/// Serializes one value (no spreading): compact JSON plus attachments.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<RawArgs, serde_json::Error> {
    let att = RefCell::new(Vec::new());
    let mut scratch = Scratch::take();
    serialize_into(&mut scratch.buf, value, &att)?;
    Ok(RawArgs {
        json: Str::from_trusted_utf8(scratch.finish()),
        attachments: att.into_inner(),
    })
}

/// Builds an EVENT payload from [`Value`]s without serde (binary shared, not copied).
pub fn values_to_event(name: &str, args: &[Value]) -> RawArgs {
    values_into(Some(name), args)
}

/// Builds an ACK payload from [`Value`]s without serde (binary shared, not copied).
pub fn values_to_ack(args: &[Value]) -> RawArgs {
    values_into(None, args)
}

fn values_into(name: Option<&str>, args: &[Value]) -> RawArgs {
    let mut scratch = Scratch::take();
    let out = &mut scratch.buf;
    out.push(b'[');
    if let Some(name) = name {
        crate::json::write_str(out, name);
    }
    let mut attachments = Vec::new();
    for (i, v) in args.iter().enumerate() {
        if name.is_some() || i > 0 {
            out.push(b',');
        }
        v.write_json(out, &mut attachments);
    }
    out.push(b']');
    RawArgs {
        json: Str::from_trusted_utf8(scratch.finish()),
        attachments,
    }
}

/// `out` ends with `[` or `["name",`; appends the arguments and the closing `]`, and returns
/// the attachments. The JSON serializer writes only UTF-8, so `out` stays UTF-8.
///
/// The top-level shape is probed first so nothing has to be moved afterwards: a tuple's own
/// `[` is overwritten by the separator that follows the name (or kept as the ACK's bracket).
#[inline]
fn write_args<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    args: &T,
) -> Result<Vec<Bytes>, serde_json::Error> {
    let att = RefCell::new(Vec::new());
    match probe::top(args) {
        Top::Unit => {
            if out.last() == Some(&b',') {
                out.pop();
            }
            out.push(b']');
        }
        Top::Other => {
            serialize_into(out, args, &att)?;
            out.push(b']');
        }
        Top::Tuple => {
            // Drop the bracket already written (or the comma after the name): the tuple
            // brings its own `[`, which becomes that bracket or comma.
            let sep = out.pop().unwrap_or(b'[');
            let mark = out.len();
            serialize_into(out, args, &att)?;
            if out.get(mark) != Some(&b'[') {
                return Err(ser::Error::custom(
                    "value serialized differently when probed",
                ));
            }
            if sep == b',' && out.len() == mark + 2 {
                // `()`-like empty tuple after a name: `["name"]`.
                out.truncate(mark);
                out.push(b']');
            } else {
                out[mark] = sep;
            }
        }
    }
    Ok(att.into_inner())
}

fn serialize_into<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    att: &RefCell<Vec<Bytes>>,
) -> Result<(), serde_json::Error> {
    value
        .serialize(&mut crate::json::Serializer::with_attachments(out, att))
        .map_err(ser::Error::custom)
}

/// A serializer that forwards to `inner`, writing bytes as attachment placeholders.
pub struct Placeholders<'a, S> {
    inner: S,
    att: &'a RefCell<Vec<Bytes>>,
}

impl<'a, S> Placeholders<'a, S> {
    /// Wraps `inner`; attachments are appended to `att` (their index is the placeholder num).
    pub fn new(inner: S, att: &'a RefCell<Vec<Bytes>>) -> Self {
        Placeholders { inner, att }
    }

    fn wrap<'b, T: ?Sized>(&self, value: &'b T) -> Wrap<'b, T>
    where
        'a: 'b,
    {
        Wrap {
            value,
            att: self.att,
        }
    }
}

struct Wrap<'a, T: ?Sized> {
    value: &'a T,
    att: &'a RefCell<Vec<Bytes>>,
}

impl<T: Serialize + ?Sized> Serialize for Wrap<'_, T> {
    #[inline]
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Placeholders::new(s, self.att))
    }
}

struct PlaceholderObject(usize);

impl Serialize for PlaceholderObject {
    #[inline]
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Placeholder", 2)?;
        st.serialize_field("_placeholder", &true)?;
        st.serialize_field("num", &self.0)?;
        st.end()
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        #[inline]
        fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        }
    )*};
}

impl<'a, S: Serializer> Serializer for Placeholders<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Placeholders<'a, S::SerializeSeq>;
    type SerializeTuple = Placeholders<'a, S::SerializeTuple>;
    type SerializeTupleStruct = Placeholders<'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Placeholders<'a, S::SerializeTupleVariant>;
    type SerializeMap = Placeholders<'a, S::SerializeMap>;
    type SerializeStruct = Placeholders<'a, S::SerializeStruct>;
    type SerializeStructVariant = Placeholders<'a, S::SerializeStructVariant>;

    scalar_methods!(forward);

    #[inline]
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }

    #[inline]
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        let num = {
            let mut att = self.att.borrow_mut();
            att.push(Bytes::copy_from_slice(v));
            att.len() - 1
        };
        PlaceholderObject(num).serialize(self.inner)
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let w = self.wrap(value);
        self.inner.serialize_some(&w)
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        if name == super::binary::TOKEN {
            if let Some(bytes) = super::binary::take_outgoing() {
                let num = {
                    let mut att = self.att.borrow_mut();
                    att.push(bytes);
                    att.len() - 1
                };
                return PlaceholderObject(num).serialize(self.inner);
            }
        }
        let w = self.wrap(value);
        self.inner.serialize_newtype_struct(name, &w)
    }

    #[inline]
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let w = self.wrap(value);
        self.inner
            .serialize_newtype_variant(name, index, variant, &w)
    }

    #[inline]
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        let inner = self.inner.serialize_seq(len)?;
        Ok(Placeholders {
            inner,
            att: self.att,
        })
    }

    #[inline]
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        let inner = self.inner.serialize_tuple(len)?;
        Ok(Placeholders {
            inner,
            att: self.att,
        })
    }

    #[inline]
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        let att = self.att;
        let inner = self.inner.serialize_tuple_struct(name, len)?;
        Ok(Placeholders { inner, att })
    }

    #[inline]
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        let att = self.att;
        let inner = self
            .inner
            .serialize_tuple_variant(name, index, variant, len)?;
        Ok(Placeholders { inner, att })
    }

    #[inline]
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        let att = self.att;
        let inner = self.inner.serialize_map(len)?;
        Ok(Placeholders { inner, att })
    }

    #[inline]
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let att = self.att;
        let inner = self.inner.serialize_struct(name, len)?;
        Ok(Placeholders { inner, att })
    }

    #[inline]
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        let att = self.att;
        let inner = self
            .inner
            .serialize_struct_variant(name, index, variant, len)?;
        Ok(Placeholders { inner, att })
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident) => {
        impl<S: $trait> $trait for Placeholders<'_, S> {
            type Ok = S::Ok;
            type Error = S::Error;
            #[inline]
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
                let w = Wrap {
                    value,
                    att: self.att,
                };
                self.inner.$method(&w)
            }
            #[inline]
            fn end(self) -> Result<S::Ok, S::Error> {
                self.inner.end()
            }
        }
    };
}

compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);

impl<S: SerializeMap> SerializeMap for Placeholders<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    #[inline]
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        let w = Wrap {
            value: key,
            att: self.att,
        };
        self.inner.serialize_key(&w)
    }
    #[inline]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
        let w = Wrap {
            value,
            att: self.att,
        };
        self.inner.serialize_value(&w)
    }
    #[inline]
    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

macro_rules! compound_fields {
    ($trait:ident) => {
        impl<S: $trait> $trait for Placeholders<'_, S> {
            type Ok = S::Ok;
            type Error = S::Error;
            #[inline]
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), S::Error> {
                let w = Wrap {
                    value,
                    att: self.att,
                };
                self.inner.serialize_field(key, &w)
            }
            #[inline]
            fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
                self.inner.skip_field(key)
            }
            #[inline]
            fn end(self) -> Result<S::Ok, S::Error> {
                self.inner.end()
            }
        }
    };
}

compound_fields!(SerializeStruct);
compound_fields!(SerializeStructVariant);
