//! An incoming event as a handler sees it, and the responder for its acknowledgement.

use super::io::IoShared;
use crate::server::SocketId;
use crate::socket::{to_ack, Args, RawArgs, Value};
use crate::Str;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

/// Why event arguments could not be read as the handler asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArgsError {
    /// The arguments do not have the requested shape.
    #[error("event arguments do not match: {0}")]
    Shape(#[from] serde_json::Error),
    /// There is no argument at that position.
    #[error("no argument at index {0}")]
    Missing(usize),
}

/// Why an emit failed before anything was sent (caller faults).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The data could not be serialized to JSON.
    #[error("cannot serialize the arguments: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The event name is one the protocol reserves (`connect`, `disconnect`, …).
    #[error("`{0}` is a reserved event name")]
    ReservedName(String),
    /// The socket is no longer connected.
    #[error("the socket is disconnected")]
    Disconnected,
}

/// One event received from a client: its name, its arguments, and a way to answer it if the
/// client asked for an acknowledgement.
///
/// ```
/// use volley_protocol::api::Event;
///
/// fn on_chat(mut event: Event) {
///     // `socket.emit("chat", "hello", 3)` in JavaScript:
///     let (text, count): (String, u32) = event.args().unwrap();
///     assert_eq!(event.name(), "chat");
///     # let _ = (text, count);
///     if let Some(ack) = event.take_ack() {
///         let _ = ack.send(&"received");
///     }
/// }
/// # let _ = on_chat;
/// ```
pub struct Event {
    name: Str,
    args: Args,
    ack: Option<AckResponder>,
}

impl Event {
    pub(crate) fn new(name: Str, args: Args, ack: Option<AckResponder>) -> Self {
        Event { name, args, ack }
    }

    /// The event name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// True when the event has no arguments.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// All arguments deserialized as one sequence: a tuple `(A, B)`, a `Vec<T>`, or a struct
    /// deserialized from a sequence. Binary arguments deserialize as bytes (`bytes::Bytes`,
    /// `serde_bytes::ByteBuf`, `Vec<u8>`).
    pub fn args<T: DeserializeOwned>(&self) -> Result<T, ArgsError> {
        Ok(self.args.deserialize()?)
    }

    /// Argument `i` deserialized into `T`.
    pub fn arg<T: DeserializeOwned>(&self, i: usize) -> Result<T, ArgsError> {
        if i >= self.args.len() {
            return Err(ArgsError::Missing(i));
        }
        Ok(self.args.get(i)?)
    }

    /// Every argument as a [`Value`] (JSON with binary parts).
    pub fn values(&self) -> Result<Vec<Value>, ArgsError> {
        Ok(self.args.values()?)
    }

    /// Each argument's raw JSON text, placeholders for binary parts included.
    pub fn raw_args(&self) -> &[Str] {
        self.args.raw()
    }

    /// The binary attachments of the event, in order.
    pub fn binary(&self) -> &[Bytes] {
        self.args.attachments()
    }

    /// The arguments, for forwarding them unchanged with
    /// [`SocketRef::emit_forward`](super::SocketRef::emit_forward) and friends.
    pub fn forward_args(&self) -> &Args {
        &self.args
    }

    /// True when the client asked for an acknowledgement.
    pub fn wants_ack(&self) -> bool {
        self.ack.is_some()
    }

    /// The acknowledgement responder, if the client asked for one (once).
    pub fn take_ack(&mut self) -> Option<AckResponder> {
        self.ack.take()
    }

    /// Acknowledges with `data` (see [`AckResponder::send`]); no-op if no ack was requested.
    pub fn ack<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<(), EmitError> {
        match self.ack.take() {
            Some(ack) => ack.send(data),
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("name", &self.name)
            .field("args", &self.args.raw())
            .field("wants_ack", &self.ack.is_some())
            .finish()
    }
}

/// Answers one acknowledgement request (the client's callback).
pub struct AckResponder {
    pub(crate) io: Arc<IoShared>,
    pub(crate) socket: SocketId,
    pub(crate) id: u64,
}

impl AckResponder {
    /// Sends the acknowledgement. Like [`SocketRef::emit`](super::SocketRef::emit), a tuple
    /// is spread into several arguments and `()` sends none.
    pub fn send<T: Serialize + ?Sized>(self, data: &T) -> Result<(), EmitError> {
        let args = to_ack(data)?;
        self.send_raw(args);
        Ok(())
    }

    /// Acknowledges with the same arguments as `args` (binary stays binary).
    pub fn send_forward(self, args: &Args) {
        self.send_raw(super::forward::ack_payload(args));
    }

    /// Acknowledges with arguments already serialized.
    pub fn send_raw(self, args: RawArgs) {
        super::io::send_ack(&self.io, &self.socket, self.id, args);
    }
}

impl std::fmt::Debug for AckResponder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AckResponder")
            .field("socket", &self.socket)
            .field("id", &self.id)
            .finish()
    }
}
