//! Finds out how a value serializes at its top level (tuple, unit, or anything else) without
//! serializing it: the probe stops at the first serializer call.

use serde::ser::{self, Impossible, Serialize, Serializer};
use std::fmt;

/// Invokes `$mac!` with the `Serializer` methods that take only scalars and return `Ok` (all
/// but bytes, unit, and the compound and wrapper ones), shared by the serializers here.
macro_rules! scalar_methods {
    ($mac:ident) => {
        $mac! {
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
    };
}

/// The top-level shape of a value's serialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Top {
    /// `serialize_tuple`: tuples and fixed-size arrays; spread into separate arguments.
    Tuple,
    /// `serialize_unit` from a zero-sized value: `()`, no argument at all.
    Unit,
    /// Anything else: one argument.
    Other,
}

pub(crate) fn top<T: Serialize + ?Sized>(value: &T) -> Top {
    match value.serialize(Probe) {
        // Only `()` (zero-sized) means no argument: a value that serializes as unit but holds
        // data, such as `serde_json::Value::Null`, is one `null`, as `emit("x", null)` sends.
        Ok(Top::Unit) if std::mem::size_of_val(value) != 0 => Top::Other,
        Ok(t) | Err(Found(t)) => t,
    }
}

struct Probe;

/// Carries the answer out of the compound-returning methods, which cannot return `Ok`.
#[derive(Debug)]
struct Found(Top);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Found(Top::Other)
    }
}

macro_rules! other {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<Top, Found> {
            $(let _ = $arg;)*
            Ok(Top::Other)
        }
    )*};
}

macro_rules! other_compound {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $ret:ident;)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<Self::$ret, Found> {
            $(let _ = $arg;)*
            Err(Found(Top::Other))
        }
    )*};
}

impl Serializer for Probe {
    type Ok = Top;
    type Error = Found;
    type SerializeSeq = Impossible<Top, Found>;
    type SerializeTuple = Impossible<Top, Found>;
    type SerializeTupleStruct = Impossible<Top, Found>;
    type SerializeTupleVariant = Impossible<Top, Found>;
    type SerializeMap = Impossible<Top, Found>;
    type SerializeStruct = Impossible<Top, Found>;
    type SerializeStructVariant = Impossible<Top, Found>;

    scalar_methods!(other);

    fn serialize_bytes(self, _v: &[u8]) -> Result<Top, Found> {
        Ok(Top::Other)
    }

    other_compound! {
        serialize_seq(len: Option<usize>) -> SerializeSeq;
        serialize_tuple_struct(name: &'static str, len: usize) -> SerializeTupleStruct;
        serialize_tuple_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> SerializeMap;
        serialize_struct(name: &'static str, len: usize) -> SerializeStruct;
        serialize_struct_variant(
            name: &'static str, index: u32, variant: &'static str, len: usize
        ) -> SerializeStructVariant;
    }

    fn serialize_unit(self) -> Result<Top, Found> {
        Ok(Top::Unit)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Found> {
        Err(Found(Top::Tuple))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<Top, Found> {
        Ok(Top::Other)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _value: &T,
    ) -> Result<Top, Found> {
        Ok(Top::Other)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Top, Found> {
        Ok(Top::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_top_level() {
        assert_eq!(top(&(1, "a")), Top::Tuple);
        assert_eq!(top(&[1, 2, 3]), Top::Tuple);
        assert_eq!(top(&((1, 2),)), Top::Tuple);
        assert_eq!(top(&()), Top::Unit);
        assert_eq!(top(&vec![1, 2]), Top::Other);
        assert_eq!(top(&"x"), Top::Other);
        assert_eq!(top(&None::<u8>), Top::Other);
        assert_eq!(top(&serde_json::Value::Null), Top::Other);
        assert_eq!(
            top(&std::collections::BTreeMap::<u8, u8>::new()),
            Top::Other
        );
    }
}
