use super::from_str;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// A raw value, compared by its text.
#[derive(Debug, serde::Deserialize)]
struct Raw(Box<RawValue>);

impl PartialEq for Raw {
    fn eq(&self, other: &Raw) -> bool {
        self.0.get() == other.0.get()
    }
}

/// Both accept `json` with the same value, or both refuse it.
fn same<T: DeserializeOwned + PartialEq + Debug>(json: &str) -> bool {
    let ours = from_str::<T>(json);
    let theirs = serde_json::from_str::<T>(json);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{json:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!(
            "{json:?} as {}: ours {ours:?}, serde_json {theirs:?}",
            std::any::type_name::<T>()
        ),
    }
    ours.is_ok()
}

#[test]
fn numbers_are_typed_and_rounded_as_serde_json_does() {
    for n in [
        "0",
        "-0",
        "1",
        "-1",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "1.5",
        "-0.0",
        "1e3",
        "1E+3",
        "1e-3",
        "0.1",
        "123456789012345678901234567890",
        "2.2250738585072014e-308",
        "1e308",
        "1e309",
        "-1e309",
        "1e-400",
        "0e99999999999999",
        "1e99999999999999",
        "1e-99999999999999",
        "9007199254740993",
        "9007199254740993.0",
        "0.30000000000000004",
        "3.4028235e38",
        "3.4028236e38",
        "1e39",
        "1.17549435e-38",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "--1",
        "1.5e3x",
        " 7 ",
        "00",
        "-01",
        "1ee2",
        "4.94065645841246544e-324",
        "2.4703282292062328e-324",
        "340282356779733661637539395458142568448",
        "1.0000000000000000000000000000001",
        "0.000000000000000000000000000000000000000000001e300",
        "18446744073709551615.0",
        // Around the 19 digits accumulated without checks.
        "9999999999999999999",
        "-9999999999999999999",
        "10000000000000000000",
        "-10000000000000000000",
        "99999999999999999999",
        "1234567890123456789.5",
        "123456789012345678.9",
        "12345678901234567.89",
        "0.0000000000000000001",
        "0.00000000000000000001",
        "0.1234567890123456789",
        "9007199254740992.5",
        "9007199254740993e-1",
        "1.0e22",
        "1.0e23",
        "123.456e-20",
        "-3.5",
        "1000000",
        "-0.0e5",
    ] {
        same::<Value>(n);
        same::<f64>(n);
        same::<f32>(n);
        same::<u64>(n);
        same::<i64>(n);
        same::<u8>(n);
        same::<i8>(n);
        same::<i128>(n);
        same::<u128>(n);
        same::<IgnoredAny>(n);
        same::<Raw>(n);
        // Followed by a non-digit up to the input's end: the digit loop without bounds tests.
        for json in [
            format!("{n} "),
            format!("{n}]"),
            format!("[{n}]"),
            format!("[{n},{n}]"),
        ] {
            same::<Value>(&json);
            same::<f64>(&json);
            same::<u64>(&json);
            same::<i64>(&json);
            same::<Vec<f64>>(&json);
            same::<Vec<u64>>(&json);
            same::<Vec<i64>>(&json);
            same::<(f32,)>(&json);
        }
    }
    for n in [
        "170141183460469231731687303715884105727",
        "170141183460469231731687303715884105728",
        "-170141183460469231731687303715884105728",
        "-170141183460469231731687303715884105729",
        "340282366920938463463374607431768211455",
        "340282366920938463463374607431768211456",
        "-0",
        "1.0",
    ] {
        same::<i128>(n);
        same::<u128>(n);
    }
    let v: Value = from_str("-0").unwrap();
    assert!(v.as_f64().unwrap().is_sign_negative());
}

#[test]
fn strings_unescape_and_surrogates_follow_serde_json() {
    for s in [
        r#""plain""#,
        r#""a\"b\\c\/d\b\f\n\r\t""#,
        r#""\u00e9\u20AC""#,
        r#""\ud83d\ude00""#,
        r#""\ud83d""#,
        r#""\ude00""#,
        r#""\ud83dx""#,
        r#""\ud83d\n""#,
        r#""\ud83d\ud83d\ude00""#,
        r#""\ud83d\u0041""#,
        r#""\x""#,
        r#""\u12""#,
        r#""\u12g4""#,
        "\"tab\there\"",
        "\"nl\nx\"",
        r#""unterminated"#,
        r#""esc at end\"#,
        "\"é😀 long enough to take the word path\"",
        r#""\ud83d\"#,
        r#""\ud83d\u"#,
        r#""\""#,
        r#""""#,
    ] {
        same::<String>(s);
        same::<Value>(s);
        same::<IgnoredAny>(s);
        same::<Vec<u8>>(s);
        same::<char>(s);
        same::<Raw>(s);
    }
    assert!(same::<char>(r#""\u00e9""#));
    assert!(!same::<char>(r#""ab""#));
}

#[test]
fn borrowed_strings_point_into_the_input() {
    let json = r#"["abc", "a\nb"]"#;
    let (a, b): (&str, String) = from_str(json).unwrap();
    assert_eq!(a.as_ptr(), json[2..].as_ptr());
    assert_eq!(b, "a\nb");
    assert!(from_str::<(&str,)>(r#"["a\nb"]"#).is_err());
    let raw: &RawValue = from_str(" [1, {\"a\" : 2}] ").unwrap();
    assert_eq!(raw.get(), "[1, {\"a\" : 2}]");
    let (r,): (Box<RawValue>,) = from_str("[ \"x\" ]").unwrap();
    assert_eq!(r.get(), "\"x\"");
}

#[test]
fn nesting_stops_at_serde_json_limit_except_when_skipped() {
    for depth in [126, 127, 128, 129, 500] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(same::<Value>(&arrays), depth <= 127, "{depth}");
        assert!(same::<IgnoredAny>(&arrays));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        assert_eq!(same::<Value>(&objects), depth <= 127, "{depth}");
        same::<Raw>(&objects);
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
enum Tag {
    A,
    B,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Point {
    x: i32,
    y: Option<String>,
}

/// Every key type reads its key and the `:` after it (with or without whitespace, or
/// missing), as serde_json does.
#[test]
fn keys_take_their_colon_whatever_the_key_type() {
    let keys = [
        r#""7""#,
        r#""-1""#,
        r#""true""#,
        r#""A""#,
        r#""x""#,
        r#""y""#,
        r#""a\u00e9\n""#,
        r#""170141183460469231731687303715884105727""#,
        r#""""#,
    ];
    for colon in [":", " :", ": ", "\n:\t", "", " ", ";", "::"] {
        for key in keys {
            for json in [
                format!("{{{key}{colon}1}}"),
                format!("{{{key}{colon}1,{key}{colon}2}}"),
                format!("{{{key}{colon}\"s\" , {key}{colon} null}}"),
                format!("{{{key}{colon}{{{key}{colon}[{key}]}}}}"),
            ] {
                same::<BTreeMap<String, Value>>(&json);
                same::<BTreeMap<u32, Value>>(&json);
                same::<BTreeMap<i64, Value>>(&json);
                same::<BTreeMap<i128, Value>>(&json);
                same::<BTreeMap<u128, Value>>(&json);
                same::<BTreeMap<bool, Value>>(&json);
                same::<BTreeMap<Tag, Value>>(&json);
                same::<BTreeMap<char, Value>>(&json);
                same::<Point>(&json);
                same::<Value>(&json);
                same::<IgnoredAny>(&json);
                same::<Raw>(&json);
                same::<Tag>(&json);
            }
        }
    }
    assert!(same::<BTreeMap<u32, u8>>(r#"{"7" : 1}"#));
    assert!(same::<Point>(r#"{"x":1,"y":"a\"b"}"#));
    assert!(!same::<Point>(r#"{"x":1,"z":2}"#));
}

/// Strings with escapes and numbers at every distance from the end of the input (where the
/// 16-byte piece copy and the 8-digit window fall back to byte-wise code), whole and cut.
#[test]
fn strings_and_numbers_near_the_end_of_the_input() {
    let strings = [
        r#""a\"b""#,
        r#""\n""#,
        r#""0123456789abcdef\n0123456789abcdefg\t""#,
        r#""x\u00e9yz\\é""#,
    ];
    let numbers = [
        "1",
        "12345678",
        "123456789",
        "1234567890123456789",
        "12345678901234567890",
        "-0.000012345678e+12",
        "7.25",
        "-3.123456789",
    ];
    for pad in 0..24 {
        let tail = " ".repeat(pad);
        for s in strings {
            for json in [format!("{s}{tail}"), format!("[{s},{s}]{tail}")] {
                for cut in (0..=json.len()).filter(|&c| json.is_char_boundary(c)) {
                    let text = &json[..cut];
                    same::<String>(text);
                    same::<Vec<String>>(text);
                    same::<Value>(text);
                }
            }
        }
        for n in numbers {
            for json in [format!("{n}{tail}"), format!("[{n},{n}]{tail}")] {
                for cut in 0..=json.len() {
                    let text = &json[..cut];
                    same::<Value>(text);
                    same::<u64>(text);
                    same::<f64>(text);
                    same::<Vec<f64>>(text);
                    same::<Vec<i64>>(text);
                }
            }
        }
    }
}

/// Commas between elements and entries, with and without whitespace, doubled, trailing or
/// missing.
#[test]
fn commas_between_elements_and_entries() {
    for json in [
        "[1,2]",
        "[1 ,2]",
        "[1, 2]",
        "[1,]",
        "[1 ,]",
        "[1, ]",
        "[1,,2]",
        "[,1]",
        "[1 2]",
        "[1,",
        "[1",
        "[\"x\",\"y\"]",
        "[\"x\",]",
        "[[1],[2],]",
        "[{},{}]",
        "[true,false,null]",
        r#"{"x":1,"y":"2"}"#,
        r#"{"x":1 ,"y":"2"}"#,
        r#"{"x":1, "y":"2"}"#,
        r#"{"x":1,}"#,
        r#"{"x":1, }"#,
        r#"{"x":1,,"y":"2"}"#,
        r#"{"x":1,2:3}"#,
        r#"{"x":1 "y":"2"}"#,
        r#"{"x":1,"y""#,
        r#"{"x":1,""#,
        r#"{"x":1,"#,
        r#"[{"x":1,"y":null},{"x":2,"y":"3"}]"#,
    ] {
        same::<Value>(json);
        same::<IgnoredAny>(json);
        same::<Vec<Value>>(json);
        same::<Vec<u8>>(json);
        same::<BTreeMap<String, Value>>(json);
        same::<Point>(json);
        same::<Vec<Point>>(json);
    }
}

/// Strings and keys read without testing their first byte's char boundary (`parse_text`
/// relies on the opening quote before it): an escape, a multi-byte character, a quote or a
/// control byte at every position of a value string and of a key, first or after a comma,
/// with every cut of the input, read as serde_json reads them.
#[test]
fn strings_and_keys_with_anything_at_any_position() {
    let specials = [
        "\\\"",
        "\\n",
        "\\u00e9",
        "\\ud83d\\ude00",
        "é",
        "😀",
        "\"",
        "\u{1}",
        "\\x",
    ];
    for special in specials {
        for at in 0..20 {
            let text = format!("{}{special}{}", "a".repeat(at), "b".repeat(19 - at));
            let docs = [
                format!("\"{text}\""),
                format!("[\"{text}\",\"{text}\"]"),
                format!("{{\"x\":1,\"y\":\"{text}\"}}"),
                format!("{{\"{text}\":\"{text}\",\"{text}\":1}}"),
                format!("{{ \"{text}\" : 1 , \"{text}\":2}}"),
            ];
            for json in &docs {
                for cut in (0..=json.len()).filter(|&c| json.is_char_boundary(c)) {
                    let text = &json[..cut];
                    same::<Value>(text);
                    same::<String>(text);
                    same::<Vec<String>>(text);
                    same::<Point>(text);
                    same::<BTreeMap<String, Value>>(text);
                    same::<BTreeMap<String, String>>(text);
                }
            }
        }
    }
    // Keys that are not a string, first and after a comma, and non-ASCII keys.
    for json in [
        r#"{1:2}"#,
        r#"{"x":1,2:3}"#,
        r#"{"é":1,"😀":"é"}"#,
        r#"{"x":1,"é""#,
        r#"{"x":1,""#,
        r#"{"":1}"#,
        r#"{"x":1,"":2}"#,
    ] {
        same::<Value>(json);
        same::<Point>(json);
        same::<BTreeMap<String, Value>>(json);
    }
}

/// Arrays below the two counted levels get a hint of at most four elements (the capacity a
/// `Vec` takes at its first push), none after whitespace, 0 when empty, and never more than
/// half the bytes left: the values are serde_json's either way.
#[test]
fn inner_arrays_get_a_small_bounded_hint() {
    type Deep = Vec<Vec<Vec<String>>>;
    let capacities = |json: &str| -> Vec<(usize, usize)> {
        let ours: Deep = from_str(json).unwrap();
        assert_eq!(ours, serde_json::from_str::<Deep>(json).unwrap(), "{json}");
        ours[0].iter().map(|v| (v.len(), v.capacity())).collect()
    };
    assert_eq!(
        capacities(r#"[[["a","b","c"],[],["d","e","f","g","h"]]]"#),
        [(3, 4), (0, 0), (5, 8)]
    );
    // Half the bytes left: `"a"]]]` is 6 bytes, so at most 3.
    assert_eq!(capacities(r#"[[["a"]]]"#), [(1, 3)]);
    assert_eq!(capacities(r#"[[[""]]]"#), [(1, 2)]);
    // After whitespace no hint: the `Vec` grows from empty, as without one.
    assert_eq!(capacities(r#"[[[ "a"], [ ]]]"#), [(1, 4), (0, 0)]);
    // Bytes: a `Vec<u8>` grows from 4 to 8 instead of taking 8 at its first push.
    let bytes: Vec<Vec<Vec<u8>>> = from_str("[[[1,2,3,4,5]]]").unwrap();
    assert_eq!(bytes, [[[1, 2, 3, 4, 5]]]);
    assert_eq!(bytes[0][0].capacity(), 8);
    for json in [
        "[[[1,",
        "[[[]",
        "[[[,1]]]",
        "[[[1,]]]",
        "[[[ ]]]",
        "[[[\"a\"]]]   ",
    ] {
        same::<Vec<Vec<Vec<Value>>>>(json);
        same::<Vec<Vec<Vec<u8>>>>(json);
        same::<Value>(json);
    }
}

/// Two escapes (or an escape and a quote, a control byte or a multi-byte character) at every
/// pair of positions up to 23 bytes apart, in one 16-byte window or across two, the pieces
/// between them stored as one block with the escape's byte (`read.rs`, `push_piece`) or
/// copied near the input's end, read as serde_json reads them.
#[test]
fn escapes_in_the_same_window_and_across_windows() {
    let specials = [
        "\\n",
        "\\u00e9",
        "\\ud83d\\ude00",
        "é",
        "\\\"",
        "\u{1}",
        "\"",
    ];
    for first in specials {
        for second in specials {
            for p in 0..34 {
                for gap in 0..24 {
                    let text = format!(
                        "{}{first}{}{second}{}",
                        "a".repeat(p),
                        "b".repeat(gap),
                        "c".repeat(40 - p.min(40))
                    );
                    for tail in ["", "]", "        ]                 "] {
                        let json = format!("[\"{text}\"{tail}");
                        same::<Vec<String>>(&json);
                        same::<Value>(&json);
                    }
                    let json = format!("{{\"{text}\":1}}");
                    same::<BTreeMap<String, u8>>(&json);
                }
            }
        }
    }
}

/// `true` and `false` read with one 4-byte compare where they start right after the last
/// token (`deserialize_bool`), and the general path otherwise: every cut, whitespace,
/// misspellings and other values, in arrays, options and maps, as serde_json reads them.
#[test]
fn booleans_at_any_cut_and_misspelled() {
    let values = [
        "true", "false", "tru", "fals", "falsy", "falsee", "truee", "trUe", "fAlse", "f", "t",
        " true", "\nfalse", "null", "1", "\"true\"", "[true]",
    ];
    for value in values {
        let docs = [
            value.to_owned(),
            format!("[{value}]"),
            format!("[false,{value},true]"),
            format!("[{value} ,{value}]"),
            format!("{{\"a\":{value},\"b\":{value}}}"),
        ];
        for json in &docs {
            for cut in 0..=json.len() {
                let text = &json[..cut];
                same::<bool>(text);
                same::<Option<bool>>(text);
                same::<Vec<bool>>(text);
                same::<Vec<Option<bool>>>(text);
                same::<BTreeMap<String, bool>>(text);
            }
        }
    }
}

/// A string's closing quote at every position of the 16-byte scan window and near the
/// input's end (where the portable scan takes over), alone in its window or followed by a
/// backslash, a control byte or another quote in the same window, as values and as keys,
/// every cut, as serde_json reads them.
#[test]
fn closing_quotes_alone_or_with_other_special_bytes_in_their_window() {
    for len in 0..40 {
        let text = "a".repeat(len);
        for after in ["", ",\"\\n\"", ",\"\"", ",\"\u{1}\"", ",\"x\\\"\"", ",1"] {
            let docs = [
                format!("[\"{text}\"{after}]"),
                format!("{{\"{text}\":\"{text}\"{}}}", after.replace(',', ",\"k\":")),
            ];
            for json in &docs {
                for cut in (0..=json.len()).filter(|&c| json.is_char_boundary(c)) {
                    let text = &json[..cut];
                    same::<Vec<String>>(text);
                    same::<Value>(text);
                    same::<BTreeMap<String, Value>>(text);
                }
            }
        }
    }
}

/// A string target whose visitor has no `visit_string` of its own (serde's default hands
/// `visit_str` the text): read through `deserialize_string` like `String`.
#[derive(Debug, PartialEq)]
struct OnlyStr(String);

impl<'de> serde::Deserialize<'de> for OnlyStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = OnlyStr;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OnlyStr, E> {
                Ok(OnlyStr(v.to_owned()))
            }
        }
        d.deserialize_string(V)
    }
}

/// Every `deserialize_string` target reads `json` as serde_json does.
fn same_owned(json: &str) {
    same::<String>(json);
    same::<OnlyStr>(json);
    same::<Option<String>>(json);
    same::<Box<str>>(json);
    same::<std::path::PathBuf>(json);
    same::<std::borrow::Cow<'static, str>>(json);
}

#[test]
fn owned_strings_of_every_length_escaped_or_not_match_serde_json() {
    let text = "abcdefghijklmnopqrstuvwxyzé0123456789γ!ABCDEFGHIJ";
    for len in 0..=44 {
        let Some(s) = text.get(..len) else { continue };
        let plain = format!("\"{s}\"");
        same_owned(&plain);
        same_owned(&format!(" \n{plain}"));
        same::<Vec<String>>(&format!("[{plain},{plain} , {plain}]"));
        for cut in 0..plain.len() {
            if let Some(head) = plain.get(..cut) {
                same_owned(head);
            }
        }
        for at in (0..=len).filter(|&i| s.is_char_boundary(i)) {
            for escape in [
                r#"\""#,
                r"\\",
                r"\n",
                r"\u00e9",
                r"\ud83d\ude00",
                r"\x",
                "\u{1}",
            ] {
                same_owned(&format!("\"{}{escape}{}\"", &s[..at], &s[at..]));
            }
        }
    }
    for other in ["1", "null", "[]", "{}", "true", "", "\"", "\"abc"] {
        same_owned(other);
    }
}

#[test]
fn every_character_after_a_backslash_as_serde_json() {
    let chars = (0u8..=127).map(char::from).chain(['é', 'γ', '😀']);
    for c in chars {
        let json = format!("\"a\\{c}b\"");
        same::<String>(&json);
        same::<OnlyStr>(&json);
        same::<Value>(&json);
        same::<BTreeMap<String, u8>>(&format!("{{{json}:1}}"));
    }
}
