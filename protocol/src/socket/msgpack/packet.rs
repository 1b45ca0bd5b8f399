//! A whole Socket.IO packet as one MessagePack map `{type, data, nsp, id}`.

use super::read::{Item, Reader};
use super::write::{encode, encode_map_len, encode_str, encode_uint};
use super::MsgPackError;
use crate::socket::decoder::check_payload;
use crate::socket::{DecodeError, Packet, PacketType, Value};
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
    let mut out = Vec::with_capacity(24 + packet.nsp.len() + data.map_or(0, str::len));
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
    let mut r = Reader::new(bytes);
    let len = r.map_header()?.ok_or(MsgPackError::NotAMap)?;
    let (mut kind, mut nsp, mut data, mut id) = (None, None, None, None);
    for _ in 0..len {
        let key = r.key(1)?;
        let item = r.item(1)?;
        // A repeated key: the last one wins, as in the JavaScript object notepack builds.
        match key.as_str() {
            "type" => kind = Some(item),
            "nsp" => nsp = Some(item),
            "data" => data = Some(item),
            "id" => id = Some(item),
            _ => {}
        }
    }
    r.finish()?;
    let kind = match kind {
        Some(Item::Value(Value::Number(n))) => n.as_u64().and_then(type_of),
        _ => None,
    }
    .ok_or(MsgPackError::InvalidType)?;
    let Some(Item::Value(Value::String(nsp))) = nsp else {
        return Err(MsgPackError::InvalidNamespace.into());
    };
    let mut attachments = Vec::new();
    let data = match data {
        None | Some(Item::Undefined) => None,
        Some(Item::Value(v)) => {
            let mut json = Vec::new();
            v.write_json(&mut json, &mut attachments);
            // `write_json` writes valid UTF-8 JSON.
            Some(Str::from_trusted_utf8(json.into()))
        }
    };
    let id = match id {
        None | Some(Item::Undefined) => None,
        Some(Item::Value(Value::Number(n))) => Some(n.as_u64().ok_or(MsgPackError::InvalidId)?),
        Some(Item::Value(_)) => return Err(MsgPackError::InvalidId.into()),
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
