//! The reference's optional MessagePack parser (`socket.io-msgpack-parser`, built on
//! `notepack.io`), chosen server-wide with [`Parser::MsgPack`].
//!
//! Every Socket.IO packet is one MessagePack map `{type, nsp, data, id}` sent as one binary
//! Engine.IO message: no attachments and no placeholders, binary values are MessagePack `bin`
//! inside `data`. Volley keeps its packets as they are with the JSON parser (JSON text plus
//! attachments) and converts only at the edge: [`decode_packet`] when a binary message
//! arrives, [`encode_packet`] once per outgoing packet (once for all targets of a broadcast).
//!
//! Incoming values JSON cannot hold are mapped or refused on purpose:
//! - bin, and ext 8/16/32 of type 0 (notepack's `ArrayBuffer`) → binary (an attachment);
//! - fixext 1 of type 0 (notepack's `undefined`) → left out of a map, `null` in an array,
//!   absent as a packet field;
//! - fixext 8 of type 0 (notepack's `Date`) → its ISO 8601 text (`Date#toJSON`), `null` out of
//!   the JavaScript date range; any other extension → `[type, <binary>]`, as notepack gives it;
//! - NaN and ±infinity → `null`; an integral float in the i64/u64 range → that integer;
//!   64-bit integers stay exact; invalid UTF-8 in a string → U+FFFD;
//! - map keys that are integers, `true`, `false`, `nil` or `undefined` → their JavaScript
//!   spelling; any other non-string key (float, array, map, binary, extension) → refused;
//! - a map in `data` that looks like a placeholder (`{"_placeholder":true,"num":…}`) is an
//!   ordinary object when the packet has no binary value, and is read as a placeholder (so
//!   usually refused as a count mismatch) when it has some.
//!
//! At most [`DEFAULT_MAX_ATTACHMENTS`](crate::socket::DEFAULT_MAX_ATTACHMENTS) binary values
//! are accepted per packet (the JSON parser's bound on attachments). A refused message closes
//! that client, like any malformed packet.
//!
//! Outgoing, a JSON number is written as a JavaScript number would be (integers in their
//! smallest form, anything else as float 64), binary as `bin`, objects as maps with string keys.

mod date;
mod packet;
mod read;
mod write;

pub use date::civil_from_days;
pub use packet::{decode_packet, encode_packet};
pub use write::{
    encode, encode_array_len, encode_bin, encode_int, encode_map_len, encode_number, encode_str,
    encode_uint,
};

use super::DecodeError;
use crate::engine::{Message, OutMessage};
use thiserror::Error;

/// How Socket.IO packets are written on the wire, server-wide (the reference's `parser`
/// option): every client must use the same parser as the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Parser {
    /// The default: packets as text (`2["event",…]`), binary as attachments.
    #[default]
    Json,
    /// `socket.io-msgpack-parser`: each packet one MessagePack binary message.
    MsgPack,
}

/// Why a MessagePack packet was refused (inside [`DecodeError::MsgPack`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MsgPackError {
    /// The message ended inside a value.
    #[error("truncated MessagePack value")]
    Truncated,
    /// The marker byte MessagePack reserves (0xc1).
    #[error("reserved MessagePack marker 0x{0:02x}")]
    Reserved(u8),
    /// Arrays and maps nested deeper than the JSON validator accepts.
    #[error("MessagePack nesting too deep")]
    TooDeep,
    /// Bytes left after the packet.
    #[error("{0} trailing bytes after the MessagePack packet")]
    Trailing(usize),
    /// More binary values in one message than [`DEFAULT_MAX_ATTACHMENTS`](crate::socket::DEFAULT_MAX_ATTACHMENTS)
    /// (the JSON parser's bound on attachments).
    #[error("more than {max} binary values in one packet")]
    TooManyBinaries {
        /// The bound.
        max: usize,
    },
    /// A map key with no JSON form (a float, array, map, binary or extension).
    #[error("MessagePack map key that is not a string or integer")]
    UnsupportedKey,
    /// The packet is not a MessagePack map.
    #[error("MessagePack packet is not a map")]
    NotAMap,
    /// `type` is not an integer from 0 to 4.
    #[error("invalid packet type")]
    InvalidType,
    /// `nsp` is missing or not a string.
    #[error("invalid namespace")]
    InvalidNamespace,
    /// `id` is present but not a non-negative integer.
    #[error("invalid packet id")]
    InvalidId,
    /// Binary values in a packet that is not an EVENT or ACK.
    #[error("binary values outside an EVENT or ACK")]
    BinaryOutsideEvent,
    /// A text message: with the MessagePack parser every packet is binary.
    #[error("text message with the MessagePack parser")]
    TextMessage,
}

/// An incoming Engine.IO message as a packet, with the MessagePack parser.
pub(crate) fn decode_message(msg: Message) -> Result<super::Packet, DecodeError> {
    match msg {
        Message::Binary(bytes) => decode_packet(&bytes),
        Message::Text(_) => Err(MsgPackError::TextMessage.into()),
    }
}

/// An outgoing packet as its one Engine.IO message, with the MessagePack parser.
pub(crate) fn encode_message(packet: &super::Packet) -> OutMessage {
    OutMessage::binary(encode_packet(packet))
}

#[cfg(test)]
mod tests;
