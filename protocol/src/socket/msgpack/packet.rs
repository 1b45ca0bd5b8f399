//! A whole Socket.IO packet as one MessagePack map `{type, data, nsp, id}`.

use super::read::{Reader, Sink, Written};
use super::write::{encode, encode_map_len, encode_str, encode_uint};
use super::MsgPackError;
use crate::socket::decoder::check_payload;
use crate::socket::{DecodeError, Packet, PacketType, Value, DEFAULT_MAX_ATTACHMENTS};
use crate::Str;
use bytes::Bytes;

/// Encodes `packet` as the reference's MessagePack parser does: one map with `type` (0–4:
/// binary events and acks are plain EVENT/ACK, their binary values MessagePack `bin` inside
/// `data`), `data` when there is a payload, `nsp`, and `id` when there is one.
///
/// `data` is read back from its JSON with the placeholders resolved against the packet's
/// attachments. A payload that is not valid JSON (only [`RawArgs`](crate::socket::RawArgs)
/// built by hand can hold one) is sent as `nil`, with a warning in the log.
pub fn encode_packet(packet: &Packet) -> Bytes {
    let data = packet.data.as_deref();
    let binary: usize = packet.wire_attachments().iter().map(|b| 5 + b.len()).sum();
    let mut out = Vec::with_capacity(24 + packet.nsp.len() + data.map_or(0, str::len) + binary);
    encode_map_len(
        2 + usize::from(data.is_some()) + usize::from(packet.id.is_some()),
        &mut out,
    );
    encode_str("type", &mut out);
    encode_uint(type_code(packet.kind), &mut out);
    if let Some(json) = data {
        encode_str("data", &mut out);
        match Value::from_json(json, packet.wire_attachments()) {
            Ok(value) => encode(&value, &mut out),
            Err(e) => {
                tracing::warn!(error = %e, "a packet payload is not valid JSON; sent as nil");
                out.push(0xc0);
            }
        }
    }
    encode_str("nsp", &mut out);
    encode_str(&packet.nsp, &mut out);
    if let Some(id) = packet.id {
        encode_str("id", &mut out);
        encode_uint(id, &mut out);
    }
    out.into()
}

/// Decodes one binary Engine.IO message into a packet, refusing what the reference's
/// MessagePack decoder refuses (a `type` that is not an integer 0–4, an `nsp` that is not a
/// string, a `data` of the wrong shape for the type, an `id` that is not an integer) and what
/// Volley refuses of every packet (see [`Decoder::decode_text`](crate::socket::Decoder)).
///
/// Binary values in `data` become attachments behind placeholders, so the packet is the one
/// the JSON parser would have produced (a BINARY_EVENT/BINARY_ACK when there are some). Keys
/// other than the four are ignored (the reference client also sends `options`). Beyond the
/// reference, Volley refuses a negative `id` (ack ids are unsigned here) and binary values in
/// a CONNECT or CONNECT_ERROR payload (auth is kept as JSON). How values JSON cannot hold are
/// mapped is described on [`crate::socket::msgpack`].
pub fn decode_packet(bytes: &Bytes) -> Result<Packet, DecodeError> {
    let mut r = Reader::new(bytes, DEFAULT_MAX_ATTACHMENTS);
    let len = r.map_header()?.ok_or(MsgPackError::NotAMap)?;
    let mut fields: [Field; 4] = Default::default();
    let mut skipped = Field::default();
    for _ in 0..len {
        let key = r.key()?;
        // A repeated key: the last one wins, as in the JavaScript object notepack builds.
        let field = match &*key {
            "type" => &mut fields[0],
            "nsp" => &mut fields[1],
            "data" => &mut fields[2],
            "id" => &mut fields[3],
            _ => &mut skipped,
        };
        field.read(&mut r)?;
    }
    r.finish()?;
    let [kind, nsp, data, id] = fields;
    let kind = kind
        .integer()
        .and_then(type_of)
        .ok_or(MsgPackError::InvalidType)?;
    let nsp = nsp.string().ok_or(MsgPackError::InvalidNamespace)?;
    let id = match id.written {
        None | Some(Written::Undefined) => None,
        Some(Written::Value) => Some(id.integer().ok_or(MsgPackError::InvalidId)?),
    };
    let attachments = data.attachments;
    let data = match data.written {
        None | Some(Written::Undefined) => None,
        // The reader writes valid UTF-8 JSON.
        Some(Written::Value) => Some(Str::from_trusted_utf8(data.json.into())),
    };
    let kind = match kind {
        _ if attachments.is_empty() => kind,
        PacketType::Event => PacketType::BinaryEvent,
        PacketType::Ack => PacketType::BinaryAck,
        _ => return Err(MsgPackError::BinaryOutsideEvent.into()),
    };
    let announced = (!attachments.is_empty()).then_some(attachments.len());
    check_payload(kind, id, data.as_deref(), announced)?;
    Ok(Packet {
        kind,
        nsp: Str::from(nsp),
        id,
        data,
        attachments,
    })
}

/// One field of the packet map, as JSON.
#[derive(Default)]
struct Field {
    /// `None`: absent.
    written: Option<Written>,
    json: Vec<u8>,
    attachments: Vec<Bytes>,
}

impl Field {
    fn read(&mut self, r: &mut Reader<'_>) -> Result<(), MsgPackError> {
        self.json.clear();
        self.attachments.clear();
        let mut sink = Sink {
            json: &mut self.json,
            attachments: &mut self.attachments,
        };
        self.written = Some(r.json(1, &mut sink)?);
        Ok(())
    }

    /// A non-negative integer (an integral float reads as one, as in JavaScript).
    fn integer(&self) -> Option<u64> {
        let json = self.json.as_slice();
        if self.written != Some(Written::Value) || !json.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(json).ok()?.parse().ok()
    }

    /// A string.
    fn string(&self) -> Option<String> {
        if self.written != Some(Written::Value) || self.json.first() != Some(&b'"') {
            return None;
        }
        serde_json::from_slice(&self.json).ok()
    }
}

fn type_code(kind: PacketType) -> u64 {
    match kind {
        PacketType::Connect => 0,
        PacketType::Disconnect => 1,
        PacketType::Event | PacketType::BinaryEvent => 2,
        PacketType::Ack | PacketType::BinaryAck => 3,
        PacketType::ConnectError => 4,
    }
}

fn type_of(code: u64) -> Option<PacketType> {
    Some(match code {
        0 => PacketType::Connect,
        1 => PacketType::Disconnect,
        2 => PacketType::Event,
        3 => PacketType::Ack,
        4 => PacketType::ConnectError,
        _ => return None,
    })
}
