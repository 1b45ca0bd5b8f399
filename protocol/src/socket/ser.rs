//! Serializing user data into raw Socket.IO arguments, binary values becoming placeholders.
//!
//! [`Placeholders`] wraps any serde `Serializer` and forwards everything to it except
//! `serialize_bytes` (e.g. `bytes::Bytes` with its `serde` feature, `serde_bytes`, or
//! [`Value::Binary`](super::Value::Binary)), which it writes as
//! `{"_placeholder":true,"num":i}` while collecting the bytes as attachment `i`.

use crate::Str;
use bytes::Bytes;
use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};
use std::cell::{Cell, RefCell};

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
    let mut out = Vec::with_capacity(name.len() + 64);
    out.push(b'[');
    crate::json::write_str(&mut out, name);
    out.push(b',');
    write_args(out, args)
}

/// Serializes an ACK payload `[...args]`, with the same variadic rule as [`to_event`].
pub fn to_ack<T: Serialize + ?Sized>(args: &T) -> Result<RawArgs, serde_json::Error> {
    let mut out = Vec::with_capacity(64);
    out.push(b'[');
    write_args(out, args)
}

/// Serializes one value (no spreading): compact JSON plus attachments.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<RawArgs, serde_json::Error> {
    let mut out = Vec::with_capacity(64);
    let att = RefCell::new(Vec::new());
    value.serialize(Placeholders::new(
        &mut serde_json::Serializer::new(&mut out),
        &att,
    ))?;
    finish(out, att)
}

/// Builds an EVENT payload from [`Value`]s without serde (binary shared, not copied).
pub fn values_to_event(name: &str, args: &[Value]) -> RawArgs {
    let mut out = Vec::with_capacity(name.len() + 64);
    out.push(b'[');
    crate::json::write_str(&mut out, name);
    values_into(out, args, true)
}

/// Builds an ACK payload from [`Value`]s without serde (binary shared, not copied).
pub fn values_to_ack(args: &[Value]) -> RawArgs {
    let mut out = Vec::with_capacity(64);
    out.push(b'[');
    values_into(out, args, false)
}

fn values_into(mut out: Vec<u8>, args: &[Value], after_name: bool) -> RawArgs {
    let mut attachments = Vec::new();
    for (i, v) in args.iter().enumerate() {
        if after_name || i > 0 {
            out.push(b',');
        }
        v.write_json(&mut out, &mut attachments);
    }
    out.push(b']');
    RawArgs {
        json: to_str(out),
        attachments,
    }
}

fn to_str(out: Vec<u8>) -> Str {
    // serde_json and our writers only produce UTF-8.
    String::from_utf8(out).map(Str::from).unwrap_or_default()
}

fn finish(out: Vec<u8>, att: RefCell<Vec<Bytes>>) -> Result<RawArgs, serde_json::Error> {
    Ok(RawArgs {
        json: to_str(out),
        attachments: att.into_inner(),
    })
}

/// `out` holds `[` or `["name",`; appends the arguments and the closing `]`.
fn write_args<T: Serialize + ?Sized>(
    mut out: Vec<u8>,
    args: &T,
) -> Result<RawArgs, serde_json::Error> {
    let mark = out.len();
    let att = RefCell::new(Vec::new());
    let top = Cell::new(Top::Other);
    args.serialize(Placeholders {
        inner: &mut serde_json::Serializer::new(&mut out),
        att: &att,
        top: Some(&top),
    })?;
    let empty_tuple = top.get() == Top::Tuple && out.len() == mark + 2;
    if top.get() == Top::Unit || empty_tuple {
        out.truncate(mark);
        if out.last() == Some(&b',') {
            out.pop();
        }
        out.push(b']');
    } else if top.get() == Top::Tuple {
        // `[a,b]` after the prefix: drop its `[`; its `]` closes the outer array.
        out.remove(mark);
    } else {
        out.push(b']');
    }
    finish(out, att)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Top {
    Other,
    Tuple,
    Unit,
}

/// A serializer that forwards to `inner`, writing bytes as attachment placeholders.
pub struct Placeholders<'a, S> {
    inner: S,
    att: &'a RefCell<Vec<Bytes>>,
    top: Option<&'a Cell<Top>>,
}

impl<'a, S> Placeholders<'a, S> {
    /// Wraps `inner`; attachments are appended to `att` (their index is the placeholder num).
    pub fn new(inner: S, att: &'a RefCell<Vec<Bytes>>) -> Self {
        Placeholders {
            inner,
            att,
            top: None,
        }
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

    fn mark(&self, t: Top) {
        if let Some(top) = self.top {
            top.set(t);
        }
    }
}

struct Wrap<'a, T: ?Sized> {
    value: &'a T,
    att: &'a RefCell<Vec<Bytes>>,
}

impl<T: Serialize + ?Sized> Serialize for Wrap<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(Placeholders::new(s, self.att))
    }
}

struct PlaceholderObject(usize);

impl Serialize for PlaceholderObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Placeholder", 2)?;
        st.serialize_field("_placeholder", &true)?;
        st.serialize_field("num", &self.0)?;
        st.end()
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
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

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_none();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.mark(Top::Unit);
        self.inner.serialize_unit()
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        let num = {
            let mut att = self.att.borrow_mut();
            att.push(Bytes::copy_from_slice(v));
            att.len() - 1
        };
        PlaceholderObject(num).serialize(self.inner)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let w = self.wrap(value);
        self.inner.serialize_some(&w)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let w = self.wrap(value);
        self.inner.serialize_newtype_struct(name, &w)
    }

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

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        let inner = self.inner.serialize_seq(len)?;
        Ok(Placeholders {
            inner,
            att: self.att,
            top: None,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.mark(Top::Tuple);
        let inner = self.inner.serialize_tuple(len)?;
        Ok(Placeholders {
            inner,
            att: self.att,
            top: None,
        })
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        let att = self.att;
        let inner = self.inner.serialize_tuple_struct(name, len)?;
        Ok(Placeholders {
            inner,
            att,
            top: None,
        })
    }

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
        Ok(Placeholders {
            inner,
            att,
            top: None,
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        let att = self.att;
        let inner = self.inner.serialize_map(len)?;
        Ok(Placeholders {
            inner,
            att,
            top: None,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let att = self.att;
        let inner = self.inner.serialize_struct(name, len)?;
        Ok(Placeholders {
            inner,
            att,
            top: None,
        })
    }

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
        Ok(Placeholders {
            inner,
            att,
            top: None,
        })
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident) => {
        impl<S: $trait> $trait for Placeholders<'_, S> {
            type Ok = S::Ok;
            type Error = S::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
                let w = Wrap {
                    value,
                    att: self.att,
                };
                self.inner.$method(&w)
            }
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
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        let w = Wrap {
            value: key,
            att: self.att,
        };
        self.inner.serialize_key(&w)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
        let w = Wrap {
            value,
            att: self.att,
        };
        self.inner.serialize_value(&w)
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

macro_rules! compound_fields {
    ($trait:ident) => {
        impl<S: $trait> $trait for Placeholders<'_, S> {
            type Ok = S::Ok;
            type Error = S::Error;
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
            fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
                self.inner.skip_field(key)
            }
            fn end(self) -> Result<S::Ok, S::Error> {
                self.inner.end()
            }
        }
    };
}

compound_fields!(SerializeStruct);
compound_fields!(SerializeStructVariant);
