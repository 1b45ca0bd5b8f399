//! Errors of the Engine.IO codec.

use thiserror::Error;

/// Why one Engine.IO packet could not be decoded.
///
/// Every variant is a peer fault: the session that sent it is closed with `parse error`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The packet had no type character.
    #[error("empty packet")]
    Empty,
    /// The first character is not one of `0`–`6` (or `b` in a polling payload).
    #[error("unknown packet type {0:?}")]
    UnknownType(char),
    /// A `b…` binary message whose body is not standard base64 with padding.
    #[error("invalid base64 in binary message")]
    InvalidBase64,
}

/// Why a polling request body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The body is longer than `maxPayload`; answer HTTP 413 and keep the session open.
    #[error("payload of {len} bytes exceeds maxPayload of {max} bytes")]
    TooLarge {
        /// Length of the body in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The body is not valid UTF-8.
    #[error("payload is not valid UTF-8")]
    InvalidUtf8,
    /// One of the `\x1e`-separated packets is malformed.
    #[error("packet {index} of the payload: {source}")]
    Packet {
        /// Zero-based position of the packet in the body.
        index: usize,
        /// What is wrong with it.
        source: DecodeError,
    },
}
