//! The Socket.IO layer with the MessagePack parser (`socket.io-msgpack-parser`): every packet
//! in and out is one binary message holding a MessagePack map; events, acks both ways, binary,
//! a room broadcast encoded once, a refusal with data, and hostile messages closing only
//! their sender.

mod sio_common;

use bytes::Bytes;
use sio_common::{disconnects, Harness};
use volley_protocol::engine::Message;
use volley_protocol::server::{
    AckOutcome, BroadcastOptions, EngineCommand, Event, Payload, SessionRef, SocketConfig, SocketId,
};
use volley_protocol::socket::msgpack::{decode_packet, encode_packet};
use volley_protocol::socket::{ConnectError, Packet, PacketType, Parser};
use volley_protocol::Str;

fn harness() -> Harness {
    Harness::with_config(SocketConfig::new().parser(Parser::MsgPack))
}

fn send(h: &mut Harness, sid: &str, packet: &Packet) {
    send_raw(h, sid, encode_packet(packet));
}

fn send_raw(h: &mut Harness, sid: &str, bytes: Bytes) {
    h.layer.handle_message(h.now, sid, Message::Binary(bytes));
    h.pump();
}

/// What `sid` received, each message decoded as one MessagePack packet.
fn take(h: &mut Harness, sid: &str) -> Vec<Packet> {
    h.take(sid)
        .iter()
        .map(|m| {
            let hex = m
                .strip_prefix("<bin:")
                .and_then(|m| m.strip_suffix('>'))
                .unwrap_or_else(|| panic!("a text message with the MessagePack parser: {m}"));
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            decode_packet(&bytes.into()).unwrap()
        })
        .collect()
}

fn connect(h: &mut Harness, sid: &str, nsp: &str, auth: Option<&str>) -> SocketId {
    h.open(sid);
    send(
        h,
        sid,
        &Packet::connect(Str::from(nsp), auth.map(Str::from)),
    );
    let req = h.take_connect();
    let id = h.layer.accept_connect(h.now, req).expect("accept");
    h.pump();
    assert_eq!(
        take(h, sid),
        vec![Packet::connect_ok(Str::from(nsp), id.as_str())]
    );
    id
}

fn event(json: &str, attachments: Vec<Bytes>) -> Packet {
    Packet::event(Str::from("/"), Str::from(json), attachments)
}

#[test]
fn connect_auth_events_with_binary_and_acks_both_ways() {
    let mut h = harness();
    h.open("A");
    send(
        &mut h,
        "A",
        &Packet::connect(Str::from("/"), Some(Str::from("{\"token\":\"t\"}"))),
    );
    let req = h.take_connect();
    assert_eq!(req.auth(), "{\"token\":\"t\"}");
    let socket = h.layer.accept_connect(h.now, req).unwrap();
    h.pump();
    assert_eq!(
        take(&mut h, "A"),
        vec![Packet::connect_ok(Str::from("/"), socket.as_str())]
    );

    // Client → server: binary inside an event asking for an ack.
    let bin = Bytes::from_static(&[0, 1, 2, 255]);
    let up = event(
        "[\"up\",{\"_placeholder\":true,\"num\":0},2]",
        vec![bin.clone()],
    )
    .with_id(5);
    send(&mut h, "A", &up);
    let (payload, ack) = h
        .take_events()
        .into_iter()
        .find_map(|e| match e {
            Event::Event { payload, ack, .. } => Some((payload, ack)),
            _ => None,
        })
        .expect("the event");
    assert_eq!(
        &*payload.data,
        "[\"up\",{\"_placeholder\":true,\"num\":0},2]"
    );
    assert_eq!(payload.attachments, vec![bin.clone()]);
    assert_eq!(ack, Some(5));

    // Server → client ack, with binary.
    let reply = Payload {
        data: Str::from("[{\"_placeholder\":true,\"num\":0}]"),
        attachments: vec![bin.clone()],
    };
    h.layer.ack(&socket, 5, reply).unwrap();
    h.pump();
    let got = take(&mut h, "A");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, PacketType::BinaryAck);
    assert_eq!(
        (got[0].id, &got[0].attachments),
        (Some(5), &vec![bin.clone()])
    );

    // Server → client event asking for an ack; the client's ACK completes it.
    let id = h
        .layer
        .emit_with_ack(h.now, &socket, Payload::new("[\"q\",1]"), None)
        .unwrap();
    h.pump();
    assert_eq!(
        take(&mut h, "A"),
        vec![event("[\"q\",1]", vec![]).with_id(id)]
    );
    send(
        &mut h,
        "A",
        &Packet::ack(Str::from("/"), id, Str::from("[42]"), vec![]),
    );
    let outcome = h.take_events().into_iter().find_map(|e| match e {
        Event::Ack {
            outcome: AckOutcome::Reply(p),
            ..
        } => Some(p),
        _ => None,
    });
    assert_eq!(outcome.map(|p| p.data), Some(Str::from("[42]")));
    assert!(h.closed.is_empty());
}

#[test]
fn a_room_broadcast_is_encoded_once_for_all_its_receivers() {
    let mut h = harness();
    let a = connect(&mut h, "A", "/", None);
    let b = connect(&mut h, "B", "/", None);
    let _c = connect(&mut h, "C", "/", None);
    for s in [&a, &b] {
        h.layer.join(s, &["room".into()]).unwrap();
    }
    let bin = Bytes::from_static(b"\x07\x08");
    let payload = Payload {
        data: Str::from("[\"news\",{\"_placeholder\":true,\"num\":0}]"),
        attachments: vec![bin.clone()],
    };
    let n = h
        .layer
        .broadcast("/", &BroadcastOptions::new().to("room"), payload)
        .unwrap();
    assert_eq!(n, 2);
    let mut sent = Vec::new();
    while let Some(cmd) = h.layer.poll_command() {
        if let EngineCommand::Send {
            to: SessionRef::Sid(sid),
            messages,
            ..
        } = cmd
        {
            assert_eq!(messages.len(), 1, "one binary message, no attachments");
            let Message::Binary(bytes) = messages[0].to_message() else {
                panic!("a text message");
            };
            sent.push((sid.to_string(), bytes));
        }
    }
    let sids: Vec<&str> = sent.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(sids, ["A", "B"]);
    let (bytes, other) = (&sent[0].1, &sent[1].1);
    assert_eq!(bytes.as_ptr(), other.as_ptr(), "one encoding shared");
    let packet = decode_packet(bytes).unwrap();
    assert_eq!(
        packet,
        event("[\"news\",{\"_placeholder\":true,\"num\":0}]", vec![bin])
    );
}

#[test]
fn a_refused_namespace_gets_connect_error_with_its_data() {
    let mut h = harness();
    h.layer.add_namespace("/admin").unwrap();
    h.open("A");
    send(&mut h, "A", &Packet::connect(Str::from("/admin"), None));
    let req = h.take_connect();
    let refusal = ConnectError::new("not allowed").with_data(Str::from("{\"code\":7}"));
    h.layer.refuse_connect(req, refusal);
    h.pump();
    assert_eq!(
        take(&mut h, "A"),
        vec![Packet::new(
            PacketType::ConnectError,
            Str::from("/admin"),
            None,
            Some(Str::from(
                "{\"message\":\"not allowed\",\"data\":{\"code\":7}}"
            )),
        )]
    );
    assert!(h.closed.is_empty());
}

#[test]
fn hostile_messages_close_only_their_sender() {
    let deep = {
        let mut b = b"\x83\xa4type\x02\xa3nsp\xa1/\xa4data".to_vec();
        b.extend(std::iter::repeat_n(0x91u8, 10_000));
        b.push(0xc0);
        b
    };
    let bin = |b: &'static [u8]| Message::Binary(Bytes::from_static(b));
    let cases: Vec<(&str, Message)> = vec![
        ("text", Message::Text(Str::from("2[\"x\"]"))),
        (
            "truncated",
            bin(b"\x83\xa4type\x02\xa3nsp\xa1/\xa4data\x92\xa1x"),
        ),
        (
            "huge array",
            bin(b"\x83\xa4type\x02\xa3nsp\xa1/\xa4data\xdd\xff\xff\xff\xff"),
        ),
        ("huge string", bin(b"\x81\xa4data\xdb\xff\xff\xff\xff")),
        ("deep", Message::Binary(deep.into())),
        (
            "type 5",
            bin(b"\x83\xa4type\x05\xa3nsp\xa1/\xa4data\x91\xa1x"),
        ),
        ("nsp missing", bin(b"\x82\xa4type\x02\xa4data\x91\xa1x")),
        (
            "data a map",
            bin(b"\x83\xa4type\x02\xa3nsp\xa1/\xa4data\x80"),
        ),
        (
            "id a string",
            bin(b"\x84\xa4type\x02\xa3nsp\xa1/\xa4data\x91\xa1x\xa2id\xa11"),
        ),
        ("not a map", bin(b"\x92\x02\xa1/")),
    ];
    for (what, msg) in cases {
        let mut h = harness();
        let b = connect(&mut h, "B", "/", None);
        let a = connect(&mut h, "A", "/", None);
        h.take_events();
        h.layer.handle_message(h.now, "A", msg);
        h.pump();
        assert_eq!(h.closed, vec!["A"], "{what} must close A");
        let events = h.take_events();
        assert_eq!(
            disconnects(&events),
            vec![(a.to_string(), "forced close")],
            "{what}"
        );
        h.layer.emit(&b, Payload::new("[\"still\"]")).unwrap();
        h.pump();
        assert_eq!(
            take(&mut h, "B"),
            vec![event("[\"still\"]", vec![])],
            "{what}"
        );
    }
}
