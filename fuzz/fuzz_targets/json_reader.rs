//! Volley's JSON reader (`volley_protocol::json::from_str`) against `serde_json::from_str` on
//! arbitrary UTF-8 text, for many target types: both give the same value or both refuse.
//! Values are compared through `serde_json::to_vec` of each side's result, which tells apart
//! what `PartialEq` does not (`-0.0` from `0.0`, map order under `preserve_order`), so floats
//! are compared by their bits (NaN cannot come out of JSON). Any panic in the reader is a bug.
//!
//! Not checked: maps with `bool` keys. serde_json 1.0.154 reads such a key that starts with a
//! multi-byte character from the middle of the character and panics formatting its error.
#![no_main]

#[path = "../../protocol/tests/serde_forms/mod.rs"]
mod serde_forms;

use libfuzzer_sys::fuzz_target;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_forms::Bytes;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Debug;
use volley_protocol::json;

/// An event argument as a typed handler would declare it.
#[derive(Deserialize, Serialize, Debug)]
struct Message {
    text: String,
    id: u64,
    delta: i64,
    score: f64,
    urgent: bool,
    reply_to: Option<u32>,
    tags: Vec<String>,
    meta: BTreeMap<String, BTreeMap<String, Value>>,
    #[serde(default)]
    counts: BTreeMap<u16, i8>,
}

/// Every externally tagged variant form.
#[derive(Deserialize, Serialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Unit,
    Newtype(i32),
    Tuple(String, Option<bool>),
    Struct { w: u8, h: u8 },
}

/// An internally tagged enum: read through serde's buffered `Content`, so numbers and
/// borrowed strings take `deserialize_any`'s path.
#[derive(Deserialize, Serialize, Debug)]
#[serde(tag = "type")]
enum Tagged {
    Join { room: String },
    Leave { room: String, code: Option<u16> },
    Ping,
}

/// An untagged enum: tried variant by variant on buffered content.
#[derive(Deserialize, Serialize, Debug)]
#[serde(untagged)]
enum Loose {
    Int(i64),
    Float(f64),
    Text(String),
    Pair(u8, String),
    Object { a: Vec<u32> },
}

/// A struct with flattened unknown fields.
#[derive(Deserialize, Serialize, Debug)]
struct Flat {
    id: Option<u64>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

/// A float map key (`"1.5": …`), ordered by bits.
#[derive(Deserialize, Serialize, Debug)]
struct FloatKey(f64);

impl PartialEq for FloatKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for FloatKey {}
impl PartialOrd for FloatKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for FloatKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// `text` as `T`: both `Ok` with values serde_json writes identically, or both `Err`.
fn same<T: DeserializeOwned + Serialize + Debug>(text: &str) {
    let ours = json::from_str::<T>(text);
    let theirs = serde_json::from_str::<T>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            let (a_json, b_json) = (written(a), written(b));
            assert!(
                a_json == b_json,
                "{text:?} as {}: ours {a:?} ({a_json:?}), serde_json {b:?} ({b_json:?})",
                std::any::type_name::<T>()
            );
        }
        (Err(_), Err(_)) => {}
        _ => panic!(
            "{text:?} as {}: ours {ours:?}, serde_json {theirs:?}",
            std::any::type_name::<T>()
        ),
    }
}

/// `v` as serde_json writes it, or its refusal (a map key it cannot write).
fn written<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

/// Both accept, or both refuse.
fn same_acceptance<T: DeserializeOwned + Debug>(text: &str) {
    let ours = json::from_str::<T>(text).is_ok();
    let theirs = serde_json::from_str::<T>(text).is_ok();
    assert_eq!(ours, theirs, "{text:?} as {}", std::any::type_name::<T>());
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    same::<Value>(text);
    same_acceptance::<IgnoredAny>(text);
    same::<Box<RawValue>>(text);
    same::<Vec<Box<RawValue>>>(text);
    same::<Message>(text);
    same::<Vec<Message>>(text);
    same::<(String, u32)>(text);
    same::<Vec<(String, u32)>>(text);
    same::<Shape>(text);
    same::<Vec<Shape>>(text);
    same::<BTreeMap<Shape, u8>>(text);
    same::<Tagged>(text);
    same::<Loose>(text);
    same::<Vec<Loose>>(text);
    same::<Flat>(text);
    same::<Vec<u8>>(text);
    same::<Bytes>(text);
    same::<BTreeMap<Bytes, Option<bool>>>(text);
    same::<i128>(text);
    same::<u128>(text);
    same::<Vec<i128>>(text);
    same::<Vec<u128>>(text);
    same::<f32>(text);
    same::<f64>(text);
    same::<Vec<f32>>(text);
    same::<(Value,)>(text);
    same::<Option<Value>>(text);
    same::<String>(text);
    same::<char>(text);
    same::<BTreeMap<i64, Value>>(text);
    same::<BTreeMap<u128, Option<String>>>(text);
    same::<BTreeMap<FloatKey, u8>>(text);
    // Borrowed targets: the same text comes out.
    let ours = json::from_str::<&str>(text).ok();
    assert_eq!(
        ours,
        serde_json::from_str::<&str>(text).ok(),
        "{text:?} as &str"
    );
    let ours = json::from_str::<Vec<&RawValue>>(text)
        .map(|v| v.iter().map(|r| r.get()).collect::<Vec<_>>());
    let theirs = serde_json::from_str::<Vec<&RawValue>>(text)
        .map(|v| v.iter().map(|r| r.get()).collect::<Vec<_>>());
    assert_eq!(ours.ok(), theirs.ok(), "{text:?} as Vec<&RawValue>");
});
