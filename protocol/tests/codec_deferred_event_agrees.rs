//! The deferred decode of a text EVENT (checked up to its name, arguments validated by the one
//! typed pass that reads them) decides every packet as the validating decoder does: the same
//! packets are refused with the same errors, the same names are read, and the typed one-pass
//! deserialization gives what validate-then-deserialize gives.

mod json_edits;

use proptest::prelude::*;
use serde_json::Value;
use volley_protocol::socket::{
    DecodeError, Decoded, Decoder, Packet, TypedArgsError, UncheckedEvent,
};
use volley_protocol::Str;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e10f64..1e10).prop_map(Value::from),
        prop_oneof![
            "[a-z]{0,6}",
            any::<String>(),
            Just("\"\\\u{1}é😀".to_owned())
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{0,3}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn name() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-z]{1,8}".prop_map(Value::String),
        Just(Value::from("disconnect")),
        Just(Value::from("a\"b\\c")),
        any::<i32>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

/// An EVENT packet's text: optional namespace and ack id, `[name, ...args]` with optional
/// whitespace around the tokens.
fn event_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(String::new()), Just("/chat,".to_owned())],
        proptest::option::of(0u32..1000),
        name(),
        proptest::collection::vec(json(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(nsp, id, name, args, spaced)| {
            let mut items = vec![name];
            items.extend(args);
            let json = if spaced {
                serde_json::to_string_pretty(&Value::Array(items)).unwrap()
            } else {
                serde_json::to_string(&Value::Array(items)).unwrap()
            };
            format!(
                "2{nsp}{}{json}",
                id.map(|i| i.to_string()).unwrap_or_default()
            )
        })
}

/// A text with one edit: a byte removed, a structural byte inserted, or the end cut off.
fn mutated() -> impl Strategy<Value = String> {
    json_edits::edited(
        event_text(),
        vec!["[", "]", "{", "}", ",", ":", "\"", "\\", "0", "-", "\u{1}"],
    )
}

fn deferred(text: &str) -> Result<Option<Decoded>, DecodeError> {
    Decoder::new().decode_text_deferred(Str::from(text))
}

fn full(text: &str) -> Result<Option<Packet>, DecodeError> {
    Decoder::new().decode_text(Str::from(text))
}

/// The typed pass on `event` agrees with `validated` deserialized after the full check.
fn typed_agrees<T>(event: &UncheckedEvent, validated: &Result<Option<Packet>, DecodeError>)
where
    T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let typed = event.deserialize_args::<T>();
    match (validated, typed) {
        (Ok(Some(p)), Ok(v)) => assert_eq!(p.deserialize_args::<T>().unwrap(), v),
        (Ok(Some(p)), Err(TypedArgsError::Mismatch(_))) => {
            assert!(p.deserialize_args::<T>().is_err())
        }
        (Err(e), Err(TypedArgsError::Malformed(m))) => assert_eq!(e, &m),
        (v, t) => panic!("validated {v:?}, typed {t:?}"),
    }
}

fn agrees(text: &str) {
    let validated = full(text);
    match deferred(text) {
        Err(e) => assert_eq!(validated, Err(e), "{text:?}"),
        Ok(None) => panic!("a text EVENT never waits: {text:?}"),
        Ok(Some(Decoded::Packet(p))) => assert_eq!(validated, Ok(Some(p)), "{text:?}"),
        Ok(Some(Decoded::Event(event))) => {
            assert!(
                !matches!(&validated, Err(DecodeError::InvalidJson(m)) if m.contains("nesting")),
                "too deep for these generators"
            );
            if let Ok(Some(p)) = &validated {
                assert_eq!(p.event_name().as_deref(), Some(event.name()), "{text:?}");
            }
            typed_agrees::<Vec<Value>>(&event, &validated);
            typed_agrees::<(Value,)>(&event, &validated);
            typed_agrees::<(String, i64)>(&event, &validated);
            typed_agrees::<()>(&event, &validated);
            assert_eq!(event.check().map(Some), validated, "{text:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn well_formed_events_decode_alike(text in event_text()) {
        agrees(&text);
        // A well-formed event with a usable name is never sent down the full path.
        if let Ok(Some(_)) = full(&text) {
            prop_assert!(matches!(deferred(&text), Ok(Some(Decoded::Event(_)))));
        }
    }

    #[test]
    fn edited_events_are_refused_alike(text in mutated()) {
        agrees(&text);
    }
}

#[test]
fn every_malformed_case_of_the_protocol_is_refused_or_found_malformed() {
    for text in [
        "2",
        "2[]",
        "2{}",
        "2\"e\"",
        "2[{}]",
        "2[null]",
        "2[\"connect\"]",
        "2[\"newListener\",1]",
        "2[\"removeListener\"]",
        "2[\"e\",]",
        "2[\"e\",1",
        "2[\"e\"] trailing",
        "2[\"e\",{\"a\":1,}]",
        "2[\"e\",tru]",
        "2[\"e\",\"\u{1}\"]",
        "2x[\"e\"]",
    ] {
        agrees(text);
        assert!(full(text).is_err(), "{text:?}");
        if let Ok(Some(Decoded::Event(e))) = deferred(text) {
            assert!(e
                .deserialize_args::<Vec<Value>>()
                .unwrap_err()
                .is_malformed());
            assert!(e
                .deserialize_args::<serde::de::IgnoredAny>()
                .unwrap_err()
                .is_malformed());
        }
    }
}
