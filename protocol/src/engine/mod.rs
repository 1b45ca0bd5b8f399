//! Engine.IO v4: packets, polling payloads, the handshake, and (later) sessions.

mod packet;

pub use packet::{Message, Packet, PacketType};
