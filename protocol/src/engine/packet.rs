//! Engine.IO v4 packet types.

use crate::Str;
use bytes::Bytes;

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
}
