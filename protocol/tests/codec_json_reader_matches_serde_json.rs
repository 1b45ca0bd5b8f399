//! Volley's JSON reader (`volley_protocol::json::from_str`) agrees with `serde_json::from_str`
//! on arbitrary JSON text, valid and edited into invalid, for many target types: both give the
//! same value, or both refuse.

mod json_edits;
mod serde_forms;

use proptest::prelude::*;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_forms::Bytes;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use volley_protocol::json;

#[derive(Deserialize, Debug, PartialEq)]
struct Item {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
    active: bool,
    note: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
enum Kind {
    A,
    B(u8),
    C(String, i32),
    D { x: Option<bool> },
}

#[derive(Deserialize, Debug, PartialEq)]
struct Wrapper(i16);

#[derive(Deserialize, Debug, PartialEq)]
struct Unit;

/// A raw value, compared by its text.
#[derive(Deserialize, Debug)]
struct Raw(Box<RawValue>);

impl PartialEq for Raw {
    fn eq(&self, other: &Raw) -> bool {
        self.0.get() == other.0.get()
    }
}

/// A borrowed raw value inside a struct, compared by its text.
#[derive(Deserialize, Debug)]
struct RawRef<'a> {
    #[serde(borrow)]
    v: &'a RawValue,
}

/// `text` as `T`: the same value from both, or an error from both.
fn same<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> Result<(), TestCaseError> {
    let ours = json::from_str::<T>(text);
    let theirs = serde_json::from_str::<T>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{:?} as {}", text, std::any::type_name::<T>()),
        (Err(_), Err(_)) => {}
        _ => prop_assert!(
            false,
            "{:?} as {}: ours {:?}, serde_json {:?}",
            text,
            std::any::type_name::<T>(),
            ours,
            theirs
        ),
    }
    Ok(())
}

/// The element count behind the reader's `SeqAccess::size_hint`: a `Vec` read from one of
/// the two outer levels of arrays, with at most 2 KiB of input left where it starts, gets
/// exactly its length as capacity (no regrowth, no slack); deeper or longer ones grow as
/// usual. The values are checked against serde_json by [`all_agree`].
fn exact_capacity(text: &str) -> Result<(), TestCaseError> {
    let short = |at: usize| text.len() - at <= 2048;
    let first_bracket = text.find('[').unwrap_or(0);
    if let Ok(v) = json::from_str::<Vec<Value>>(text) {
        if short(first_bracket) {
            prop_assert_eq!(v.capacity(), v.len(), "{:?}", text);
        }
    }
    if let Ok(v) = json::from_str::<Vec<Vec<Value>>>(text) {
        if short(first_bracket) {
            prop_assert_eq!(v.capacity(), v.len(), "{:?}", text);
            for inner in &v {
                prop_assert_eq!(inner.capacity(), inner.len(), "{:?}", text);
            }
        }
    }
    if let Ok(v) = json::from_str::<(String, Vec<Item>)>(text) {
        prop_assert!(
            v.1.capacity() == v.1.len() || !short(first_bracket),
            "{:?}",
            text
        );
    }
    Ok(())
}

/// The estimate behind `SeqAccess::size_hint` for arrays of the two outer levels with more
/// than 2 KiB left (`Seq::count`): for records of one size, at least their number (the `Vec`
/// never regrows) and at most one more per 2 KiB of input; exact below that.
fn estimated_capacity(text: &str) -> Result<(), TestCaseError> {
    let slack = text.len() / 2048 + 1;
    let records = match json::from_str::<Vec<Item>>(text) {
        Ok(v) => Some((v.capacity(), v.len())),
        Err(_) => json::from_str::<(String, Vec<Item>)>(text)
            .ok()
            .map(|v| (v.1.capacity(), v.1.len())),
    };
    if let Some((capacity, len)) = records {
        if text.len() <= 2048 {
            prop_assert_eq!(capacity, len, "{:?}", text);
        }
        prop_assert!(capacity >= len, "{} < {}: {:?}", capacity, len, text);
        prop_assert!(
            capacity <= len + slack,
            "{} > {} + {}",
            capacity,
            len,
            slack
        );
    }
    Ok(())
}

/// Every target type on `text`.
fn all_agree(text: &str) -> Result<(), TestCaseError> {
    same::<Value>(text)?;
    same::<IgnoredAny>(text)?;
    same::<Raw>(text)?;
    same::<Item>(text)?;
    same::<Vec<Item>>(text)?;
    same::<(Value,)>(text)?;
    same::<(String, i64)>(text)?;
    same::<(String, u32, Option<f64>)>(text)?;
    same::<Vec<Value>>(text)?;
    same::<Option<Value>>(text)?;
    same::<Option<u8>>(text)?;
    same::<Kind>(text)?;
    same::<Vec<Kind>>(text)?;
    same::<(u8, u16, u32, u64)>(text)?;
    same::<(i8, i16, i32, i64)>(text)?;
    same::<u8>(text)?;
    same::<i8>(text)?;
    same::<u32>(text)?;
    same::<i32>(text)?;
    same::<u64>(text)?;
    same::<i64>(text)?;
    same::<i128>(text)?;
    same::<u128>(text)?;
    same::<Vec<i128>>(text)?;
    same::<Vec<u128>>(text)?;
    same::<f32>(text)?;
    same::<f64>(text)?;
    same::<Vec<f32>>(text)?;
    same::<Vec<f64>>(text)?;
    same::<String>(text)?;
    same::<Vec<String>>(text)?;
    same::<char>(text)?;
    same::<Vec<char>>(text)?;
    same::<bool>(text)?;
    same::<()>(text)?;
    same::<Unit>(text)?;
    same::<Wrapper>(text)?;
    same::<Vec<u8>>(text)?;
    same::<Bytes>(text)?;
    same::<Vec<Bytes>>(text)?;
    same::<BTreeMap<String, Value>>(text)?;
    same::<HashMap<u32, Value>>(text)?;
    same::<BTreeMap<i64, IgnoredAny>>(text)?;
    if text.is_ascii() {
        // serde_json 1.0.154 reads a `bool` key starting with a multi-byte character from
        // the middle of that character (and panics formatting the error).
        same::<BTreeMap<bool, Value>>(text)?;
    }
    same::<BTreeMap<Kind, u8>>(text)?;
    same::<BTreeMap<Bytes, u8>>(text)?;
    same::<Vec<Raw>>(text)?;
    // Borrowed targets.
    let ours = json::from_str::<&str>(text);
    let theirs = serde_json::from_str::<&str>(text);
    prop_assert_eq!(ours.ok(), theirs.ok(), "{:?} as &str", text);
    let ours = json::from_str::<RawRef<'_>>(text).map(|r| r.v.get());
    let theirs = serde_json::from_str::<RawRef<'_>>(text).map(|r| r.v.get());
    prop_assert_eq!(ours.ok(), theirs.ok(), "{:?} as RawRef", text);
    Ok(())
}

impl Eq for Kind {}
impl PartialOrd for Kind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Kind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        format!("{self:?}").cmp(&format!("{other:?}"))
    }
}

fn ws() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "", "", " ", "\n", " \t\r\n "])
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (0u8..=255).prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        any::<f32>().prop_map(|f| format!("{f:e}")),
        "-?(0|[1-9][0-9]{0,40})(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?",
        prop::sample::select(vec![
            "-0",
            "0",
            "-0.0",
            "1e400",
            "-1e400",
            "1e-400",
            "18446744073709551616",
            "-9223372036854775809",
            "-9223372036854775808",
            "9007199254740993",
            "340282366920938463463374607431768211456",
            "170141183460469231731687303715884105728",
            "3.4028236e38",
            "1e39",
            "00",
            "01",
            "1.",
            ".1",
            "-",
            "1e",
            "+1",
        ])
        .prop_map(String::from),
    ]
}

/// Numbers around the 19 digits the reader accumulates without overflow checks: integer
/// parts and fractions of up to 22 digits (leading zeros of fractions included), with and
/// without an exponent.
fn long_number_text() -> impl Strategy<Value = String> {
    (
        "-?",
        "0|[1-9][0-9]{0,21}",
        prop::option::of("[0-9]{1,22}"),
        prop::option::of("[eE][+-]?[0-9]{1,3}"),
    )
        .prop_map(|(sign, int, fraction, exp)| {
            let fraction = fraction.map_or(String::new(), |f| format!(".{f}"));
            format!("{sign}{int}{fraction}{}", exp.unwrap_or_default())
        })
}

/// Strings made mostly of escapes, next to each other and at the ends, with multi-byte
/// characters between them (the unescaped text is built without re-validation).
fn escaped_string_text() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "\\n",
        "\\\"",
        "\\\\",
        "\\/",
        "\\b",
        "\\f",
        "\\r",
        "\\t",
        "\\u00e9",
        "\\u20ac",
        "\\ud83d\\ude00",
        "\\ud83d",
        "\\u0041",
        "\\q",
        "\\u12g4",
        "é",
        "γ",
        "😀",
        "a",
        "\u{1}",
        "\\",
    ]);
    prop::collection::vec(piece, 0..12).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn string_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9 ]{0,12}",
        2 => prop::sample::select(vec![
            "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t", "\\u00e9", "\\u20AC",
            "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\ud83d\\n", "\\uD800\\uD800", "\\u0000",
            "é", "😀", "γ", "\t", "\u{1}", "\\x", "\\u12", "A", "B", "C", "D", "x", "id", "name",
            "true", "false", "12", "-3", "1.5",
        ])
        .prop_map(String::from),
        1 => any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap().trim_matches('"').to_owned()),
        1 => "[a-z\\\\\"é]{10,40}",
    ];
    prop::collection::vec(piece, 0..4).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn key_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "id", "name", "tags", "score", "active", "note", "A", "B", "C", "D", "x", "1", "-2",
            "007", "1.5", "true", "false", "9999999999", "$serde_json::private::RawValue",
        ])
        .prop_map(|k| format!("\"{k}\"")),
        1 => string_text(),
    ]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::sample::select(vec!["null", "true", "false"]).prop_map(String::from),
        3 => number_text(),
        3 => string_text(),
    ]
}

/// JSON text with optional whitespace between tokens; keys are often struct fields or
/// variant names, arrays and objects nest a few levels.
fn json_text() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 40, 7, |inner| {
        prop_oneof![
            prop::collection::vec((ws(), inner.clone(), ws()), 0..7).prop_map(|items| {
                let parts: Vec<String> = items
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}{v}{b}"))
                    .collect();
                format!("[{}]", parts.join(","))
            }),
            prop::collection::vec((ws(), key_text(), ws(), inner, ws()), 0..7).prop_map(
                |entries| {
                    let parts: Vec<String> = entries
                        .into_iter()
                        .map(|(a, k, b, v, c)| format!("{a}{k}{b}:{v}{c}"))
                        .collect();
                    format!("{{{}}}", parts.join(","))
                }
            ),
        ]
    })
}

/// A JSON text with one edit: a character removed, a token inserted, or the end cut off.
fn edited() -> impl Strategy<Value = String> {
    json_edits::edited(
        json_text(),
        vec![
            "[", "]", "{", "}", ",", ":", "\"", "\\", "0", "-", ".", "e", "\u{1}", " ", "n",
        ],
    )
}

/// An `Item` as an object (fields in any order, some missing, unknown ones) or an array.
fn item_text() -> impl Strategy<Value = String> {
    let field =
        |k: &'static str, v: BoxedStrategy<String>| v.prop_map(move |v| format!("\"{k}\":{v}"));
    let tags =
        || prop::collection::vec(string_text(), 0..4).prop_map(|t| format!("[{}]", t.join(",")));
    (
        prop::collection::vec(
            prop_oneof![
                field("id", number_text().boxed()),
                field("name", string_text().boxed()),
                field("tags", tags().boxed()),
                field("score", number_text().boxed()),
                field(
                    "active",
                    prop::sample::select(vec!["true", "false", "1"])
                        .prop_map(String::from)
                        .boxed()
                ),
                field(
                    "note",
                    prop_oneof![Just("null".to_owned()), string_text()].boxed()
                ),
                field("extra", json_text().boxed()),
            ],
            4..9,
        ),
        any::<bool>(),
        (any::<u64>(), string_text(), tags(), number_text()),
    )
        .prop_map(|(fields, as_array, (id, name, tags, score))| {
            if as_array {
                format!("[{id},{name},{tags},{score},true,null]")
            } else {
                format!("{{{}}}", fields.join(","))
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn generated_json_reads_the_same(text in json_text()) {
        all_agree(&text)?;
        all_agree(&format!("[{text}, {text}]"))?;
        exact_capacity(&text)?;
        exact_capacity(&format!(" [{text} , {text}]"))?;
    }

    #[test]
    fn edited_json_reads_the_same(text in edited()) {
        all_agree(&text)?;
    }

    #[test]
    fn items_read_the_same(items in prop::collection::vec(item_text(), 1..4), ws in ws()) {
        let text = format!("{ws}[{}]{ws}", items.join(","));
        all_agree(&text)?;
        all_agree(&items[0])?;
        exact_capacity(&format!("[\"message\",{text}]"))?;
    }

    #[test]
    fn long_arrays_get_an_estimated_capacity(item in item_text(), copies in 1usize..400) {
        let items = vec![item; copies].join(",");
        for text in [format!("[{items}]"), format!("[\"message\",[{items}]]")] {
            all_agree(&text)?;
            estimated_capacity(&text)?;
        }
    }

    #[test]
    fn long_numbers_read_the_same(text in long_number_text()) {
        all_agree(&text)?;
        all_agree(&format!("[{text},{text}]"))?;
        all_agree(&format!("{{\"id\":{text},\"score\":{text}}}"))?;
    }

    #[test]
    fn escaped_strings_read_the_same(text in escaped_string_text()) {
        all_agree(&text)?;
        all_agree(&format!("[{text},{text}]"))?;
        all_agree(&format!("{{{text}:{text}}}"))?;
    }

    #[test]
    fn leaves_read_the_same(text in leaf(), ws in ws()) {
        all_agree(&text)?;
        all_agree(&format!("{ws}{text}{ws}"))?;
        all_agree(&format!("[{text}]"))?;
        all_agree(&format!("{{\"B\":{text}}}"))?;
        all_agree(&format!("{{{text}:1}}"))?;
    }
}

#[test]
fn nesting_limit_and_unlimited_skipping_match() {
    for depth in [126, 127, 128, 129, 1000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        all_agree(&arrays).unwrap();
        all_agree(&format!("[{arrays}]")).unwrap();
        let objects = format!("{}null{}", "{\"note\":".repeat(depth), "}".repeat(depth));
        all_agree(&objects).unwrap();
        // Skipped as an unknown field of a struct: no limit.
        let item = format!(
            "{{\"id\":1,\"x\":{arrays},\"name\":\"n\",\"tags\":[],\"score\":1,\"active\":true,\"note\":null}}"
        );
        all_agree(&item).unwrap();
        assert!(json::from_str::<Item>(&item).is_ok(), "{depth}");
    }
    let enums = format!("{}1{}", "{\"B\":".repeat(200), "}".repeat(200));
    all_agree(&enums).unwrap();
}

/// A long array whose first 2 KiB are denser than the rest gets an estimate above its length,
/// but never more than one element per byte of input (nor more than serde's 1 MiB cap).
#[test]
fn estimate_is_bounded_by_the_input() {
    let text = format!("[{}1{}]", "1,".repeat(1024), " ".repeat(60_000));
    let ours: Vec<u8> = json::from_str(&text).unwrap();
    assert_eq!(ours, serde_json::from_str::<Vec<u8>>(&text).unwrap());
    assert!(ours.capacity() > ours.len());
    assert!(ours.capacity() <= text.len(), "{}", ours.capacity());
    // Ending within the sample: exact, however long the input after it.
    let text = format!("[[1,2,3],[4]]{}", " ".repeat(60_000));
    let ours: Vec<Vec<u8>> = json::from_str(&text).unwrap();
    assert_eq!(ours, [vec![1, 2, 3], vec![4]]);
    assert_eq!((ours.capacity(), ours[0].capacity()), (2, 3));
}
