//! An incoming event as a handler sees it, and the responder for its acknowledgement.

use super::io::IoShared;
use crate::server::SocketKey;
use crate::socket::{to_ack, Args, RawArgs, Value};
use crate::Str;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Why event arguments could not be read as the handler asked.
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # fn f(socket: SocketRef) {
/// socket.on("move", |_socket, event| match event.args::<(i32, i32)>() {
///     Ok((x, y)) => println!("to {x},{y}"),
///     Err(e) => println!("bad move: {e}"),
/// });
/// # }
/// ```
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
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # fn f(socket: SocketRef) {
/// match socket.emit("disconnect", &()) {
///     Err(volley_protocol::api::EmitError::ReservedName(name)) => println!("cannot emit {name}"),
///     _ => {}
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The data could not be serialized to JSON.
    #[error("cannot serialize the arguments: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The event name is one the protocol reserves (`connect`, `disconnect`, …).
    #[error("`{0}` is a reserved event name")]
    ReservedName(String),
    /// The socket is no longer connected (it left; in its disconnecting handlers it still is,
    /// and an emit there is `Ok` and sends nothing).
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

    /// The arguments and the acknowledgement responder, for a handler that takes both.
    pub(crate) fn into_args_and_ack(self) -> (Args, Option<AckResponder>) {
        (self.args, self.ack)
    }

    /// What the event took on the wire (its JSON and attachments), in bytes.
    pub(crate) fn wire_len(&self) -> usize {
        self.args.wire_len()
    }

    /// The event name.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_any(|_socket, event| println!("got {}", event.name()));
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of arguments.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("log", |_socket, event| println!("{} arguments", event.len()));
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// True when the event has no arguments.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("ping", |_socket, event| assert!(event.is_empty()));
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// All arguments deserialized as one sequence: a tuple `(A, B)`, a `Vec<T>`, or a struct
    /// deserialized from a sequence. Binary arguments deserialize as bytes (`bytes::Bytes`,
    /// `serde_bytes::ByteBuf`, `Vec<u8>`).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// #[derive(serde::Deserialize)]
    /// struct Move { x: i32, y: i32 }
    /// socket.on("move", |_socket, event| {
    ///     // socket.emit("move", { x: 1, y: 2 }, "fast")
    ///     if let Ok((m, speed)) = event.args::<(Move, String)>() {
    ///         println!("{},{} {speed}", m.x, m.y);
    ///     }
    /// });
    /// # }
    /// ```
    pub fn args<T: DeserializeOwned>(&self) -> Result<T, ArgsError> {
        Ok(self.args.deserialize()?)
    }

    /// Argument `i` deserialized into `T`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("rename", |_socket, event| {
    ///     let name: String = event.arg(0).unwrap_or_default();
    ///     # let _ = name;
    /// });
    /// # }
    /// ```
    pub fn arg<T: DeserializeOwned>(&self, i: usize) -> Result<T, ArgsError> {
        if i >= self.args.len() {
            return Err(ArgsError::Missing(i));
        }
        Ok(self.args.get(i)?)
    }

    /// Every argument as a [`Value`] (JSON with binary parts).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// use volley_protocol::socket::Value;
    /// socket.on("upload", |_socket, event| {
    ///     for value in event.values().unwrap_or_default() {
    ///         if let Value::Binary(bytes) = value {
    ///             println!("{} bytes", bytes.len());
    ///         }
    ///     }
    /// });
    /// # }
    /// ```
    pub fn values(&self) -> Result<Vec<Value>, ArgsError> {
        Ok(self.args.values()?)
    }

    /// Each argument's raw JSON text, placeholders for binary parts included.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("log", |_socket, event| {
    ///     for raw in event.raw_args() {
    ///         println!("{raw}"); // JSON text of each argument
    ///     }
    /// });
    /// # }
    /// ```
    pub fn raw_args(&self) -> &[Str] {
        self.args.raw()
    }

    /// The binary attachments of the event, in order.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("file", |_socket, event| {
    ///     let total: usize = event.binary().iter().map(|b| b.len()).sum();
    ///     # let _ = total;
    /// });
    /// # }
    /// ```
    pub fn binary(&self) -> &[Bytes] {
        self.args.attachments()
    }

    /// The arguments, for forwarding them unchanged with
    /// [`SocketRef::emit_forward`](super::SocketRef::emit_forward) and friends.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("relay", |socket, event| {
    ///     let _ = socket.broadcast().emit_forward("relay", event.forward_args());
    /// });
    /// # }
    /// ```
    pub fn forward_args(&self) -> &Args {
        &self.args
    }

    /// True when the client asked for an acknowledgement.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("save", |_socket, mut event| {
    ///     if event.wants_ack() {
    ///         let _ = event.ack(&"saved");
    ///     }
    /// });
    /// # }
    /// ```
    pub fn wants_ack(&self) -> bool {
        self.ack.is_some()
    }

    /// The acknowledgement responder, if the client asked for one (once).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("slow", |_socket, mut event| {
    ///     let ack = event.take_ack();
    ///     async move {
    ///         if let Some(ack) = ack {
    ///             let _ = ack.send(&"done later");
    ///         }
    ///     }
    /// });
    /// # }
    /// ```
    pub fn take_ack(&mut self) -> Option<AckResponder> {
        self.ack.take()
    }

    /// A responder for this event's acknowledgement that only borrows the event, as an
    /// [`on_any`](super::SocketRef::on_any) listener does. Every responder for the request —
    /// those from `shared_ack` and the one the handler takes — shares it: the first to send
    /// answers the client, later sends send nothing. That is the reference's ack callback,
    /// which its `onAny` listeners get as well as the handler. `None` when the client asked
    /// for no acknowledgement, or once the responder was taken ([`take_ack`](Self::take_ack),
    /// [`ack`](Self::ack)).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// // Answers every `ping`, whatever its handler does (and before it, so this answer wins).
    /// socket.on_any(|_socket, event| {
    ///     if event.name() == "ping" {
    ///         if let Some(ack) = event.shared_ack() {
    ///             let _ = ack.send(&"pong");
    ///         }
    ///     }
    /// });
    /// # }
    /// ```
    pub fn shared_ack(&self) -> Option<AckResponder> {
        let ack = self.ack.as_ref()?;
        // Made only when asked for: a request with a single responder needs no flag.
        let answered = ack.answered.get_or_init(Arc::default).clone();
        Some(AckResponder {
            io: ack.io.clone(),
            socket: ack.socket,
            id: ack.id,
            reply_to: ack.reply_to.clone(),
            answered: OnceLock::from(answered),
        })
    }

    /// Acknowledges with `data` (see [`AckResponder::send`]); no-op if no ack was requested.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("add", |_socket, mut event| {
    ///     let (a, b): (i64, i64) = event.args().unwrap_or((0, 0));
    ///     let _ = event.ack(&(a + b));
    /// });
    /// # }
    /// ```
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
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # fn f(socket: SocketRef) {
/// socket.on("question", |_socket, mut event| {
///     if let Some(ack) = event.take_ack() {
///         let _ = ack.send(&(42, "the answer"));
///     }
/// });
/// # }
/// ```
pub struct AckResponder {
    pub(crate) io: Arc<IoShared>,
    /// The core's handle of the socket that asked (found without hashing its id).
    pub(crate) socket: SocketKey,
    pub(crate) id: u64,
    /// Set for a server-side event from another node: the answer goes to that node.
    /// Boxed: rare, and the responder travels inside every event, which is moved by value
    /// several times on its way to the handler.
    pub(crate) reply_to: Option<Box<(Str, crate::server::ReplyTo)>>,
    /// Set once several responders answer the same request ([`Event::shared_ack`]): whether
    /// one of them sent the answer already.
    pub(crate) answered: OnceLock<Arc<AtomicBool>>,
}

impl AckResponder {
    /// Sends the acknowledgement. Like [`SocketRef::emit`](super::SocketRef::emit), a tuple
    /// is spread into several arguments and `()` sends none.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("ping", |_socket, mut event| {
    ///     if let Some(ack) = event.take_ack() {
    ///         let _ = ack.send(&"pong");
    ///     }
    /// });
    /// # }
    /// ```
    pub fn send<T: Serialize + ?Sized>(self, data: &T) -> Result<(), EmitError> {
        let args = to_ack(data)?;
        self.send_raw(args);
        Ok(())
    }

    /// Acknowledges with the same arguments as `args` (binary stays binary).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("echo", |_socket, mut event| {
    ///     if let Some(ack) = event.take_ack() {
    ///         ack.send_forward(event.forward_args());
    ///     }
    /// });
    /// # }
    /// ```
    pub fn send_forward(self, args: &Args) {
        match self.reply_to {
            Some(_) => self.send_raw(super::forward::ack_payload(args)),
            None => super::ops::send_ack_forward(&self.io, self.socket, self.id, args),
        }
    }

    /// Acknowledges with arguments already serialized.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// use volley_protocol::socket::RawArgs;
    /// socket.on("version", |_socket, mut event| {
    ///     if let Some(ack) = event.take_ack() {
    ///         ack.send_raw(RawArgs { json: r#"["1.0"]"#.into(), attachments: Vec::new() });
    ///     }
    /// });
    /// # }
    /// ```
    pub fn send_raw(self, args: RawArgs) {
        if (self.answered.get()).is_some_and(|a| a.swap(true, Ordering::AcqRel)) {
            return;
        }
        match self.reply_to.map(|r| *r) {
            Some((nsp, to)) => super::cluster::reply(&self.io, &nsp, to, args),
            None => super::ops::send_ack(&self.io, self.socket, self.id, args),
        }
    }

    /// A responder that answers node `to`'s `serverSideEmitWithAck` on namespace `nsp`.
    pub(crate) fn cluster(io: Arc<IoShared>, nsp: Str, to: crate::server::ReplyTo) -> Self {
        AckResponder {
            io,
            // Not a socket of this node's: never used (the answer goes to the node).
            socket: SocketKey::new(u32::MAX, u32::MAX),
            id: 0,
            reply_to: Some(Box::new((nsp, to))),
            answered: OnceLock::new(),
        }
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
