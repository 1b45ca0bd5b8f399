//! EVENT packets decoded up to their name, whose arguments are validated by the one pass that
//! reads them ([`UncheckedEvent`]).

use super::args::{deserialize_seq, Args, Extra};
use super::decoder::{check_payload, nsp_of, Header};
use super::error::DecodeError;
use super::packet::{Packet, PacketType, DEFAULT_NSP};
use super::scan::{invalid_json, reserved_event};
use super::validate::validate_after_first;
use crate::json::scan_plain_quote;
use crate::Str;
use serde::de::DeserializeOwned;
use std::ops::Range;

/// What [`Decoder::decode_text_deferred`](super::Decoder::decode_text_deferred) returns.
///
/// ```
/// use volley_protocol::socket::{Decoded, Decoder};
/// use volley_protocol::Str;
///
/// let mut decoder = Decoder::new();
/// match decoder.decode_text_deferred(Str::from("0")).unwrap() {
///     Some(Decoded::Packet(packet)) => assert_eq!(packet.nsp, "/"),
///     _ => unreachable!("a CONNECT is always validated"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A fully validated packet (every type but a text EVENT, or a text EVENT that needed
    /// the full check to be decided).
    Packet(Packet),
    /// A text EVENT checked up to its name; its arguments are validated when read.
    Event(UncheckedEvent),
}

/// A text EVENT (`2…`, no attachments) whose header, opening `[` and event name are checked,
/// and whose arguments are not validated yet.
///
/// The arguments cannot be reached without validation: [`UncheckedEvent::check`] runs the
/// decoder's full check and returns the validated [`Packet`] (what
/// [`Decoder::decode_text`](super::Decoder::decode_text) returns for the same text), and
/// [`UncheckedEvent::deserialize_args`] parses the whole array with Volley's JSON reader
/// ([`json::from_str`](crate::json::from_str)'s, which accepts exactly what serde_json accepts)
/// — a parse that succeeds (the end of the input checked) has checked the whole syntax. Nothing else hands
/// out the raw JSON, so an unchecked event cannot be forwarded, broadcast or sent to another
/// node.
///
/// ```
/// use volley_protocol::socket::{Decoded, Decoder, TypedArgsError};
/// use volley_protocol::Str;
///
/// let mut decoder = Decoder::new();
/// let Ok(Some(Decoded::Event(event))) = decoder.decode_text_deferred(Str::from(r#"2["n",1]"#))
/// else {
///     unreachable!()
/// };
/// // Well-formed, but not what the reader expects: not a protocol violation.
/// let err = event.deserialize_args::<(String,)>().unwrap_err();
/// assert!(matches!(err, TypedArgsError::Mismatch(_)));
/// let packet = event.check().unwrap();
/// assert_eq!(packet.event_name().unwrap(), "n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedEvent {
    /// The whole packet text, header included: kept as it came (no slice taken, so reading
    /// it costs no reference-count traffic). Private on purpose: the arguments in it are not
    /// validated beyond the name.
    text: Str,
    id: Option<u64>,
    name: Name,
    /// Where the namespace is (empty: the default one; a namespace starts with `/`).
    nsp: Span,
    /// Where the JSON array starts.
    data: u32,
    /// Just after a string name's closing quote (the full check resumes there); 0 for a
    /// numeric name, which the full check reads from the start.
    after_name: u32,
}

/// A byte range of the packet text, kept small so the event is cheap to move (the text is
/// at most `u32::MAX` bytes long on this path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// `range`, if both ends fit.
    #[inline]
    fn new(range: Range<usize>) -> Option<Span> {
        Some(Span {
            start: u32::try_from(range.start).ok()?,
            end: u32::try_from(range.end).ok()?,
        })
    }

    #[inline]
    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Where the event name is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Name {
    /// In the text, as is (no escapes).
    At(Span),
    /// Unescaped.
    Owned(Box<str>),
}

/// Why [`UncheckedEvent::deserialize_args`] did not produce a value.
///
/// ```
/// use volley_protocol::socket::{Decoded, Decoder, TypedArgsError};
/// use volley_protocol::Str;
///
/// let text = Str::from(r#"2["n",{"a":}]"#);
/// let Ok(Some(Decoded::Event(event))) = Decoder::new().decode_text_deferred(text) else {
///     unreachable!()
/// };
/// match event.deserialize_args::<(u8,)>() {
///     Err(TypedArgsError::Malformed(e)) => println!("close the client: {e}"),
///     other => unreachable!("{other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TypedArgsError {
    /// The packet is a protocol violation (what the decoder's full check reports): the
    /// client must be closed, as for any malformed packet.
    #[error("malformed packet: {0}")]
    Malformed(#[from] DecodeError),
    /// The packet is well-formed, but its arguments do not deserialize into the type asked
    /// for (JavaScript has no types: not a protocol violation).
    #[error("arguments do not match: {0}")]
    Mismatch(serde_json::Error),
}

impl TypedArgsError {
    /// True for [`TypedArgsError::Malformed`].
    ///
    /// ```
    /// use volley_protocol::socket::{DecodeError, TypedArgsError};
    /// assert!(TypedArgsError::Malformed(DecodeError::EmptyEvent).is_malformed());
    /// ```
    pub fn is_malformed(&self) -> bool {
        matches!(self, TypedArgsError::Malformed(_))
    }
}

impl UncheckedEvent {
    /// An event if the payload passes the deferred check (`[`, then a name that is a string
    /// without control characters and not reserved, or a number, then `,` or `]`);
    /// otherwise the text back, for the full check to decide.
    #[inline]
    pub(super) fn new(text: Str, h: Header) -> Result<UncheckedEvent, Str> {
        if text.len() > u32::MAX as usize {
            return Err(text);
        }
        let Some((name, after_name)) = checked_name(&text, h.data) else {
            return Err(text);
        };
        // Every position is within the text, whose length fits in a `u32`.
        let (Some(nsp), Ok(data), Ok(after_name)) = (
            Span::new(h.nsp.unwrap_or(0..0)),
            u32::try_from(h.data),
            u32::try_from(after_name),
        ) else {
            return Err(text);
        };
        Ok(UncheckedEvent {
            text,
            id: h.id,
            name,
            nsp,
            data,
            after_name,
        })
    }

    /// Where the namespace is, `None` for the default one.
    #[inline]
    fn nsp_range(&self) -> Option<Range<usize>> {
        (self.nsp.end > 0).then(|| self.nsp.range())
    }

    /// The packet's length on the wire, in bytes.
    pub(crate) fn wire_len(&self) -> usize {
        self.text.len()
    }

    /// The namespace (`/` for the default one).
    ///
    /// ```
    /// # use volley_protocol::socket::{Decoded, Decoder};
    /// # use volley_protocol::Str;
    /// let text = Str::from(r#"2/chat,["m"]"#);
    /// let Ok(Some(Decoded::Event(event))) = Decoder::new().decode_text_deferred(text) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(event.nsp(), "/chat");
    /// ```
    pub fn nsp(&self) -> &str {
        self.nsp_range().map_or(DEFAULT_NSP, |r| &self.text[r])
    }

    /// The acknowledgement id, when the client waits for an answer.
    ///
    /// ```
    /// # use volley_protocol::socket::{Decoded, Decoder};
    /// # use volley_protocol::Str;
    /// let text = Str::from(r#"27["m"]"#);
    /// let Ok(Some(Decoded::Event(event))) = Decoder::new().decode_text_deferred(text) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(event.id(), Some(7));
    /// ```
    pub fn id(&self) -> Option<u64> {
        self.id
    }

    /// The event name, as [`Packet::event_name`] reads it from the validated packet
    /// (unescaped; a numeric name as its JSON text).
    ///
    /// ```
    /// # use volley_protocol::socket::{Decoded, Decoder};
    /// # use volley_protocol::Str;
    /// let text = Str::from(r#"2["a\"b",1]"#);
    /// let Ok(Some(Decoded::Event(event))) = Decoder::new().decode_text_deferred(text) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(event.name(), "a\"b");
    /// ```
    #[inline]
    pub fn name(&self) -> &str {
        match &self.name {
            Name::At(r) => &self.text[r.range()],
            Name::Owned(name) => name,
        }
    }

    /// The JSON array, unvalidated beyond the name.
    #[inline]
    fn data(&self) -> &str {
        &self.text[self.data as usize..]
    }

    fn full_check(&self) -> Result<(), DecodeError> {
        if self.after_name == 0 {
            return check_payload(PacketType::Event, self.id, Some(self.data()), None);
        }
        // The `[` and the string name were checked by `checked_name` as the validator checks
        // them (escapes, control characters, reserved names): validate what follows, with
        // positions (for the error message) relative to the array, as `check_payload` has them.
        let after_name = (self.after_name - self.data) as usize;
        validate_after_first(self.data(), after_name).map_err(invalid_json)
    }

    /// Runs the decoder's full check: the validated packet, exactly what
    /// [`Decoder::decode_text`](super::Decoder::decode_text) returns for the same text, or
    /// its error (a protocol violation: close the client).
    ///
    /// ```
    /// # use volley_protocol::socket::{Decoded, Decoder, DecodeError};
    /// # use volley_protocol::Str;
    /// let text = Str::from(r#"2["m",1,]"#);
    /// let Ok(Some(Decoded::Event(event))) = Decoder::new().decode_text_deferred(text) else {
    ///     unreachable!()
    /// };
    /// assert!(matches!(event.check(), Err(DecodeError::InvalidJson(_))));
    /// ```
    pub fn check(self) -> Result<Packet, DecodeError> {
        self.full_check()?;
        // The namespace first (a slice, when not the default one), then the text itself
        // becomes the arguments: moved, not sliced, so no reference count is touched.
        let nsp = nsp_of(&self.text, self.nsp_range());
        Ok(Packet {
            kind: PacketType::Event,
            nsp,
            id: self.id,
            data: Some(self.text.into_tail(self.data as usize)),
            attachments: Vec::new(),
        })
    }

    /// [`UncheckedEvent::check`], straight into the event name and the validated arguments.
    pub(crate) fn check_args(self) -> Result<(Str, Args), DecodeError> {
        self.full_check()?;
        let name = match self.name {
            Name::At(r) => self.text.slice(r.range()),
            Name::Owned(name) => Str::from(String::from(name)),
        };
        let data = self.text.into_tail(self.data as usize);
        // 0 (a numeric name) stays 0: the name's end is not known.
        let after_name = self.after_name.saturating_sub(self.data) as usize;
        let args = Args::checked_event(name.clone(), data, after_name);
        Ok((name, args))
    }

    /// Deserializes the arguments (after the name) as one sequence in one pass over the
    /// JSON, like [`Packet::deserialize_args`]: `T` is a tuple `(A, B)`, a `Vec<_>`, or `(A,)`
    /// for one argument; arguments beyond what `T` takes are ignored.
    ///
    /// The parse is Volley's JSON reader ([`json::from_str`](crate::json::from_str)'s: the
    /// values and the accepted inputs of serde_json, faster). Success means it parsed the
    /// whole array and found nothing after it, so the packet is well-formed JSON. On failure the full check decides what it was:
    /// [`TypedArgsError::Malformed`] (a protocol violation, with the error `check` gives) or
    /// [`TypedArgsError::Mismatch`] (well-formed, other types). One difference with `check`:
    /// nesting deeper than 127 levels inside parts `T` ignores (extra arguments, unknown
    /// struct fields) is skipped without a depth limit (as serde_json skips) and accepted here, where
    /// `check` refuses it; `JSON.parse` accepts it too.
    ///
    /// ```
    /// # use volley_protocol::socket::{Decoded, Decoder};
    /// # use volley_protocol::Str;
    /// #[derive(serde::Deserialize)]
    /// struct Move { x: i32, y: i32 }
    /// let text = Str::from(r#"2["move",{"x":1,"y":-2},"fast"]"#);
    /// let Ok(Some(Decoded::Event(event))) = Decoder::new().decode_text_deferred(text) else {
    ///     unreachable!()
    /// };
    /// let (m,): (Move,) = event.deserialize_args().unwrap();
    /// assert_eq!((m.x, m.y), (1, -2));
    /// ```
    pub fn deserialize_args<T: DeserializeOwned>(&self) -> Result<T, TypedArgsError> {
        match deserialize_seq(self.data(), true, &[], Extra::Ignore) {
            Ok(value) => Ok(value),
            Err(e) => match self.full_check() {
                Err(malformed) => Err(TypedArgsError::Malformed(malformed)),
                Ok(()) => Err(TypedArgsError::Mismatch(e)),
            },
        }
    }
}

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The event name of the array at `text[start..]` if it opens with a name the protocol
/// accepts (a string without control characters that is not reserved, or a number) followed by
/// `,` or `]`. The name is what [`Packet::event_name`] returns once the packet is validated.
/// With it: the position just after a string name's closing quote, 0 for a numeric name.
#[inline]
fn checked_name(text: &str, start: usize) -> Option<(Name, usize)> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, start);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let first = i;
    let name = match *b.get(i)? {
        b'"' => {
            i += 1;
            let mut escaped = false;
            loop {
                // To the next quote, backslash or control byte, 16 bytes a step (the JSON
                // reader's scan, which also tells when that byte is certainly a quote).
                let (at, quote) = scan_plain_quote(b, i);
                i = at;
                if quote {
                    break;
                }
                match *b.get(i)? {
                    b'"' => break,
                    b'\\' => {
                        // The escaped byte is skipped unread: serde_json checks the escapes
                        // below. Past the end, the next scan finds nothing and `get` fails.
                        escaped = true;
                        i += 2;
                    }
                    _ => return None,
                }
            }
            i += 1;
            // Both quotes are ASCII, so the slice bounds are char boundaries.
            let name = if escaped {
                // Checks the escapes too; a lone surrogate is left to the full check.
                let name = serde_json::from_str::<String>(&text[first..i]).ok()?;
                Name::Owned(name.into_boxed_str())
            } else {
                Name::At(Span::new(first + 1..i - 1)?)
            };
            let unescaped = match &name {
                Name::At(r) => &text[r.range()],
                Name::Owned(n) => n,
            };
            if reserved_event(unescaped).is_some() {
                return None;
            }
            (name, i)
        }
        b'-' | b'0'..=b'9' => {
            let len = b[i..]
                .iter()
                .take_while(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                .count();
            i += len;
            (Name::At(Span::new(first..i)?), 0)
        }
        _ => return None,
    };
    i = skip_ws(b, i);
    match b.get(i) {
        Some(b',' | b']') => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::Decoder;

    fn deferred(text: &str) -> Result<Option<Decoded>, DecodeError> {
        Decoder::new().decode_text_deferred(Str::from(text))
    }

    fn unchecked(text: &str) -> UncheckedEvent {
        match deferred(text) {
            Ok(Some(Decoded::Event(e))) => e,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn text_events_are_checked_up_to_the_name() {
        let e = unchecked("2/a,12[ \"chat\" ,1,]");
        assert_eq!((e.nsp(), e.id(), e.name()), ("/a", Some(12), "chat"));
        assert_eq!(unchecked("2[-1.5,{}]").name(), "-1.5");
        assert_eq!(unchecked("2[\"\\u0041\"]").name(), "A");
        assert!(unchecked("2[\"m\",1,]").check().is_err());
    }

    #[test]
    fn what_the_name_check_refuses_gets_the_full_checks_answer() {
        for text in [
            "2[]",
            "2{}",
            "2",
            "2[\"connect\"]",
            "2[\"conn\\u0065ct\",1]",
            "2[{}]",
            "2[\"a\u{1}\"]",
            "2[\"a\"",
            "2[\"a\" 1]",
            "2[\"\\x\"]",
            "2[true]",
            "299999999999999999999[\"a\"]",
        ] {
            assert_eq!(
                deferred(text).unwrap_err(),
                Decoder::new().decode_text(Str::from(text)).unwrap_err(),
                "{text}"
            );
        }
        // A lone surrogate is valid for the validator (as for `JSON.parse`): decided in full.
        let lone = "2[\"\\ud800\",1]";
        assert!(matches!(deferred(lone), Ok(Some(Decoded::Packet(_)))));
        // Other packet types are validated at once.
        assert!(matches!(
            deferred("3[1]"),
            Err(DecodeError::MissingAckId(_))
        ));
        assert!(matches!(
            deferred("31[1]"),
            Ok(Some(Decoded::Packet(Packet {
                kind: PacketType::Ack,
                ..
            })))
        ));
    }

    /// The name scan goes 16 bytes a step, then byte by byte in the last bytes: a special
    /// byte (quote, backslash, control byte, an escape cut by the end) at every position of
    /// names of every length up to past two windows, with and without arguments after the
    /// name, gets the full decode's answer (the same name and packet, or the same error).
    #[test]
    fn the_name_scan_agrees_with_the_full_decode_at_every_position() {
        let specials = [
            "\"", "\\", "\\\"", "\\n", "\\u0041", "\\u00", "\u{1}", "\u{1f}", "é",
        ];
        let mut names = Vec::new();
        for len in 0..40 {
            let plain = "n".repeat(len);
            names.push(plain.clone());
            for at in 0..=len {
                for sp in specials {
                    names.push(format!("{}{sp}{}", &plain[..at], &plain[at..]));
                }
            }
        }
        for name in &names {
            // Closed names and their arguments; the last one is cut inside the name.
            for tail in [
                "\"]",
                "\",1]",
                "\",\"a\\\"\",{}]",
                "\"",
                "\",",
                "\" ,2 ]",
                "",
            ] {
                let text = format!("2[\"{name}{tail}");
                let full = Decoder::new().decode_text(Str::from(text.as_str()));
                match deferred(&text) {
                    Ok(Some(Decoded::Event(e))) => {
                        // The arguments are checked later: the same packet or error then.
                        if let Ok(Some(full)) = &full {
                            let name = full.event_name();
                            assert_eq!(Some(e.name()), name.as_deref(), "{text:?}");
                        }
                        assert_eq!(e.check().map(Some), full, "{text:?}");
                    }
                    Ok(Some(Decoded::Packet(p))) => assert_eq!(Ok(Some(p)), full, "{text:?}"),
                    Ok(None) => panic!("{text:?}: no packet"),
                    Err(err) => assert_eq!(Err(err), full, "{text:?}"),
                }
            }
        }
    }

    #[test]
    fn typed_arguments_tell_malformed_from_mismatched() {
        let ok = unchecked("2[\"e\",1,\"two\",[3]]");
        let (a, b): (u8, String) = ok.deserialize_args().unwrap();
        assert_eq!((a, b.as_str()), (1, "two"));
        assert!(matches!(
            ok.deserialize_args::<(String,)>(),
            Err(TypedArgsError::Mismatch(_))
        ));
        for bad in [
            "2[\"e\",1,]",
            "2[\"e\",1] x",
            "2[\"e\",01]",
            "2[\"e\",\"\\x\"]",
            "2[\"e\",[1}]",
            "2[\"e\",",
        ] {
            let e = unchecked(bad);
            let full = e.clone().check().unwrap_err();
            match e.deserialize_args::<Vec<serde_json::Value>>() {
                Err(TypedArgsError::Malformed(err)) => assert_eq!(err, full, "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        // Numbers out of serde_json's range are well-formed JSON: a mismatch.
        let big = unchecked("2[\"e\",1e400]");
        assert!(matches!(
            big.deserialize_args::<(f64,)>(),
            Err(TypedArgsError::Mismatch(_))
        ));
    }

    #[test]
    fn a_binary_or_pending_decoder_takes_the_full_path() {
        let mut d = Decoder::new();
        let text = Str::from("51-[\"up\",{\"_placeholder\":true,\"num\":0}]");
        assert_eq!(d.decode_text_deferred(text), Ok(None));
        assert_eq!(
            d.decode_text_deferred(Str::from("2[\"a\"]")),
            Err(DecodeError::UnexpectedText)
        );
        assert!(matches!(
            d.decode_text_deferred(Str::from("2[\"a\"]")),
            Ok(Some(Decoded::Event(_)))
        ));
    }
}
