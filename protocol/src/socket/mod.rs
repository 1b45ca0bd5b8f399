//! Socket.IO v5: packets and binary attachments.

mod packet;

pub use packet::PacketType;
