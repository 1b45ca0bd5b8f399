//! [`Value`]: a JSON value that can also hold binary data, with ordered object keys.

use crate::json::write_str;
use bytes::Bytes;
use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A JSON value with a [`Value::Binary`] variant for Socket.IO attachments.
///
/// Objects keep their keys in order (Socket.IO peers see the order they were written in).
/// Binary values serialize with `serialize_bytes`, so the placeholder serializer
/// ([`crate::socket::to_event`]) turns them into `{"_placeholder":true,"num":i}` plus an
/// attachment, and [`Value::from_json`] turns placeholders back into `Binary`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// Binary data (sent as an attachment).
    Binary(Bytes),
    /// An array.
    Array(Vec<Value>),
    /// An object, keys in order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// Parses raw JSON, replacing each placeholder `{"_placeholder":true,"num":i}` whose `i`
    /// is an index into `attachments` with `Binary(attachments[i])` (a shared clone).
    ///
    /// Placeholders of packets without attachments stay ordinary objects, as in the reference.
    pub fn from_json(json: &str, attachments: &[Bytes]) -> Result<Value, serde_json::Error> {
        let mut v: Value = serde_json::from_str(json)?;
        if !attachments.is_empty() {
            v.rebuild(attachments);
        }
        Ok(v)
    }

    fn rebuild(&mut self, attachments: &[Bytes]) {
        match self {
            Value::Array(items) => items.iter_mut().for_each(|v| v.rebuild(attachments)),
            Value::Object(entries) => {
                if let Some(b) = placeholder(entries).and_then(|i| attachments.get(i)) {
                    *self = Value::Binary(b.clone());
                } else {
                    entries.iter_mut().for_each(|(_, v)| v.rebuild(attachments));
                }
            }
            _ => {}
        }
    }

    /// Appends compact JSON to `out`; each `Binary` becomes a placeholder numbered after the
    /// attachments already in `attachments`, and its bytes are pushed there (no copy).
    pub fn write_json(&self, out: &mut Vec<u8>, attachments: &mut Vec<Bytes>) {
        match self {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(true) => out.extend_from_slice(b"true"),
            Value::Bool(false) => out.extend_from_slice(b"false"),
            Value::Number(n) => write_number(out, n),
            Value::String(s) => write_str(out, s),
            Value::Binary(b) => {
                write_placeholder(out, attachments.len());
                attachments.push(b.clone());
            }
            Value::Array(items) => {
                out.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    v.write_json(out, attachments);
                }
                out.push(b']');
            }
            Value::Object(entries) => {
                out.push(b'{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, k);
                    out.push(b':');
                    v.write_json(out, attachments);
                }
                out.push(b'}');
            }
        }
    }

    /// The value of `key` in an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|e| &e.1),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is binary.
    pub fn as_binary(&self) -> Option<&Bytes> {
        match self {
            Value::Binary(b) => Some(b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// True if this value or anything inside it is binary.
    pub fn has_binary(&self) -> bool {
        match self {
            Value::Binary(_) => true,
            Value::Array(items) => items.iter().any(Value::has_binary),
            Value::Object(entries) => entries.iter().any(|(_, v)| v.has_binary()),
            _ => false,
        }
    }

    /// Converts into a user type (binary values deserialize as bytes).
    pub fn deserialize_into<T: de::DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        T::deserialize(self)
    }
}

pub(crate) fn write_number(out: &mut Vec<u8>, n: &serde_json::Number) {
    let mut buf = itoa::Buffer::new();
    if let Some(u) = n.as_u64() {
        out.extend_from_slice(buf.format(u).as_bytes());
    } else if let Some(i) = n.as_i64() {
        out.extend_from_slice(buf.format(i).as_bytes());
    } else {
        // Written as serde_json writes it (the shortest text that parses back to it).
        let _ = serde::Serialize::serialize(n, &mut crate::json::Serializer::new(out));
    }
}

/// `{"_placeholder":true,"num":<num>}`, exactly the reference's key order.
pub(crate) fn write_placeholder(out: &mut Vec<u8>, num: usize) {
    out.extend_from_slice(b"{\"_placeholder\":true,\"num\":");
    crate::json::write_u64(out, num as u64);
    out.push(b'}');
}

/// The attachment index of a placeholder object (last duplicate key wins, as in JSON.parse).
fn placeholder(entries: &[(String, Value)]) -> Option<usize> {
    let find = |key: &str| entries.iter().rev().find(|(k, _)| k == key).map(|e| &e.1);
    if find("_placeholder") != Some(&Value::Bool(true)) {
        return None;
    }
    match find("num")? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
            .and_then(|n| usize::try_from(n).ok()),
        _ => None,
    }
}

macro_rules! from_num {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(n.into())
            }
        }
    )*};
}
from_num!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl From<f64> for Value {
    /// Non-finite numbers have no JSON form and become `null` (as `JSON.stringify` does).
    fn from(n: f64) -> Value {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<Bytes> for Value {
    fn from(b: Bytes) -> Value {
        Value::Binary(b)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::Array(v)
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => n.serialize(s),
            Value::String(v) => s.serialize_str(v),
            Value::Binary(b) => s.serialize_bytes(b),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value or bytes")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Binary(Bytes::copy_from_slice(v)))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Binary(v.into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        // The hint comes from the peer's data only for formats that know lengths; cap it.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            entries.push((k, v));
        }
        Ok(Value::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl<'de> IntoDeserializer<'de, serde_json::Error> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

impl<'de> Deserializer<'de> for Value {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(b),
            Value::Number(n) => n.deserialize_any(v),
            Value::String(s) => v.visit_string(s),
            Value::Binary(b) => v.visit_byte_buf(b.into()),
            Value::Array(items) => visit_seq(items, v),
            Value::Object(entries) => {
                let mut map = MapDeserializer::new(entries.into_iter());
                let out = v.visit_map(&mut map)?;
                map.end()?;
                Ok(out)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            Value::Null => v.visit_none(),
            other => v.visit_some(other),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            // `Vec<u8>` without serde_bytes asks for a sequence of numbers.
            Value::Binary(b) => {
                let mut seq = SeqDeserializer::new(b.into_iter());
                let out = v.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            other => other.deserialize_any(v),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Self::Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            Value::String(s) => v.visit_enum(s.into_deserializer()),
            Value::Object(entries) if entries.len() == 1 => v.visit_enum(
                MapAccessDeserializer::new(MapDeserializer::new(entries.into_iter())),
            ),
            other => Err(de::Error::invalid_type(other.unexpected(), &"an enum")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

fn visit_seq<'de, V: Visitor<'de>>(items: Vec<Value>, v: V) -> Result<V::Value, serde_json::Error> {
    let mut seq = SeqDeserializer::new(items.into_iter());
    let out = v.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(out)
}

impl Value {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::Number(_) => de::Unexpected::Other("number"),
            Value::String(s) => de::Unexpected::Str(s),
            Value::Binary(b) => de::Unexpected::Bytes(b),
            Value::Array(_) => de::Unexpected::Seq,
            Value::Object(_) => de::Unexpected::Map,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn object_key_order_is_kept_and_binary_is_written_as_placeholders() {
        let v = Value::Object(vec![
            ("z".into(), Value::from(1)),
            ("a".into(), Value::Binary(Bytes::from_static(b"x"))),
            (
                "m".into(),
                Value::from(vec![Value::from(-2.5), Value::Null]),
            ),
        ]);
        let mut out = Vec::new();
        let mut att = Vec::new();
        v.write_json(&mut out, &mut att);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "{\"z\":1,\"a\":{\"_placeholder\":true,\"num\":0},\"m\":[-2.5,null]}"
        );
        assert_eq!(
            Value::from_json(std::str::from_utf8(&out).unwrap(), &att).unwrap(),
            v
        );
        assert!(v.has_binary());
    }

    #[test]
    fn placeholders_without_attachments_stay_objects() {
        let v = Value::from_json("{\"_placeholder\":true,\"num\":0}", &[]).unwrap();
        assert!(matches!(v, Value::Object(_)));
    }

    #[test]
    fn deserializes_user_types_from_values() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum Kind {
            A,
            B(u8),
        }
        #[derive(Deserialize, Debug, PartialEq)]
        struct Msg {
            kind: Kind,
            other: Kind,
            opt: Option<String>,
            body: Vec<u8>,
            buf: Bytes,
            tuple: (i64, f64),
        }
        let json = "{\"kind\":\"A\",\"other\":{\"B\":7},\"opt\":null,\
                    \"body\":{\"_placeholder\":true,\"num\":0},\"buf\":{\"_placeholder\":true,\"num\":0},\
                    \"tuple\":[-1,0.5]}";
        let v = Value::from_json(json, &[Bytes::from_static(b"hi")]).unwrap();
        let m: Msg = v.deserialize_into().unwrap();
        assert_eq!(
            m,
            Msg {
                kind: Kind::A,
                other: Kind::B(7),
                opt: None,
                body: b"hi".to_vec(),
                buf: Bytes::from_static(b"hi"),
                tuple: (-1, 0.5),
            }
        );
        let short: Result<(u8, u8), _> = Value::from(vec![Value::from(1)]).deserialize_into();
        assert!(short.is_err());
    }

    #[test]
    fn serde_json_values_convert() {
        let j: serde_json::Value = serde_json::from_str("{\"b\":[true,\"s\"],\"a\":1}").unwrap();
        let v = Value::from(j);
        assert_eq!(v.get("a"), Some(&Value::from(1u8)));
        assert_eq!(
            v.get("b").unwrap().as_array().unwrap()[1].as_str(),
            Some("s")
        );
        assert_eq!(Value::from(f64::NAN), Value::Null);
    }
}
