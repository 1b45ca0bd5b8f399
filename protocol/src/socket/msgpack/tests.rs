//! The codec against bytes `notepack.io` 2.2 wrote (the encoder of the reference's parser,
//! on both the client and the server), and against hostile input.

use super::*;
use crate::socket::{Packet, PacketType};
use crate::Str;
use bytes::Bytes;

fn hex(s: &str) -> Bytes {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect::<Vec<u8>>()
        .into()
}

fn decode(s: &str) -> Result<Packet, DecodeError> {
    decode_packet(&hex(s))
}

fn refused(s: &str) -> DecodeError {
    decode(s).expect_err(s)
}

#[test]
fn a_client_event_with_binary_and_an_ack_id_becomes_a_binary_event() {
    // notepack.encode({type: 2, data: ["hello", 1, Buffer.from([1, 2])],
    //   options: {compress: true}, id: 3, nsp: "/"}), what socket.io-client sends.
    let p = decode("85a47479706502a46461746193a568656c6c6f01c4020102a76f7074696f6e7381a8636f6d7072657373c3a2696403a36e7370a12f").unwrap();
    assert_eq!(p.kind, PacketType::BinaryEvent);
    assert_eq!(&*p.nsp, "/");
    assert_eq!(p.id, Some(3));
    assert_eq!(
        p.data.as_deref(),
        Some("[\"hello\",1,{\"_placeholder\":true,\"num\":0}]")
    );
    assert_eq!(p.attachments, vec![Bytes::from_static(&[1, 2])]);
}

#[test]
fn connect_auth_and_an_undefined_payload() {
    let p = decode("83a47479706500a46461746181a5746f6b656ea3616263a36e7370a62f61646d696e").unwrap();
    assert_eq!(
        p,
        Packet::connect(Str::from("/admin"), Some(Str::from("{\"token\":\"abc\"}")))
    );
    // {type: 0, nsp: "/", data: undefined}: notepack writes undefined as fixext 1 of type 0.
    let p = decode("83a47479706500a36e7370a12fa464617461d40000").unwrap();
    assert_eq!(p, Packet::connect(Str::from("/"), None));
}

#[test]
fn undefined_is_left_out_of_maps_and_null_in_arrays() {
    // {id: 7, nsp: "/", type: 3, data: [{a: null, b: undefined, c: [undefined, 1.5]}]}
    let p = decode("84a2696407a36e7370a12fa47479706503a4646174619183a161c0a162d40000a16392d40000cb3ff8000000000000").unwrap();
    assert_eq!(p.kind, PacketType::Ack);
    assert_eq!(p.id, Some(7));
    assert_eq!(p.data.as_deref(), Some("[{\"a\":null,\"c\":[null,1.5]}]"));
}

#[test]
fn array_buffers_are_binary_and_dates_their_iso_text() {
    // data: ["ab", new Uint8Array([5, 6]).buffer, new Date(1700000000123)] (Node notepack:
    // an ArrayBuffer is ext 8 of type 0, a Date fixext 8 of type 0).
    let p = decode("83a47479706502a46461746193a26162c702000506d7000000018bcfe5687ba36e7370a12f")
        .unwrap();
    assert_eq!(
        p.data.as_deref(),
        Some("[\"ab\",{\"_placeholder\":true,\"num\":0},\"2023-11-14T22:13:20.123Z\"]")
    );
    assert_eq!(p.attachments, vec![Bytes::from_static(&[5, 6])]);
}

#[test]
fn what_json_cannot_hold_is_mapped() {
    // {type: 2, nsp: "/", data: ["m", NaN(f64), +inf(f32), 3.0(f64), -0.0, ext 5 [1,2],
    //  "\xff", {1: true, nil: 1, true: 2}]}
    let mut b = hex("83a474797065 02 a36e7370 a12f a464617461 98 a16d"
        .replace(' ', "")
        .as_str())
    .to_vec();
    b.push(0xcb);
    b.extend_from_slice(&f64::NAN.to_be_bytes());
    b.push(0xca);
    b.extend_from_slice(&f32::INFINITY.to_be_bytes());
    b.push(0xcb);
    b.extend_from_slice(&3.0f64.to_be_bytes());
    b.push(0xcb);
    b.extend_from_slice(&(-0.0f64).to_be_bytes());
    b.extend_from_slice(&[0xd5, 0x05, 0x01, 0x02]);
    b.extend_from_slice(&[0xa1, 0xff]);
    b.extend_from_slice(&[0x83, 0x01, 0xc3, 0xc0, 0x01, 0xc3, 0x02]);
    let p = decode_packet(&Bytes::from(b)).unwrap();
    assert_eq!(
        p.data.as_deref(),
        Some("[\"m\",null,null,3,0,[5,{\"_placeholder\":true,\"num\":0}],\"\u{fffd}\",{\"1\":true,\"null\":1,\"true\":2}]")
    );
    assert_eq!(p.attachments, vec![Bytes::from_static(&[1, 2])]);
}

#[test]
fn packets_encode_as_notepack_writes_the_reference_server_packets() {
    let cases: [(Packet, &str); 4] = [
        (
            Packet::event(
                Str::from("/"),
                Str::from("[\"ev\",{\"_placeholder\":true,\"num\":0},{\"k\":-3}]"),
                vec![Bytes::from_static(&[9])],
            ),
            "83a47479706502a46461746193a26576c4010981a16bfda36e7370a12f",
        ),
        (
            Packet::connect_ok(Str::from("/"), "abc"),
            "83a47479706500a46461746181a3736964a3616263a36e7370a12f",
        ),
        (
            Packet::new(
                PacketType::ConnectError,
                Str::from("/x"),
                None,
                Some(Str::from("{\"message\":\"nope\",\"data\":{\"why\":1}}")),
            ),
            "83a47479706504a46461746182a76d657373616765a46e6f7065a46461746181a377687901a36e7370a22f78",
        ),
        (
            Packet::ack(Str::from("/"), 12, Str::from("[]"), vec![]),
            "84a47479706503a46461746190a36e7370a12fa269640c",
        ),
    ];
    for (packet, expect) in cases {
        let bytes = encode_packet(&packet);
        assert_eq!(bytes, hex(expect), "{packet:?}");
        assert_eq!(decode_packet(&bytes).unwrap(), packet);
    }
    // A placeholder-looking object of a packet without attachments stays an object.
    let plain = Packet::event(
        Str::from("/"),
        Str::from("[\"p\",{\"_placeholder\":true,\"num\":0}]"),
        vec![],
    );
    assert_eq!(decode_packet(&encode_packet(&plain)).unwrap(), plain);
    let bye = Packet::disconnect(Str::from("/a"));
    assert_eq!(encode_packet(&bye), hex("82a47479706501a36e7370a22f61"));
}

#[test]
fn what_the_reference_decoder_refuses_is_refused() {
    use MsgPackError::*;
    let m = |e: MsgPackError| DecodeError::MsgPack(e);
    // type: missing, 5, 6, -1, 2.5, "2"
    assert_eq!(refused("81a36e7370a12f"), m(InvalidType));
    assert_eq!(
        refused("83a47479706505a36e7370a12fa46461746191a161"),
        m(InvalidType)
    );
    assert_eq!(
        refused("83a47479706506a36e7370a12fa46461746191a161"),
        m(InvalidType)
    );
    assert_eq!(refused("82a474797065ffa36e7370a12f"), m(InvalidType));
    assert_eq!(
        refused("82a474797065cb4004000000000000a36e7370a12f"),
        m(InvalidType)
    );
    assert_eq!(refused("82a474797065a132a36e7370a12f"), m(InvalidType));
    // nsp: missing, a number, nil
    assert_eq!(refused("81a47479706500"), m(InvalidNamespace));
    assert_eq!(refused("82a47479706500a36e737001"), m(InvalidNamespace));
    assert_eq!(refused("82a47479706500a36e7370c0"), m(InvalidNamespace));
    // data of the wrong shape: CONNECT nil / array, DISCONNECT with any data, EVENT not an
    // array or missing, ACK a map, CONNECT_ERROR a number.
    assert_eq!(
        refused("83a47479706500a36e7370a12fa464617461c0"),
        DecodeError::ConnectNotObject
    );
    assert_eq!(
        refused("83a47479706500a36e7370a12fa46461746190"),
        DecodeError::ConnectNotObject
    );
    assert_eq!(
        refused("83a47479706501a36e7370a12fa464617461c0"),
        DecodeError::UnexpectedPayload(PacketType::Disconnect)
    );
    assert_eq!(
        refused("83a47479706502a36e7370a12fa46461746180"),
        DecodeError::NotAnArray(PacketType::Event)
    );
    assert_eq!(
        refused("82a47479706502a36e7370a12f"),
        DecodeError::MissingPayload(PacketType::Event)
    );
    assert_eq!(
        refused("84a47479706503a36e7370a12fa46461746180a269640c"),
        DecodeError::NotAnArray(PacketType::Ack)
    );
    assert_eq!(
        refused("83a47479706504a36e7370a12fa46461746101"),
        DecodeError::InvalidConnectError
    );
    // id: a string, a fraction, negative (Volley's ack ids are unsigned), nil
    let with_id = |id: &str| format!("84a47479706502a36e7370a12fa46461746191a161a26964{id}");
    for id in ["a131", "cb3ff8000000000000", "ff", "c0"] {
        assert_eq!(refused(&with_id(id)), m(InvalidId), "{id}");
    }
    // An integral float id is an integer, as in JavaScript.
    assert_eq!(decode(&with_id("cb4000000000000000")).unwrap().id, Some(2));
    // Volley's own event rules: an empty event, a reserved name.
    assert_eq!(
        refused("83a47479706502a36e7370a12fa46461746190"),
        DecodeError::EmptyEvent
    );
    assert!(matches!(
        refused("83a47479706502a36e7370a12fa46461746191a7636f6e6e656374"),
        DecodeError::ReservedEventName("connect")
    ));
    // Binary in a CONNECT auth: Volley keeps auth as JSON.
    assert_eq!(
        refused("83a47479706500a36e7370a12fa46461746181a162c40101"),
        m(BinaryOutsideEvent)
    );
}

#[test]
fn malformed_messages_are_errors_never_panics() {
    use MsgPackError::*;
    let m = |e: MsgPackError| DecodeError::MsgPack(e);
    let good = hex("85a47479706502a46461746193a568656c6c6f01c4020102a76f7074696f6e7381a8636f6d7072657373c3a2696403a36e7370a12f");
    for end in 0..good.len() {
        let cut = good.slice(..end);
        assert!(decode_packet(&cut).is_err(), "prefix of {end} bytes");
    }
    let mut longer = good.to_vec();
    longer.push(0);
    assert_eq!(decode_packet(&longer.into()), Err(m(Trailing(1))));
    assert_eq!(refused("91a161"), m(NotAMap));
    assert_eq!(refused("c1"), m(NotAMap));
    assert_eq!(refused("81a161c1"), m(Reserved(0xc1)));
    // A key that is an array announcing 2^32 - 1 entries is refused at its marker.
    assert_eq!(refused("81ddffffffffc0"), m(UnsupportedKey));
    // More binary values than the JSON parser accepts attachments.
    let mut many = hex("83a47479706502a36e7370a12fa464617461dd").to_vec();
    let n = crate::socket::DEFAULT_MAX_ATTACHMENTS + 1;
    many.extend_from_slice(&(n as u32 + 1).to_be_bytes());
    many.extend_from_slice(&[0xa1, b'e']);
    for _ in 0..n {
        many.extend_from_slice(&[0xc4, 0x00]);
    }
    let max = crate::socket::DEFAULT_MAX_ATTACHMENTS;
    assert_eq!(decode_packet(&many.into()), Err(m(TooManyBinaries { max })));
    // Lengths announced far beyond the input: refused before anything that size is reserved.
    for huge in [
        "dfffffffff",
        "81a464617461ddffffffff",
        "81a464617461dbffffffff61",
        "81a464617461c6ffffffff00",
        "81a464617461c9ffffffff0000",
    ] {
        assert_eq!(refused(huge), m(Truncated), "{huge}");
    }
    // Keys JSON has no form for.
    assert_eq!(
        refused("81a4646174619181cb3ff8000000000000c0"),
        m(UnsupportedKey)
    );
    assert_eq!(refused("81a464617461918190c0"), m(UnsupportedKey));
    // Deep nesting: bounded, whatever the depth.
    let mut deep = hex("83a47479706502a36e7370a12fa464617461").to_vec();
    deep.extend(std::iter::repeat_n(0x91u8, 100_000));
    deep.push(0xc0);
    assert_eq!(decode_packet(&deep.into()), Err(m(TooDeep)));
    // Text messages are refused; binary ones decoded.
    assert_eq!(
        decode_message(crate::engine::Message::Text(Str::from("2[\"a\"]"))),
        Err(m(TextMessage))
    );
}
