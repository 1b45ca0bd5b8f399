//! PROTOCOL.md's Engine.IO examples, and Socket.IO packets carried inside Engine.IO messages.

use bytes::Bytes;
use volley_protocol::engine::{payload, DecodeError, Message, Packet, PayloadError};
use volley_protocol::socket::{self, Decoder};
use volley_protocol::Str;

#[test]
fn upgrade_probe_packets() {
    assert_eq!(
        Packet::decode_text(Str::from("2probe")),
        Ok(Packet::Ping(Str::from("probe")))
    );
    assert_eq!(Packet::Pong(Str::from("probe")).encode_text(), "3probe");
    assert_eq!(Packet::decode_text(Str::from("5")), Ok(Packet::Upgrade));
    assert_eq!(Packet::Noop.encode_text(), "6");
}

#[test]
fn body_abc_is_undecodable() {
    assert_eq!(
        payload::decode(Bytes::from_static(b"abc"), 1_000_000),
        Err(PayloadError::Packet {
            index: 0,
            source: DecodeError::UnknownType('a')
        })
    );
}

#[test]
fn polling_body_carries_socket_io_packets_and_base64_binary() {
    let body = Bytes::from_static(
        b"40/custom\x1e451-[\"up\",{\"_placeholder\":true,\"num\":0}]\x1ebAQID\x1e41/custom",
    );
    let mut sio = Decoder::new();
    let mut out = Vec::new();
    for p in payload::decode(body, 1_000_000).unwrap() {
        let decoded = match p {
            Packet::Message(Message::Text(t)) => sio.decode_text(t),
            Packet::Message(Message::Binary(b)) => sio.decode_binary(b),
            other => panic!("unexpected {other:?}"),
        };
        out.extend(decoded.unwrap());
    }
    let kinds: Vec<_> = out.iter().map(|p| (p.kind, p.nsp.to_string())).collect();
    assert_eq!(
        kinds,
        vec![
            (socket::PacketType::Connect, "/custom".to_owned()),
            (socket::PacketType::BinaryEvent, "/".to_owned()),
            (socket::PacketType::Disconnect, "/custom".to_owned()),
        ]
    );
    assert_eq!(out[1].attachments, vec![Bytes::from_static(&[1, 2, 3])]);
}

#[test]
fn socket_packet_out_as_engine_messages() {
    let args = socket::to_event("file", &(Bytes::from_static(b"\xff"),)).unwrap();
    let enc = socket::Packet::event(Str::from("/"), args.json, args.attachments).encode();
    let packets: Vec<Packet> = enc.messages().map(Packet::Message).collect();
    assert_eq!(
        &payload::encode(&packets)[..],
        b"451-[\"file\",{\"_placeholder\":true,\"num\":0}]\x1eb/w==".as_slice()
    );
}
