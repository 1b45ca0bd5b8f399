//! Engine.IO v4: packets, polling payloads, the handshake, and the sessions of a server.

mod compression;
mod config;
mod cookie;
mod error;
mod events;
mod handshake;
mod head;
mod header_name;
mod packet;
pub mod payload;
mod queue;
mod request;
mod response;
mod response_headers;
mod server;
mod session;

pub use compression::{negotiate, ContentEncoding};
pub use config::{BufferLimit, Cors, CorsOrigin, EngineConfig, Transports};
pub use cookie::{CookieConfig, SameSite};
pub use error::{DecodeError, PayloadError};
pub use events::{
    CloseReason, EngineEvent, Incoming, RequestOutcome, SendOptions, SendOutcome, SessionInfo,
    Transmit,
};
pub use handshake::{Handshake, HandshakeError};
pub use head::{Headers, RequestHead, RequestHeadBuilder};
pub use packet::{Message, Packet, PacketType, WsFrame};
pub(crate) use queue::Group;
pub use queue::OutMessage;
pub(crate) use request::asked_without_session;
pub use request::{ConnId, Method, ReqId, SessionKey, TransportKind};
pub(crate) use response::named;
pub use response::{ErrorCode, HttpResponse};
pub use response_headers::{HeaderHooks, HeadersHook, ResponseHeaders};
pub use server::EngineServer;
