//! What the Socket.IO layer tells the app, and what it asks of the Engine.IO layer.

use super::cluster::{RequestId, RequestResult};
use super::ids::{AckId, DisconnectReason, Room, SocketId};
use super::namespace::PatternId;
use crate::engine::{OutMessage, RequestHead, SessionKey};
use crate::socket::{Packet, Parser, UncheckedEvent};
use crate::Str;
use bytes::Bytes;
use std::sync::Arc;

/// An event or acknowledgement payload: a JSON array as raw text (binary values are
/// `{"_placeholder":true,"num":i}` objects) and the attachments the placeholders refer to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Payload {
    /// The JSON array, raw (`["name",…]` for an event, `[…]` for an ack).
    pub data: Str,
    /// Binary attachments, in placeholder order.
    pub attachments: Vec<Bytes>,
}

impl Payload {
    /// A payload without binary attachments.
    pub fn new(data: impl Into<Str>) -> Self {
        Payload {
            data: data.into(),
            attachments: Vec::new(),
        }
    }

    /// A payload with binary attachments.
    pub fn with_attachments(data: impl Into<Str>, attachments: Vec<Bytes>) -> Self {
        Payload {
            data: data.into(),
            attachments,
        }
    }
}

/// A client asks to join a namespace. The app must decide: `accept_connect` (the socket is
/// created and the client gets `CONNECT {"sid":…}`) or `refuse_connect` (the client gets
/// `CONNECT_ERROR` with the message and data). Dropping it leaves the client waiting until it
/// gives up, so it is `#[must_use]`. Only the first decision on a request (or a clone of
/// it) counts; later ones report `ClientGone` or do nothing.
#[must_use = "a namespace CONNECT must be accepted or refused"]
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    pub(crate) sid: Str,
    pub(crate) nsp: Str,
    pub(crate) auth: Str,
    pub(crate) pattern: Option<PatternId>,
    pub(crate) head: Arc<RequestHead>,
    /// With connection state recovery: the previous session this CONNECT restores.
    pub(crate) recovered: Option<Box<super::Restored>>,
}

impl ConnectRequest {
    /// Whether this CONNECT restores a disconnected socket (connection state recovery): it
    /// will keep its id, rooms and `data` and get the events it missed.
    pub fn is_recovery(&self) -> bool {
        self.recovered.is_some()
    }

    /// The namespace asked for.
    pub fn nsp(&self) -> &Str {
        &self.nsp
    }

    /// The CONNECT auth object, raw JSON (`{}` when absent).
    pub fn auth(&self) -> &Str {
        &self.auth
    }

    /// The dynamic namespace pattern the name matched, if it is a dynamic child.
    pub fn pattern(&self) -> Option<PatternId> {
        self.pattern
    }

    /// The HTTP request that opened the client's session (headers, cookies, query, address).
    pub fn request(&self) -> &RequestHead {
        &self.head
    }

    /// The Engine.IO session id of the client (sensitive: never send it to other clients).
    pub fn engine_sid(&self) -> &Str {
        &self.sid
    }
}

/// The outcome of a server→client emit with acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckOutcome {
    /// The client answered.
    Reply(Payload),
    /// The deadline passed first (the reference's "operation has timed out").
    Timeout,
    /// The socket disconnected before answering.
    Disconnected,
}

/// Something the app must react to. Drain with `poll_event` until `None`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// A namespace CONNECT awaiting admission.
    Connect(ConnectRequest),
    /// An event from a client, in the order the client sent it.
    Event {
        /// The sending socket.
        socket: SocketId,
        /// Its namespace.
        nsp: Str,
        /// `[name, ...args]`.
        payload: Payload,
        /// Set when the client waits for an acknowledgement (answer with `ack`).
        ack: Option<AckId>,
    },
    /// An event from a client, checked up to its name only (with
    /// [`SocketConfig::defer_event_validation`](super::SocketConfig::defer_event_validation)).
    /// Its arguments are reachable only through validation; if it turns out malformed, call
    /// [`close_malformed`](super::SocketLayer::close_malformed) before handling any later
    /// event of the same client, as the decoder would have closed the client right there.
    Unchecked {
        /// The sending socket.
        socket: SocketId,
        /// The event (namespace, ack id, name, unvalidated arguments).
        event: UncheckedEvent,
    },
    /// The outcome of an `emit_with_ack`.
    Ack {
        /// The socket the event went to.
        socket: SocketId,
        /// The id returned by `emit_with_ack`.
        id: AckId,
        /// Reply, timeout, or disconnection.
        outcome: AckOutcome,
    },
    /// A broadcast with acknowledgements completed: every expected reply arrived, or its
    /// timeout passed.
    BroadcastAck {
        /// The id returned by `broadcast_with_ack`.
        id: u64,
        /// The replies, in arrival order.
        replies: Vec<Payload>,
        /// How many replies were expected (local targets plus remote counts received).
        expected: usize,
        /// True when the timeout passed before every reply arrived.
        timed_out: bool,
    },
    /// The socket is leaving; `rooms` are the rooms it was in (the reference's `disconnecting`).
    Disconnecting {
        /// The socket.
        socket: SocketId,
        /// Its namespace.
        nsp: Str,
        /// Why.
        reason: DisconnectReason,
        /// Its rooms at that moment (own id first).
        rooms: Vec<Room>,
        /// Its `data` at that moment (the reference's `socket.data` stays readable in its
        /// `disconnecting` and `disconnect` handlers).
        data: serde_json::Value,
    },
    /// The socket's client finished upgrading from polling to WebSocket.
    Upgraded {
        /// The socket.
        socket: SocketId,
    },
    /// The socket is gone.
    Disconnect {
        /// The socket.
        socket: SocketId,
        /// Its namespace.
        nsp: Str,
        /// Why.
        reason: DisconnectReason,
    },
    /// Another node of the cluster emitted a server-side event (`serverSideEmit`).
    ServerSideEmit {
        /// Namespace it was emitted on.
        nsp: Str,
        /// `[name, ...args]`.
        payload: Payload,
        /// Set when the sender waits for an answer (give it to `server_side_emit_reply`).
        reply_to: Option<super::cluster::ReplyTo>,
    },
    /// A request to the cluster completed (all nodes answered, or its timeout passed).
    RequestDone {
        /// The request.
        id: RequestId,
        /// What was gathered, this node's part included.
        result: RequestResult,
        /// True when some node did not answer in time.
        timed_out: bool,
    },
}

/// What the Socket.IO layer asks of the Engine.IO layer. Drain with `poll_command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineCommand {
    /// Queue these messages (one Socket.IO packet: text then attachments) as one group.
    Send {
        /// The Engine.IO session.
        to: SessionRef,
        /// The packet's messages, shared by every target of a broadcast.
        messages: Messages,
        /// May be dropped (first) when the session's buffer is full.
        volatile: bool,
    },
    /// Close the Engine.IO session.
    Close {
        /// The Engine.IO session.
        sid: Str,
    },
}

/// The Engine.IO session a [`EngineCommand::Send`] is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionRef {
    /// By id: a layer driven on its own, or a session whose handle the layer was not given.
    Sid(Str),
    /// By the engine's handle, which [`Server`](super::Server) gives the layer when a
    /// session opens ([`SocketLayer::set_session_key`](super::SocketLayer::set_session_key)):
    /// no lookup by id per message.
    Key(SessionKey),
}

/// The Engine.IO messages of one Socket.IO packet: its text, then its attachments.
///
/// A packet without attachments is one message, held as is (cloning it clones its buffer's
/// reference, nothing is allocated); with attachments the list is shared by every target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Messages {
    /// A single message (a text packet).
    One(OutMessage),
    /// Text then attachments, one list for every target.
    Shared(Arc<[OutMessage]>),
}

impl std::ops::Deref for Messages {
    type Target = [OutMessage];
    fn deref(&self) -> &[OutMessage] {
        match self {
            Messages::One(m) => std::slice::from_ref(m),
            Messages::Shared(list) => list,
        }
    }
}

/// Encodes a Socket.IO packet into the Engine.IO messages every target shares: one buffer
/// for the text (already behind its `4`), and a shared list only when there are attachments;
/// with the MessagePack parser, the one binary message.
pub(crate) fn to_messages(packet: &Packet, parser: Parser) -> Messages {
    if parser == Parser::MsgPack {
        return Messages::One(crate::socket::msgpack::encode_message(packet));
    }
    let text = OutMessage::from_encoded_text(packet.encode_engine_text());
    messages_of(text, packet.wire_attachments().iter().cloned())
}

/// The messages of an ACK encoded by `ack_text` (`attachments` are what its text counted).
pub(crate) fn ack_messages(text: Str, attachments: Vec<Bytes>) -> Messages {
    messages_of(OutMessage::from_encoded_text(text), attachments.into_iter())
}

fn messages_of(
    text: Option<OutMessage>,
    attachments: impl ExactSizeIterator<Item = Bytes>,
) -> Messages {
    match text {
        Some(text) if attachments.len() == 0 => Messages::One(text),
        // An exact-size iterator: the list is allocated once, at its final size.
        text => Messages::Shared(
            text.into_iter()
                .chain(attachments.map(OutMessage::binary))
                .collect(),
        ),
    }
}
