//! HTTP long-polling payloads: several packets in one body, separated by `\x1e`.

use super::error::PayloadError;
use super::packet::{Message, Packet};
use crate::Str;
use bytes::Bytes;

/// The record separator between packets of a polling body.
pub const SEPARATOR: u8 = 0x1e;

/// Decodes a polling POST body into its packets.
///
/// `max_payload` is checked first, before anything is parsed, so an over-long body costs
/// nothing and is reported as [`PayloadError::TooLarge`] (HTTP 413; the session stays open).
/// Every text packet is a slice of `body`.
pub fn decode(body: Bytes, max_payload: usize) -> Result<Vec<Packet>, PayloadError> {
    if body.len() > max_payload {
        return Err(PayloadError::TooLarge {
            len: body.len(),
            max: max_payload,
        });
    }
    let body = Str::from_utf8(body).map_err(|_| PayloadError::InvalidUtf8)?;
    split(&body)
}

/// [`decode`] of a body already known to be UTF-8 (the server replaces invalid sequences
/// first, as the reference does), so it is not checked twice.
pub(crate) fn decode_text_body(
    body: &Str,
    max_payload: usize,
) -> Result<Vec<Packet>, PayloadError> {
    if body.len() > max_payload {
        return Err(PayloadError::TooLarge {
            len: body.len(),
            max: max_payload,
        });
    }
    split(body)
}

/// Splits a UTF-8 body on the separator and decodes each packet.
#[inline]
fn split(body: &Str) -> Result<Vec<Packet>, PayloadError> {
    // Bounded by the body length (every packet has at least one byte plus a separator).
    let bytes = body.as_bytes();
    let ends = memchr::memchr_iter(SEPARATOR, bytes).chain(std::iter::once(bytes.len()));
    let mut packets = Vec::with_capacity(memchr::memchr_iter(SEPARATOR, bytes).count() + 1);
    let mut start = 0;
    for (index, end) in ends.enumerate() {
        // The separator is ASCII, so both ends are char boundaries.
        let packet = Packet::decode_text_in(body, start, end)
            .map_err(|source| PayloadError::Packet { index, source })?;
        start = end + 1;
        packets.push(packet);
    }
    Ok(packets)
}

/// Exact length of the body [`encode`] produces for `packets`.
pub fn encoded_len<'a>(packets: impl IntoIterator<Item = &'a Packet>) -> usize {
    let mut len = 0;
    let mut count = 0usize;
    for p in packets {
        len += p.encoded_text_len();
        count += 1;
    }
    len + count.saturating_sub(1)
}

/// Encodes packets into one polling GET body, in order.
///
/// The buffer is sized exactly up front; binary messages use the `b<base64>` form.
pub fn encode<'a, I>(packets: I) -> Bytes
where
    I: IntoIterator<Item = &'a Packet>,
    I::IntoIter: Clone,
{
    let iter = packets.into_iter();
    let mut out = Vec::with_capacity(encoded_len(iter.clone()));
    for p in iter {
        // Messages, nearly every packet of a body: separator and type in one copy.
        if let Packet::Message(Message::Text(text)) = p {
            let head: &[u8] = if out.is_empty() { b"4" } else { b"\x1e4" };
            out.extend_from_slice(head);
            out.extend_from_slice(text.as_bytes());
            continue;
        }
        if !out.is_empty() {
            out.push(SEPARATOR);
        }
        p.write_text(&mut out);
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::error::DecodeError;

    fn body(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn splits_on_record_separator() {
        let got = decode(body("4hello\x1e4world\x1ebAQID\x1e2probe"), 100).unwrap();
        assert_eq!(
            got,
            vec![
                Packet::text("hello"),
                Packet::text("world"),
                Packet::binary(vec![1u8, 2, 3]),
                Packet::Ping(Str::from("probe")),
            ]
        );
    }

    #[test]
    fn single_packet_body() {
        assert_eq!(decode(body("1"), 1).unwrap(), vec![Packet::Close]);
    }

    #[test]
    fn over_max_payload_is_too_large_even_if_garbage() {
        assert_eq!(
            decode(body("abcdef"), 5),
            Err(PayloadError::TooLarge { len: 6, max: 5 })
        );
        assert!(decode(body("4abcd"), 5).is_ok());
    }

    #[test]
    fn undecodable_body_is_a_packet_error() {
        assert_eq!(
            decode(body("abc"), 100),
            Err(PayloadError::Packet {
                index: 0,
                source: DecodeError::UnknownType('a')
            })
        );
        assert_eq!(
            decode(body("4a\x1e\x1e4b"), 100),
            Err(PayloadError::Packet {
                index: 1,
                source: DecodeError::Empty
            })
        );
        assert_eq!(
            decode(body(""), 100),
            Err(PayloadError::Packet {
                index: 0,
                source: DecodeError::Empty
            })
        );
        assert_eq!(
            decode(Bytes::from_static(&[b'4', 0xff]), 100),
            Err(PayloadError::InvalidUtf8)
        );
    }

    #[test]
    fn encodes_a_queue_with_separators() {
        let packets = [
            Packet::text("a"),
            Packet::binary(vec![1u8, 2, 3]),
            Packet::Noop,
        ];
        let out = encode(&packets);
        assert_eq!(&out[..], b"4a\x1ebAQID\x1e6");
        assert_eq!(encoded_len(&packets), out.len());
        assert_eq!(decode(out, 1000).unwrap(), packets);
        assert!(encode(&[]).is_empty());
    }

    #[test]
    fn messages_after_other_packets_get_one_separator_each() {
        let packets = [
            Packet::Ping(Str::from("probe")),
            Packet::text("a"),
            Packet::text(""),
            Packet::Noop,
            Packet::text("b"),
        ];
        let out = encode(&packets);
        assert_eq!(&out[..], b"2probe\x1e4a\x1e4\x1e6\x1e4b");
        assert_eq!(encoded_len(&packets), out.len());
        assert_eq!(decode(out, 1000).unwrap(), packets);
        assert_eq!(&encode(&[Packet::text("")])[..], b"4");
        assert_eq!(
            &encode(&[Packet::text(""), Packet::text("")])[..],
            b"4\x1e4"
        );
    }
}
