//! How typed arguments read the argument list: as JavaScript parameters do.

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use std::marker::PhantomData;

/// The arguments as one value to deserialize: a sequence, except that `()` (or a unit
/// struct) takes none of them, as a JavaScript handler without parameters ignores what it
/// is given (the arguments left over are then handled as for any other type), and that a
/// tuple reads arguments the client left out as absent: `None` for an `Option`, as a
/// JavaScript parameter is then `undefined` (any other type still fails).
pub(super) struct ArgList<A>(pub(super) A);

impl<'de, A: SeqAccess<'de>> serde::Deserializer<'de> for ArgList<A> {
    type Error = A::Error;
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, A::Error> {
        v.visit_seq(self.0)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, A::Error> {
        v.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, A::Error> {
        v.visit_unit()
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, A::Error> {
        v.visit_seq(Padded {
            seq: self.0,
            left: len,
            ended: false,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, A::Error> {
        self.deserialize_tuple(len, v)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option newtype_struct seq map struct enum identifier ignored_any
    }
}

/// The elements of a tuple of `left` more: the arguments, then [`Absent`] ones.
struct Padded<A> {
    seq: A,
    left: usize,
    ended: bool,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Padded<A> {
    type Error = A::Error;
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let mut seed = Some(seed);
        if !self.ended {
            match self.seq.next_element_seed(Once(&mut seed))? {
                Some(value) => return Ok(Some(value)),
                None => self.ended = true,
            }
        }
        match seed {
            Some(seed) => seed.deserialize(Absent(PhantomData)).map(Some),
            None => Err(serde::de::Error::custom("argument read twice")),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A seed lent to a sequence that may have no element left to use it on.
struct Once<'a, S>(&'a mut Option<S>);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Once<'_, S> {
    type Value = S::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        match self.0.take() {
            Some(seed) => seed.deserialize(d),
            None => Err(serde::de::Error::custom("argument read twice")),
        }
    }
}

/// An argument the client left out: `None` to an `Option`, an error to anything else.
struct Absent<E>(PhantomData<E>);

impl<'de, E: serde::de::Error> serde::Deserializer<'de> for Absent<E> {
    type Error = E;
    fn deserialize_any<V: Visitor<'de>>(self, _v: V) -> Result<V::Value, E> {
        Err(E::custom("missing argument"))
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, E> {
        v.visit_none()
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}
