//! The stateful Socket.IO decoder: text packets, then the binary attachments they announce.

use super::error::DecodeError;
use super::packet::{Packet, PacketType, DEFAULT_NSP};
use super::scan::{scan, First, Root};
use super::unchecked::{Decoded, UncheckedEvent};
use crate::Str;
use bytes::Bytes;
use std::ops::Range;

/// Default limit on the attachments one binary packet may announce.
pub const DEFAULT_MAX_ATTACHMENTS: usize = 10_000;

/// Decodes the Socket.IO packets of one client, reassembling binary packets.
///
/// A binary packet (`5…`/`6…`) is a text message announcing `n` attachments followed by `n`
/// binary messages; [`Decoder::decode_text`] returns `Ok(None)` until the last one arrives
/// through [`Decoder::decode_binary`]. The placeholders are checked as soon as the text
/// arrives, so a bad packet is refused before any attachment is buffered.
///
/// Any `Err` is a protocol violation by the peer; the decoder is then reset.
#[derive(Debug, Clone)]
pub struct Decoder {
    /// Boxed: one decoder lives in every client, and a packet waits here only between a
    /// binary event and its last attachment.
    pending: Option<Box<Pending>>,
    max_attachments: usize,
    max_attachment_bytes: usize,
}

#[derive(Debug, Clone)]
struct Pending {
    packet: Packet,
    expected: usize,
    /// Bytes of the attachments received so far.
    bytes: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder accepting up to [`DEFAULT_MAX_ATTACHMENTS`] attachments per packet.
    pub fn new() -> Decoder {
        Decoder::with_max_attachments(DEFAULT_MAX_ATTACHMENTS)
    }

    /// A decoder accepting up to `max` attachments per packet.
    pub fn with_max_attachments(max: usize) -> Decoder {
        Decoder {
            pending: None,
            max_attachments: max,
            max_attachment_bytes: usize::MAX,
        }
    }

    /// Bounds the bytes of one packet's attachments (unbounded by default): the attachment
    /// that would exceed `bytes` is refused with [`DecodeError::AttachmentsTooLarge`], so a
    /// client cannot make the server hold more than that while a packet is reassembled.
    pub fn max_attachment_bytes(mut self, bytes: usize) -> Decoder {
        self.max_attachment_bytes = bytes;
        self
    }

    /// True while a binary packet waits for attachments.
    pub fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// Decodes a text message. `Ok(None)`: a binary packet now waits for its attachments.
    pub fn decode_text(&mut self, text: Str) -> Result<Option<Packet>, DecodeError> {
        if self.pending.take().is_some() {
            return Err(DecodeError::UnexpectedText);
        }
        let (packet, expected) = decode_text(text, self.max_attachments)?;
        if expected == 0 {
            return Ok(Some(packet));
        }
        self.pending = Some(Box::new(Pending {
            // Grows with the attachments actually received, not with the announced count.
            packet,
            expected,
            bytes: 0,
        }));
        Ok(None)
    }

    /// Like [`Decoder::decode_text`], but a text EVENT is checked only up to its event name
    /// (header, the opening `[`, a string or number name that is not reserved): its
    /// arguments come back as an [`UncheckedEvent`], which hands them out only through a
    /// full validation ([`UncheckedEvent::check`]) or a typed deserialization that parses the
    /// whole array ([`UncheckedEvent::deserialize_args`]). Every other packet (binary
    /// events and acks included) is validated here, as by `decode_text`.
    ///
    /// For any input, this returns the error `decode_text` returns, or an `UncheckedEvent`
    /// whose `check()` gives exactly `decode_text`'s result.
    ///
    /// ```
    /// use volley_protocol::socket::{Decoded, Decoder};
    /// use volley_protocol::Str;
    ///
    /// let mut decoder = Decoder::new();
    /// let text = Str::from(r#"2["chat","hi",3]"#);
    /// let Ok(Some(Decoded::Event(event))) = decoder.decode_text_deferred(text) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(event.name(), "chat");
    /// let (text, n): (String, u8) = event.deserialize_args().unwrap();
    /// assert_eq!((text.as_str(), n), ("hi", 3));
    /// // Malformed JSON after the name is found by the typed parse (or by `check`).
    /// let bad = Str::from(r#"2["chat","hi",]"#);
    /// let Ok(Some(Decoded::Event(event))) = decoder.decode_text_deferred(bad) else {
    ///     unreachable!()
    /// };
    /// assert!(event.deserialize_args::<(String,)>().unwrap_err().is_malformed());
    /// assert!(event.check().is_err());
    /// ```
    #[inline]
    pub fn decode_text_deferred(&mut self, text: Str) -> Result<Option<Decoded>, DecodeError> {
        if self.pending.is_none() && text.as_bytes().first() == Some(&b'2') {
            let h = header(&text, self.max_attachments)?;
            return match UncheckedEvent::new(text, h) {
                Ok(event) => Ok(Some(Decoded::Event(event))),
                Err(text) => Ok(self.decode_text(text)?.map(Decoded::Packet)),
            };
        }
        Ok(self.decode_text(text)?.map(Decoded::Packet))
    }

    /// Decodes a binary message: the next attachment of the pending packet. Returns the
    /// packet once all its attachments are in.
    pub fn decode_binary(&mut self, bytes: Bytes) -> Result<Option<Packet>, DecodeError> {
        let Some(pending) = self.pending.as_mut() else {
            return Err(DecodeError::UnexpectedBinary);
        };
        pending.bytes = pending.bytes.saturating_add(bytes.len());
        if pending.bytes > self.max_attachment_bytes {
            self.pending = None;
            return Err(DecodeError::AttachmentsTooLarge {
                max: self.max_attachment_bytes,
            });
        }
        pending.packet.attachments.push(bytes);
        if pending.packet.attachments.len() < pending.expected {
            return Ok(None);
        }
        Ok(self.pending.take().map(|p| p.packet))
    }
}

/// The header of a text packet: everything before the JSON payload, as positions in the text
/// (nothing sliced yet, so no reference count is touched).
pub(super) struct Header {
    pub(super) kind: PacketType,
    /// Where the namespace is (`None`: the default one).
    pub(super) nsp: Option<Range<usize>>,
    pub(super) id: Option<u64>,
    /// Where the payload starts (the text's length when there is none).
    pub(super) data: usize,
    pub(super) announced: Option<usize>,
}

/// Decodes one text packet; returns it with the number of attachments still to come.
fn decode_text(text: Str, max_attachments: usize) -> Result<(Packet, usize), DecodeError> {
    let h = header(&text, max_attachments)?;
    let data = (h.data < text.len()).then(|| text.slice(h.data..text.len()));
    check_payload(h.kind, h.id, data.as_deref(), h.announced)?;
    let packet = Packet {
        kind: h.kind,
        nsp: nsp_of(&text, h.nsp),
        id: h.id,
        data,
        attachments: Vec::new(),
    };
    Ok((packet, h.announced.unwrap_or(0)))
}

/// The namespace at `range` of `text`, or the default one.
pub(super) fn nsp_of(text: &Str, range: Option<Range<usize>>) -> Str {
    range.map_or(Str::from_static(DEFAULT_NSP), |r| text.slice(r))
}

/// Reads the header `<type>[<n>-][<nsp>,][<id>]`.
#[inline]
fn header(text: &str, max_attachments: usize) -> Result<Header, DecodeError> {
    let b = text.as_bytes();
    let Some(&first) = b.first() else {
        return Err(DecodeError::Empty);
    };
    let Some(kind) = PacketType::from_byte(first) else {
        let c = text.chars().next().unwrap_or('\u{fffd}');
        return Err(DecodeError::UnknownType(c));
    };
    let mut i = 1;
    let mut announced = None;
    if kind.is_binary() {
        let (n, end) = digits(b, i).ok_or(DecodeError::InvalidAttachmentCount)?;
        if b.get(end) != Some(&b'-') {
            return Err(DecodeError::InvalidAttachmentCount);
        }
        let n = match n {
            Some(n) if n <= max_attachments as u64 => n as usize,
            _ => {
                return Err(DecodeError::TooManyAttachments {
                    announced: n.unwrap_or(u64::MAX),
                    max: max_attachments,
                })
            }
        };
        announced = Some(n);
        i = end + 1;
    }
    // Every boundary below sits next to an ASCII byte, so slicing stays on char boundaries.
    let mut nsp = None;
    if b.get(i) == Some(&b'/') {
        let end = memchr::memchr(b',', &b[i..]).map_or(b.len(), |p| i + p);
        nsp = Some(i..end);
        i = (end + 1).min(b.len());
    }
    let mut id = None;
    // Most packets carry no id: one test here, the out-of-line digit loop only for an id.
    if b.get(i).is_some_and(u8::is_ascii_digit) {
        if let Some((n, end)) = digits(b, i) {
            id = Some(n.ok_or(DecodeError::AckIdOverflow)?);
            i = end;
        }
    }
    Ok(Header {
        kind,
        nsp,
        id,
        data: i,
        announced,
    })
}

/// Reads ASCII digits from `b[i..]`: `None` if there are none, else the value (`None` on
/// overflow) and the index after the last digit.
fn digits(b: &[u8], i: usize) -> Option<(Option<u64>, usize)> {
    // One pass: the value is built while the digits are counted (an ack id is read once
    // per packet, and grows with the number of requests a client made).
    let mut n = Some(0u64);
    let mut end = i;
    while let Some(&c) = b.get(end) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = n.and_then(|n| n.checked_mul(10)?.checked_add(u64::from(d)));
        end += 1;
    }
    (end > i).then_some((n, end))
}

/// What PROTOCOL.md requires of each packet type's payload.
pub(super) fn check_payload(
    kind: PacketType,
    id: Option<u64>,
    data: Option<&str>,
    announced: Option<usize>,
) -> Result<(), DecodeError> {
    let root = match data {
        Some(json) => Some(scan(json, announced)?),
        None => None,
    };
    match kind {
        PacketType::Connect => match root {
            None | Some(Root::Object) => Ok(()),
            Some(_) => Err(DecodeError::ConnectNotObject),
        },
        PacketType::Disconnect => match root {
            None => Ok(()),
            Some(_) => Err(DecodeError::UnexpectedPayload(kind)),
        },
        PacketType::ConnectError => match root {
            None | Some(Root::Object | Root::String) => Ok(()),
            Some(_) => Err(DecodeError::InvalidConnectError),
        },
        PacketType::Event | PacketType::BinaryEvent => match root {
            None => Err(DecodeError::MissingPayload(kind)),
            Some(Root::Array(None)) => Err(DecodeError::EmptyEvent),
            Some(Root::Array(Some(First::Str(Some(reserved))))) => {
                Err(DecodeError::ReservedEventName(reserved))
            }
            Some(Root::Array(Some(First::Str(None) | First::Number))) => Ok(()),
            Some(Root::Array(Some(First::Other))) => Err(DecodeError::InvalidEventName),
            Some(_) => Err(DecodeError::NotAnArray(kind)),
        },
        PacketType::Ack | PacketType::BinaryAck => match root {
            None => Err(DecodeError::MissingPayload(kind)),
            Some(Root::Array(_)) if id.is_none() => Err(DecodeError::MissingAckId(kind)),
            Some(Root::Array(_)) => Ok(()),
            Some(_) => Err(DecodeError::NotAnArray(kind)),
        },
    }
}
