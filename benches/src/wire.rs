//! The client side of the wire, built on `volley-protocol`'s codecs: Engine.IO packets over
//! WebSocket frames or polling bodies, and Socket.IO packets inside them.

use bytes::Bytes;
use volley_protocol::engine::{self, Handshake, Message};
use volley_protocol::socket::{self, PacketType};
use volley_protocol::Str;

/// What one Engine.IO packet from the server means to a load-generator client.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// The handshake (`0{…}`).
    Open(Handshake),
    /// A server ping: answer with [`pong`] carrying the same data.
    Ping(Str),
    /// The namespace CONNECT was accepted (`40{"sid":…}`).
    Connected,
    /// The namespace CONNECT was refused (`44…`).
    ConnectError,
    /// An EVENT: its raw JSON array `[name, ...args]`.
    Event(Str),
    /// An ACK: its id and raw JSON array of arguments.
    Ack(u64, Str),
    /// The server closed the session (engine `1` or Socket.IO DISCONNECT).
    Closed,
    /// Anything a client may ignore here (noop, pong, binary attachments).
    Ignored,
}

/// Why a frame from the server could not be understood.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Not an Engine.IO packet.
    #[error("engine.io: {0}")]
    Engine(#[from] engine::DecodeError),
    /// Not a Socket.IO packet.
    #[error("socket.io: {0}")]
    Socket(#[from] socket::DecodeError),
    /// The `open` packet's JSON was not a handshake.
    #[error("handshake: {0}")]
    Handshake(#[from] engine::HandshakeError),
    /// A polling body that is not a payload.
    #[error("polling payload: {0}")]
    Payload(#[from] engine::PayloadError),
    /// A frame that is not UTF-8 text where text is required.
    #[error("text frame is not UTF-8")]
    Utf8,
}

/// One client's decoder (Socket.IO binary packets span several Engine.IO messages).
#[derive(Debug, Default)]
pub struct ClientDecoder {
    socket: socket::Decoder,
}

impl ClientDecoder {
    /// A fresh decoder.
    pub fn new() -> ClientDecoder {
        ClientDecoder::default()
    }

    /// Interprets one Engine.IO packet.
    pub fn packet(&mut self, packet: engine::Packet) -> Result<Incoming, WireError> {
        Ok(match packet {
            engine::Packet::Open(json) => Incoming::Open(Handshake::from_json(&json)?),
            engine::Packet::Ping(data) => Incoming::Ping(data),
            engine::Packet::Close => Incoming::Closed,
            engine::Packet::Message(Message::Text(text)) => match self.socket.decode_text(text)? {
                Some(p) => socket_packet(p),
                None => Incoming::Ignored,
            },
            engine::Packet::Message(Message::Binary(b)) => match self.socket.decode_binary(b)? {
                Some(p) => socket_packet(p),
                None => Incoming::Ignored,
            },
            engine::Packet::Pong(_) | engine::Packet::Upgrade | engine::Packet::Noop => {
                Incoming::Ignored
            }
        })
    }

    /// Interprets a WebSocket text frame.
    pub fn text_frame(&mut self, text: Bytes) -> Result<Incoming, WireError> {
        let text = Str::from_utf8(text).map_err(|_| WireError::Utf8)?;
        self.packet(engine::Packet::decode_text(text)?)
    }

    /// Interprets a WebSocket binary frame.
    pub fn binary_frame(&mut self, bytes: Bytes) -> Result<Incoming, WireError> {
        self.packet(engine::Packet::decode_binary(bytes))
    }

    /// Interprets every packet of a polling GET body, in order.
    pub fn polling_body(&mut self, body: Bytes) -> Result<Vec<Incoming>, WireError> {
        engine::payload::decode(body, usize::MAX)?
            .into_iter()
            .map(|p| self.packet(p))
            .collect()
    }
}

fn socket_packet(p: socket::Packet) -> Incoming {
    match (p.kind, p.data) {
        (PacketType::Connect, _) => Incoming::Connected,
        (PacketType::ConnectError, _) => Incoming::ConnectError,
        (PacketType::Disconnect, _) => Incoming::Closed,
        (PacketType::Event | PacketType::BinaryEvent, Some(data)) => Incoming::Event(data),
        (PacketType::Ack | PacketType::BinaryAck, Some(data)) => match p.id {
            Some(id) => Incoming::Ack(id, data),
            None => Incoming::Ignored,
        },
        _ => Incoming::Ignored,
    }
}

/// The Engine.IO text of a Socket.IO packet (what goes in a WebSocket text frame).
fn engine_text(packet: &socket::Packet) -> Str {
    engine::Packet::text(packet.encode().text).encode_text()
}

/// `40`: CONNECT to the main namespace without auth.
pub fn connect() -> Str {
    engine_text(&socket::Packet::connect(Str::from_static("/"), None))
}

/// `3<data>`: the answer to a ping.
pub fn pong(data: Str) -> Str {
    engine::Packet::Pong(data).encode_text()
}

/// `42[<event>,<arg>]` (or `42<id>[…]` when an ack is wanted), with `arg` a JSON string
/// holding `text` (which must need no JSON escaping: the load generator only sends ASCII
/// letters, digits and `-`).
pub fn event_with_string(event: &str, text: &str, ack: Option<u64>) -> Str {
    debug_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let mut data = String::with_capacity(event.len() + text.len() + 8);
    data.push_str("[\"");
    data.push_str(event);
    data.push_str("\",\"");
    data.push_str(text);
    data.push_str("\"]");
    let mut packet = socket::Packet::event(Str::from_static("/"), data.into(), Vec::new());
    if let Some(id) = ack {
        packet = packet.with_id(id);
    }
    engine_text(&packet)
}

/// A request `42<id>[<event>,<arg>]` encoded once, with only the ack id written per request:
/// the same bytes as [`event_with_string`] with `Some(id)`, without building a packet each time.
#[derive(Debug, Clone)]
pub struct AckedEvent {
    /// Everything before the id (`42`, or `42/nsp,`).
    head: String,
    /// The JSON array after it.
    tail: String,
}

impl AckedEvent {
    /// The template for `event` with the string argument `text` (same rules as
    /// [`event_with_string`]).
    pub fn new(event: &str, text: &str) -> AckedEvent {
        let plain = event_with_string(event, text, None);
        // `42[...]`: the id goes right before the array.
        let at = plain.find('[').unwrap_or(plain.len());
        AckedEvent {
            head: plain[..at].to_string(),
            tail: plain[at..].to_string(),
        }
    }

    /// The Engine.IO text of the request with ack id `id`.
    pub fn with_id(&self, id: u64) -> String {
        use std::fmt::Write as _;
        let mut out = String::with_capacity(self.head.len() + self.tail.len() + 20);
        out.push_str(&self.head);
        // Writing into a `String` cannot fail.
        let _ = write!(out, "{id}");
        out.push_str(&self.tail);
        out
    }
}

/// A polling POST body holding the given Engine.IO texts (as made by the functions above).
pub fn polling_body(texts: &[Str]) -> Result<Bytes, WireError> {
    let packets = texts
        .iter()
        .map(|t| engine::Packet::decode_text(t.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(engine::payload::encode(&packets))
}

/// The string argument of a broadcast: a sequence number and a send time (nanoseconds on the
/// load generator's clock), padded with letters to exactly `len` bytes.
pub fn stamp(seq: u64, sent_ns: u64, len: usize) -> String {
    let mut s = format!("{seq:016x}{sent_ns:016x}");
    let fill = len.saturating_sub(s.len());
    s.extend(std::iter::repeat_n('x', fill));
    s
}

/// Reads `(seq, sent_ns)` back out of an EVENT array `["<event>","<stamp>…"]`.
pub fn read_stamp(event_data: &str, event: &str) -> Option<(u64, u64)> {
    let rest = event_data.strip_prefix("[\"")?.strip_prefix(event)?;
    let rest = rest.strip_prefix("\",\"")?;
    let seq = u64::from_str_radix(rest.get(..16)?, 16).ok()?;
    let sent = u64::from_str_radix(rest.get(16..32)?, 16).ok()?;
    Some((seq, sent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acked_event_template_matches_the_packet_encoder() {
        let template = AckedEvent::new("echo", "ping");
        for id in [0, 7, 12345, u64::MAX] {
            assert_eq!(
                template.with_id(id),
                &*event_with_string("echo", "ping", Some(id))
            );
        }
        assert_eq!(template.with_id(42), "4242[\"echo\",\"ping\"]");
    }

    fn decode(text: &'static str) -> Incoming {
        ClientDecoder::new()
            .text_frame(Bytes::from_static(text.as_bytes()))
            .unwrap()
    }

    #[test]
    fn client_frames_match_the_reference_client() {
        assert_eq!(connect(), "40");
        assert_eq!(pong(Str::from_static("")), "3");
        assert_eq!(event_with_string("echo", "ab", None), "42[\"echo\",\"ab\"]");
        assert_eq!(
            event_with_string("echo", "ab", Some(7)),
            "427[\"echo\",\"ab\"]"
        );
    }

    #[test]
    fn server_frames_are_classified() {
        let open = decode(
            r#"0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
        );
        assert!(matches!(open, Incoming::Open(h) if h.sid == "abc"));
        assert_eq!(decode("2"), Incoming::Ping(Str::new()));
        assert_eq!(decode(r#"40{"sid":"x"}"#), Incoming::Connected);
        assert_eq!(decode(r#"44{"message":"no"}"#), Incoming::ConnectError);
        assert_eq!(
            decode(r#"42["broadcast","a"]"#),
            Incoming::Event(Str::from_static(r#"["broadcast","a"]"#))
        );
        assert_eq!(
            decode(r#"4312["a"]"#),
            Incoming::Ack(12, Str::from_static(r#"["a"]"#))
        );
        assert_eq!(decode("1"), Incoming::Closed);
        assert_eq!(decode("41"), Incoming::Closed);
    }

    #[test]
    fn garbage_from_the_server_is_an_error_not_a_panic() {
        let mut d = ClientDecoder::new();
        assert!(d.text_frame(Bytes::from_static(b"x")).is_err());
        assert!(d.text_frame(Bytes::from_static(b"4x")).is_err());
        assert!(d.text_frame(Bytes::from_static(&[0x34, 0xff])).is_err());
    }

    #[test]
    fn polling_body_round_trips_several_packets() {
        let body = polling_body(&[pong(Str::new()), event_with_string("echo", "z", None)]).unwrap();
        assert_eq!(&body[..], b"3\x1e42[\"echo\",\"z\"]");
        let got = ClientDecoder::new()
            .polling_body(Bytes::from_static(b"2\x1e42[\"echo\",\"z\"]"))
            .unwrap();
        assert_eq!(
            got,
            vec![
                Incoming::Ping(Str::new()),
                Incoming::Event(Str::from_static(r#"["echo","z"]"#))
            ]
        );
    }

    #[test]
    fn stamp_survives_the_event_encoding() {
        let s = stamp(42, 123_456_789, 200);
        assert_eq!(s.len(), 200);
        let frame = event_with_string("broadcast", &s, None);
        let Incoming::Event(data) = ClientDecoder::new().text_frame(frame.into_bytes()).unwrap()
        else {
            panic!("not an event");
        };
        assert_eq!(read_stamp(&data, "broadcast"), Some((42, 123_456_789)));
        assert_eq!(read_stamp(&data, "echo"), None);
    }
}
