//! The code each row measures: Volley's codec, socketioxide's parser crates (crates.io) and the
//! data they carry. See benches/README.md for what each row measures.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use socketioxide_core::packet::{Packet as SioPacket, PacketData};
use socketioxide_core::parser::{Parse, ParseConfig, ParseError, ParserState};
use socketioxide_core::{Str as SioStr, Value as SioValue};
use socketioxide_parser_common::CommonParser;
use std::hint::black_box;
use volley_protocol::engine::{self, payload};
use volley_protocol::socket::{self, Decoded, Decoder, Encoded, UncheckedEvent};
use volley_protocol::Str;

pub(crate) const EVENT: &str = "message";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct Item {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
    active: bool,
    note: Option<String>,
}

pub(crate) fn items(target_len: usize) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = 0u64;
    while serde_json::to_vec(&out).unwrap().len() < target_len {
        out.push(Item {
            id: 1_000_000 + i * 7919,
            name: format!("user-{i} \"quoted\" é"),
            tags: vec!["alpha".into(), format!("t{}", i % 13), "γ".into()],
            score: i as f64 * 1.25 - 3.5,
            active: i % 3 == 0,
            note: (i % 2 == 0).then(|| "line\nbreak".to_owned()),
        });
        i += 1;
    }
    out
}

// ---- Volley ----

pub(crate) fn volley_encode<T: Serialize>(args: &T) -> Encoded {
    socket::encode_event("/", None, EVENT, args).unwrap()
}

/// A typed handler's text event (`SocketRef::on_args`): decoded up to its name (the server
/// looks the handler up by it), the arguments read by the one serde pass that also validates
/// them.
pub(crate) fn read_typed<T: DeserializeOwned>(e: UncheckedEvent) -> T {
    black_box(e.name());
    e.deserialize_args().unwrap()
}

/// An untyped handler's text event (`SocketRef::on` + `event.args::<T>()`): the whole packet
/// validated before the handler runs, then deserialized.
pub(crate) fn read_untyped<T: DeserializeOwned>(e: UncheckedEvent) -> T {
    black_box(e.name());
    e.check().unwrap().deserialize_args().unwrap()
}

pub(crate) fn unchecked(d: &mut Decoder, text: Str) -> UncheckedEvent {
    match d.decode_text_deferred(text).unwrap() {
        Some(Decoded::Event(e)) => e,
        _ => unreachable!("a text event"),
    }
}

/// What a typed handler's event costs the server: a text event as in [`read_typed`]; a
/// binary one is validated when it arrives (placeholders), then deserialized.
pub(crate) fn volley_decode<T: DeserializeOwned>(enc: &Encoded) -> T {
    let mut d = Decoder::new();
    if enc.attachments.is_empty() {
        return read_typed(unchecked(&mut d, enc.text.clone()));
    }
    let mut p = d.decode_text(enc.text.clone()).unwrap();
    for a in &enc.attachments {
        p = d.decode_binary(a.clone()).unwrap();
    }
    let p = p.unwrap();
    black_box(p.event_name().unwrap());
    p.deserialize_args().unwrap()
}

/// [`volley_decode`] of a binary event as a transport hands it over and a typed handler takes
/// it: the attachments are the caller's to give away, and the packet is consumed.
pub(crate) fn volley_decode_owned<T: DeserializeOwned>(text: Str, attachments: Vec<Bytes>) -> T {
    let mut d = Decoder::new();
    let mut p = d.decode_text(text).unwrap();
    for a in attachments {
        p = d.decode_binary(a).unwrap();
    }
    let p = p.unwrap();
    black_box(p.event_name().unwrap());
    p.into_args().unwrap()
}

/// A copy of `b` in a buffer of its own, as a transport produces a received attachment: the
/// polling transport's base64 decode writes it into a new allocation (with the 2 bytes of
/// slack its length estimate leaves for 64 KiB).
pub(crate) fn fresh(b: &Bytes) -> Bytes {
    let mut v = Vec::with_capacity(b.len() + 2);
    v.extend_from_slice(b);
    Bytes::from(v)
}

pub(crate) fn volley_decode_untyped<T: DeserializeOwned>(text: &Str) -> T {
    read_untyped(unchecked(&mut Decoder::new(), text.clone()))
}

/// A validated packet and its name, ready to route, forward or broadcast (what the server
/// does before an untyped handler runs), arguments unparsed.
pub(crate) fn volley_dispatch(text: &Str) -> socket::Packet {
    let e = unchecked(&mut Decoder::new(), text.clone());
    black_box(e.name());
    e.check().unwrap()
}

/// A polling body → each text event read by `read`.
pub(crate) fn polling_decode<T>(body: &Bytes, read: impl Fn(UncheckedEvent) -> T) -> Vec<T> {
    let mut d = Decoder::new();
    let mut out = Vec::with_capacity(50);
    for p in payload::decode(body.clone(), 1_000_000).unwrap() {
        let engine::Packet::Message(engine::Message::Text(t)) = p else {
            unreachable!()
        };
        out.push(read(unchecked(&mut d, t)));
    }
    out
}

// ---- socketioxide (socketioxide-parser-common) ----

pub(crate) fn sio_encode<T: Serialize>(args: &T) -> SioValue {
    let v = CommonParser.encode_value(args, Some(EVENT)).unwrap();
    CommonParser.encode(SioPacket::event("/", v))
}

pub(crate) fn sio_parts(v: SioValue) -> (SioStr, Vec<Bytes>) {
    match v {
        SioValue::Str(s, bins) => (s, bins.map(Vec::from).unwrap_or_default()),
        SioValue::Bytes(_) => unreachable!("the common parser encodes text"),
    }
}

pub(crate) fn sio_packet(text: &SioStr, bins: &[Bytes]) -> SioPacket {
    let cfg = ParseConfig::default();
    let state = ParserState::default();
    match CommonParser.decode_str(&cfg, &state, text.clone()) {
        Ok(p) => p,
        Err(ParseError::NeedsMoreBinaryData) => {
            let mut out = None;
            for b in bins {
                match CommonParser.decode_bin(&cfg, &state, b.clone()) {
                    Ok(p) => out = Some(p),
                    Err(ParseError::NeedsMoreBinaryData) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
            out.unwrap()
        }
        Err(e) => panic!("{e:?}"),
    }
}

/// The name is read (as a handler lookup would) but not copied; then the typed arguments.
pub(crate) fn sio_decode<T: DeserializeOwned>(text: &SioStr, bins: &[Bytes]) -> T {
    match sio_packet(text, bins).inner {
        PacketData::Event(mut v, _) | PacketData::BinaryEvent(mut v, _) => {
            black_box(CommonParser.read_event(&v).unwrap());
            CommonParser.decode_value(&mut v, true).unwrap()
        }
        _ => unreachable!(),
    }
}

/// [`sio_decode`] with attachments the caller gives away (as [`volley_decode_owned`]).
pub(crate) fn sio_decode_owned<T: DeserializeOwned>(text: SioStr, bins: Vec<Bytes>) -> T {
    let cfg = ParseConfig::default();
    let state = ParserState::default();
    let mut packet = match CommonParser.decode_str(&cfg, &state, text) {
        Err(ParseError::NeedsMoreBinaryData) => None,
        other => panic!("a binary packet: {other:?}"),
    };
    for b in bins {
        match CommonParser.decode_bin(&cfg, &state, b) {
            Ok(p) => packet = Some(p),
            Err(ParseError::NeedsMoreBinaryData) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    match packet.unwrap().inner {
        PacketData::BinaryEvent(mut v, _) => {
            black_box(CommonParser.read_event(&v).unwrap());
            CommonParser.decode_value(&mut v, true).unwrap()
        }
        _ => unreachable!(),
    }
}

pub(crate) fn sio_dispatch(text: &SioStr) -> usize {
    match sio_packet(text, &[]).inner {
        PacketData::Event(v, _) => CommonParser.read_event(&v).unwrap().len(),
        _ => unreachable!(),
    }
}

// ---- polling bodies ----

/// One event of a polling body.
pub(crate) type Small = (String, u32);

pub(crate) fn small_args(i: usize) -> Small {
    (format!("message number {i}"), i as u32)
}

/// User data → one polling GET body.
pub(crate) fn polling_encode_volley(all: &[Small]) -> Bytes {
    let packets: Vec<engine::Packet> = all
        .iter()
        .map(|a| engine::Packet::Message(engine::Message::Text(volley_encode(a).text)))
        .collect();
    payload::encode(&packets)
}

/// socketioxide's parser crates have no polling codec: its packets joined with the `4` message
/// prefix and `\x1e` (the cheapest possible framing).
pub(crate) fn polling_encode_sio(all: &[Small]) -> String {
    let mut body = String::new();
    for (i, a) in all.iter().enumerate() {
        if i > 0 {
            body.push('\x1e');
        }
        body.push('4');
        body.push_str(sio_parts(sio_encode(a)).0.as_str());
    }
    body
}

/// A body of [`polling_encode_sio`] split on `\x1e`, each packet decoded as [`sio_decode`].
pub(crate) fn polling_decode_sio(body: &SioStr) -> Vec<Small> {
    let mut out = Vec::with_capacity(50);
    for part in body.as_str().split('\x1e') {
        let start = part.as_ptr() as usize - body.as_str().as_ptr() as usize;
        let text = body.slice(start + 1..start + part.len());
        out.push(sio_decode::<Small>(&text, &[]));
    }
    out
}

/// The floor of a polling body: each event's arguments encoded by serde_json alone.
pub(crate) fn polling_encode_serde(all: &[Small]) -> Vec<Vec<u8>> {
    all.iter().map(|a| serde_json::to_vec(a).unwrap()).collect()
}

/// The floor of a polling body: each event's arguments decoded by serde_json alone.
pub(crate) fn polling_decode_serde(jsons: &[String]) -> Vec<Small> {
    jsons
        .iter()
        .map(|j| serde_json::from_str::<Small>(j).unwrap())
        .collect()
}
