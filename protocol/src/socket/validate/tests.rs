//! The validator against serde_json and against the previous validator (`previous.rs`).

use super::*;

fn ok(s: &str) -> bool {
    validate(s).is_ok()
}

#[test]
fn accepts_the_grammar() {
    for s in [
        "0",
        "-0",
        "1.5e-3",
        "-12E+7",
        "1e9",
        "true",
        "false",
        "null",
        "\"\"",
        "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
        "\"\\ud800\"",
        " [ 1 , { \"a\" : [ ] , \"b\" : { } } ] ",
        "{}",
        "[]",
        "[[[]]]",
        "\"héllo wörld, a long string over eight bytes\"",
    ] {
        assert!(ok(s), "{s:?}");
    }
}

#[test]
fn rejects_what_serde_json_rejects() {
    for s in [
        "",
        " ",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "+1",
        "tru",
        "nul",
        "[1,]",
        "[,1]",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\":1,}",
        "[1 2]",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"a\u{1}b\"",
        "[1]]",
        "[1] x",
        "{\"a\":1]",
        "[}",
        "NaN",
        "\"\t\"",
    ] {
        assert!(!ok(s), "{s:?}");
        assert!(
            serde_json::from_str::<serde::de::IgnoredAny>(s).is_err(),
            "{s:?}"
        );
    }
}

#[test]
fn depth_limit_matches_serde_json() {
    let at = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(ok(&at(MAX_DEPTH)));
    assert!(serde_json::from_str::<serde_json::Value>(&at(MAX_DEPTH)).is_ok());
    assert!(validate(&at(MAX_DEPTH + 1)).unwrap_err().too_deep);
    assert!(serde_json::from_str::<serde_json::Value>(&at(MAX_DEPTH + 1)).is_err());
    assert!(!ok(&"[".repeat(100_000)));
}

#[test]
fn reports_root_and_first_element() {
    assert_eq!(validate("{}"), Ok(Root::Object));
    assert_eq!(validate(" [ ] "), Ok(Root::Array(None)));
    assert_eq!(
        validate("[\"a\",1]"),
        Ok(Root::Array(Some(First::Str(None))))
    );
    assert_eq!(
        validate("[\"conn\\u0065ct\"]"),
        Ok(Root::Array(Some(First::Str(Some("connect")))))
    );
    assert_eq!(
        validate("[\"disconnecting\"]"),
        Ok(Root::Array(Some(First::Str(Some("disconnecting")))))
    );
    assert_eq!(validate("[-1]"), Ok(Root::Array(Some(First::Number))));
    assert_eq!(validate("[[1],2]"), Ok(Root::Array(Some(First::Other))));
    assert_eq!(validate("[{\"a\":1}]"), Ok(Root::Array(Some(First::Other))));
    assert_eq!(validate("\"s\""), Ok(Root::String));
    assert_eq!(validate("12"), Ok(Root::Other));
}

#[test]
fn split_reports_each_top_level_element() {
    fn split(s: &str) -> Result<Vec<&str>, Invalid> {
        let mut v = Vec::new();
        validate_split(s, &mut v)?;
        Ok(v.iter().map(|&(a, b)| &s[a..b]).collect())
    }
    assert_eq!(split(" [ ] "), Ok(vec![]));
    assert_eq!(
        split("[ \"a,]\" , [1,[2]] ,{\"k\":[3]},-1.5e3,true ]"),
        Ok(vec!["\"a,]\"", "[1,[2]]", "{\"k\":[3]}", "-1.5e3", "true"])
    );
    assert_eq!(split("{\"a\": 1 ,\"b\":[2]}"), Ok(vec!["1", "[2]"]));
    assert!(split("[1,]").is_err());
}

#[test]
fn non_digits_marks_exactly_the_other_bytes() {
    for b in 0..=255u8 {
        for k in 0..8 {
            let mut w = *b"01234567";
            w[k] = b;
            let marks = non_digits(u64::from_le_bytes(w));
            let want = if b.is_ascii_digit() {
                0
            } else {
                0x80 << (8 * k)
            };
            assert_eq!(marks, want, "byte {b:#x} at {k}");
        }
    }
    // Numbers of every length around the eight-byte steps, followed by each delimiter.
    for len in 1..20 {
        let n = "9".repeat(len);
        for end in [",", "]", " ", ".5", "e3"] {
            let json = format!("[{n}{end}]");
            let want = serde_json::from_str::<serde_json::Value>(&json).is_ok();
            assert_eq!(ok(&json), want, "{json}");
        }
        assert!(!ok(&format!("[{n}x]")));
        assert!(!ok(&format!("[0{n}]")));
        assert!(ok(&format!("[-{n}.{n}E-{n}]")));
    }
}

#[test]
fn strings_are_checked_at_every_position_of_the_scan() {
    // Around the scan's 16-byte steps and its last bytes: each special byte at each
    // position of strings up to 40 bytes, after multi-byte characters.
    for len in 0..40 {
        for k in 0..len {
            let with = |special: &str| {
                let mut s = String::from("[\"");
                for j in 0..len {
                    s.push_str(if j == k {
                        special
                    } else if j % 7 == 3 {
                        "é"
                    } else {
                        "a"
                    });
                }
                s.push_str("\",1]");
                s
            };
            assert!(ok(&with("\\n")), "{}", with("\\n"));
            assert!(ok(&with("\\u00e9")), "{}", with("\\u00e9"));
            assert!(ok(&with("\\\\")), "{}", with("\\\\"));
            assert!(!ok(&with("\u{1f}")), "{:?}", with("\u{1f}"));
            assert!(!ok(&with("\\x")), "{}", with("\\x"));
            assert!(!ok(&with("\\u00g0")), "{}", with("\\u00g0"));
            // A quote inside ends the string early: what follows is not JSON.
            assert!(!ok(&with("\"")), "{}", with("\""));
        }
    }
    // Unterminated, at every length.
    for len in 0..40 {
        assert!(!ok(&format!("[\"{}", "a".repeat(len))));
    }
}

fn token() -> impl proptest::strategy::Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"a\"",
        "\"\\u00e9\\n\"",
        "\"é😀\"",
        "1",
        "-0.5e3",
        "0",
        "true",
        "false",
        "null",
        " ",
        "\"",
        "\\",
        "01",
        "1.",
        "-",
        "é",
        "\t",
        "\u{1}",
        "\"\\ud800\"",
        "\"\\u12\"",
        "e5",
        ".",
    ])
}

proptest::proptest! {
    #[test]
    fn agrees_with_serde_json(tokens in proptest::collection::vec(token(), 0..40)) {
        let s: String = tokens.concat();
        let mine = validate(&s).is_ok();
        if serde_json::from_str::<serde_json::Value>(&s).is_ok() {
            proptest::prop_assert!(mine, "serde_json parses {:?}", s);
        }
        if mine {
            proptest::prop_assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(&s).is_ok(),
                "serde_json refuses {:?}", s
            );
        }
    }

    #[test]
    fn resuming_after_a_string_name_agrees_with_the_whole_pass(
        ws in "[ \t\n]{0,2}",
        tokens in proptest::collection::vec(token(), 0..30),
    ) {
        // `[`, a plain non-reserved name, then anything.
        let s = format!("{ws}[{ws}\"chat\"{}", tokens.concat());
        let after_name = s.find("\"chat\"").unwrap() + "\"chat\"".len();
        let whole = validate(&s).map(|root| {
            assert_eq!(root, Root::Array(Some(First::Str(None))));
        });
        proptest::prop_assert_eq!(validate_after_first(&s, after_name), whole, "{:?}", s);
    }
}

#[test]
fn resuming_after_the_name_reports_the_same_errors() {
    for s in [
        r#"["a"]"#,
        r#"["a" , 1, {"b":[true,null]}] "#,
        r#"["a",]"#,
        r#"["a",1,]"#,
        r#"["a" 1]"#,
        r#"["a","#,
        r#"["a"]]"#,
        r#"["a"}"#,
        r#"["a"] x"#,
    ] {
        let after_name = s.find(r#""a""#).unwrap() + 3;
        assert_eq!(
            validate_after_first(s, after_name),
            validate(s).map(|_| ()),
            "{s}"
        );
    }
    let deep = format!(
        r#"["a",{}{}]"#,
        "[".repeat(MAX_DEPTH),
        "]".repeat(MAX_DEPTH)
    );
    let err = validate_after_first(&deep, 4).unwrap_err();
    assert!(err.too_deep);
    assert_eq!(Err(err), validate(&deep).map(|_| ()));
}

/// The current validator and the previous one (`previous.rs`) give the same result on `s`:
/// the root or the error (position and kind), the top-level elements, and the same from every
/// resume point.
fn same_as_before(s: &str) {
    let (mut now, mut then) = (Vec::new(), Vec::new());
    let mine = validate_split(s, &mut now);
    let old = super::previous::validate_split(s, &mut then);
    assert_eq!(mine, old, "{s:?}");
    if old.is_ok() {
        assert_eq!(now, then, "{s:?}");
    }
    assert_eq!(validate(s), old, "{s:?}");
    for at in 0..=s.len() {
        assert_eq!(
            validate_after_first(s, at),
            super::previous::validate_after_first(s, at),
            "{s:?} from {at}"
        );
    }
}

/// Records shaped like the codec bench's (keys with their colons, `,"` between entries,
/// escapes, numbers, literals, a nested array), with and without whitespace.
fn records() -> Vec<String> {
    let compact = r#"["chat",[{"id":1000000,"name":"user-0 \"quoted\" é","tags":["alpha","t0","γ"],"score":-3.5,"active":true,"note":"line\nbreak"},{"id":1007919,"name":"user-1","tags":[],"score":0.0,"active":false,"note":null}],{"a":{"b":[{}]}}]"#;
    let spaced = compact
        .replace("\":", "\" : ")
        .replace(",\"", ", \"")
        .replace('[', "[\n\t")
        .replace('}', "\r\n}");
    vec![compact.to_owned(), spaced]
}

#[test]
fn every_prefix_and_byte_edit_agrees_with_the_previous_validator() {
    for json in records() {
        same_as_before(&json);
        // The end of the input at every position.
        for end in 0..=json.len() {
            if json.is_char_boundary(end) {
                same_as_before(&json[..end]);
            }
        }
        // Each byte (ASCII ones, so the edit stays UTF-8) replaced by each byte the fast paths
        // test for, and by bytes they must refuse.
        for (k, c) in json.char_indices() {
            if !c.is_ascii() {
                continue;
            }
            for with in [
                "\"", "\\", ":", ",", " ", "\n", "\u{0}", "\u{1f}", "}", "]", "{", "[", "0", "a",
                "\":", ",\"", "",
            ] {
                let mut edited = json.clone();
                edited.replace_range(k..k + 1, with);
                same_as_before(&edited);
            }
        }
    }
}

#[test]
fn keys_and_strings_of_every_length_agree_with_the_previous_validator() {
    // A key or string of each length around the 16-byte window, its closing quote followed
    // by the colon, by whitespace, by another special byte in the same window, or by the end.
    for len in 0..40 {
        let text: String = (0..len)
            .map(|j| if j % 5 == 4 { 'é' } else { 'k' })
            .collect();
        for after in [
            ":1}",
            " : 1}",
            "\n:1}",
            ":\"\\n\"}",
            ":\"\u{1}\"}",
            "\u{1}:1}",
            "\\:1}",
            ",\"b\":2}",
            "",
            ":",
            ":1",
            ":1,",
            ":1,\"",
        ] {
            same_as_before(&format!("{{\"{text}\"{after}"));
            same_as_before(&format!("[\"e\",{{\"{text}\"{after}]"));
            same_as_before(&format!("[\"{text}\"{after}"));
            same_as_before(&format!("[\"e\",\"{text}\"{after}"));
        }
    }
}

#[test]
fn nesting_at_every_depth_agrees_with_the_previous_validator() {
    for depth in [1, 2, 3, 63, 64, 65, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
        for (open, close, inner) in [
            ("[", "]", "1"),
            ("{\"k\":", "}", "\"v\""),
            ("[{\"k\":", "}]", "[]"),
        ] {
            let s = format!("{}{inner}{}", open.repeat(depth), close.repeat(depth));
            same_as_before(&s);
            same_as_before(&format!("[\"e\",{s}]"));
            same_as_before(&format!("{}{inner}", open.repeat(depth)));
            same_as_before(&format!("{s}{close}"));
            same_as_before(&format!("[\"e\",{},{s} ]", s.replace(':', " : ")));
        }
    }
}

fn edit_token() -> impl proptest::strategy::Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\":",
        ",\"",
        "\"a\"",
        "\"k\":",
        ",\"k\":",
        "\"\\\"q\\\"\"",
        "\"\\u00e9\\n\"",
        "\"é😀\"",
        "\"0123456789abcdef\"",
        "1",
        "-0.5e3",
        "0",
        "12345678901",
        "true",
        "false",
        "null",
        " ",
        "\n",
        "\r\n\t",
        "\"",
        "\\",
        "01",
        "1.",
        "-",
        "é",
        "\t",
        "\u{0}",
        "\u{1}",
        "\"\\ud800\"",
        "\"\\u12\"",
        "e5",
        ".",
    ])
}

proptest::proptest! {
    #[test]
    fn agrees_with_the_previous_validator(
        tokens in proptest::collection::vec(edit_token(), 0..40),
    ) {
        same_as_before(&tokens.concat());
        same_as_before(&format!("[\"chat\",{}", tokens.concat()));
        same_as_before(&format!("{{\"k\":{}", tokens.concat()));
    }
}

#[test]
fn block_marks_agree_with_the_portable_ones() {
    // Each byte value at each position of a block, over a background of each kind.
    for background in [b'a', b'"', b'\\', 0x1f, 0x20, 0x80, 0xff] {
        for k in 0..64 {
            for c in 0..=255u8 {
                let mut block = [background; 64];
                block[k] = c;
                assert_eq!(
                    blocks::marks(&block),
                    blocks::marks_portable(&block),
                    "{c:#x} at {k} in {background:#x}"
                );
            }
        }
    }
}

/// A record-shaped prefix of `pad` bytes, then `piece`, then more records: `piece` lands at
/// every offset of a 64-byte block as `pad` goes.
fn at_offset(pad: usize, piece: &str) -> String {
    let mut s = String::from("[\"e\",");
    s.push_str(&format!("\"{}\",", "p".repeat(pad)));
    s.push_str(piece);
    s.push_str(r#",{"k":"v","n":1},"after""#);
    s.push(']');
    s
}

#[test]
fn strings_straddling_block_boundaries_agree_with_the_previous_validator() {
    // Strings, escapes, backslash runs and quotes cut by a block boundary at every position,
    // and strings long enough to span whole blocks.
    let pieces = [
        "\"abc\"".to_owned(),
        "\"\"".to_owned(),
        "\"a\\\"b\"".to_owned(),
        "\"\\\\\"".to_owned(),
        "\"\\\\\\\"\"".to_owned(),
        format!("\"{}\"", "\\\\".repeat(40)),
        format!("\"{}\\\"\"", "\\\\".repeat(40)),
        format!("\"{}\"", "\\\\".repeat(40) + "\\"),
        "\"\\u00e9\\n\"".to_owned(),
        "\"\\u00g9\"".to_owned(),
        "\"\\u00\"".to_owned(),
        "\"\\x\"".to_owned(),
        "\"a\u{1}b\"".to_owned(),
        "\"a\tb\"".to_owned(),
        "\"é😀γ\"".to_owned(),
        format!("\"{}\"", "x".repeat(150)),
        format!("\"{}\\n{}\"", "x".repeat(70), "y".repeat(70)),
        format!("{{\"{}\":\"{}\"}}", "k".repeat(63), "v".repeat(64)),
        "{\"a\":\"b\",\"c\":\"d\"}".to_owned(),
        "\"unterminated".to_owned(),
        "\"ends in a backslash\\".to_owned(),
    ];
    for piece in &pieces {
        for pad in 0..130 {
            let s = at_offset(pad, piece);
            same_as_before(&s);
            // The input ending inside or right after the piece.
            let cut = s.len() - r#",{"k":"v","n":1},"after"]"#.len();
            for end in cut.saturating_sub(3)..=cut {
                if s.is_char_boundary(end) {
                    same_as_before(&s[..end]);
                }
            }
        }
    }
}

#[test]
fn long_records_agree_with_the_previous_validator_at_every_edit() {
    // The bench-shaped records repeated past several blocks, each byte of the second copy
    // replaced by each special byte (so every block offset sees a quote, a backslash, a
    // control byte).
    let one = &records()[0];
    let inner = &one[1..one.len() - 1];
    let json = format!("[{inner},{inner},{inner}]");
    same_as_before(&json);
    let from = inner.len();
    for (k, c) in json.char_indices().skip_while(|&(k, _)| k < from) {
        if k > 2 * from + 4 {
            break;
        }
        if !c.is_ascii() {
            continue;
        }
        for with in ["\"", "\\", "\u{1}", "\\\\", "\\\"", "a"] {
            let mut edited = json.clone();
            edited.replace_range(k..k + 1, with);
            same_as_before(&edited);
        }
    }
}

proptest::proptest! {
    #[test]
    fn block_marks_agree_on_any_bytes(bytes in proptest::collection::vec(
        proptest::sample::select(vec![b'a', b'"', b'\\', 0x00, 0x1f, b' ', 0x7f, 0x80, 0xff]),
        64,
    )) {
        let block: [u8; 64] = bytes.try_into().unwrap();
        proptest::prop_assert_eq!(blocks::marks(&block), blocks::marks_portable(&block));
    }

    #[test]
    fn long_inputs_agree_with_the_previous_validator(
        tokens in proptest::collection::vec(edit_token(), 0..120),
        pad in 0usize..64,
    ) {
        // Past one block, with strings cut anywhere by the boundaries.
        let s = format!("[\"chat\",\"{}\",{}", "p".repeat(pad), tokens.concat());
        same_as_before(&s);
    }
}
