//! Deserializing arguments of binary packets in one pass: [`Binary`] wraps a serde
//! `Deserializer` and hands each placeholder `{"_placeholder":true,"num":i}` to the target type
//! as the bytes of attachment `i`, without building an intermediate [`Value`](super::Value).
//!
//! Only the layout the reference encoder writes (`_placeholder` first, then `num`, nothing
//! else) is rebuilt here. Any other object that may be a placeholder (keys in another order,
//! `_placeholder` not first, extra keys) makes the wrapper fail, and the caller decodes again
//! through `Value`, which implements the reference's full rule (callers do the same for any
//! error, so both paths always agree).
//!
//! A caller that owns the attachments ([`Ctx::owning`], for a consumed packet) lets targets
//! that take bytes by value have the attachment's buffer itself; it does so only for JSON in
//! the reference layout ([`reference_layout`](super::binary_layout::reference_layout)), where
//! the wrapper gives up on nothing and so never needs a moved buffer again.

use super::binary;
use super::scan::float_index;
use bytes::Bytes;
use serde::de::value::{BorrowedStrDeserializer, SeqDeserializer, StringDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use std::cell::Cell;
use std::fmt;

/// The attachments the placeholders refer to.
pub(crate) struct Ctx<'a> {
    attachments: Attachments<'a>,
    /// Whether an attachment was moved out of an owned slot (the `Value` path cannot run
    /// after that: the bytes are gone with the target's partial value).
    moved: Cell<bool>,
}

enum Attachments<'a> {
    /// Borrowed: a target that wants a `Vec<u8>` gets a copy.
    Shared(&'a [Bytes]),
    /// Owned by the deserialization (see [`Ctx::owning`]).
    Owned(&'a [Cell<Option<Bytes>>]),
}

/// What a target that takes the bytes by value gets from a placeholder.
enum Taken<'a> {
    /// The attachment's own buffer (it was moved out of its slot).
    Moved(Vec<u8>),
    /// The attachment stays where it is.
    Kept(&'a Bytes),
    /// Kept in its owned slot; this is a shared handle to it.
    Cloned(Bytes),
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(attachments: &'a [Bytes]) -> Self {
        Ctx {
            attachments: Attachments::Shared(attachments),
            moved: Cell::new(false),
        }
    }

    /// Attachments the deserialization owns: a placeholder read as bytes by value
    /// (`visit_byte_buf`: `bytes::Bytes`, `Vec<u8>` through serde_bytes, `ByteBuf`) takes its
    /// attachment's buffer out of the slot, without a copy when nothing else holds that buffer
    /// and it starts at the beginning of its allocation (`From<Bytes> for Vec<u8>`). Each
    /// attachment can be taken once; the caller makes sure that no placeholder refers to the
    /// same attachment twice and that the wrapper gives up on no object (see
    /// [`reference_layout`](super::binary_layout::reference_layout)), since the `Value` path cannot run once a buffer is gone.
    pub(crate) fn owning(slots: &'a [Cell<Option<Bytes>>]) -> Self {
        Ctx {
            attachments: Attachments::Owned(slots),
            moved: Cell::new(false),
        }
    }

    /// Whether an attachment was moved out of its slot.
    pub(crate) fn moved(&self) -> bool {
        self.moved.get()
    }

    /// Attachment `i`, if there is one, for a target that takes bytes by value.
    fn take(&self, i: usize) -> Option<Taken<'a>> {
        match self.attachments {
            Attachments::Shared(all) => all.get(i).map(Taken::Kept),
            Attachments::Owned(slots) => {
                let slot = slots.get(i)?;
                let bytes = slot.take()?;
                if !bytes.is_unique() {
                    // Someone else holds the buffer: copy, as from a shared attachment.
                    let copy = bytes.clone();
                    slot.set(Some(bytes));
                    return Some(Taken::Cloned(copy));
                }
                self.moved.set(true);
                let mut buf = Vec::from(bytes);
                // A buffer much larger than its bytes (a slice of a bigger read buffer) is not
                // kept alive whole by a small argument.
                if buf.capacity() / 2 > buf.len().max(SLACK) {
                    buf.shrink_to_fit();
                }
                Some(Taken::Moved(buf))
            }
        }
    }

    /// A shared handle to attachment `i` (for [`Binary`](super::Binary) and byte sequences).
    fn share(&self, i: usize) -> Option<Bytes> {
        match self.attachments {
            Attachments::Shared(all) => all.get(i).cloned(),
            Attachments::Owned(slots) => {
                let slot = slots.get(i)?;
                let bytes = slot.take()?;
                slot.set(Some(bytes.clone()));
                Some(bytes)
            }
        }
    }

    /// The error for a layout left to the `Value` path.
    fn give_up<E: de::Error>(&self) -> E {
        E::custom("non-canonical placeholder")
    }
}

/// Buffers up to this size are kept as they are when moved out of their slot, whatever their
/// capacity.
const SLACK: usize = 4096;

/// What the target asked for, which decides how a placeholder is handed over.
#[derive(Clone, Copy)]
enum Hint {
    /// Bytes (`visit_byte_buf`), as `Value::Binary` does for anything but sequences.
    Bytes,
    /// A sequence of `u8` (`Vec<u8>` without serde_bytes).
    Seq,
    /// [`Binary`](super::Binary): the shared attachment itself, through the hand-off slot.
    Shared,
}

/// A deserializer whose placeholders become attachments.
pub(crate) struct Binary<'c, D> {
    pub(crate) de: D,
    pub(crate) ctx: &'c Ctx<'c>,
}

impl<'c, D> Binary<'c, D> {
    fn visitor<V>(&self, inner: V, hint: Hint) -> Vis<'c, V> {
        Vis {
            inner,
            ctx: self.ctx,
            hint,
        }
    }
}

macro_rules! forward {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            let v = self.visitor(v, Hint::Bytes);
            self.de.$method(v)
        }
    )*};
}

macro_rules! via_any {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            let v = self.visitor(v, Hint::Bytes);
            self.de.deserialize_any(v)
        }
    )*};
}

impl<'de, 'c, D: Deserializer<'de>> Deserializer<'de> for Binary<'c, D> {
    type Error = D::Error;

    // Where a placeholder could be what the target wants, the inner deserializer must show
    // objects as maps whatever the hint, so these go through `deserialize_any`.
    via_any! {
        deserialize_any deserialize_bytes deserialize_byte_buf deserialize_str
        deserialize_string deserialize_char
    }

    // A placeholder here is a type error either way; the inner deserializer reports it.
    forward! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_unit deserialize_option
        deserialize_map deserialize_identifier
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let v = self.visitor(v, Hint::Seq);
        self.de.deserialize_any(v)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, D::Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        let v = self.visitor(v, Hint::Bytes);
        self.de.deserialize_unit_struct(name, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        if name == binary::TOKEN {
            let v = self.visitor(v, Hint::Shared);
            return self.de.deserialize_any(v);
        }
        if name.starts_with("$serde_json::") {
            // `RawValue` and friends read the text itself: placeholders stay as written.
            return self.de.deserialize_newtype_struct(name, v);
        }
        let v = self.visitor(v, Hint::Bytes);
        self.de.deserialize_newtype_struct(name, v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let v = self.visitor(v, Hint::Bytes);
        self.de.deserialize_struct(name, fields, v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let v = self.visitor(v, Hint::Bytes);
        self.de.deserialize_enum(name, variants, v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_ignored_any(v)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// Wraps a seed so the value it reads goes through [`Binary`].
struct Seed<'c, S> {
    inner: S,
    ctx: &'c Ctx<'c>,
}

impl<'de, 'c, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'c, S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Binary { de, ctx: self.ctx })
    }
}

/// Wraps the target's visitor: containers keep being wrapped, placeholders become bytes.
struct Vis<'c, V> {
    inner: V,
    ctx: &'c Ctx<'c>,
    hint: Hint,
}

macro_rules! pass {
    ($($method:ident($t:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, 'c, V: Visitor<'de>> Visitor<'de> for Vis<'c, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char) visit_str(&str)
        visit_borrowed_str(&'de str) visit_string(String) visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Binary { de, ctx: self.ctx })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.inner
            .visit_newtype_struct(Binary { de, ctx: self.ctx })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(Seq {
            inner: seq,
            ctx: self.ctx,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let ctx = self.ctx;
        let Some(first) = map.next_key::<Key<'de>>()? else {
            return self.inner.visit_map(Map {
                inner: map,
                first: None,
                ctx,
            });
        };
        match first.as_str() {
            "_placeholder" => {}
            "num" => return Err(ctx.give_up()),
            _ => {
                return self.inner.visit_map(Map {
                    inner: map,
                    first: Some(first),
                    ctx,
                })
            }
        }
        // `{"_placeholder":true,"num":<index>}` and nothing else, or the `Value` path decides.
        let flag: Scalar = map.next_value()?;
        let num = match map.next_key::<Key<'de>>()? {
            Some(k) if k.as_str() == "num" => map.next_value::<Scalar>()?,
            _ => return Err(ctx.give_up()),
        };
        if map.next_key::<Key<'de>>()?.is_some() {
            return Err(ctx.give_up());
        }
        let i = match (flag, num) {
            (Scalar::True, Scalar::Index(i)) => i,
            _ => return Err(ctx.give_up()),
        };
        if let Hint::Bytes = self.hint {
            return match ctx.take(i) {
                Some(Taken::Moved(buf)) => self.inner.visit_byte_buf(buf),
                Some(Taken::Kept(bytes)) => self.inner.visit_byte_buf(Vec::from(bytes.clone())),
                Some(Taken::Cloned(bytes)) => self.inner.visit_byte_buf(Vec::from(bytes)),
                None => Err(ctx.give_up()),
            };
        }
        let Some(bytes) = ctx.share(i) else {
            return Err(ctx.give_up());
        };
        if let Hint::Shared = self.hint {
            binary::hand_off(bytes);
            return self.inner.visit_byte_buf(Vec::new());
        }
        let mut seq = SeqDeserializer::new(bytes.iter().copied());
        let out = self.inner.visit_seq(&mut seq)?;
        seq.end()?;
        Ok(out)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Enum {
            inner: data,
            ctx: self.ctx,
        })
    }
}

struct Seq<'c, A> {
    inner: A,
    ctx: &'c Ctx<'c>,
}

impl<'de, 'c, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'c, A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.inner.next_element_seed(Seed {
            inner: seed,
            ctx: self.ctx,
        })
    }
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A map after its first key was read (and found not to start a placeholder).
struct Map<'de, 'c, A> {
    inner: A,
    first: Option<Key<'de>>,
    ctx: &'c Ctx<'c>,
}

impl<'de, 'c, A: MapAccess<'de>> MapAccess<'de> for Map<'de, 'c, A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let key = match self.first.take() {
            Some(k) => k,
            None => match self.inner.next_key::<Key<'de>>()? {
                Some(k) => k,
                None => return Ok(None),
            },
        };
        // A later `_placeholder` key may still make this object a placeholder.
        if key.as_str() == "_placeholder" {
            return Err(self.ctx.give_up());
        }
        match key {
            Key::Borrowed(s) => seed.deserialize(BorrowedStrDeserializer::new(s)),
            Key::Owned(s) => seed.deserialize(StringDeserializer::new(s)),
        }
        .map(Some)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(Seed {
            inner: seed,
            ctx: self.ctx,
        })
    }
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

struct Enum<'c, A> {
    inner: A,
    ctx: &'c Ctx<'c>,
}

impl<'de, 'c, A: EnumAccess<'de>> EnumAccess<'de> for Enum<'c, A> {
    type Error = A::Error;
    type Variant = Variant<'c, A::Variant>;
    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (v, inner) = self.inner.variant_seed(seed)?;
        Ok((
            v,
            Variant {
                inner,
                ctx: self.ctx,
            },
        ))
    }
}

struct Variant<'c, A> {
    inner: A,
    ctx: &'c Ctx<'c>,
}

impl<'de, 'c, A: VariantAccess<'de>> VariantAccess<'de> for Variant<'c, A> {
    type Error = A::Error;
    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.newtype_variant_seed(Seed {
            inner: seed,
            ctx: self.ctx,
        })
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, A::Error> {
        let v = Vis {
            inner: v,
            ctx: self.ctx,
            hint: Hint::Seq,
        };
        self.inner.tuple_variant(len, v)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, A::Error> {
        let v = Vis {
            inner: v,
            ctx: self.ctx,
            hint: Hint::Bytes,
        };
        self.inner.struct_variant(fields, v)
    }
}

/// An object key, borrowed from the input when it has no escapes.
pub(super) enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub(super) fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The value of a placeholder's `_placeholder` or `num` key, as far as it matters.
pub(super) enum Scalar {
    True,
    /// A non-negative integer (JavaScript compares numbers, so `1.0` is index 1).
    Index(usize),
    Other,
}

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a placeholder field")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(if v { Scalar::True } else { Scalar::Other })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(usize::try_from(v).map_or(Scalar::Other, Scalar::Index))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(usize::try_from(v).map_or(Scalar::Other, Scalar::Index))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(float_index(v).map_or(Scalar::Other, |n| {
            self.visit_u64::<E>(n).unwrap_or(Scalar::Other)
        }))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Scalar::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn one_pass<'de, T: Deserialize<'de>>(json: &'de str, atts: &[Bytes]) -> Option<T> {
        let mut de = serde_json::Deserializer::from_str(json);
        let ctx = Ctx::new(atts);
        T::deserialize(Binary {
            de: &mut de,
            ctx: &ctx,
        })
        .ok()
    }

    #[test]
    fn canonical_placeholders_are_rebuilt_without_the_value_path() {
        let atts = [Bytes::from_static(b"xy")];
        let ph = "{\"_placeholder\":true,\"num\":0}";
        let (n, b): (String, Bytes) = one_pass(&format!("[\"n\",{ph}]"), &atts).unwrap();
        assert_eq!((n.as_str(), &b[..]), ("n", &b"xy"[..]));
        let v: Vec<u8> = one_pass(ph, &atts).unwrap();
        assert_eq!(v, b"xy");
        let nested: Vec<Option<Vec<Bytes>>> =
            one_pass(&format!("[null,[{ph},{ph}]]"), &atts).unwrap();
        assert_eq!(nested[1].as_ref().unwrap().len(), 2);
        // Maps that are not placeholders keep their keys, escaped or not.
        let m: std::collections::BTreeMap<String, u8> =
            one_pass("{\"a\\u0062\":1,\"c\":2}", &atts).unwrap();
        assert_eq!(m.get("ab"), Some(&1));
        // What the wrapper leaves to the `Value` path is an error here.
        assert!(one_pass::<Bytes>("{\"num\":0,\"_placeholder\":true}", &atts).is_none());
        assert!(one_pass::<Bytes>("{\"_placeholder\":true,\"num\":1}", &atts).is_none());
        assert!(one_pass::<serde_json::Value>("{\"x\":1,\"_placeholder\":true}", &atts).is_none());
    }
}
