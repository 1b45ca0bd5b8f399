//! Volley's JSON writer (`volley_protocol::json::to_vec`) against `serde_json::to_vec`: the same
//! bytes, or both refuse with the same message. Three sources of values per input:
//! - the input itself, when it is JSON serde_json reads (as a `Value` and as raw text);
//! - a `serde_json::Value` tree built from the input bytes (any string, any finite number);
//! - a typed value built with `arbitrary`, using every `Serialize` form: all integer and
//!   float widths (NaN and infinities included), chars, bytes, `collect_str`, unit/newtype/
//!   tuple/struct variants, options, map keys of every scalar kind and some refused ones.
#![no_main]

#[path = "../../protocol/tests/serde_forms/mod.rs"]
mod serde_forms;

use arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_forms::{Blob, Shown};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, HashMap};
use volley_protocol::json;

/// Both writers on `v`: the same bytes, or the same refusal.
fn same<T: Serialize + std::fmt::Debug + ?Sized>(v: &T) {
    let ours = json::to_vec(v).map_err(|e| e.to_string());
    let theirs = serde_json::to_vec(v).map_err(|e| e.to_string());
    if ours != theirs {
        panic!(
            "{v:?}: ours {:?}, serde_json {:?}",
            ours.map(|b| String::from_utf8_lossy(&b).into_owned()),
            theirs.map(|b| String::from_utf8_lossy(&b).into_owned()),
        );
    }
}

impl<'a> Arbitrary<'a> for Blob {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Blob(u.arbitrary()?))
    }
}

impl<'a> Arbitrary<'a> for Shown {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Shown(u.arbitrary()?))
    }
}

/// A map whose keys are floats (NaN and infinities are refused by both).
#[derive(Arbitrary, Debug)]
struct FloatKeys(Vec<(f64, u8)>, Vec<(f32, ())>);

impl Serialize for FloatKeys {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        for (k, v) in &self.1 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Arbitrary, Debug, Serialize)]
struct UnitStruct;

#[derive(Arbitrary, Debug, Serialize, PartialEq, Eq, Hash)]
struct Newtype(Option<String>);

#[derive(Arbitrary, Debug, Serialize)]
struct TupleStruct(i16, Option<char>, UnitStruct);

#[derive(Arbitrary, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Alpha,
    #[serde(rename = "be\"ta\n")]
    Beta,
}

#[derive(Arbitrary, Debug, Serialize)]
enum Shape {
    Unit,
    #[serde(rename = "new\ttype")]
    Newtype(f32),
    Tuple(u8, String, ()),
    Struct {
        x: i128,
        y: Option<Box<Shape>>,
    },
    EmptyTuple(),
    EmptyStruct {},
}

#[derive(Arbitrary, Debug, Serialize)]
struct Everything {
    ints: (i8, i16, i32, i64, i128),
    uints: (u8, u16, u32, u64, u128),
    f32: f32,
    f64: f64,
    char: char,
    #[serde(rename = "str\u{1}\"")]
    string: String,
    bytes: Blob,
    shown: Shown,
    unit: (),
    unit_struct: UnitStruct,
    newtype: Newtype,
    tuple_struct: TupleStruct,
    shapes: Vec<Shape>,
    option: Option<Option<i32>>,
    int_keys: BTreeMap<i64, bool>,
    u128_keys: BTreeMap<u128, ()>,
    i128_keys: BTreeMap<i128, Option<u8>>,
    bool_keys: BTreeMap<bool, u8>,
    char_keys: BTreeMap<char, u8>,
    string_keys: BTreeMap<String, Shape>,
    enum_keys: BTreeMap<Key, u8>,
    // A `None` key is refused by both.
    newtype_keys: HashMap<Newtype, u8>,
    float_keys: FloatKeys,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
}

/// A `Value` tree from the input: strings of any characters, numbers of every kind.
fn value(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let kind = if depth == 0 { 4 } else { 6 };
    Ok(match u.choose_index(kind)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::String(u.arbitrary()?),
        3 => Value::Number(number(u)?),
        4 => {
            let n = u.int_in_range(0..=6)?;
            Value::Array((0..n).map(|_| value(u, depth - 1)).collect::<Result<_>>()?)
        }
        _ => {
            let mut map = Map::new();
            for _ in 0..u.int_in_range(0..=6)? {
                map.insert(u.arbitrary()?, value(u, depth - 1)?);
            }
            Value::Object(map)
        }
    })
}

fn number(u: &mut Unstructured<'_>) -> Result<Number> {
    Ok(match u.choose_index(5)? {
        0 => Number::from(u.arbitrary::<u64>()?),
        1 => Number::from(u.arbitrary::<i64>()?),
        2 => Number::from(u.arbitrary::<i16>()?),
        // Multiples of 1/16 and small-exponent floats, near the writer's fast paths.
        3 => Number::from_f64(u.arbitrary::<i64>()? as f64 / 16.0).unwrap_or(Number::from(0)),
        _ => Number::from_f64(u.arbitrary()?).unwrap_or(Number::from(1)),
    })
}

/// Whole-input cases: the input read as JSON by serde_json, then re-written.
fn parsed(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        same(&v);
        same(&[&v, &v]);
    }
    if let Ok(raw) = serde_json::from_str::<Box<RawValue>>(text) {
        same(&raw);
        same(&(&raw, 1, Some(&raw)));
    }
}

fn built(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let v = value(&mut u, 8)?;
    same(&v);
    let raw = RawValue::from_string(serde_json::to_string_pretty(&v).expect("a Value writes"))
        .expect("serde_json's output reads back");
    same(&(&raw, &v));
    let everything = Everything::arbitrary(&mut u)?;
    same(&everything);
    same(&(
        everything.f32,
        everything.f64,
        &everything.shapes,
        everything.char,
    ));
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    parsed(data);
    // The input's bytes ran out: what was built so far was already checked.
    let _ = built(data);
});
