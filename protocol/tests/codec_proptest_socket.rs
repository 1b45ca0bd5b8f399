//! Properties of the Socket.IO codec: encode→decode round trips for arbitrary packets and
//! arguments (binary at any depth, unicode, JSON escapes, extreme numbers, many arguments),
//! and no input makes the decoder panic.

use bytes::Bytes;
use proptest::prelude::*;
use std::fmt::Write as _;
use volley_protocol::socket::{
    values_to_ack, values_to_event, Decoder, Encoded, Packet, PacketType, Value,
};
use volley_protocol::Str;

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(u64::MAX), Just(0)].prop_map(Value::from),
        Just(Value::from(i64::MIN)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{0,8}",
        any::<String>(),
        Just("\"\\/\u{0}\u{1f}\u{2028}é😀".to_owned()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|b| Value::Binary(b.into())),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((text(), inner), 0..8).prop_map(Value::Object),
        ]
    })
}

/// Writes `v` as JSON the way a foreign peer might: characters optionally escaped as
/// `\uXXXX`, whitespace between tokens. Binary values become placeholders numbered in order.
fn render(
    v: &Value,
    escape: &mut impl Iterator<Item = bool>,
    out: &mut String,
    att: &mut Vec<Bytes>,
) {
    let sp = |out: &mut String, e: &mut dyn Iterator<Item = bool>| {
        if e.next().unwrap_or(false) {
            out.push(' ');
        }
    };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&serde_json::to_string(n).unwrap()),
        Value::String(s) => render_str(s, escape, out),
        Value::Binary(b) => {
            write!(out, "{{\"_placeholder\":true,\"num\":{}}}", att.len()).unwrap();
            att.push(b.clone());
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                sp(out, escape);
                render(item, escape, out, att);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_str(k, escape, out);
                sp(out, escape);
                out.push(':');
                render(item, escape, out, att);
            }
            out.push('}');
        }
    }
}

fn render_str(s: &str, escape: &mut impl Iterator<Item = bool>, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if escape.next().unwrap_or(false) || c < ' ' {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(out, "\\u{u:04X}").unwrap();
            }
        } else if c == '"' || c == '\\' {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out.push('"');
}

fn feed(d: &mut Decoder, enc: &Encoded) -> Option<Packet> {
    let mut out = d.decode_text(enc.text.clone()).expect("text decodes");
    for a in &enc.attachments {
        assert!(out.is_none(), "packet completed before its attachments");
        out = d.decode_binary(a.clone()).expect("attachment decodes");
    }
    out
}

fn nsp() -> impl Strategy<Value = Str> {
    prop_oneof![
        Just(Str::from("/")),
        "/[a-zA-Z0-9_é-]{0,10}".prop_map(Str::from)
    ]
}

fn event_name() -> impl Strategy<Value = String> {
    text().prop_filter("not reserved", |n| {
        !volley_protocol::socket::is_reserved_event(n)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn events_and_acks_round_trip(
        name in event_name(),
        args in proptest::collection::vec(value(), 0..6),
        nsp in nsp(),
        id in proptest::option::of(any::<u64>()),
        is_ack in any::<bool>(),
        escapes in proptest::collection::vec(any::<bool>(), 1..64),
    ) {
        // From our own writer…
        let raw = if is_ack { values_to_ack(&args) } else { values_to_event(&name, &args) };
        let packet = if is_ack {
            Packet::ack(nsp.clone(), id.unwrap_or(0), raw.json.clone(), raw.attachments.clone())
        } else {
            let p = Packet::event(nsp.clone(), raw.json.clone(), raw.attachments.clone());
            match id { Some(id) => p.with_id(id), None => p }
        };
        let mut d = Decoder::new();
        let back = feed(&mut d, &packet.encode()).expect("complete packet");
        prop_assert_eq!(&back, &packet);
        let parsed = back.args().unwrap().unwrap();
        prop_assert_eq!(parsed.values().unwrap(), args.clone());
        if !is_ack {
            prop_assert_eq!(parsed.name(), Some(name.as_str()));
        }

        // …through serde (the JSON serializer's attachment mode), as one array argument…
        let via_serde = volley_protocol::socket::to_event(&name, &args).unwrap();
        let p = Packet::event(Str::from("/"), via_serde.json, via_serde.attachments);
        let back = feed(&mut d, &p.encode()).expect("complete packet");
        let one = back.args().unwrap().unwrap();
        prop_assert_eq!(one.len(), 1);
        prop_assert_eq!(one.value(0).unwrap().unwrap(), Value::Array(args.clone()));
        let typed: Vec<Value> = one.get(0).unwrap();
        prop_assert_eq!(&typed, &args);

        // …and from a foreign writer with escapes and whitespace.
        let mut text = String::from("[");
        let mut att = Vec::new();
        let mut esc = escapes.iter().copied().cycle();
        if !is_ack {
            render_str(&name, &mut esc, &mut text);
        }
        for (i, a) in args.iter().enumerate() {
            if i > 0 || !is_ack {
                text.push(',');
            }
            render(a, &mut esc, &mut text, &mut att);
        }
        text.push(']');
        let foreign = Packet {
            kind: match (is_ack, att.is_empty()) {
                (false, true) => PacketType::Event,
                (false, false) => PacketType::BinaryEvent,
                (true, true) => PacketType::Ack,
                (true, false) => PacketType::BinaryAck,
            },
            nsp,
            id: if is_ack { Some(id.unwrap_or(0)) } else { id },
            data: Some(Str::from(text)),
            attachments: att,
        };
        let back = feed(&mut d, &foreign.encode()).expect("complete packet");
        prop_assert_eq!(&back, &foreign);
        let parsed = back.args().unwrap().unwrap();
        prop_assert_eq!(parsed.values().unwrap(), args.clone());
        // One pass, placeholders rebuilt on the way (no `Value` tree of the packet first).
        let typed: Vec<Value> = parsed.deserialize().unwrap();
        prop_assert_eq!(&typed, &args);
        let typed: Vec<Value> = back.deserialize_args().unwrap();
        prop_assert_eq!(typed, args);
        if !is_ack {
            prop_assert_eq!(parsed.name(), Some(name.as_str()));
        }
    }

    #[test]
    fn connect_disconnect_and_connect_error_round_trip(
        nsp in nsp(),
        auth in proptest::option::of(proptest::collection::vec((text(), leaf()), 0..4)),
        message in text(),
        kind in 0u8..3,
    ) {
        let packet = match kind {
            0 => {
                let data = auth.map(|entries| {
                    values_to_ack(&[Value::Object(entries)]).json
                }).map(|arr| arr.slice(1..arr.len() - 1));
                Packet::connect(nsp, data)
            }
            1 => Packet::disconnect(nsp),
            _ => volley_protocol::socket::ConnectError::new(message.as_str()).to_packet(nsp),
        };
        // Binary values are not allowed outside events and acks.
        prop_assume!(packet.data.as_ref().is_none_or(|d| !d.contains("_placeholder")));
        let back = feed(&mut Decoder::new(), &packet.encode()).expect("complete packet");
        prop_assert_eq!(&back, &packet);
        if back.kind == PacketType::ConnectError {
            prop_assert_eq!(&*back.connect_error().unwrap().message, message.as_str());
        }
    }

    #[test]
    fn thousands_of_arguments_round_trip(n in 0usize..3000, seed in any::<i64>()) {
        let args: Vec<Value> = (0..n as i64).map(|i| Value::from(i.wrapping_mul(seed))).collect();
        let raw = values_to_event("many", &args);
        let packet = Packet::event(Str::from("/"), raw.json, raw.attachments);
        let back = feed(&mut Decoder::new(), &packet.encode()).unwrap();
        prop_assert_eq!(back.args().unwrap().unwrap().values().unwrap(), args);
    }

    #[test]
    fn arbitrary_input_never_panics_and_successes_are_stable(
        msgs in proptest::collection::vec(
            prop_oneof![
                "[0-6][0-9-]{0,3}(/[a-z,]{0,4})?[0-9]{0,3}(\\[.{0,12}\\]|\\{.{0,12}\\}|.{0,6})?"
                    .prop_map(|s| (true, s.into_bytes())),
                proptest::collection::vec(any::<u8>(), 0..16).prop_map(|b| (false, b)),
            ],
            1..8,
        ),
    ) {
        let mut d = Decoder::new();
        for (is_text, bytes) in msgs {
            let result = if is_text {
                match Str::from_utf8(bytes.into()) {
                    Ok(s) => d.decode_text(s),
                    Err(_) => continue,
                }
            } else {
                d.decode_binary(bytes.into())
            };
            if let Ok(Some(p)) = result {
                let again = feed(&mut Decoder::new(), &p.encode());
                prop_assert_eq!(again.as_ref(), Some(&p));
            }
        }
    }
}
