//! Volley's JSON serializer (`volley_protocol::json`) writes exactly the bytes of
//! `serde_json::to_vec`: on arbitrary `serde_json::Value` trees, on typed data using every
//! `Serialize` form, and it refuses the same map keys.

mod serde_forms;

use proptest::prelude::*;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_forms::{Blob, Shown};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, HashMap};
use volley_protocol::json;

/// Both serializers on `v`: the same bytes, or both refuse with the same message.
fn same<T: Serialize + ?Sized>(v: &T) -> Result<(), TestCaseError> {
    let ours = json::to_vec(v).map_err(|e| e.to_string());
    let theirs = serde_json::to_vec(v).map_err(|e| e.to_string());
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => prop_assert_eq!(
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b),
            "bytes differ"
        ),
        _ => prop_assert_eq!(ours, theirs),
    }
    Ok(())
}

/// Text rich in what escaping must get right: quotes, backslashes, every control character,
/// `/`, DEL, multi-byte characters, and plain runs of various lengths.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9 ]{0,12}",
        2 => proptest::char::range('\u{0}', '\u{20}').prop_map(String::from),
        2 => prop::sample::select(vec!["\"", "\\", "/", "\u{7f}", "é", "γ", "😀", "\u{2028}", "\u{fffd}"])
            .prop_map(String::from),
        1 => any::<String>(),
        // Past the short-string path: long runs with escapes between them.
        1 => "[a-z\"\\\\\n\u{1}é]{20,90}",
    ];
    prop::collection::vec(piece, 0..6).prop_map(|p| p.concat())
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<u64>().prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        (-1_000_000i64..1_000_000).prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        (-1e6f64..1e6).prop_filter_map("finite", Number::from_f64),
        (-(1i64 << 46)..1i64 << 46)
            .prop_filter_map("finite", |n| Number::from_f64(n as f64 / 16.0)),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1e16,
            1e15,
            1e-7,
            5e-324,
            f64::MAX,
            f64::MIN,
            0.1
        ])
        .prop_filter_map("finite", Number::from_f64),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(24, 256, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

#[derive(Debug, Clone, Serialize)]
struct UnitStruct;

#[derive(Debug, Clone, Serialize)]
struct Newtype(String);

#[derive(Debug, Clone, Serialize)]
struct TupleStruct(i16, Option<char>, UnitStruct);

#[derive(Debug, Clone, Serialize)]
struct Empty {}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Alpha,
    #[serde(rename = "be\"ta\n")]
    Beta,
}

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
struct Everything {
    i8: i8,
    i16: i16,
    i32: i32,
    i64: i64,
    i128: i128,
    u8: u8,
    u16: u16,
    u32: u32,
    u64: u64,
    u128: u128,
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
    tuple: (bool, Option<u8>),
    tuple_struct: TupleStruct,
    empty: Empty,
    empty_vec: Vec<u8>,
    shapes: Vec<Shape>,
    option: Option<Option<i32>>,
    int_keys: BTreeMap<i64, bool>,
    u128_keys: BTreeMap<u128, ()>,
    bool_keys: BTreeMap<bool, u8>,
    char_keys: BTreeMap<char, u8>,
    enum_keys: BTreeMap<Key, u8>,
    newtype_keys: HashMap<Newtype2, u8>,
    value: Value,
    raw: Box<RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
struct Newtype2(Option<String>);

fn float32() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<f32>(),
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(-0.0),
        (-1e4f32..1e4)
    ]
}

fn float64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        (-1e6f64..1e6),
        (-1_000_000i64..1_000_000).prop_map(|i| i as f64 * 0.25),
        // Multiples of 1/16 (written without zmij below 2^40) and of 1/32 (not), across and
        // past that bound.
        (-(1i64 << 46)..1i64 << 46).prop_map(|n| n as f64 / 16.0),
        (-(1i64 << 46)..1i64 << 46).prop_map(|n| n as f64 / 32.0),
        (0u32..64, any::<i32>()).prop_map(|(e, n)| n as f64 * 2f64.powi(e as i32 - 20)),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    let leaf = prop_oneof![
        Just(Shape::Unit),
        Just(Shape::EmptyTuple()),
        Just(Shape::EmptyStruct {}),
        float32().prop_map(Shape::Newtype),
        (any::<u8>(), text()).prop_map(|(a, b)| Shape::Tuple(a, b, ())),
    ];
    leaf.prop_recursive(4, 16, 2, |inner| {
        (any::<i128>(), prop::option::of(inner)).prop_map(|(x, y)| Shape::Struct {
            x,
            y: y.map(Box::new),
        })
    })
}

prop_compose! {
    fn scalars()(
        ints in (any::<i8>(), any::<i16>(), any::<i32>(), any::<i64>(), any::<i128>()),
        uints in (any::<u8>(), any::<u16>(), any::<u32>(), any::<u64>(), any::<u128>()),
        floats in (float32(), float64()),
        char in any::<char>(),
    ) -> ((i8, i16, i32, i64, i128), (u8, u16, u32, u64, u128), (f32, f64), char) {
        (ints, uints, floats, char)
    }
}

prop_compose! {
    fn everything()(
        (ints, uints, floats, char) in scalars(),
        texts in (text(), text(), text()),
        bytes in prop::collection::vec(any::<u8>(), 0..40),
        tuple in (any::<bool>(), prop::option::of(any::<u8>())),
        ts in (any::<i16>(), prop::option::of(any::<char>())),
        shapes in prop::collection::vec(shape(), 0..4),
        option in prop::option::of(prop::option::of(any::<i32>())),
        int_keys in prop::collection::btree_map(any::<i64>(), any::<bool>(), 0..4),
        u128_keys in prop::collection::btree_map(any::<u128>(), Just(()), 0..3),
        bool_keys in prop::collection::btree_map(any::<bool>(), any::<u8>(), 0..3),
        char_keys in prop::collection::btree_map(any::<char>(), any::<u8>(), 0..3),
        enum_keys in prop::collection::btree_map(prop_oneof![Just(Key::Alpha), Just(Key::Beta)], any::<u8>(), 0..3),
        newtype_key in prop::option::of(text()),
        value in value(),
        raw in value(),
        skipped in prop::option::of(any::<u8>()),
    ) -> Everything {
        Everything {
            i8: ints.0, i16: ints.1, i32: ints.2, i64: ints.3, i128: ints.4,
            u8: uints.0, u16: uints.1, u32: uints.2, u64: uints.3, u128: uints.4,
            f32: floats.0, f64: floats.1, char,
            string: texts.0,
            bytes: Blob(bytes),
            shown: Shown(texts.1),
            unit: (),
            unit_struct: UnitStruct,
            newtype: Newtype(texts.2),
            tuple,
            tuple_struct: TupleStruct(ts.0, ts.1, UnitStruct),
            empty: Empty {},
            empty_vec: Vec::new(),
            shapes,
            option,
            int_keys, u128_keys, bool_keys, char_keys, enum_keys,
            // `None` as a key is refused by both: kept to the cases that serialize.
            newtype_keys: newtype_key.map(|k| HashMap::from([(Newtype2(Some(k)), 1)])).unwrap_or_default(),
            value,
            // Raw JSON with whitespace, embedded unchanged by both.
            raw: RawValue::from_string(serde_json::to_string_pretty(&raw).unwrap()).unwrap(),
            skipped,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_values_serialize_byte_identically(v in value()) {
        same(&v)?;
    }

    #[test]
    fn every_serialize_form_serializes_byte_identically(e in everything()) {
        same(&e)?;
        same(&(e.f32, e.f64, &e.shapes, e.char))?;
    }

    #[test]
    fn strings_and_chars_escape_byte_identically(s in text(), c in any::<char>()) {
        same(&s)?;
        same(&c)?;
        same(&[Some(s.as_str()), None])?;
        same(&[c, c])?;
    }

    #[test]
    fn floats_format_byte_identically(a in float64(), b in float32()) {
        same(&a)?;
        same(&b)?;
        same(&BTreeMap::from([(a.to_bits(), a)]))?;
    }
}

fn map_with_key<K: Serialize>(key: K) -> impl Serialize {
    struct One<K>(K);
    impl<K: Serialize> Serialize for One<K> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry(&self.0, &0)?;
            m.end()
        }
    }
    One(key)
}

#[test]
fn map_keys_serde_json_refuses_are_refused_with_the_same_message() {
    fn check<K: Serialize>(key: K, want: json::Error) {
        let m = map_with_key(key);
        let ours = json::to_vec(&m).unwrap_err();
        let theirs = serde_json::to_vec(&m).unwrap_err();
        assert_eq!(ours, want);
        assert_eq!(ours.to_string(), theirs.to_string());
    }
    check(None::<u8>, json::Error::KeyMustBeAString);
    check((), json::Error::KeyMustBeAString);
    check(UnitStruct, json::Error::KeyMustBeAString);
    check(Blob(vec![1]), json::Error::KeyMustBeAString);
    check(vec![1], json::Error::KeyMustBeAString);
    check((1, 2), json::Error::KeyMustBeAString);
    check(
        TupleStruct(1, None, UnitStruct),
        json::Error::KeyMustBeAString,
    );
    check(BTreeMap::from([(1, 2)]), json::Error::KeyMustBeAString);
    check(Empty {}, json::Error::KeyMustBeAString);
    check(Shape::Newtype(1.0), json::Error::KeyMustBeAString);
    check(
        Shape::Tuple(1, String::new(), ()),
        json::Error::KeyMustBeAString,
    );
    check(
        Shape::Struct { x: 1, y: None },
        json::Error::KeyMustBeAString,
    );
    check(f64::NAN, json::Error::FloatKeyMustBeFinite);
    check(f32::NEG_INFINITY, json::Error::FloatKeyMustBeFinite);
}

#[test]
fn accepted_scalar_map_keys_are_quoted_like_serde_json() {
    fn check<K: Serialize>(key: K, want: &str) {
        let m = map_with_key(key);
        assert_eq!(String::from_utf8(json::to_vec(&m).unwrap()).unwrap(), want);
        assert_eq!(serde_json::to_string(&m).unwrap(), want);
    }
    check(-1.5f64, r#"{"-1.5":0}"#);
    check(3f32, r#"{"3.0":0}"#);
    check(i128::MIN, &format!(r#"{{"{}":0}}"#, i128::MIN));
    check(false, r#"{"false":0}"#);
    check(Some('"'), r#"{"\"":0}"#);
    check(Key::Beta, r#"{"be\"ta\n":0}"#);
    check(Newtype("k".into()), r#"{"k":0}"#);
}

#[test]
fn errors_raised_by_serialize_impls_pass_through() {
    struct Fails;
    impl Serialize for Fails {
        fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no thanks"))
        }
    }
    let ours = json::to_vec(&[Fails]).unwrap_err();
    assert_eq!(ours, json::Error::Custom("no thanks".into()));
    assert_eq!(
        ours.to_string(),
        serde_json::to_vec(&[Fails]).unwrap_err().to_string()
    );
}

#[test]
fn raw_values_are_embedded_unchanged_and_only_as_text() {
    let raw = RawValue::from_string("{ \"a\" : [1, 2] }".into()).unwrap();
    let v = (&raw, 1);
    assert_eq!(json::to_vec(&v).unwrap(), serde_json::to_vec(&v).unwrap());
    assert_eq!(json::to_vec(&v).unwrap(), b"[{ \"a\" : [1, 2] },1]");

    // serde_json's private shape, handed something other than text: refused by both.
    struct FakeRaw(u8);
    impl Serialize for FakeRaw {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut st = s.serialize_struct("$serde_json::private::RawValue", 1)?;
            st.serialize_field("$serde_json::private::RawValue", &self.0)?;
            st.end()
        }
    }
    assert_eq!(
        json::to_vec(&FakeRaw(1)).unwrap_err(),
        json::Error::InvalidRawValue
    );
    assert!(serde_json::to_vec(&FakeRaw(1)).is_err());
}

#[derive(Debug, Clone, Serialize)]
struct WithBinary {
    name: String,
    blob: Blob,
    shared: volley_protocol::socket::Binary,
    nested: Vec<Option<Blob>>,
    shape: Shape,
    value: Value,
}

prop_compose! {
    fn with_binary()(
        name in text(),
        blob in prop::collection::vec(any::<u8>(), 0..16),
        shared in prop::collection::vec(any::<u8>(), 0..16),
        nested in prop::collection::vec(prop::option::of(prop::collection::vec(any::<u8>(), 0..4)), 0..4),
        shape in shape(),
        value in value(),
    ) -> WithBinary {
        WithBinary {
            name,
            blob: Blob(blob),
            shared: volley_protocol::socket::Binary(bytes::Bytes::from(shared)),
            nested: nested.into_iter().map(|b| b.map(Blob)).collect(),
            shape,
            value,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The encoders' attachment mode writes what the `Placeholders` wrapper around serde_json
    /// writes, collects the same attachments, and shares a `Binary`'s buffer.
    #[test]
    fn attachment_mode_matches_placeholders_over_serde_json(w in with_binary()) {
        let ours = volley_protocol::socket::to_json(&w).unwrap();
        let att = std::cell::RefCell::new(Vec::new());
        let mut theirs = Vec::new();
        w.serialize(volley_protocol::socket::Placeholders::new(
            &mut serde_json::Serializer::new(&mut theirs),
            &att,
        ))
        .unwrap();
        prop_assert_eq!(ours.json.as_str(), std::str::from_utf8(&theirs).unwrap());
        prop_assert_eq!(&ours.attachments, &att.into_inner());
        prop_assert_eq!(ours.attachments[1].as_ptr(), w.shared.0.as_ptr());
    }
}
