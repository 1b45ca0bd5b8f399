//! Volley's JSON writer and reader: a compact `serde::Serializer` ([`Serializer`], [`to_vec`])
//! that writes the same bytes as `serde_json::to_vec`, a `serde::Deserializer` over `&str`
//! ([`from_str`]) that reads what `serde_json::from_str` reads into the same values, both
//! faster, plus the small helpers the codecs share and the per-thread scratch buffer the
//! encoders write into.

/// `Serializer` methods of the restricted serializers that refuse their (non-generic) input.
macro_rules! refuse {
    ($err:expr; $($method:ident($($ty:ty),*);)*) => {$(
        fn $method(self, $(_: $ty),*) -> Result<(), Error> {
            Err($err)
        }
    )*};
}

/// The associated types of a serializer that only writes one string or scalar (map keys, raw
/// text), and the `Serializer` methods that can never produce one, refusing with `$err`.
macro_rules! string_only_serializer {
    ($err:expr) => {
        type Ok = ();
        type Error = Error;
        type SerializeSeq = ser::Impossible<(), Error>;
        type SerializeTuple = ser::Impossible<(), Error>;
        type SerializeTupleStruct = ser::Impossible<(), Error>;
        type SerializeTupleVariant = ser::Impossible<(), Error>;
        type SerializeMap = ser::Impossible<(), Error>;
        type SerializeStruct = ser::Impossible<(), Error>;
        type SerializeStructVariant = ser::Impossible<(), Error>;

        refuse! { $err;
            serialize_bytes(&[u8]); serialize_unit(); serialize_none();
            serialize_unit_struct(&'static str);
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Error> {
            Err($err)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
            Err($err)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
            Err($err)
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Error> {
            Err($err)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            Err($err)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
            Err($err)
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, Error> {
            Err($err)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            Err($err)
        }
    };
}

/// Invokes `$int!` with every integer `Serializer` method and its type, `$float!` with the
/// float ones.
macro_rules! number_methods {
    ($int:ident, $float:ident) => {
        $int! {
            serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_u128: u128,
        }
        $float! { serialize_f32: f32, serialize_f64: f64, }
    };
}

/// The `Serializer` methods that write a string (`str`, `char`, a unit variant's name) into
/// `self.$out`.
macro_rules! text_methods {
    ($out:tt) => {
        #[inline]
        fn serialize_str(self, v: &str) -> Result<(), Error> {
            $crate::json::write_str(self.$out, v);
            Ok(())
        }
        #[inline]
        fn serialize_char(self, v: char) -> Result<(), Error> {
            $crate::json::write_str(self.$out, v.encode_utf8(&mut [0; 4]));
            Ok(())
        }
        #[inline]
        fn serialize_unit_variant(
            self,
            _name: &'static str,
            _index: u32,
            variant: &'static str,
        ) -> Result<(), Error> {
            $crate::json::write_str(self.$out, variant);
            Ok(())
        }
    };
}

mod cursor;
mod de;
mod digits;
mod escape;
mod float;
mod key;
mod scratch;
mod ser;

pub use de::from_str;
pub(crate) use de::{scan_plain_quote, Deserializer};
pub(crate) use escape::write_str;
pub(crate) use scratch::Scratch;
pub use ser::{to_vec, Error, Map, Seq, Serializer, Struct};

/// Appends `n` in decimal.
pub(crate) fn write_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(n).as_bytes());
}
