//! Engine.IO v4: packets, polling payloads, the handshake, and (later) sessions.

mod error;
mod handshake;
mod packet;
pub mod payload;

pub use error::{DecodeError, PayloadError};
pub use handshake::{Handshake, HandshakeError};
pub use packet::{Message, Packet, PacketType, WsFrame};
