//! Every Socket.IO example and malformed case of PROTOCOL.md, through the public decoder.

use bytes::Bytes;
use volley_protocol::socket::{
    to_ack, to_event, ConnectError, DecodeError, Decoder, Packet, PacketType, Value,
};
use volley_protocol::Str;

fn decode(text: &str) -> Result<Option<Packet>, DecodeError> {
    Decoder::new().decode_text(Str::from(text))
}

fn packet(text: &str) -> Packet {
    decode(text).unwrap().unwrap()
}

#[test]
fn all_seven_types_decode_with_namespace_id_and_data() {
    let p = packet("0");
    assert_eq!(
        (p.kind, &*p.nsp, p.id, p.data),
        (PacketType::Connect, "/", None, None)
    );
    let p = packet("0/admin,{\"token\":\"abc\"}");
    assert_eq!(&*p.nsp, "/admin");
    assert_eq!(p.connect_auth().unwrap(), "{\"token\":\"abc\"}");
    assert_eq!(packet("1/admin,").kind, PacketType::Disconnect);
    let p = packet("2[\"hello\",1]");
    assert_eq!((p.kind, p.id), (PacketType::Event, None));
    assert_eq!(p.data.unwrap(), "[\"hello\",1]");
    let p = packet("2/admin,12[\"hello\"]");
    assert_eq!((&*p.nsp, p.id), ("/admin", Some(12)));
    let p = packet("3/admin,12[\"ok\"]");
    assert_eq!((p.kind, p.id), (PacketType::Ack, Some(12)));
    let p = packet("4/name,{\"message\":\"Invalid namespace\"}");
    assert_eq!(p.kind, PacketType::ConnectError);
    assert_eq!(
        p.connect_error(),
        Some(ConnectError::new("Invalid namespace"))
    );
}

#[test]
fn namespace_without_trailing_comma_is_accepted() {
    // PROTOCOL.md's `40/custom` and `41/custom` are these inside Engine.IO message packets.
    let p = packet("0/custom");
    assert_eq!(
        (p.kind, &*p.nsp, &p.data),
        (PacketType::Connect, "/custom", &None)
    );
    assert_eq!(p.connect_auth().unwrap(), "{}");
    let p = packet("1/custom");
    assert_eq!((p.kind, &*p.nsp), (PacketType::Disconnect, "/custom"));
    // Written back with the comma, as the reference does.
    assert_eq!(p.encode().text, "1/custom,");
}

#[test]
fn server_connect_reply_and_refusal_match_the_reference() {
    assert_eq!(
        Packet::connect_ok(Str::from("/"), "ZdvAd1FuABC")
            .encode()
            .text,
        "0{\"sid\":\"ZdvAd1FuABC\"}"
    );
    assert_eq!(
        ConnectError::new("Invalid namespace")
            .to_packet(Str::from("/name"))
            .encode()
            .text,
        "4/name,{\"message\":\"Invalid namespace\"}"
    );
}

#[test]
fn numeric_event_name_is_accepted() {
    let p = packet("2[1,\"x\"]");
    assert_eq!(p.event_name().unwrap(), "1");
}

#[test]
fn event_name_is_unescaped_and_args_are_slices() {
    let p = packet("2[\"ch\\u0061t\",{\"a\":1},[2,3],\"x\"]");
    let args = p.args().unwrap().unwrap();
    assert_eq!(args.name(), Some("chat"));
    assert_eq!(args.raw(), &["{\"a\":1}", "[2,3]", "\"x\""]);
    let (a, b, c): (serde_json::Value, Vec<u8>, String) = args.deserialize().unwrap();
    assert_eq!(
        (a["a"].as_u64(), b, c),
        (Some(1), vec![2, 3], "x".to_owned())
    );
    let data = p.data.as_ref().unwrap();
    let range = data.as_bytes().as_ptr_range();
    assert!(range.contains(&args.raw()[0].as_bytes().as_ptr()));
}

#[test]
fn protocol_violations_are_typed_errors() {
    let cases: &[(&str, DecodeError)] = &[
        ("", DecodeError::Empty),
        ("7", DecodeError::UnknownType('7')),
        ("x[\"a\"]", DecodeError::UnknownType('x')),
        ("2", DecodeError::MissingPayload(PacketType::Event)),
        ("2{\"a\":1}", DecodeError::NotAnArray(PacketType::Event)),
        ("2\"hello\"", DecodeError::NotAnArray(PacketType::Event)),
        ("2[]", DecodeError::EmptyEvent),
        ("2[null]", DecodeError::InvalidEventName),
        ("2[{\"a\":1}]", DecodeError::InvalidEventName),
        ("2[true,1]", DecodeError::InvalidEventName),
        ("0[1]", DecodeError::ConnectNotObject),
        ("0\"token\"", DecodeError::ConnectNotObject),
        ("0/admin,null", DecodeError::ConnectNotObject),
        (
            "1[]",
            DecodeError::UnexpectedPayload(PacketType::Disconnect),
        ),
        ("3[1]", DecodeError::MissingAckId(PacketType::Ack)),
        ("31", DecodeError::MissingPayload(PacketType::Ack)),
        ("31{}", DecodeError::NotAnArray(PacketType::Ack)),
        ("4[1]", DecodeError::InvalidConnectError),
        ("5[\"a\"]", DecodeError::InvalidAttachmentCount),
        ("5x-[\"a\"]", DecodeError::InvalidAttachmentCount),
        ("51[\"a\"]", DecodeError::InvalidAttachmentCount),
        ("299999999999999999999[\"a\"]", DecodeError::AckIdOverflow),
    ];
    for (input, want) in cases {
        assert_eq!(decode(input).as_ref(), Err(want), "input {input:?}");
    }
    // An ack id that is not digits leaves garbage where the JSON should start.
    for bad in ["2abc[\"a\"]", "3-1[]", "2[\"a\"", "2[\"a\"]]", "2[\"a\",]"] {
        assert!(
            matches!(decode(bad), Err(DecodeError::InvalidJson(_))),
            "input {bad:?}"
        );
    }
}

#[test]
fn reserved_event_names_are_refused() {
    for name in volley_protocol::socket::RESERVED_EVENTS {
        let text = format!("2[\"{name}\",1]");
        assert_eq!(decode(&text), Err(DecodeError::ReservedEventName(name)));
    }
    assert!(decode("2[\"connection\"]").is_ok());
    assert!(decode("2[\"Disconnect\"]").is_ok());
    assert_eq!(
        volley_protocol::socket::RESERVED_EVENTS,
        [
            "connect",
            "connect_error",
            "disconnect",
            "disconnecting",
            "newListener",
            "removeListener"
        ]
    );
}

#[test]
fn client_sent_connect_error_is_decidable_from_the_kind() {
    // Decoding succeeds (a client decoder needs it); the server refuses by kind.
    assert_eq!(
        packet("4{\"message\":\"x\"}").kind,
        PacketType::ConnectError
    );
}

#[test]
fn binary_event_waits_for_its_attachments_then_completes() {
    let mut d = Decoder::new();
    let text =
        "52-/up,9[\"files\",{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]";
    assert_eq!(d.decode_text(Str::from(text)), Ok(None));
    assert!(d.is_waiting());
    assert_eq!(d.decode_binary(Bytes::from_static(b"zero")), Ok(None));
    let p = d
        .decode_binary(Bytes::from_static(b"one"))
        .unwrap()
        .unwrap();
    assert!(!d.is_waiting());
    assert_eq!(
        (p.kind, &*p.nsp, p.id),
        (PacketType::BinaryEvent, "/up", Some(9))
    );
    assert_eq!(
        p.attachments,
        vec![Bytes::from_static(b"zero"), Bytes::from_static(b"one")]
    );
    let values = p.args().unwrap().unwrap().values().unwrap();
    assert_eq!(
        values,
        vec![
            Value::Binary(Bytes::from_static(b"one")),
            Value::Binary(Bytes::from_static(b"zero"))
        ]
    );
    // Re-encoding yields the same wire form.
    let enc = p.encode();
    assert_eq!(enc.text, text);
    assert_eq!(enc.attachments, p.attachments);
}

#[test]
fn binary_ack_with_placeholder_first() {
    let mut d = Decoder::new();
    let text = "61-4[{\"_placeholder\":true,\"num\":0}]";
    assert_eq!(d.decode_text(Str::from(text)), Ok(None));
    let p = d
        .decode_binary(Bytes::from_static(&[1, 2]))
        .unwrap()
        .unwrap();
    let got: Vec<u8> = p.args().unwrap().unwrap().get(0).unwrap();
    assert_eq!(got, vec![1, 2]);
}

#[test]
fn zero_attachment_binary_packet_completes_at_once() {
    let p = packet("50-[\"a\"]");
    assert_eq!(p.kind, PacketType::BinaryEvent);
    assert!(p.attachments.is_empty());
}

#[test]
fn placeholder_count_and_range_are_checked_before_any_attachment() {
    let ph = |n: &str| format!("{{\"_placeholder\":true,\"num\":{n}}}");
    let too_few = format!("52-[\"a\",{}]", ph("0"));
    assert_eq!(
        decode(&too_few),
        Err(DecodeError::PlaceholderCountMismatch {
            announced: 2,
            found: 1
        })
    );
    let too_many = format!("51-[\"a\",{},{}]", ph("0"), ph("0"));
    assert!(matches!(
        decode(&too_many),
        Err(DecodeError::PlaceholderCountMismatch { announced: 1, .. }
            | DecodeError::DuplicatePlaceholder(0))
    ));
    let out_of_range = format!("51-[\"a\",{}]", ph("1"));
    assert_eq!(
        decode(&out_of_range),
        Err(DecodeError::PlaceholderOutOfRange)
    );
    let duplicate = format!("52-[\"a\",{},{}]", ph("1"), ph("1"));
    assert_eq!(
        decode(&duplicate),
        Err(DecodeError::DuplicatePlaceholder(1))
    );
    let non_integer = format!("51-[\"a\",{}]", ph("0.5"));
    assert_eq!(
        decode(&non_integer),
        Err(DecodeError::PlaceholderOutOfRange)
    );
}

#[test]
fn huge_announced_count_allocates_nothing_and_is_refused() {
    assert_eq!(
        decode("5999999999-[\"a\"]"),
        Err(DecodeError::TooManyAttachments {
            announced: 999_999_999,
            max: volley_protocol::socket::DEFAULT_MAX_ATTACHMENTS
        })
    );
    assert!(matches!(
        decode("599999999999999999999999-[\"a\"]"),
        Err(DecodeError::TooManyAttachments {
            announced: u64::MAX,
            ..
        })
    ));
    // Within the limit, the count is still checked against the placeholders first.
    let mut d = Decoder::with_max_attachments(usize::MAX);
    assert!(matches!(
        d.decode_text(Str::from("5999999999-[\"a\"]")),
        Err(DecodeError::PlaceholderCountMismatch {
            announced: 999_999_999,
            found: 0
        })
    ));
}

#[test]
fn out_of_order_messages_are_errors_and_reset_the_decoder() {
    let mut d = Decoder::new();
    assert_eq!(
        d.decode_binary(Bytes::from_static(b"x")),
        Err(DecodeError::UnexpectedBinary)
    );
    let text = "51-[\"a\",{\"_placeholder\":true,\"num\":0}]";
    assert_eq!(d.decode_text(Str::from(text)), Ok(None));
    assert_eq!(
        d.decode_text(Str::from("2[\"b\"]")),
        Err(DecodeError::UnexpectedText)
    );
    assert!(!d.is_waiting());
    assert!(d.decode_text(Str::from("2[\"b\"]")).unwrap().is_some());
}

#[test]
fn deeply_nested_json_and_many_arguments_do_not_overflow() {
    let deep = format!("2[\"a\",{}", "[".repeat(100_000));
    assert!(matches!(decode(&deep), Err(DecodeError::InvalidJson(_))));
    let deep_closed = format!("2[\"a\",{}{}]", "[".repeat(100_000), "]".repeat(100_000));
    // Refused at serde_json's depth limit, so everything accepted can also be parsed.
    assert!(matches!(
        decode(&deep_closed),
        Err(DecodeError::InvalidJson(_))
    ));
    let at_limit = format!("2[\"a\",{}{}]", "[".repeat(125), "]".repeat(125));
    let p = packet(&at_limit);
    assert!(p.args().unwrap().unwrap().value(0).unwrap().is_ok());
    let binary = format!("50-{}", &deep_closed[1..]);
    assert!(matches!(decode(&binary), Err(DecodeError::InvalidJson(_))));
    let many = format!("2[\"a\"{}]", ",0".repeat(100_000));
    let p = packet(&many);
    assert_eq!(p.args().unwrap().unwrap().len(), 100_000);
}

#[test]
fn serializing_user_data_spreads_tuples_and_extracts_bytes() {
    let r = to_event("msg", &("hi", 2)).unwrap();
    assert_eq!(r.json, "[\"msg\",\"hi\",2]");
    let r = to_event("msg", &vec![1, 2]).unwrap();
    assert_eq!(r.json, "[\"msg\",[1,2]]");
    let r = to_event("msg", &()).unwrap();
    assert_eq!(r.json, "[\"msg\"]");
    let r = to_event("msg", &((1, 2),)).unwrap();
    assert_eq!(r.json, "[\"msg\",[1,2]]");
    let r = to_ack(&("a", Bytes::from_static(b"\x00\x01"))).unwrap();
    assert_eq!(r.json, "[\"a\",{\"_placeholder\":true,\"num\":0}]");
    assert_eq!(r.attachments, vec![Bytes::from_static(b"\x00\x01")]);
    let r = to_ack(&()).unwrap();
    assert_eq!(r.json, "[]");
    let r = to_ack(&"x").unwrap();
    assert_eq!(r.json, "[\"x\"]");
}

#[test]
fn a_null_value_is_one_null_argument_and_only_unit_is_none() {
    // The reference's `emit("x", null)` and `callback(null)`: a value that is null is sent,
    // only `()` means no argument.
    let null = serde_json::Value::Null;
    assert_eq!(to_event("x", &null).unwrap().json, "[\"x\",null]");
    assert_eq!(to_ack(&null).unwrap().json, "[null]");
    assert_eq!(to_event("x", &Value::Null).unwrap().json, "[\"x\",null]");
    assert_eq!(to_ack(&Value::Null).unwrap().json, "[null]");
    assert_eq!(to_event("x", &None::<u8>).unwrap().json, "[\"x\",null]");
    assert_eq!(
        to_event("x", &(null.clone(), 1)).unwrap().json,
        "[\"x\",null,1]"
    );
    let encoded = volley_protocol::socket::encode_ack("/", 3, &null).unwrap();
    assert_eq!(encoded.text, "33[null]");
    assert_eq!(to_event("x", &()).unwrap().json, "[\"x\"]");
    assert_eq!(to_ack(&()).unwrap().json, "[]");
}

#[test]
fn nested_bytes_become_numbered_placeholders_in_order() {
    #[derive(serde::Serialize)]
    struct File {
        name: String,
        body: Bytes,
        parts: Vec<Bytes>,
    }
    let f = File {
        name: "a".into(),
        body: Bytes::from_static(b"B"),
        parts: vec![Bytes::from_static(b"P0"), Bytes::from_static(b"P1")],
    };
    let r = to_event("upload", &f).unwrap();
    assert_eq!(
        r.json,
        "[\"upload\",{\"name\":\"a\",\"body\":{\"_placeholder\":true,\"num\":0},\
         \"parts\":[{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":2}]}]"
    );
    let p = Packet::event(Str::from("/"), r.json, r.attachments);
    let enc = p.encode();
    assert!(enc.text.starts_with("53-[\"upload\""));
    let mut d = Decoder::new();
    assert_eq!(d.decode_text(enc.text.clone()), Ok(None));
    let mut out = None;
    for a in &enc.attachments {
        out = d.decode_binary(a.clone()).unwrap();
    }
    let back = out.unwrap();
    assert_eq!(back, p);
    let v = back.args().unwrap().unwrap().value(0).unwrap().unwrap();
    assert_eq!(
        v.get("body"),
        Some(&Value::Binary(Bytes::from_static(b"B")))
    );
}

#[test]
fn one_shot_encoders_match_the_packet_path() {
    use volley_protocol::socket::{encode_ack, encode_event};
    let cases: Vec<(&str, Option<u64>)> = vec![("/", None), ("/admin", Some(12)), ("/", Some(0))];
    for (nsp, id) in cases {
        let args = ("hé\"llo", 1.5, vec![1, 2]);
        let raw = to_event("chat", &args).unwrap();
        let mut p = Packet::event(Str::from(nsp), raw.json, raw.attachments);
        p.id = id;
        assert_eq!(encode_event(nsp, id, "chat", &args).unwrap(), p.encode());
        let bin = (Bytes::from_static(b"a"), [Bytes::from_static(b"b")]);
        let raw = to_event("up", &bin).unwrap();
        let mut p = Packet::event(Str::from(nsp), raw.json, raw.attachments);
        p.id = id;
        let enc = encode_event(nsp, id, "up", &bin).unwrap();
        assert!(enc.text.starts_with("52-"), "{}", enc.text);
        assert_eq!(enc, p.encode());
        let raw = to_ack(&()).unwrap();
        let p = Packet::ack(Str::from(nsp), 7, raw.json, raw.attachments);
        assert_eq!(encode_ack(nsp, 7, &()).unwrap(), p.encode());
        let raw = to_ack(&(Bytes::from_static(b"z"),)).unwrap();
        let p = Packet::ack(Str::from(nsp), 7, raw.json, raw.attachments);
        let enc = encode_ack(nsp, 7, &(Bytes::from_static(b"z"),)).unwrap();
        assert!(enc.text.starts_with("61-"));
        assert_eq!(enc, p.encode());
    }
}
