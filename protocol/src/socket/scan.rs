//! One pass over a packet's JSON: checks it is valid, reads the shape the packet type needs,
//! and (for binary packets) finds the attachment placeholders — without building a value.
//!
//! Depth is bounded (serde_json's recursion limit, 127 levels), so deeply nested input is an error,
//! never a stack overflow.

use super::error::DecodeError;
use super::validate::{validate, Invalid, MAX_DEPTH};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Event names the protocol reserves; an EVENT using one is a protocol violation.
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// The reserved name equal to `name`, if any.
#[inline]
pub fn reserved_event(name: &str) -> Option<&'static str> {
    // By length first: a name that is not reserved is ruled out by at most one comparison.
    let reserved = match name.len() {
        7 => RESERVED_EVENTS[0],
        10 => RESERVED_EVENTS[2],
        11 => RESERVED_EVENTS[4],
        13 if name.as_bytes()[0] == b'c' => RESERVED_EVENTS[1],
        13 => RESERVED_EVENTS[3],
        14 => RESERVED_EVENTS[5],
        _ => return None,
    };
    // First bytes first: most names differ there, and the full comparison calls memcmp.
    (name.as_bytes()[0] == reserved.as_bytes()[0] && reserved == name).then_some(reserved)
}

/// True when `name` may not be used as an event name (see [`RESERVED_EVENTS`]).
pub fn is_reserved_event(name: &str) -> bool {
    reserved_event(name).is_some()
}

/// What the top level of a payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    Object,
    /// An array and what its first element is (`None` when empty).
    Array(Option<First>),
    String,
    Other,
}

/// The first element of an array (an event's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum First {
    Str(Option<&'static str>),
    Number,
    Other,
}

/// The decode error for what the validator refused.
pub(crate) fn invalid_json(e: Invalid) -> DecodeError {
    DecodeError::InvalidJson(if e.too_deep {
        format!("nesting deeper than {MAX_DEPTH} at byte {}", e.at)
    } else {
        format!("syntax error at byte {}", e.at)
    })
}

/// Scans `json`. With `announced = Some(n)` the placeholders must be exactly `0..n`, each once.
pub(crate) fn scan(json: &str, announced: Option<usize>) -> Result<Root, DecodeError> {
    let Some(n) = announced else {
        // No placeholders to look for: the allocation-free validator does it all.
        return validate(json).map_err(invalid_json);
    };
    let mut st = State {
        announced: n,
        nums: Vec::new(),
        error: None,
    };
    let mut de = serde_json::Deserializer::from_str(json);
    let result = RootSeed { st: &mut st }
        .deserialize(&mut de)
        .and_then(|root| de.end().map(|()| root));
    if let Some(e) = st.error {
        return Err(e);
    }
    let root = result.map_err(|e| DecodeError::InvalidJson(e.to_string()))?;
    if st.nums.len() != n {
        return Err(DecodeError::PlaceholderCountMismatch {
            announced: n,
            found: st.nums.len(),
        });
    }
    st.nums.sort_unstable();
    if let Some(w) = st.nums.windows(2).find(|w| w[0] == w[1]) {
        return Err(DecodeError::DuplicatePlaceholder(w[0]));
    }
    Ok(root)
}

/// A placeholder `num` given as a float: JavaScript compares numbers, so `1.0` indexes
/// attachment 1 (any exact non-negative integer does).
pub(crate) fn float_index(v: f64) -> Option<u64> {
    let int = v >= 0.0 && v.fract() == 0.0 && v < 9_007_199_254_740_992.0;
    int.then_some(v as u64)
}

/// The serde-driven walk for binary packets (placeholders need object keys and values).
struct State {
    announced: usize,
    /// Placeholder nums seen; never longer than `announced`, which the decoder bounded.
    nums: Vec<u64>,
    error: Option<DecodeError>,
}

impl State {
    fn fail<E: de::Error>(&mut self, e: DecodeError) -> E {
        self.error = Some(e);
        E::custom("placeholder")
    }

    fn placeholder<E: de::Error>(&mut self, num: Option<u64>) -> Result<(), E> {
        let n = self.announced;
        match num {
            Some(num) if num < n as u64 => {
                if self.nums.len() == n {
                    return Err(self.fail(DecodeError::PlaceholderCountMismatch {
                        announced: n,
                        found: n + 1,
                    }));
                }
                self.nums.push(num);
                Ok(())
            }
            _ => Err(self.fail(DecodeError::PlaceholderOutOfRange)),
        }
    }
}

struct RootSeed<'a> {
    st: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_> {
    type Value = Root;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Root, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_> {
    type Value = Root;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Root, A::Error> {
        let Some(first) = seq.next_element_seed(FirstSeed { st: self.st })? else {
            return Ok(Root::Array(None));
        };
        while seq.next_element_seed(AnySeed { st: self.st })?.is_some() {}
        Ok(Root::Array(Some(first)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Root, A::Error> {
        walk_map(self.st, map)?;
        Ok(Root::Object)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Root, E> {
        Ok(Root::String)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Root, E> {
        Ok(Root::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Root, E> {
        Ok(Root::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Root, E> {
        Ok(Root::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Root, E> {
        Ok(Root::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Root, E> {
        Ok(Root::Other)
    }
}

/// The first element of an array: its kind, and for strings whether the name is reserved.
/// (The first element of an ACK may hold placeholders, so containers are still walked.)
struct FirstSeed<'a> {
    st: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for FirstSeed<'_> {
    type Value = First;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<First, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FirstSeed<'_> {
    type Value = First;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<First, E> {
        Ok(First::Str(reserved_event(v)))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<First, E> {
        Ok(First::Number)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<First, E> {
        Ok(First::Number)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<First, E> {
        Ok(First::Number)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<First, E> {
        Ok(First::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<First, E> {
        Ok(First::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<First, A::Error> {
        AnySeed { st: self.st }.visit_seq(seq).map(|_| First::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<First, A::Error> {
        walk_map(self.st, map).map(|()| First::Other)
    }
}

/// What a nested value is, as far as placeholder detection cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Summary {
    True,
    /// A number; `Some` when it is a non-negative integer.
    Num(Option<u64>),
    Other,
}

struct AnySeed<'a> {
    st: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for AnySeed<'_> {
    type Value = Summary;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Summary, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnySeed<'_> {
    type Value = Summary;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Summary, E> {
        Ok(if v { Summary::True } else { Summary::Other })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Summary, E> {
        Ok(Summary::Num(Some(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Summary, E> {
        Ok(Summary::Num(u64::try_from(v).ok()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Summary, E> {
        Ok(Summary::Num(float_index(v)))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Summary, E> {
        Ok(Summary::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Summary, E> {
        Ok(Summary::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Summary, A::Error> {
        while seq.next_element_seed(AnySeed { st: self.st })?.is_some() {}
        Ok(Summary::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Summary, A::Error> {
        walk_map(self.st, map)?;
        Ok(Summary::Other)
    }
}

fn walk_map<'de, A: MapAccess<'de>>(st: &mut State, mut map: A) -> Result<(), A::Error> {
    // The reference treats any object with `_placeholder === true` as a placeholder
    // (later duplicate keys win, as in JSON.parse).
    let mut is_placeholder = false;
    let mut num = None;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        let v = map.next_value_seed(AnySeed { st })?;
        match key {
            Key::Placeholder => is_placeholder = v == Summary::True,
            Key::Num => {
                num = match v {
                    Summary::Num(n) => n,
                    _ => None,
                }
            }
            Key::Other => {}
        }
    }
    if is_placeholder {
        st.placeholder(num)?;
    }
    Ok(())
}

enum Key {
    Placeholder,
    Num,
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "_placeholder" => Key::Placeholder,
            "num" => Key::Num,
            _ => Key::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_root_shape() {
        assert_eq!(scan("{}", None), Ok(Root::Object));
        assert_eq!(scan("[]", None), Ok(Root::Array(None)));
        assert_eq!(
            scan("[\"a\",1]", None),
            Ok(Root::Array(Some(First::Str(None))))
        );
        assert_eq!(
            scan(" [\"conn\\u0065ct\"] ", None),
            Ok(Root::Array(Some(First::Str(Some("connect")))))
        );
        assert_eq!(scan("[1.5]", None), Ok(Root::Array(Some(First::Number))));
        assert_eq!(scan("[[1],2]", None), Ok(Root::Array(Some(First::Other))));
        assert_eq!(scan("\"x\"", None), Ok(Root::String));
        assert_eq!(scan("null", None), Ok(Root::Other));
        assert!(matches!(
            scan("[1,]", None),
            Err(DecodeError::InvalidJson(_))
        ));
        assert!(matches!(
            scan("[1] x", None),
            Err(DecodeError::InvalidJson(_))
        ));
    }

    #[test]
    fn placeholders_must_be_exactly_the_announced_ones() {
        let ph = |n: &str| format!("{{\"_placeholder\":true,\"num\":{n}}}");
        let two = format!("[\"a\",{},{{\"x\":[{}]}}]", ph("1"), ph("0"));
        assert!(scan(&two, Some(2)).is_ok());
        assert_eq!(
            scan(&two, Some(3)),
            Err(DecodeError::PlaceholderCountMismatch {
                announced: 3,
                found: 2
            })
        );
        assert_eq!(scan(&two, Some(1)), Err(DecodeError::PlaceholderOutOfRange));
        let dup = format!("[\"a\",{},{}]", ph("0"), ph("0"));
        assert_eq!(
            scan(&dup, Some(2)),
            Err(DecodeError::DuplicatePlaceholder(0))
        );
        let neg = format!("[\"a\",{}]", ph("-1"));
        assert_eq!(scan(&neg, Some(1)), Err(DecodeError::PlaceholderOutOfRange));
        let text = format!("[\"a\",{}]", ph("\"0\""));
        assert_eq!(
            scan(&text, Some(1)),
            Err(DecodeError::PlaceholderOutOfRange)
        );
        // Key order and escapes do not matter; `_placeholder: false` is an ordinary object.
        let swapped = "[\"a\",{\"num\":0.0,\"\\u005fplaceholder\":true}]";
        assert!(scan(swapped, Some(1)).is_ok());
        let not = format!("[\"a\",{{\"_placeholder\":false,\"num\":0}},{}]", ph("0"));
        assert!(scan(&not, Some(1)).is_ok());
        // Non-binary packets do not look for placeholders.
        assert!(scan(&dup, None).is_ok());
        assert!(scan(&text, None).is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            scan(&deep, None),
            Err(DecodeError::InvalidJson(_))
        ));
        assert!(matches!(
            scan(&deep, Some(1)),
            Err(DecodeError::InvalidJson(_))
        ));
        let closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            scan(&closed, None),
            Err(DecodeError::InvalidJson(_))
        ));
        assert!(matches!(
            scan(&closed, Some(0)),
            Err(DecodeError::InvalidJson(_))
        ));
        let obj = "{\"a\":".repeat(100_000);
        assert!(matches!(
            scan(&obj, Some(0)),
            Err(DecodeError::InvalidJson(_))
        ));
    }

    #[test]
    fn many_arguments_are_fine() {
        let args = format!("[\"e\"{}]", ",1".repeat(100_000));
        assert!(scan(&args, None).is_ok());
        assert!(scan(&args, Some(0)).is_ok());
    }

    #[test]
    fn reserved_names() {
        assert!(is_reserved_event("disconnecting"));
        assert!(is_reserved_event("newListener"));
        assert!(!is_reserved_event("Connect"));
        assert!(!is_reserved_event("message"));
    }

    #[test]
    fn every_reserved_name_and_only_those_is_found() {
        for name in RESERVED_EVENTS {
            assert_eq!(reserved_event(name), Some(name));
            // Same length, one byte changed (first, last): not reserved.
            for at in [0, name.len() - 1] {
                let mut other = name.as_bytes().to_vec();
                other[at] ^= 0x20;
                assert_eq!(reserved_event(std::str::from_utf8(&other).unwrap()), None);
            }
            assert_eq!(reserved_event(&name[1..]), None);
            assert_eq!(reserved_event(&format!("{name}x")), None);
        }
        assert_eq!(reserved_event(""), None);
    }
}
