//! Errors of the Socket.IO codec.

use super::packet::PacketType;
use thiserror::Error;

/// Why a Socket.IO packet (or one of its attachments) could not be decoded.
///
/// Every variant is a peer fault: the server closes the client as a protocol violation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The packet text was empty.
    #[error("empty packet")]
    Empty,
    /// The first character is not a packet type digit `0`–`6`.
    #[error("unknown packet type {0:?}")]
    UnknownType(char),
    /// A binary packet without a well-formed `<count>-` prefix.
    #[error("binary packet without a valid attachment count")]
    InvalidAttachmentCount,
    /// A binary packet announcing more attachments than this decoder accepts.
    #[error("{announced} attachments announced, at most {max} accepted")]
    TooManyAttachments {
        /// The announced count (saturated at `u64::MAX`).
        announced: u64,
        /// The decoder's limit.
        max: usize,
    },
    /// The attachments of one binary packet add up to more bytes than the decoder accepts.
    #[error("binary attachments over {max} bytes")]
    AttachmentsTooLarge {
        /// The decoder's limit.
        max: usize,
    },
    /// The acknowledgement id does not fit in 64 bits.
    #[error("ack id out of range")]
    AckIdOverflow,
    /// The payload is not valid JSON (or nests deeper than the JSON parser's limit).
    #[error("invalid JSON payload: {0}")]
    InvalidJson(String),
    /// The packet type requires a payload and there is none (EVENT, ACK).
    #[error("{0:?} packet without payload")]
    MissingPayload(PacketType),
    /// The packet type takes no payload but one was given (DISCONNECT).
    #[error("unexpected payload in {0:?} packet")]
    UnexpectedPayload(PacketType),
    /// An EVENT or ACK payload that is not a JSON array.
    #[error("{0:?} payload is not an array")]
    NotAnArray(PacketType),
    /// An EVENT payload that is an empty array.
    #[error("event payload is an empty array")]
    EmptyEvent,
    /// An EVENT whose first element is neither a string nor a number.
    #[error("event name is not a string or number")]
    InvalidEventName,
    /// An EVENT named with one of the names the protocol reserves (`connect`, `disconnect`, …).
    #[error("reserved event name {0:?}")]
    ReservedEventName(&'static str),
    /// A CONNECT payload that is not a JSON object.
    #[error("CONNECT payload is not an object")]
    ConnectNotObject,
    /// A CONNECT_ERROR payload that is neither a string nor an object.
    #[error("CONNECT_ERROR payload is not an object or string")]
    InvalidConnectError,
    /// An ACK without an ack id.
    #[error("{0:?} packet without ack id")]
    MissingAckId(PacketType),
    /// A placeholder whose `num` is not an integer below the announced attachment count.
    #[error("placeholder num out of range")]
    PlaceholderOutOfRange,
    /// Two placeholders refer to the same attachment.
    #[error("placeholder num {0} used twice")]
    DuplicatePlaceholder(u64),
    /// The number of placeholders differs from the announced attachment count.
    #[error("{announced} attachments announced but {found} placeholders found")]
    PlaceholderCountMismatch {
        /// Attachments announced in the `n-` prefix.
        announced: usize,
        /// Placeholders present in the JSON (counting stops one past `announced`).
        found: usize,
    },
    /// A text packet arrived while the attachments of a binary packet were still expected.
    #[error("text packet while waiting for binary attachments")]
    UnexpectedText,
    /// A binary message arrived while no binary packet was waiting for it.
    #[error("binary message without a pending binary packet")]
    UnexpectedBinary,
    /// A packet the MessagePack parser refuses ([`Parser::MsgPack`](super::Parser::MsgPack)).
    #[error(transparent)]
    MsgPack(#[from] super::msgpack::MsgPackError),
}
