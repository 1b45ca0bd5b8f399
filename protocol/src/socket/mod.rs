//! Socket.IO v5: packets, binary attachments, and helpers to build and read payloads.
//!
//! Decoding keeps JSON as validated raw text ([`Packet::data`]) so packets can be forwarded
//! without re-serializing; [`Args`] and [`Value`] look inside when needed, and [`to_event`] /
//! [`to_ack`] build payloads from any `impl Serialize`.

mod arg_list;
mod args;
mod binary;
mod binary_de;
mod binary_layout;
mod connect;
mod decoder;
mod error;
pub mod msgpack;
mod packet;
#[macro_use]
mod probe;
mod scan;
mod ser;
mod unchecked;
mod validate;
mod value;

pub use args::Args;
pub use binary::Binary;
pub use connect::{ConnectError, EMPTY_AUTH};
pub use decoder::{Decoder, DEFAULT_MAX_ATTACHMENTS};
pub use error::DecodeError;
pub use msgpack::Parser;
pub use packet::{Encoded, Packet, PacketType, DEFAULT_NSP};
pub use scan::{is_reserved_event, reserved_event, RESERVED_EVENTS};
pub use ser::{
    encode_ack, encode_event, to_ack, to_event, to_json, values_to_ack, values_to_event,
    Placeholders, RawArgs,
};
pub use unchecked::{Decoded, TypedArgsError, UncheckedEvent};
pub use value::Value;

pub(crate) use binary::{take_outgoing as take_outgoing_binary, TOKEN as BINARY_TOKEN};
pub(crate) use value::write_placeholder;
