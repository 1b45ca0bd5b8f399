//! The serde access types of [`Deserializer`]: array elements, object entries, enum
//! variants, and the one-entry map serde_json's `RawValue` reads.

use super::count;
use super::read::Syntax;
use super::{Deserializer, Error, DEPTH, RAW_VALUE_TOKEN};
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Unexpected, Visitor};

/// Arrays this many levels deep or less are counted: the arguments of an event and an
/// argument that is an array (where lists of records are), not the small arrays inside
/// records, whose `Vec`s gain nothing from an exact size.
const COUNTED_LEVELS: u8 = 2;

/// Arrays are counted whole only when at most this many bytes of input are left. What an
/// exact size saves is mostly glibc's consolidation of its freed small chunks, which a `Vec`
/// growing past 1 KiB by doubling triggers and one of the exact size below 1 KiB does not;
/// a longer array's `Vec` is past 1 KiB either way, and the reallocations and copies it
/// saves cost less than counting all of it (measured: `benches/README.md`).
const COUNT_LIMIT: usize = 2048;

/// A longer array of the counted levels is counted over its first this many bytes only, and
/// its length estimated from that (see [`Seq::count`]): what saves its `Vec`'s regrowth
/// (the copies of every doubling) at a fixed cost.
const SAMPLE: usize = 2048;

/// The hint for a non-empty array deeper than the counted levels: the capacity a `Vec` of
/// elements of 2 to 1024 bytes takes at its first push anyway (`RawVec`'s minimum non-zero
/// capacity), so such a `Vec` is allocated once, at the size it would have grown to, instead
/// of growing from empty (a `grow_one` call per small array: ≈ 60 instructions per record of
/// the 64 KiB bench row's `tags`).
const INNER: usize = 4;

/// The elements of an array whose `[` was taken.
pub(super) struct Seq<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    first: bool,
}

impl<'a, 'de> Seq<'a, 'de> {
    pub(super) fn new(de: &'a mut Deserializer<'de>) -> Self {
        Seq { de, first: true }
    }
}

impl<'de> de::SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if !self.element_slow()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    /// The elements left, counted ahead (see `count.rs`) when the array is one of the
    /// outer [`COUNTED_LEVELS`], within the deserializer's budget: exact (for valid JSON)
    /// when at most [`COUNT_LIMIT`] bytes of input are left or the array ends within
    /// [`SAMPLE`] bytes, else estimated from its first [`SAMPLE`] bytes. A deeper array is
    /// not counted: see [`Seq::inner_hint`].
    #[inline]
    fn size_hint(&self) -> Option<usize> {
        if self.de.depth < DEPTH - COUNTED_LEVELS {
            return self.inner_hint();
        }
        self.count()
    }
}

impl Seq<'_, '_> {
    /// What comes before an element, in general: nothing before the first, else a comma
    /// (whitespace around it); `Ok(false)` at the array's end.
    #[inline]
    fn element_slow(&mut self) -> Result<bool, Error> {
        match self.de.peek() {
            Some(b']') => return Ok(false),
            Some(b',') if !self.first => {
                self.de.pos += 1;
                match self.de.peek() {
                    Some(b']') => return Err(self.de.fail(Syntax::TrailingComma)),
                    Some(_) => {}
                    None => return Err(self.de.fail(Syntax::Eof)),
                }
            }
            Some(_) if self.first => self.first = false,
            Some(_) => return Err(self.de.fail(Syntax::ExpectedListCommaOrEnd)),
            None => return Err(self.de.fail(Syntax::Eof)),
        }
        Ok(true)
    }

    /// [`de::SeqAccess::size_hint`] of an array deeper than the counted levels, from the one
    /// byte after its `[` (nothing is counted): 0 when it is `]`; [`INNER`] when it starts
    /// an element, but no more than half the bytes left (an element and the `,` or `]` after
    /// it take at least two), so the hint never exceeds what the input can hold; no hint
    /// after whitespace or once elements were read. A hint changes no value and no error,
    /// only the capacity a visitor reserves first (serde caps it at 1 MiB).
    #[inline(always)]
    fn inner_hint(&self) -> Option<usize> {
        let b = self.de.input.as_bytes();
        match b.get(self.de.pos) {
            _ if !self.first => None,
            Some(b']') => Some(0),
            Some(&c) if c > b' ' => Some(INNER.min((b.len() - self.de.pos) / 2)),
            _ => None,
        }
    }

    /// [`de::SeqAccess::size_hint`] of an array of the counted levels.
    ///
    /// The estimate for a long array takes the `n` elements that start in its first
    /// [`SAMPLE`] bytes (the last one perhaps cut off) as the density of the rest of the
    /// input: `n · rest / SAMPLE`, rounded up. For records of even size that is at least
    /// their number (no regrowth) and at most one element per [`SAMPLE`] bytes more; when
    /// later elements are smaller the `Vec` grows as it would without a hint. It asks for
    /// at most one element per byte of input left (`n` counts commas that are in the
    /// sample; per two bytes for valid JSON), and serde caps what any hint reserves at
    /// 1 MiB.
    #[inline(never)]
    fn count(&self) -> Option<usize> {
        let de = &*self.de;
        let budget = de.count_budget.get();
        let rest = de.input.len() - de.pos;
        if rest <= COUNT_LIMIT.min(budget) {
            let (n, seen) = count::elements(de.input.as_bytes(), de.pos, self.first, rest);
            de.count_budget.set(budget - seen);
            return Some(n);
        }
        if SAMPLE > budget {
            return None;
        }
        let (n, seen) = count::elements(de.input.as_bytes(), de.pos, self.first, SAMPLE);
        de.count_budget.set(budget - seen);
        if seen < SAMPLE {
            // The array ended within the sample: exact.
            return Some(n);
        }
        // n · rest / SAMPLE rounded up, without overflow (n ≤ SAMPLE).
        Some(rest / SAMPLE * n + (rest % SAMPLE * n).div_ceil(SAMPLE))
    }
}

/// The entries of an object whose `{` was taken.
pub(super) struct Map<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    first: bool,
}

impl<'a, 'de> Map<'a, 'de> {
    pub(super) fn new(de: &'a mut Deserializer<'de>) -> Self {
        Map { de, first: true }
    }
}

impl<'de> de::MapAccess<'de> for Map<'_, 'de> {
    type Error = Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let at = self.de.pos;
        // The usual key after the first, `,"` (no whitespace): one 2-byte test.
        let pair = self
            .de
            .input
            .as_bytes()
            .get(at..)
            .and_then(<[u8]>::first_chunk::<2>);
        let quote = if !self.first && pair == Some(b",\"") {
            at + 1
        } else if self.key_slow()? {
            self.de.pos
        } else {
            return Ok(None);
        };
        // SAFETY: `quote` holds a `"`: tested with the comma above, or by `key_slow`, which
        // returns `true` only with the quote at `pos`.
        #[allow(unsafe_code)]
        let key = unsafe { Key::new(&mut *self.de, quote) };
        seed.deserialize(key).map(Some)
    }

    /// The value after the key's `:` (which reading the key took).
    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.de)
    }
}

impl Map<'_, '_> {
    /// What comes before a key, in general: the first key's quote, or a comma (whitespace
    /// around it) and the quote; `Ok(true)` with the key's `"` at `pos`, `Ok(false)` at the
    /// object's end.
    #[inline]
    fn key_slow(&mut self) -> Result<bool, Error> {
        match self.de.peek() {
            Some(b'}') => return Ok(false),
            Some(b'"') if self.first => self.first = false,
            Some(b',') if !self.first => {
                self.de.pos += 1;
                match self.de.peek() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.de.fail(Syntax::TrailingComma)),
                    Some(_) => return Err(self.de.fail(Syntax::KeyMustBeAString)),
                    None => return Err(self.de.fail(Syntax::Eof)),
                }
            }
            Some(_) if self.first => return Err(self.de.fail(Syntax::KeyMustBeAString)),
            Some(_) => return Err(self.de.fail(Syntax::ExpectedObjectCommaOrEnd)),
            None => return Err(self.de.fail(Syntax::Eof)),
        }
        Ok(true)
    }
}

/// A map key and the index of its opening quote; see its `Deserializer` impl. Whatever the
/// key type reads, the key takes the `:` after it too (`Map::next_value_seed` does not).
///
/// Invariant (what [`Key::new`] asks): the input holds a `"` at `quote`, so the key's text
/// starts at a char boundary, which its string slices rely on instead of testing it. The
/// fields are private to this module, and a `Key` is consumed by the one method it is read
/// with, so nothing moves the deserializer's input or the index in between.
pub(super) struct Key<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    quote: usize,
}

impl<'a, 'de> Key<'a, 'de> {
    /// The key whose opening quote is at `quote` (the deserializer's position may still be
    /// before it, at the comma: [`Key::at_quote`] moves it).
    ///
    /// # Safety
    ///
    /// `de`'s input holds a `"` at `quote`.
    #[inline(always)]
    #[allow(unsafe_code)]
    unsafe fn new(de: &'a mut Deserializer<'de>, quote: usize) -> Self {
        debug_assert_eq!(de.input.as_bytes().get(quote), Some(&b'"'));
        Key { de, quote }
    }

    /// The index of the key's opening quote, which holds a `"` of the input (the invariant).
    #[inline(always)]
    pub(super) fn quote(&self) -> usize {
        self.quote
    }

    /// The deserializer, its position wherever it was (at the quote or the comma before).
    #[inline(always)]
    pub(super) fn into_deserializer(self) -> &'a mut Deserializer<'de> {
        self.de
    }

    /// The deserializer, its position moved to the key's quote.
    #[inline(always)]
    pub(super) fn at_quote(self) -> &'a mut Deserializer<'de> {
        self.de.pos = self.quote;
        self.de
    }
}

/// An enum written as a one-key object whose `{` was taken: `{"Variant": content}`.
pub(super) struct Variant<'a, 'de>(pub(super) &'a mut Deserializer<'de>);

impl<'de> de::EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        match self.0.peek() {
            Some(b'"') => {}
            Some(b'}') => return Err(self.0.fail(Syntax::ExpectedValue)),
            Some(_) => return Err(self.0.fail(Syntax::KeyMustBeAString)),
            None => return Err(self.0.fail(Syntax::Eof)),
        }
        // SAFETY: `peek` just returned the `"` at `pos`.
        #[allow(unsafe_code)]
        let key = unsafe {
            let quote = self.0.pos;
            Key::new(&mut *self.0, quote)
        };
        // The key takes its `:`.
        let variant = seed.deserialize(key)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        // The content must be `null`.
        de::Deserialize::deserialize(self.0)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.0)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self.0, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self.0, "", fields, visitor)
    }
}

/// An enum written as a string: a unit variant.
pub(super) struct UnitVariant<'a, 'de>(pub(super) &'a mut Deserializer<'de>);

impl<'de> de::EnumAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let variant = seed.deserialize(&mut *self.0)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, Error> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Error> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

/// What `RawValue` reads: one entry, the private token as key and the value's text as value.
pub(super) struct RawMap<'de>(pub(super) Option<&'de str>);

impl<'de> de::MapAccess<'de> for RawMap<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.0.is_none() {
            return Ok(None);
        }
        seed.deserialize(BorrowedStrDeserializer::new(RAW_VALUE_TOKEN))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.0.take() {
            Some(raw) => seed.deserialize(BorrowedStrDeserializer::new(raw)),
            None => Err(de::Error::custom("raw value taken twice")),
        }
    }
}
