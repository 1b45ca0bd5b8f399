//! [`Binary`]: bytes of a received attachment, handed over without copying.

use bytes::Bytes;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::cell::Cell;
use std::fmt;

/// The newtype name by which the placeholder-aware deserializer recognizes [`Binary`].
pub(crate) const TOKEN: &str = "$volley::socket::Binary";

thread_local! {
    /// The attachment the deserializer is handing to the [`Binary`] visitor it is calling.
    static HANDOFF: Cell<Option<Bytes>> = const { Cell::new(None) };
    /// The bytes a [`Binary`] being serialized offers the placeholder serializer.
    static OUTGOING: Cell<Option<Bytes>> = const { Cell::new(None) };
}

/// The bytes of the [`Binary`] being serialized, for the placeholder serializer to keep as an
/// attachment without a copy (`None` if called outside `Binary::serialize`).
pub(crate) fn take_outgoing() -> Option<Bytes> {
    OUTGOING.with(Cell::take)
}

/// Gives `bytes` to the next [`Binary`] visitor on this thread (called by the placeholder-aware
/// deserializer right before it calls that visitor).
pub(crate) fn hand_off(bytes: Bytes) {
    HANDOFF.with(|h| h.set(Some(bytes)));
}

/// Binary data: a received attachment without a copy of its bytes.
///
/// Arguments deserialize into `bytes::Bytes`, `Vec<u8>` or `serde_bytes::ByteBuf` too, but serde
/// can only hand those over as a slice or a `Vec`, so they copy the attachment — unless the
/// packet is consumed ([`Packet::into_args`](super::Packet::into_args), a typed handler) and
/// nothing else holds the attachment's buffer, which then moves into the target. `Binary`
/// shares the buffer the attachment arrived in, always. It serializes as bytes: emitted, it becomes an
/// attachment sharing its buffer (no copy either).
///
/// ```
/// use volley_protocol::socket::{Binary, Packet};
/// use volley_protocol::Str;
/// use bytes::Bytes;
///
/// let data = Bytes::from_static(b"\x00\x01\x02");
/// let packet = Packet::event(
///     Str::from("/"),
///     Str::from(r#"["upload","a.bin",{"_placeholder":true,"num":0}]"#),
///     vec![data.clone()],
/// );
/// let (name, body): (String, Binary) = packet.deserialize_args().unwrap();
/// assert_eq!(name, "a.bin");
/// assert_eq!(body.0.as_ptr(), data.as_ptr()); // the same buffer
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Binary(pub Bytes);

impl From<Binary> for Bytes {
    fn from(b: Binary) -> Bytes {
        b.0
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The placeholder serializer takes the shared buffer; any other serializer writes
        // bytes (and the offer is withdrawn afterwards).
        OUTGOING.with(|o| o.set(Some(self.0.clone())));
        let out = s.serialize_newtype_struct(TOKEN, &AsBytes(&self.0));
        OUTGOING.with(Cell::take);
        out
    }
}

struct AsBytes<'a>(&'a Bytes);

impl Serialize for AsBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Binary, D::Error> {
        d.deserialize_newtype_struct(TOKEN, BinaryVisitor)
    }
}

struct BinaryVisitor;

impl<'de> Visitor<'de> for BinaryVisitor {
    type Value = Binary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("binary data")
    }

    /// Any other deserializer: read bytes as `bytes::Bytes` does.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Binary, D::Error> {
        Bytes::deserialize(d).map(Binary)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Binary, E> {
        // The placeholder-aware deserializer hands the attachment over with an empty buffer.
        match HANDOFF.with(Cell::take) {
            Some(shared) if v.is_empty() => Ok(Binary(shared)),
            _ => Ok(Binary(Bytes::from(v))),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Binary, E> {
        Ok(Binary(Bytes::copy_from_slice(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Binary, E> {
        Ok(Binary(Bytes::copy_from_slice(v.as_bytes())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Binary, A::Error> {
        Bytes::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Binary)
    }
}
