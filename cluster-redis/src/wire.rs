//! The wire format of the reference's classic (non-sharded) `@socket.io/redis-adapter` 8.x:
//! channel names, and [`ClusterMessage`]s to and from the bytes published on them.
//!
//! | what | channel | encoding |
//! |---|---|---|
//! | broadcast | `{key}#{nsp}#`, or `{key}#{nsp}#{room}#` for exactly one room | msgpack `[uid, packet, opts]` |
//! | broadcast with acks | `{key}-request#{nsp}#` | msgpack `{uid, requestId, type: 7, packet, opts}` |
//! | other requests (types 1–6) | `{key}-request#{nsp}#` | JSON |
//! | responses | `{key}-response#{nsp}#` or `{key}-response#{nsp}#{uid}#` | JSON; an ack (type 9) msgpack |
//!
//! Nodes subscribe with PSUBSCRIBE `{key}#{nsp}#*` and SUBSCRIBE to the request channel, the
//! shared response channel and their own response channel; the number of subscribers of the
//! request channel (PUBSUB NUMSUB) is the number of nodes serving the namespace.
//!
//! Request ids on the wire must be unique in the whole cluster (responses to the shared channel
//! reach every node); the caller gives requests their wire ids (see `driver`).

use crate::handshake;
use crate::msgpack;
use bytes::Bytes;
use std::time::{Duration, SystemTime};
use volley_protocol::server::{
    BroadcastFlags, BroadcastOptions, ClusterBody, ClusterMessage, Payload, RequestId,
};
use volley_protocol::socket::Value;
use volley_protocol::Str;

/// The reference's default channel prefix.
pub const DEFAULT_KEY: &str = "socket.io";

/// The uid `@socket.io/redis-emitter` publishes with (its requests may carry none).
pub const EMITTER_UID: &str = "emitter";

/// The reference's `RequestType` numbers.
mod kind {
    pub const SOCKETS: u64 = 0;
    pub const ALL_ROOMS: u64 = 1;
    pub const REMOTE_JOIN: u64 = 2;
    pub const REMOTE_LEAVE: u64 = 3;
    pub const REMOTE_DISCONNECT: u64 = 4;
    pub const REMOTE_FETCH: u64 = 5;
    pub const SERVER_SIDE_EMIT: u64 = 6;
    pub const BROADCAST: u64 = 7;
    pub const BROADCAST_CLIENT_COUNT: u64 = 8;
    pub const BROADCAST_ACK: u64 = 9;
}

/// Socket.IO packet type of an event (`PacketType.EVENT`), and its binary variant.
const EVENT: u64 = 2;
const BINARY_EVENT: u64 = 5;

/// Why bytes from Redis (or a payload given to `encode`) were not a valid message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Undecodable MessagePack.
    #[error("invalid msgpack: {0}")]
    Msgpack(#[from] msgpack::DecodeError),
    /// Undecodable JSON (a message, or a payload's raw JSON).
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Decodable, but not shaped like a message of the reference.
    #[error("malformed message: {0}")]
    Malformed(&'static str),
}

/// The channel names of one key (prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channels {
    key: String,
}

impl Default for Channels {
    fn default() -> Self {
        Channels::new(DEFAULT_KEY)
    }
}

impl Channels {
    /// Channels prefixed with `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Channels { key: key.into() }
    }

    /// The prefix.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// `{key}#{nsp}#`: broadcasts to the whole namespace (or several rooms).
    pub fn broadcast(&self, nsp: &str) -> String {
        format!("{}#{}#", self.key, nsp)
    }

    /// `{key}#{nsp}#*`: the pattern that receives every broadcast of the namespace.
    pub fn broadcast_pattern(&self, nsp: &str) -> String {
        format!("{}#{}#*", self.key, nsp)
    }

    /// `{key}#{nsp}#{room}#`: broadcasts to exactly one room.
    pub fn room(&self, nsp: &str, room: &str) -> String {
        format!("{}#{}#{}#", self.key, nsp, room)
    }

    /// `{key}-request#{nsp}#`.
    pub fn request(&self, nsp: &str) -> String {
        format!("{}-request#{}#", self.key, nsp)
    }

    /// `{key}-response#{nsp}#`: responses every node receives.
    pub fn response(&self, nsp: &str) -> String {
        format!("{}-response#{}#", self.key, nsp)
    }

    /// `{key}-response#{nsp}#{uid}#`: responses for node `uid` only.
    pub fn response_to(&self, nsp: &str, uid: &str) -> String {
        format!("{}-response#{}#{}#", self.key, nsp, uid)
    }
}

/// What a subscribed channel carries (the caller knows it from the subscription).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// `{key}#{nsp}#…`: msgpack broadcasts.
    Broadcast,
    /// `{key}-request#{nsp}#`.
    Request,
    /// `{key}-response#{nsp}#…`.
    Response,
}

/// A message ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Channel to publish on.
    pub channel: String,
    /// Exact bytes.
    pub payload: Vec<u8>,
}

/// Whether `body` answers another node's request (its request id is theirs).
pub fn is_response(body: &ClusterBody) -> bool {
    matches!(
        body,
        ClusterBody::FetchSocketsResponse { .. }
            | ClusterBody::AllRoomsResponse { .. }
            | ClusterBody::ServerSideEmitResponse { .. }
            | ClusterBody::BroadcastClientCount { .. }
            | ClusterBody::BroadcastAck { .. }
    )
}

/// The request id a body carries, if any.
pub fn request_id_mut(body: &mut ClusterBody) -> Option<&mut RequestId> {
    match body {
        ClusterBody::Broadcast { request, .. } | ClusterBody::ServerSideEmit { request, .. } => {
            request.as_mut()
        }
        ClusterBody::FetchSockets { request, .. }
        | ClusterBody::AllRooms { request }
        | ClusterBody::FetchSocketsResponse { request, .. }
        | ClusterBody::AllRoomsResponse { request, .. }
        | ClusterBody::ServerSideEmitResponse { request, .. }
        | ClusterBody::BroadcastClientCount { request, .. }
        | ClusterBody::BroadcastAck { request, .. } => Some(request),
        _ => None,
    }
}

// ----- encoding -----------------------------------------------------------------------------

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn rooms_value(rooms: &[Str]) -> Value {
    Value::Array(rooms.iter().map(|r| s(r)).collect())
}

fn payload_value(p: &Payload) -> Result<Value, WireError> {
    Ok(Value::from_json(&p.data, &p.attachments)?)
}

/// The first argument of an answer (the reference passes exactly one along).
fn first_arg(p: &Payload) -> Result<Option<Value>, WireError> {
    Ok(match payload_value(p)? {
        Value::Array(items) => items.into_iter().next(),
        other => Some(other),
    })
}

fn packet_value(nsp: &str, payload: &Payload) -> Result<Value, WireError> {
    Ok(obj(vec![
        ("type", Value::from(EVENT)),
        ("data", payload_value(payload)?),
        ("nsp", s(nsp)),
    ]))
}

/// `{rooms, except}` as sent with join/leave/disconnect/fetch requests.
fn selection_value(opts: &BroadcastOptions) -> Value {
    obj(vec![
        ("rooms", rooms_value(&opts.rooms)),
        ("except", rooms_value(&opts.except)),
    ])
}

/// `{rooms, except, flags}` as sent with broadcasts.
fn broadcast_opts_value(opts: &BroadcastOptions) -> Value {
    let mut flags = Vec::new();
    if opts.flags.volatile {
        flags.push(("volatile", Value::Bool(true)));
    }
    if let Some(t) = opts.flags.timeout {
        flags.push(("timeout", Value::from(t.as_millis() as u64)));
    }
    obj(vec![
        ("rooms", rooms_value(&opts.rooms)),
        ("except", rooms_value(&opts.except)),
        ("flags", obj(flags)),
    ])
}

fn msgpack_bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    msgpack::encode(v, &mut out);
    out
}

fn json_bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_node_json(v, &mut out);
    out
}

/// JSON as `JSON.stringify` writes it; binary becomes `{"type":"Buffer","data":[…]}` (what a
/// Node `Buffer` turns into).
pub fn write_node_json(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => match n.as_f64() {
            Some(f) if !n.is_u64() && !n.is_i64() && f.fract() == 0.0 && f.abs() < 1e21 => {
                out.extend_from_slice(format!("{}", f as i128).as_bytes())
            }
            _ => out.extend_from_slice(n.to_string().as_bytes()),
        },
        Value::String(text) => {
            // serde_json escapes exactly what JSON.stringify escapes.
            let _ = serde_json::to_writer(&mut *out, text);
        }
        Value::Binary(b) => {
            out.extend_from_slice(b"{\"type\":\"Buffer\",\"data\":[");
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(byte.to_string().as_bytes());
            }
            out.extend_from_slice(b"]}");
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_node_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(entries) => {
            out.push(b'{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut *out, k);
                out.push(b':');
                write_node_json(item, out);
            }
            out.push(b'}');
        }
    }
}

/// Encodes `msg` as the reference would publish it. `now` (wall clock) dates the handshakes
/// of a fetch-sockets answer. Fails only if a payload is not valid JSON.
pub fn encode(ch: &Channels, msg: &ClusterMessage, now: SystemTime) -> Result<Outgoing, WireError> {
    let nsp = msg.nsp.as_str();
    let uid = || s(&msg.uid);
    let request_channel = || ch.request(nsp);
    let response_channel = || match &msg.to {
        Some(to) => ch.response_to(nsp, to),
        None => ch.response(nsp),
    };
    let json = |channel: String, v: Value| Outgoing {
        channel,
        payload: json_bytes(&v),
    };
    let mp = |channel: String, v: Value| Outgoing {
        channel,
        payload: msgpack_bytes(&v),
    };
    Ok(match &msg.body {
        ClusterBody::Broadcast {
            opts,
            payload,
            request: None,
        } => {
            let channel = match opts.rooms.as_slice() {
                [room] => ch.room(nsp, room),
                _ => ch.broadcast(nsp),
            };
            let v = Value::Array(vec![
                uid(),
                packet_value(nsp, payload)?,
                broadcast_opts_value(opts),
            ]);
            mp(channel, v)
        }
        ClusterBody::Broadcast {
            opts,
            payload,
            request: Some(request),
        } => mp(
            request_channel(),
            obj(vec![
                ("uid", uid()),
                ("requestId", s(request)),
                ("type", Value::from(kind::BROADCAST)),
                ("packet", packet_value(nsp, payload)?),
                ("opts", broadcast_opts_value(opts)),
            ]),
        ),
        ClusterBody::SocketsJoin { opts, rooms } | ClusterBody::SocketsLeave { opts, rooms } => {
            let t = match msg.body {
                ClusterBody::SocketsJoin { .. } => kind::REMOTE_JOIN,
                _ => kind::REMOTE_LEAVE,
            };
            json(
                request_channel(),
                obj(vec![
                    ("uid", uid()),
                    ("type", Value::from(t)),
                    ("opts", selection_value(opts)),
                    ("rooms", rooms_value(rooms)),
                ]),
            )
        }
        ClusterBody::DisconnectSockets { opts, close } => json(
            request_channel(),
            obj(vec![
                ("uid", uid()),
                ("type", Value::from(kind::REMOTE_DISCONNECT)),
                ("opts", selection_value(opts)),
                ("close", Value::Bool(*close)),
            ]),
        ),
        ClusterBody::FetchSockets { opts, request } => json(
            request_channel(),
            obj(vec![
                ("uid", uid()),
                ("requestId", s(request)),
                ("type", Value::from(kind::REMOTE_FETCH)),
                ("opts", selection_value(opts)),
            ]),
        ),
        ClusterBody::AllRooms { request } => json(
            request_channel(),
            obj(vec![
                ("uid", uid()),
                ("requestId", s(request)),
                ("type", Value::from(kind::ALL_ROOMS)),
            ]),
        ),
        ClusterBody::ServerSideEmit { payload, request } => {
            let mut entries = vec![("uid", uid())];
            if let Some(r) = request {
                entries.push(("requestId", s(r)));
            }
            entries.push(("type", Value::from(kind::SERVER_SIDE_EMIT)));
            entries.push(("data", payload_value(payload)?));
            json(request_channel(), obj(entries))
        }
        ClusterBody::FetchSocketsResponse { request, sockets } => json(
            response_channel(),
            obj(vec![
                ("requestId", s(request)),
                (
                    "sockets",
                    Value::Array(sockets.iter().map(|i| handshake::to_node(i, now)).collect()),
                ),
            ]),
        ),
        ClusterBody::AllRoomsResponse { request, rooms } => json(
            response_channel(),
            obj(vec![
                ("requestId", s(request)),
                ("rooms", rooms_value(rooms)),
            ]),
        ),
        ClusterBody::ServerSideEmitResponse { request, payload } => {
            let mut entries = vec![
                ("type", Value::from(kind::SERVER_SIDE_EMIT)),
                ("requestId", s(request)),
            ];
            if let Some(arg) = first_arg(payload)? {
                entries.push(("data", arg));
            }
            json(response_channel(), obj(entries))
        }
        ClusterBody::BroadcastClientCount { request, count } => json(
            response_channel(),
            obj(vec![
                ("type", Value::from(kind::BROADCAST_CLIENT_COUNT)),
                ("requestId", s(request)),
                ("clientCount", Value::from(*count)),
            ]),
        ),
        ClusterBody::BroadcastAck { request, payload } => {
            let mut entries = vec![
                ("type", Value::from(kind::BROADCAST_ACK)),
                ("requestId", s(request)),
            ];
            if let Some(arg) = first_arg(payload)? {
                entries.push(("packet", arg));
            }
            mp(response_channel(), obj(entries))
        }
        _ => return Err(WireError::Malformed("message kind unknown to this adapter")),
    })
}

// ----- decoding -----------------------------------------------------------------------------

/// A payload (raw JSON with placeholders + attachments) from a decoded value.
pub fn value_to_payload(v: &Value) -> Payload {
    let mut data = Vec::new();
    let mut attachments = Vec::new();
    v.write_json(&mut data, &mut attachments);
    // write_json only writes valid UTF-8.
    Payload::with_attachments(
        Str::from(String::from_utf8(data).unwrap_or_default()),
        attachments,
    )
}

fn text_of(v: &Value) -> Option<Str> {
    handshake::room_name(v)
}

fn rooms_of(v: Option<&Value>) -> Vec<Str> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(text_of).collect(),
        _ => Vec::new(),
    }
}

fn u64_of(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        _ => None,
    }
}

fn options_of(v: Option<&Value>) -> BroadcastOptions {
    let empty = Value::Null;
    let v = v.unwrap_or(&empty);
    let flags = v.get("flags").unwrap_or(&empty);
    BroadcastOptions {
        rooms: rooms_of(v.get("rooms")),
        except: rooms_of(v.get("except")),
        flags: BroadcastFlags {
            volatile: flags.get("volatile") == Some(&Value::Bool(true)),
            local: false,
            timeout: u64_of(flags.get("timeout")).map(Duration::from_millis),
        },
    }
}

/// The event payload of a reference packet object `{type, data, nsp}`; `None` when it is not
/// an event of namespace `nsp`.
fn event_of(packet: &Value, nsp: &str) -> Option<Payload> {
    let t = u64_of(packet.get("type"))?;
    let packet_nsp = packet.get("nsp").and_then(Value::as_str).unwrap_or("/");
    if (t != EVENT && t != BINARY_EVENT) || packet_nsp != nsp {
        return None;
    }
    match packet.get("data")? {
        data @ Value::Array(items) if !items.is_empty() => Some(value_to_payload(data)),
        _ => None,
    }
}

fn parse(bytes: &Bytes) -> Result<Value, WireError> {
    if bytes.first() == Some(&b'{') {
        Ok(serde_json::from_slice(bytes)?)
    } else {
        Ok(msgpack::decode(bytes)?)
    }
}

/// Decodes bytes received on a channel of namespace `nsp`.
///
/// `Ok(None)` is a well-formed message this node has nothing to do with (another namespace,
/// a request type Volley does not serve). Responses come back with an empty `uid` (the
/// reference does not say who answers) and `to: None`; their request id is the wire id.
pub fn decode(
    kind: ChannelKind,
    nsp: &Str,
    bytes: &Bytes,
    now: SystemTime,
) -> Result<Option<ClusterMessage>, WireError> {
    let v = match kind {
        ChannelKind::Broadcast => msgpack::decode(bytes)?,
        ChannelKind::Request | ChannelKind::Response => parse(bytes)?,
    };
    let message = |uid: Str, body: ClusterBody| ClusterMessage {
        uid,
        nsp: nsp.clone(),
        to: None,
        body,
    };
    if kind == ChannelKind::Broadcast {
        let Value::Array(parts) = &v else {
            return Err(WireError::Malformed("broadcast is not an array"));
        };
        let [uid, packet, opts, ..] = parts.as_slice() else {
            return Err(WireError::Malformed("broadcast has fewer than 3 parts"));
        };
        let uid = uid.as_str().ok_or(WireError::Malformed("broadcast uid"))?;
        let Some(payload) = event_of(packet, nsp) else {
            return Ok(None);
        };
        return Ok(Some(message(
            Str::from(uid),
            ClusterBody::Broadcast {
                opts: options_of(Some(opts)),
                payload,
                request: None,
            },
        )));
    }
    if !matches!(v, Value::Object(_)) {
        return Err(WireError::Malformed("request or response is not an object"));
    }
    let t = u64_of(v.get("type"));
    let request = v.get("requestId").and_then(text_of);
    if kind == ChannelKind::Response {
        let Some(request) = request else {
            return Ok(None);
        };
        let one =
            |key: &str| value_to_payload(&Value::Array(v.get(key).cloned().into_iter().collect()));
        let body = match t {
            Some(kind::BROADCAST_CLIENT_COUNT) => ClusterBody::BroadcastClientCount {
                request,
                count: u64_of(v.get("clientCount")).unwrap_or(0) as usize,
            },
            Some(kind::BROADCAST_ACK) => ClusterBody::BroadcastAck {
                request,
                payload: one("packet"),
            },
            Some(kind::SERVER_SIDE_EMIT) => ClusterBody::ServerSideEmitResponse {
                request,
                payload: one("data"),
            },
            None => match (v.get("sockets"), v.get("rooms")) {
                (Some(Value::Array(sockets)), _) => ClusterBody::FetchSocketsResponse {
                    request,
                    sockets: sockets
                        .iter()
                        .filter_map(|s| handshake::from_node(s, now))
                        .collect(),
                },
                (_, Some(rooms @ Value::Array(_))) => ClusterBody::AllRoomsResponse {
                    request,
                    rooms: rooms_of(Some(rooms)),
                },
                _ => return Ok(None),
            },
            Some(_) => return Ok(None),
        };
        return Ok(Some(message(Str::new(), body)));
    }
    let uid = v
        .get("uid")
        .and_then(Value::as_str)
        .map_or(Str::from_static(EMITTER_UID), Str::from);
    let need = |r: Option<Str>| r.ok_or(WireError::Malformed("request without requestId"));
    // Legacy single-socket form (`{sid, room}` without `opts`): select the socket by its id.
    let selection = || match v.get("opts") {
        Some(o) => options_of(Some(o)),
        None => BroadcastOptions {
            rooms: v.get("sid").and_then(text_of).into_iter().collect(),
            ..Default::default()
        },
    };
    let target_rooms = || match v.get("rooms") {
        Some(r) => rooms_of(Some(r)),
        None => v.get("room").and_then(text_of).into_iter().collect(),
    };
    let body = match t {
        Some(kind::ALL_ROOMS) => ClusterBody::AllRooms {
            request: need(request)?,
        },
        Some(kind::REMOTE_JOIN) => ClusterBody::SocketsJoin {
            opts: selection(),
            rooms: target_rooms(),
        },
        Some(kind::REMOTE_LEAVE) => ClusterBody::SocketsLeave {
            opts: selection(),
            rooms: target_rooms(),
        },
        Some(kind::REMOTE_DISCONNECT) => ClusterBody::DisconnectSockets {
            opts: selection(),
            close: v.get("close") == Some(&Value::Bool(true)),
        },
        Some(kind::REMOTE_FETCH) => ClusterBody::FetchSockets {
            opts: options_of(v.get("opts")),
            request: need(request)?,
        },
        Some(kind::SERVER_SIDE_EMIT) => match v.get("data") {
            Some(data @ Value::Array(items)) if !items.is_empty() => ClusterBody::ServerSideEmit {
                payload: value_to_payload(data),
                request,
            },
            _ => return Err(WireError::Malformed("server-side emit without data")),
        },
        Some(kind::BROADCAST) => {
            let Some(payload) = v.get("packet").and_then(|p| event_of(p, nsp)) else {
                return Ok(None);
            };
            ClusterBody::Broadcast {
                opts: options_of(v.get("opts")),
                payload,
                request: Some(need(request)?),
            }
        }
        // SOCKETS (0) is only sent by adapters older than 8.x; responses never arrive here.
        Some(kind::SOCKETS) | Some(_) | None => return Ok(None),
    };
    Ok(Some(message(uid, body)))
}
