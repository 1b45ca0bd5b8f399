//! Socket.IO v5 packets and their text encoding.

use crate::engine;
use crate::Str;
use bytes::Bytes;

/// The Socket.IO packet type, with its wire digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// `0`: connect to a namespace (client), or its acceptance (server).
    Connect,
    /// `1`: leave a namespace.
    Disconnect,
    /// `2`: an event `[name, ...args]`.
    Event,
    /// `3`: an acknowledgement.
    Ack,
    /// `4`: a refused namespace connection.
    ConnectError,
    /// `5`: an event with binary attachments.
    BinaryEvent,
    /// `6`: an acknowledgement with binary attachments.
    BinaryAck,
}

impl PacketType {
    /// The type's wire digit (`b'0'`…`b'6'`).
    pub const fn as_byte(self) -> u8 {
        match self {
            PacketType::Connect => b'0',
            PacketType::Disconnect => b'1',
            PacketType::Event => b'2',
            PacketType::Ack => b'3',
            PacketType::ConnectError => b'4',
            PacketType::BinaryEvent => b'5',
            PacketType::BinaryAck => b'6',
        }
    }

    /// The type for a wire digit, if it is one.
    pub const fn from_byte(b: u8) -> Option<PacketType> {
        Some(match b {
            b'0' => PacketType::Connect,
            b'1' => PacketType::Disconnect,
            b'2' => PacketType::Event,
            b'3' => PacketType::Ack,
            b'4' => PacketType::ConnectError,
            b'5' => PacketType::BinaryEvent,
            b'6' => PacketType::BinaryAck,
            _ => return None,
        })
    }

    /// `BinaryEvent` or `BinaryAck`: the wire form announces `n-` attachments.
    pub const fn is_binary(self) -> bool {
        matches!(self, PacketType::BinaryEvent | PacketType::BinaryAck)
    }

    /// `Event` or `BinaryEvent`.
    pub const fn is_event(self) -> bool {
        matches!(self, PacketType::Event | PacketType::BinaryEvent)
    }

    /// `Ack` or `BinaryAck`.
    pub const fn is_ack(self) -> bool {
        matches!(self, PacketType::Ack | PacketType::BinaryAck)
    }
}

/// The default namespace, never written on the wire.
pub const DEFAULT_NSP: &str = "/";

/// One Socket.IO packet.
///
/// `data` is the packet's JSON as validated raw text (a slice of the decoded input, no copy).
/// For binary packets the `{"_placeholder":true,"num":i}` objects stay in `data` and
/// `attachments[i]` holds the bytes, so a packet can be forwarded or broadcast without being
/// parsed and re-serialized. Use [`Packet::args`](crate::socket::Packet::args) and
/// [`Value`](crate::socket::Value) to look inside.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Packet {
    /// The packet type as it is (or will be) on the wire; see [`Packet::encode`] for how
    /// `Event`/`Ack` with attachments are written.
    pub kind: PacketType,
    /// The namespace (`/` for the default one).
    pub nsp: Str,
    /// The acknowledgement id.
    pub id: Option<u64>,
    /// The JSON payload, raw.
    pub data: Option<Str>,
    /// Binary attachments, in placeholder `num` order.
    pub attachments: Vec<Bytes>,
}

/// A packet in wire form: the text message and the binary messages that follow it.
///
/// Cloning shares the buffers, so one encoding can go to many receivers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Encoded {
    /// The text message (sent as an Engine.IO text message).
    pub text: Str,
    /// Binary messages to send right after `text`, in order.
    pub attachments: Vec<Bytes>,
}

impl Encoded {
    /// The Engine.IO messages to send, in order: the text, then each attachment.
    pub fn messages(&self) -> impl Iterator<Item = engine::Message> + '_ {
        std::iter::once(engine::Message::Text(self.text.clone())).chain(
            self.attachments
                .iter()
                .map(|b| engine::Message::Binary(b.clone())),
        )
    }

    /// Number of Engine.IO messages ([`Encoded::messages`]) this packet takes.
    pub fn message_count(&self) -> usize {
        1 + self.attachments.len()
    }

    /// Total bytes of text and attachments (for buffer accounting).
    pub fn byte_len(&self) -> usize {
        self.text.len() + self.attachments.iter().map(Bytes::len).sum::<usize>()
    }
}

fn nsp_or_default(nsp: Str) -> Str {
    if nsp.is_empty() {
        Str::from_static(DEFAULT_NSP)
    } else {
        nsp
    }
}

impl Packet {
    /// A packet with every field given.
    pub fn new(kind: PacketType, nsp: Str, id: Option<u64>, data: Option<Str>) -> Packet {
        Packet {
            kind,
            nsp: nsp_or_default(nsp),
            id,
            data,
            attachments: Vec::new(),
        }
    }

    /// A CONNECT (client: optional auth object; server: `{"sid":…}` — see [`Packet::connect_ok`]).
    pub fn connect(nsp: Str, data: Option<Str>) -> Packet {
        Packet::new(PacketType::Connect, nsp, None, data)
    }

    /// The server's CONNECT reply: `{"sid":"<socket id>"}`.
    pub fn connect_ok(nsp: Str, sid: &str) -> Packet {
        Self::connect_ok_with_pid(nsp, sid, None)
    }

    /// The server's CONNECT answer with connection state recovery:
    /// `{"sid":"…","pid":"…"}` (`pid`, the private session id, only when given).
    pub fn connect_ok_with_pid(nsp: Str, sid: &str, pid: Option<&str>) -> Packet {
        let mut out = Vec::with_capacity(sid.len() + pid.map_or(0, |p| p.len() + 9) + 12);
        out.extend_from_slice(b"{\"sid\":");
        crate::json::write_str(&mut out, sid);
        if let Some(pid) = pid {
            out.extend_from_slice(b",\"pid\":");
            crate::json::write_str(&mut out, pid);
        }
        out.push(b'}');
        Packet::connect(nsp, Some(Str::from_trusted_utf8(out.into())))
    }

    /// A DISCONNECT for `nsp`.
    pub fn disconnect(nsp: Str) -> Packet {
        Packet::new(PacketType::Disconnect, nsp, None, None)
    }

    /// An EVENT (or BINARY_EVENT when `attachments` is not empty) with raw JSON `data`, which
    /// must be an array `[name, ...args]` (see [`crate::socket::to_event`] to build one).
    pub fn event(nsp: Str, data: Str, attachments: Vec<Bytes>) -> Packet {
        let kind = if attachments.is_empty() {
            PacketType::Event
        } else {
            PacketType::BinaryEvent
        };
        Packet {
            attachments,
            ..Packet::new(kind, nsp, None, Some(data))
        }
    }

    /// An ACK (or BINARY_ACK when `attachments` is not empty) for `id` with raw JSON array `data`.
    pub fn ack(nsp: Str, id: u64, data: Str, attachments: Vec<Bytes>) -> Packet {
        let kind = if attachments.is_empty() {
            PacketType::Ack
        } else {
            PacketType::BinaryAck
        };
        Packet {
            attachments,
            ..Packet::new(kind, nsp, Some(id), Some(data))
        }
    }

    /// Sets the acknowledgement id (builder style).
    pub fn with_id(mut self, id: u64) -> Packet {
        self.id = Some(id);
        self
    }

    /// The type written on the wire: `Event`/`Ack` carrying attachments become
    /// `BinaryEvent`/`BinaryAck` (as the reference encoder does when it finds binary).
    pub fn wire_kind(&self) -> PacketType {
        match self.kind {
            PacketType::Event if !self.attachments.is_empty() => PacketType::BinaryEvent,
            PacketType::Ack if !self.attachments.is_empty() => PacketType::BinaryAck,
            k => k,
        }
    }

    /// Exact length of the encoded text.
    pub fn encoded_len(&self) -> usize {
        let mut len = 1;
        if self.wire_kind().is_binary() {
            len += digits(self.attachments.len() as u64) + 1;
        }
        if &*self.nsp != DEFAULT_NSP {
            len += self.nsp.len() + 1;
        }
        if let Some(id) = self.id {
            len += digits(id);
        }
        len + self.data.as_ref().map_or(0, Str::len)
    }

    /// Encodes the packet: `<type>[<n>-][<nsp>,][<id>][<json>]` plus its attachments.
    ///
    /// The default namespace is not written; any other is followed by a comma. Attachments
    /// are written only for binary event and ack packets.
    pub fn encode(&self) -> Encoded {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.write_text(&mut out);
        Encoded {
            // Every piece is ASCII or was already `Str`.
            text: Str::from_trusted_utf8(out.into()),
            attachments: self.wire_attachments().to_vec(),
        }
    }

    /// The encoded text behind the Engine.IO message type `4` (an Engine.IO text message as
    /// it goes on the wire), in one exact-size buffer.
    pub(crate) fn encode_engine_text(&self) -> Str {
        let mut out = Vec::with_capacity(1 + self.encoded_len());
        out.push(b'4');
        self.write_text(&mut out);
        // Every piece is ASCII or was already `Str`.
        Str::from_trusted_utf8(out.into())
    }

    /// The attachments sent after the text: only binary event and ack packets have them.
    pub(crate) fn wire_attachments(&self) -> &[Bytes] {
        if self.wire_kind().is_binary() {
            &self.attachments
        } else {
            &[]
        }
    }

    fn write_text(&self, out: &mut Vec<u8>) {
        let kind = self.wire_kind();
        out.push(kind.as_byte());
        let mut num = itoa::Buffer::new();
        if kind.is_binary() {
            out.extend_from_slice(num.format(self.attachments.len()).as_bytes());
            out.push(b'-');
        }
        if &*self.nsp != DEFAULT_NSP {
            out.extend_from_slice(self.nsp.as_bytes());
            out.push(b',');
        }
        if let Some(id) = self.id {
            out.extend_from_slice(num.format(id).as_bytes());
        }
        if let Some(data) = &self.data {
            out.extend_from_slice(data.as_bytes());
        }
    }
}

/// Decimal digits of `n`.
pub(crate) fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: &Packet) -> Str {
        p.encode().text
    }

    #[test]
    fn default_namespace_is_not_written() {
        assert_eq!(text(&Packet::connect(Str::from("/"), None)), "0");
        assert_eq!(text(&Packet::disconnect(Str::from("/admin"))), "1/admin,");
        let ev = Packet::event(Str::from("/"), Str::from("[\"hello\",1]"), vec![]);
        assert_eq!(text(&ev), "2[\"hello\",1]");
        assert_eq!(text(&ev.with_id(12)), "212[\"hello\",1]");
    }

    #[test]
    fn namespace_and_ack_id_and_attachment_count() {
        let ack = Packet::ack(Str::from("/admin"), 456, Str::from("[]"), vec![]);
        assert_eq!(text(&ack), "3/admin,456[]");
        let bin = Packet::event(
            Str::from("/admin"),
            Str::from("[\"up\",{\"_placeholder\":true,\"num\":0}]"),
            vec![Bytes::from_static(b"\x01\x02")],
        )
        .with_id(7);
        let enc = bin.encode();
        assert_eq!(
            enc.text,
            "51-/admin,7[\"up\",{\"_placeholder\":true,\"num\":0}]"
        );
        assert_eq!(enc.attachments, vec![Bytes::from_static(b"\x01\x02")]);
        assert_eq!(enc.message_count(), 2);
        assert_eq!(enc.byte_len(), enc.text.len() + 2);
    }

    #[test]
    fn connect_ok_escapes_the_sid() {
        let p = Packet::connect_ok(Str::from("/"), "a\"b");
        assert_eq!(text(&p), "0{\"sid\":\"a\\\"b\"}");
    }

    #[test]
    fn encoded_len_is_exact() {
        let p = Packet::ack(
            Str::from("/ns"),
            1_000_000,
            Str::from("[\"é\"]"),
            vec![Bytes::new(); 12],
        );
        assert_eq!(p.encoded_len(), text(&p).len());
        assert_eq!(digits(0), 1);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
        assert_eq!(digits(u64::MAX), 20);
    }
}
