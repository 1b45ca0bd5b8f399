//! Values that take the less common serde paths, shared by the tests that compare Volley's
//! JSON reader and writer with serde_json and by the fuzz targets doing the same
//! (`fuzz/fuzz_targets/json_*.rs` include this file).
// Each user needs only some of these.
#![allow(dead_code)]

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Bytes read through `deserialize_bytes`: a string's UTF-8 (WTF-8 for lone surrogates) or
/// an array of numbers. Written as a hex string, so it can also be a map key.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Bytes, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = s.next_element()? {
                    out.push(b);
                }
                Ok(Bytes(out))
            }
        }
        d.deserialize_bytes(V)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&hex)
    }
}

/// Written through `serialize_bytes` (what `serde_bytes` does).
#[derive(Debug, Clone)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

/// Written through `collect_str`.
#[derive(Debug, Clone)]
pub struct Shown(pub String);

impl Serialize for Shown {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("<{}>", self.0))
    }
}
