//! Properties of the MessagePack parser: JSON arguments with binary at any depth survive
//! JSON → MessagePack → JSON (as JavaScript numbers: an integral float comes back as that
//! integer), and no byte string makes the decoder panic.

use bytes::Bytes;
use proptest::prelude::*;
use volley_protocol::socket::msgpack::{decode_packet, encode_packet};
use volley_protocol::socket::{
    is_reserved_event, values_to_ack, values_to_event, Decoder, Packet, Value,
};
use volley_protocol::Str;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| Value::Binary(b.into())),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..20).prop_map(Value::Array),
            proptest::collection::vec((any::<String>(), inner), 0..20).prop_map(Value::Object),
        ]
    })
}

/// `v` with every number as JavaScript holds it: integers exact, integral floats in range as
/// integers, other floats as they are.
fn js(v: Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                Value::from(f as u64)
            } else if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
                Value::from(f as i64)
            } else {
                Value::Number(n)
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(js).collect()),
        Value::Object(entries) => {
            Value::Object(entries.into_iter().map(|(k, v)| (k, js(v))).collect())
        }
        other => other,
    }
}

fn args_of(p: &Packet) -> Value {
    let data = p.data.as_deref().expect("a payload");
    js(Value::from_json(data, &p.attachments).expect("valid JSON"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn events_and_acks_survive_a_round_trip(
        name in "[a-z]{1,12}".prop_filter("not reserved", |n| !is_reserved_event(n)),
        args in proptest::collection::vec(tree(), 0..6),
        nsp in prop_oneof![Just("/".to_owned()), "/[a-zé]{1,10}"],
        id in proptest::option::of(any::<u64>()),
        ack in any::<bool>(),
    ) {
        let nsp = Str::from(nsp);
        let packet = if ack {
            let raw = values_to_ack(&args);
            Packet::ack(nsp, id.unwrap_or(0), raw.json, raw.attachments)
        } else {
            let raw = values_to_event(&name, &args);
            let p = Packet::event(nsp, raw.json, raw.attachments);
            match id {
                Some(id) => p.with_id(id),
                None => p,
            }
        };
        let back = decode_packet(&encode_packet(&packet)).expect("decodes");
        prop_assert_eq!(back.kind, packet.wire_kind());
        prop_assert_eq!(&back.nsp, &packet.nsp);
        prop_assert_eq!(back.id, packet.id);
        prop_assert_eq!(&back.attachments, &packet.attachments);
        prop_assert_eq!(args_of(&back), args_of(&packet));
        // Once in JavaScript form, the round trip is exact, bytes included.
        prop_assert_eq!(encode_packet(&back), encode_packet(&decode_packet(&encode_packet(&back)).unwrap()));
    }

    #[test]
    fn no_input_makes_the_decoder_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_packet(&Bytes::from(bytes));
    }

    #[test]
    fn mutated_packets_decode_or_are_refused(
        args in proptest::collection::vec(tree(), 1..4),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let raw = values_to_event("m", &args);
        let mut bytes = encode_packet(&Packet::event(Str::from("/"), raw.json, raw.attachments)).to_vec();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        if let Ok(p) = decode_packet(&Bytes::from(bytes)) {
            // Whatever gets through is a packet the JSON parser accepts, in its text form.
            if &*p.nsp == "/" {
                let enc = p.encode();
                let mut d = Decoder::new();
                let mut out = d.decode_text(enc.text).expect("valid for the JSON parser");
                for a in enc.attachments {
                    out = d.decode_binary(a).expect("attachment");
                }
                prop_assert_eq!(out, Some(p));
            }
        }
    }
}
