//! Volley's JSON writer and reader: a compact `serde::Serializer` ([`Serializer`], [`to_vec`])
//! that writes the same bytes as `serde_json::to_vec`, a `serde::Deserializer` over `&str`
//! ([`from_str`]) that reads what `serde_json::from_str` reads into the same values, both
//! faster, plus the small helpers the codecs share and the per-thread scratch buffer the
//! encoders write into.

use bytes::Bytes;
use std::cell::RefCell;

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
mod escape;
mod float;
mod key;
mod ser;

pub use de::from_str;
pub(crate) use de::Deserializer;
pub(crate) use escape::write_str;
pub use ser::{to_vec, Error, Map, Seq, Serializer, Struct};

/// Appends `n` in decimal.
pub(crate) fn write_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(n).as_bytes());
}

/// A scratch buffer larger than this is freed after use instead of kept for the next encode,
/// so one huge packet does not pin its memory to the thread.
const SCRATCH_KEEP: usize = 256 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `write` on an empty buffer and returns what it wrote as an exact-size [`Bytes`].
///
/// The buffer is this thread's scratch (warm, already grown), so an encode costs one
/// allocation of exactly its output size: no growth steps while writing, no slack kept
/// alive by the packet, and no separate reference-count block (a `Bytes` made from a `Vec`
/// whose length is not its capacity allocates one). On error nothing is allocated.
/// A nested call (an encode from inside a `Serialize` impl) gets a fresh buffer instead.
pub(crate) fn with_scratch<R, E>(
    write: impl FnOnce(&mut Vec<u8>) -> Result<R, E>,
) -> Result<(Bytes, R), E> {
    let mut write = Some(write);
    let scratch = SCRATCH.try_with(|cell| {
        let mut buf = cell.try_borrow_mut().ok()?;
        buf.clear();
        let write = write.take()?;
        // A `Vec` with length == capacity becomes `Bytes` without a reference-count block.
        let result = write(&mut buf).map(|r| (Bytes::from(buf.to_vec()), r));
        if buf.capacity() > SCRATCH_KEEP {
            *buf = Vec::new();
        }
        Some(result)
    });
    match (scratch, write) {
        (Ok(Some(result)), _) => result,
        // Scratch busy (nested) or gone (thread exiting): a buffer of our own.
        (_, Some(write)) => {
            let mut buf = Vec::new();
            let r = write(&mut buf)?;
            Ok((Bytes::from(buf), r))
        }
        // `write` is only taken once the scratch is borrowed, and then a result is returned.
        (_, None) => unreachable!("scratch write ran without a result"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_starts_empty_and_nested_calls_get_their_own_buffer() {
        let (outer, inner) = with_scratch(|out| {
            out.extend_from_slice(b"outer");
            let (inner, ()) = with_scratch(|o| {
                o.extend_from_slice(b"inner");
                Ok::<_, ()>(())
            })?;
            out.push(b'!');
            Ok::<_, ()>(inner)
        })
        .unwrap();
        assert_eq!(&outer[..], b"outer!");
        assert_eq!(&inner[..], b"inner");
        let (again, ()) = with_scratch(|o| {
            o.push(b'x');
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(&again[..], b"x", "the scratch starts empty every time");
        assert_eq!(with_scratch(|_| Err::<(), _>(7)), Err(7));
    }

    #[test]
    fn oversized_scratch_is_not_kept() {
        with_scratch(|o| {
            o.resize(SCRATCH_KEEP + 1, b' ');
            Ok::<_, ()>(())
        })
        .unwrap();
        SCRATCH.with(|c| assert_eq!(c.borrow().capacity(), 0));
    }
}
