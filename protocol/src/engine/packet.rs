//! Engine.IO v4 packet types and their text / WebSocket encodings.

use super::error::DecodeError;
use crate::Str;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use bytes::Bytes;

/// Standard alphabet; writes padding, and accepts input with or without it (some clients trim it).
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The Engine.IO packet type, with its wire character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// `0`: handshake (server to client).
    Open,
    /// `1`: end of session (both directions).
    Close,
    /// `2`: heartbeat from the server, or `2probe` from a client while upgrading.
    Ping,
    /// `3`: heartbeat answer from the client, or `3probe` from the server while upgrading.
    Pong,
    /// `4`: a message.
    Message,
    /// `5`: completes a transport upgrade (client to server).
    Upgrade,
    /// `6`: releases a parked polling GET (server to client).
    Noop,
}

impl PacketType {
    /// The type's wire character (`b'0'`…`b'6'`).
    pub const fn as_byte(self) -> u8 {
        match self {
            PacketType::Open => b'0',
            PacketType::Close => b'1',
            PacketType::Ping => b'2',
            PacketType::Pong => b'3',
            PacketType::Message => b'4',
            PacketType::Upgrade => b'5',
            PacketType::Noop => b'6',
        }
    }

    /// The type for a wire character, if it is one.
    pub const fn from_byte(b: u8) -> Option<PacketType> {
        Some(match b {
            b'0' => PacketType::Open,
            b'1' => PacketType::Close,
            b'2' => PacketType::Ping,
            b'3' => PacketType::Pong,
            b'4' => PacketType::Message,
            b'5' => PacketType::Upgrade,
            b'6' => PacketType::Noop,
            _ => return None,
        })
    }
}

/// A message payload: text or binary.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text message.
    Text(Str),
    /// A binary message.
    Binary(Bytes),
}

/// One Engine.IO packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Packet {
    /// Handshake; carries the handshake JSON text.
    Open(Str),
    /// Close the session.
    Close,
    /// Ping, with optional data (`probe` during an upgrade).
    Ping(Str),
    /// Pong, with optional data (`probe` during an upgrade).
    Pong(Str),
    /// A text or binary message.
    Message(Message),
    /// Upgrade complete.
    Upgrade,
    /// No operation.
    Noop,
}

/// One WebSocket frame's worth of an Engine.IO packet.
///
/// Over WebSocket each packet is one frame: text frames carry the type character and data,
/// binary frames carry the raw message bytes with no prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WsFrame {
    /// A text frame.
    Text(Str),
    /// A binary frame.
    Binary(Bytes),
}

impl Packet {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Open(_) => PacketType::Open,
            Packet::Close => PacketType::Close,
            Packet::Ping(_) => PacketType::Ping,
            Packet::Pong(_) => PacketType::Pong,
            Packet::Message(_) => PacketType::Message,
            Packet::Upgrade => PacketType::Upgrade,
            Packet::Noop => PacketType::Noop,
        }
    }

    /// A text message packet.
    pub fn text(text: impl Into<Str>) -> Packet {
        Packet::Message(Message::Text(text.into()))
    }

    /// A binary message packet.
    pub fn binary(bytes: impl Into<Bytes>) -> Packet {
        Packet::Message(Message::Binary(bytes.into()))
    }

    /// Decodes a WebSocket text frame or one item of a polling payload.
    ///
    /// The data of `Open`, `Ping`, `Pong` and text messages is a slice of `text` (no copy).
    /// Data after `1`, `5` and `6` is ignored, as the reference server does. A leading `b`
    /// is a base64 binary message (the polling form of [`Message::Binary`]).
    pub fn decode_text(text: Str) -> Result<Packet, DecodeError> {
        Packet::decode_text_in(&text, 0, text.len())
    }

    /// [`Packet::decode_text`] of `text[start..end]`, slicing `text` once (for the packet's
    /// payload) rather than once for the packet and again for its payload. `start` and `end`
    /// must be char boundaries.
    #[inline]
    pub(crate) fn decode_text_in(
        text: &Str,
        start: usize,
        end: usize,
    ) -> Result<Packet, DecodeError> {
        let Some(&first) = text.as_bytes()[..end].get(start) else {
            return Err(DecodeError::Empty);
        };
        if first == b'b' {
            let bytes = BASE64
                .decode(&text.as_bytes()[start + 1..end])
                .map_err(|_| DecodeError::InvalidBase64)?;
            return Ok(Packet::binary(bytes));
        }
        let Some(kind) = PacketType::from_byte(first) else {
            let c = text[start..end].chars().next().unwrap_or('\u{fffd}');
            return Err(DecodeError::UnknownType(c));
        };
        // `first` is ASCII, so `start + 1` is a char boundary.
        let rest = || text.slice(start + 1..end);
        Ok(match kind {
            PacketType::Open => Packet::Open(rest()),
            PacketType::Close => Packet::Close,
            PacketType::Ping => Packet::Ping(rest()),
            PacketType::Pong => Packet::Pong(rest()),
            PacketType::Message => Packet::Message(Message::Text(rest())),
            PacketType::Upgrade => Packet::Upgrade,
            PacketType::Noop => Packet::Noop,
        })
    }

    /// Decodes a WebSocket binary frame: always a binary message, sharing `bytes`.
    pub fn decode_binary(bytes: Bytes) -> Packet {
        Packet::Message(Message::Binary(bytes))
    }

    /// Length of [`Packet::encode_text`]'s output, computed without encoding.
    pub fn encoded_text_len(&self) -> usize {
        match self {
            Packet::Open(s) | Packet::Ping(s) | Packet::Pong(s) => 1 + s.len(),
            Packet::Message(Message::Text(s)) => 1 + s.len(),
            Packet::Message(Message::Binary(b)) => 1 + base64_len(b.len()),
            Packet::Close | Packet::Upgrade | Packet::Noop => 1,
        }
    }

    /// Appends the text form to `out` (what [`Packet::encode_text`] returns).
    pub fn write_text(&self, out: &mut Vec<u8>) {
        match self {
            Packet::Message(Message::Binary(b)) => {
                out.push(b'b');
                let start = out.len();
                out.resize(start + base64_len(b.len()), 0);
                // The buffer was sized with the same formula the engine uses; it cannot be short.
                let written = BASE64.encode_slice(b, &mut out[start..]).unwrap_or(0);
                out.truncate(start + written);
            }
            Packet::Open(s) | Packet::Ping(s) | Packet::Pong(s) => {
                out.push(self.packet_type().as_byte());
                out.extend_from_slice(s.as_bytes());
            }
            Packet::Message(Message::Text(s)) => {
                out.push(b'4');
                out.extend_from_slice(s.as_bytes());
            }
            Packet::Close | Packet::Upgrade | Packet::Noop => {
                out.push(self.packet_type().as_byte());
            }
        }
    }

    /// The text form: a WebSocket text frame or one polling item.
    ///
    /// A binary message becomes the polling form `b<base64>`; over WebSocket use
    /// [`Packet::encode_ws`], which sends it as a raw binary frame instead.
    pub fn encode_text(&self) -> Str {
        let mut out = Vec::with_capacity(self.encoded_text_len());
        self.write_text(&mut out);
        // Type characters and base64 are ASCII and the rest was already `Str`.
        Str::from_trusted_utf8(Bytes::from(out))
    }

    /// The WebSocket frame for this packet.
    pub fn encode_ws(&self) -> WsFrame {
        match self {
            Packet::Message(Message::Binary(b)) => WsFrame::Binary(b.clone()),
            other => WsFrame::Text(other.encode_text()),
        }
    }

    /// Decodes a WebSocket frame (text or binary).
    pub fn decode_ws(frame: WsFrame) -> Result<Packet, DecodeError> {
        match frame {
            WsFrame::Text(s) => Packet::decode_text(s),
            WsFrame::Binary(b) => Ok(Packet::decode_binary(b)),
        }
    }
}

/// Length of the padded standard base64 encoding of `n` bytes.
pub(crate) const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &'static str) -> Result<Packet, DecodeError> {
        Packet::decode_text(Str::from_static(s))
    }

    #[test]
    fn every_type_character_decodes() {
        assert_eq!(
            dec("0{\"sid\":\"x\"}"),
            Ok(Packet::Open(Str::from("{\"sid\":\"x\"}")))
        );
        assert_eq!(dec("1"), Ok(Packet::Close));
        assert_eq!(dec("2"), Ok(Packet::Ping(Str::new())));
        assert_eq!(dec("2probe"), Ok(Packet::Ping(Str::from("probe"))));
        assert_eq!(dec("3probe"), Ok(Packet::Pong(Str::from("probe"))));
        assert_eq!(dec("4hello"), Ok(Packet::text("hello")));
        assert_eq!(dec("4"), Ok(Packet::text("")));
        assert_eq!(dec("5"), Ok(Packet::Upgrade));
        assert_eq!(dec("6"), Ok(Packet::Noop));
        assert_eq!(dec("bAQID"), Ok(Packet::binary(vec![1u8, 2, 3])));
        assert_eq!(dec("b"), Ok(Packet::binary(Vec::new())));
    }

    #[test]
    fn malformed_packets_name_the_cause() {
        assert_eq!(dec(""), Err(DecodeError::Empty));
        assert_eq!(dec("abc"), Err(DecodeError::UnknownType('a')));
        assert_eq!(dec("7"), Err(DecodeError::UnknownType('7')));
        assert_eq!(dec("éx"), Err(DecodeError::UnknownType('é')));
        assert_eq!(dec("b!!!"), Err(DecodeError::InvalidBase64));
        assert_eq!(dec("bAQ=x"), Err(DecodeError::InvalidBase64));
    }

    #[test]
    fn base64_padding_is_optional_on_input_and_written_on_output() {
        assert_eq!(dec("bAQ"), Ok(Packet::binary(vec![1u8])));
        assert_eq!(dec("bAQ=="), Ok(Packet::binary(vec![1u8])));
        assert_eq!(Packet::binary(vec![1u8]).encode_text(), "bAQ==");
        assert_eq!(Packet::binary(vec![1u8, 2]).encode_text(), "bAQI=");
    }

    #[test]
    fn text_data_is_a_slice_of_the_input() {
        let input = Str::from("4some message");
        let Ok(Packet::Message(Message::Text(t))) = Packet::decode_text(input.clone()) else {
            panic!("not a text message");
        };
        assert_eq!(t.as_ptr(), input[1..].as_ptr());
    }

    #[test]
    fn encodes_text_and_websocket_forms() {
        assert_eq!(Packet::Close.encode_text(), "1");
        assert_eq!(Packet::Ping(Str::from("probe")).encode_text(), "2probe");
        assert_eq!(Packet::Pong(Str::new()).encode_text(), "3");
        assert_eq!(Packet::text("héllo").encode_text(), "4héllo");
        assert_eq!(Packet::Noop.encode_text(), "6");
        assert_eq!(
            Packet::text("x").encode_ws(),
            WsFrame::Text(Str::from("4x"))
        );
        let b = Bytes::from_static(&[0, 255]);
        assert_eq!(Packet::binary(b.clone()).encode_ws(), WsFrame::Binary(b));
    }

    #[test]
    fn encoded_len_matches_output() {
        for p in [
            Packet::Open(Str::from("{}")),
            Packet::Close,
            Packet::binary(vec![9u8; 10]),
            Packet::text("ü"),
            Packet::Upgrade,
        ] {
            assert_eq!(p.encode_text().len(), p.encoded_text_len(), "{p:?}");
        }
    }
}
