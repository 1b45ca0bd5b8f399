//! Looking inside EVENT and ACK payloads: the event name and each argument's raw JSON.

use super::arg_list::ArgList;
use super::binary_de::{Binary, Ctx};
use super::binary_layout::reference_layout;
use super::packet::Packet;
use super::scan::Root;
use super::validate::{validate_split, InlineBounds, Slices};
use super::value::Value;
use crate::{json, Str};
use bytes::Bytes;
use serde::de::value::SeqDeserializer;
use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer as _};
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

/// An EVENT's name and arguments, or an ACK's arguments, as raw JSON slices of the packet.
///
/// Nothing is parsed beyond finding the argument boundaries; each argument can be forwarded
/// as is, turned into a [`Value`] (placeholders rebuilt into binary), or deserialized.
/// The boundaries are found on first use (by the validator), so deserializing all arguments
/// at once ([`Args::deserialize`]) reads the JSON once.
#[derive(Debug, Clone)]
pub struct Args {
    name: Option<Str>,
    /// Each argument's raw JSON, found on first use.
    args: OnceLock<Vec<Str>>,
    attachments: Vec<Bytes>,
    /// The whole array, for single-pass deserialization.
    data: Str,
    event: bool,
    /// Where the arguments start in `data` (just past the name and its comma, or at the `]`)
    /// when the decoder's full check accepted `data`, so `data[rest..]` can be forwarded as
    /// is; 0 when unknown (the arguments are then found by the validator).
    rest: u32,
}

impl PartialEq for Args {
    fn eq(&self, other: &Args) -> bool {
        // `args` is derived from `data`.
        self.name == other.name
            && self.data == other.data
            && self.attachments == other.attachments
            && self.event == other.event
    }
}

impl Eq for Args {}

impl Packet {
    /// Splits an EVENT into name and arguments, or an ACK into arguments.
    ///
    /// `None` for other packet types. For packets that came out of the [`Decoder`](super::Decoder)
    /// this cannot fail; the `Err` covers packets built by hand with invalid data.
    pub fn args(&self) -> Option<Result<Args, serde_json::Error>> {
        let event = self.kind.is_event();
        if !event && !self.kind.is_ack() {
            return None;
        }
        let data = self.data.as_ref()?;
        Some(Args::parse(data, event, self.attachments.clone()))
    }

    /// The name of an EVENT (a numeric name as its JSON text, e.g. `1`), reading only the
    /// first element: O(length of the name). A slice of `data` unless the name has escapes.
    ///
    /// Assumes `data` was validated (by the [`Decoder`](super::Decoder) or built by
    /// [`to_event`](super::to_event)); for anything else the result is unspecified but safe.
    pub fn event_name(&self) -> Option<Str> {
        if !self.kind.is_event() {
            return None;
        }
        first_element_name(self.data.as_ref()?)
    }

    /// Deserializes the arguments (after the name, for an EVENT) as one sequence, in a single
    /// pass over the JSON: `T` is a tuple `(A, B)`, a `Vec<_>`, or `(A,)` for one argument.
    /// Arguments beyond what `T` takes are ignored, as JavaScript handlers ignore them.
    /// Placeholders become bytes (`bytes::Bytes`, `Vec<u8>`, `serde_bytes`).
    pub fn deserialize_args<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| serde::de::Error::custom("packet has no arguments"))?;
        deserialize_seq(data, self.kind.is_event(), &self.attachments, Extra::Ignore)
    }

    /// [`deserialize_args`](Self::deserialize_args), consuming the packet: an attachment
    /// that a placeholder hands to `bytes::Bytes`, `serde_bytes::ByteBuf` or `Vec<u8>` through
    /// serde_bytes is moved into it — no copy when nothing else holds the attachment's buffer
    /// and the buffer starts with it (as a base64-decoded polling message does). Otherwise,
    /// and for every other target, the same as `deserialize_args`.
    ///
    /// ```
    /// use volley_protocol::socket::Packet;
    /// use volley_protocol::Str;
    /// use bytes::Bytes;
    ///
    /// let data = Bytes::from(vec![7u8; 1024]);
    /// let at = data.as_ptr();
    /// let packet = Packet::event(
    ///     Str::from("/"),
    ///     Str::from(r#"["upload","a.bin",{"_placeholder":true,"num":0}]"#),
    ///     vec![data],
    /// );
    /// let (name, body): (String, Bytes) = packet.into_args().unwrap();
    /// assert_eq!(name, "a.bin");
    /// assert_eq!(body.as_ptr(), at); // the same buffer
    /// ```
    pub fn into_args<T: DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        let data = self
            .data
            .ok_or_else(|| serde::de::Error::custom("packet has no arguments"))?;
        deserialize_seq_owned(&data, self.kind.is_event(), self.attachments, Extra::Ignore)
    }
}

/// [`deserialize_seq`] owning the attachments: see [`Packet::into_args`]. Attachments are moved
/// out only when some buffer is not shared and the JSON is in the reference layout (checked in
/// an extra pass over the JSON, which in a binary packet is usually small beside its
/// attachments): then the one pass gives up on no object. If it fails after a buffer was moved
/// out, it fails on the target's types, and its error stands (the `Value` path, which needs
/// the bytes, reads the same values from that layout and would fail as well).
pub(super) fn deserialize_seq_owned<T: DeserializeOwned>(
    data: &str,
    event: bool,
    attachments: Vec<Bytes>,
    extra: Extra,
) -> Result<T, serde_json::Error> {
    if !attachments.iter().any(Bytes::is_unique) || !reference_layout(data, attachments.len()) {
        return deserialize_seq(data, event, &attachments, extra);
    }
    let mut slots: Vec<Option<Bytes>> = attachments.into_iter().map(Some).collect();
    let cells = Cell::from_mut(&mut slots[..]).as_slice_of_cells();
    let ctx = Ctx::owning(cells);
    let visitor = SkipFirst::<T>(event, extra, PhantomData);
    let mut de = json::Deserializer::new(data);
    let result = de.run(|de| Binary { de, ctx: &ctx }.deserialize_seq(visitor));
    if result.is_ok() || ctx.moved() {
        return result;
    }
    // Nothing was moved: every attachment is still in its slot.
    let attachments: Vec<Bytes> = slots.into_iter().flatten().collect();
    deserialize_seq_values(data, event, &attachments, extra)
}

/// What to do with arguments beyond those the target type takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Extra {
    Ignore,
    Refuse,
}

/// Deserializes the elements of the JSON array `data` (after the first, for an event) into `T`
/// as one sequence, in one pass; placeholders become the attachments on the way (through
/// [`Value`] only when that fails: placeholder layouts the reference encoder does not write,
/// or type errors).
pub(super) fn deserialize_seq<T: DeserializeOwned>(
    data: &str,
    event: bool,
    attachments: &[Bytes],
    extra: Extra,
) -> Result<T, serde_json::Error> {
    let mut de = json::Deserializer::new(data);
    let visitor = SkipFirst::<T>(event, extra, PhantomData);
    if attachments.is_empty() {
        return de.run(|de| de.deserialize_seq(visitor));
    }
    let ctx = Ctx::new(attachments);
    let result = de.run(|de| Binary { de, ctx: &ctx }.deserialize_seq(visitor));
    // Errors (and the layouts the wrapper leaves alone) are decided by the `Value` path, so
    // both paths give the same result.
    result.or_else(|_| deserialize_seq_values(data, event, attachments, extra))
}

/// [`deserialize_seq`] through [`Value`]: the reference's full placeholder rule.
fn deserialize_seq_values<T: DeserializeOwned>(
    data: &str,
    event: bool,
    attachments: &[Bytes],
    extra: Extra,
) -> Result<T, serde_json::Error> {
    let Value::Array(items) = Value::from_json(data, attachments)? else {
        return Err(serde::de::Error::custom("arguments are not an array"));
    };
    let mut seq =
        SeqDeserializer::<_, serde_json::Error>::new(items.into_iter().skip(usize::from(event)));
    let value = T::deserialize(ArgList(&mut seq))?;
    if extra == Extra::Refuse {
        seq.end()?;
    }
    Ok(value)
}

/// Deserializes one argument's raw JSON, placeholders becoming the attachments.
fn deserialize_one<T: DeserializeOwned>(
    raw: &str,
    attachments: &[Bytes],
) -> Result<T, serde_json::Error> {
    let mut de = json::Deserializer::new(raw);
    if attachments.is_empty() {
        return de.run(|de| T::deserialize(de));
    }
    let ctx = Ctx::new(attachments);
    let result = de.run(|de| T::deserialize(Binary { de, ctx: &ctx }));
    result.or_else(|_| Value::from_json(raw, attachments)?.deserialize_into())
}

/// Visits an array, skipping the event name, and hands the rest to `T` as a sequence.
struct SkipFirst<T>(bool, Extra, PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for SkipFirst<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of arguments")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        if self.0 && seq.next_element::<IgnoredAny>()?.is_none() {
            return Err(serde::de::Error::custom("empty event"));
        }
        let value = T::deserialize(ArgList(&mut seq))?;
        let mut more = 0usize;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            more += 1;
        }
        if more > 0 && self.1 == Extra::Refuse {
            return Err(serde::de::Error::custom(format_args!(
                "{more} more argument(s) than expected"
            )));
        }
        Ok(value)
    }
}

/// The first element of a validated JSON array, as an event name.
fn first_element_name(data: &Str) -> Option<Str> {
    let b = data.as_bytes();
    let is_ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let open = b.iter().position(|c| !is_ws(c))?;
    if b[open] != b'[' {
        return None;
    }
    let start = open + 1 + b[open + 1..].iter().position(|c| !is_ws(c))?;
    if b[start] == b'"' {
        let mut i = start + 1;
        let mut escaped = false;
        while i < b.len() {
            match b[i] {
                b'\\' => {
                    escaped = true;
                    i += 1;
                }
                b'"' => break,
                _ => {}
            }
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        // Both quotes are ASCII, so the slice bounds are char boundaries.
        if !escaped {
            return Some(data.slice(start + 1..i));
        }
        return serde_json::from_str::<String>(&data[start..=i])
            .ok()
            .map(Str::from);
    }
    let len = b[start..]
        .iter()
        .take_while(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        .count();
    (len > 0).then(|| data.slice(start..start + len))
}

/// Each argument's raw JSON: see [`Args::raw_view`].
pub(crate) enum RawView<'a> {
    /// The arguments' list.
    Listed(&'a [Str]),
    /// The payload and where its arguments are.
    Inline(&'a str, InlineBounds<8>),
}

impl RawView<'_> {
    /// Calls `f` with each argument, in order.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&str)) {
        match self {
            RawView::Listed(args) => args.iter().for_each(|a| f(a)),
            RawView::Inline(data, bounds) => {
                for &(a, b) in bounds.bounds() {
                    f(&data[a..b]);
                }
            }
        }
    }
}

impl Args {
    fn parse(data: &Str, event: bool, attachments: Vec<Bytes>) -> Result<Args, serde_json::Error> {
        // One validating pass slices the arguments out.
        let mut slices = Slices::new(data, 0);
        match validate_split(data, &mut slices) {
            Ok(Root::Array(_)) => {}
            Ok(_) => return Err(serde::de::Error::custom("arguments are not an array")),
            Err(e) => {
                return Err(serde::de::Error::custom(format_args!(
                    "invalid JSON at byte {}",
                    e.at
                )))
            }
        }
        let mut items = slices.out;
        let name = if event {
            if items.is_empty() {
                return Err(serde::de::Error::custom("empty event"));
            }
            Some(event_name(items.remove(0))?)
        } else {
            None
        };
        Ok(Args {
            name,
            args: OnceLock::from(items),
            attachments,
            data: data.clone(),
            event,
            rest: 0,
        })
    }

    /// The arguments of an event or ack payload that the [`Decoder`](super::Decoder) validated
    /// (the server's received events and acks): reads only the event name now, and finds the
    /// argument boundaries on first use, so a handler that deserializes all arguments at once
    /// reads the JSON once. `None` for an event without a readable name.
    ///
    /// Should the data not be valid JSON after all, it has no raw arguments (nothing invalid
    /// can be forwarded) and deserializing it fails.
    pub(crate) fn from_decoded(data: Str, event: bool, attachments: Vec<Bytes>) -> Option<Args> {
        let name = if event {
            Some(first_element_name(&data)?)
        } else {
            None
        };
        Some(Args {
            name,
            args: OnceLock::new(),
            attachments,
            data,
            event,
            rest: 0,
        })
    }

    /// The arguments of a text event whose `data` the decoder's full check accepted and whose
    /// name was read already; `after_name` is where the name ends in `data` (0: not known).
    pub(super) fn checked_event(name: Str, data: Str, after_name: usize) -> Args {
        let rest = if after_name == 0 {
            0
        } else {
            // Valid JSON: after the name come blanks, then `,` or the closing `]`.
            let b = data.as_bytes();
            let mut i = after_name;
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
                i += 1;
            }
            match b.get(i) {
                Some(b',') => u32::try_from(i + 1).unwrap_or(0),
                Some(b']') => u32::try_from(i).unwrap_or(0),
                _ => 0,
            }
        };
        Args {
            name: Some(name),
            args: OnceLock::new(),
            attachments: Vec::new(),
            data,
            event: true,
            rest,
        }
    }

    /// The arguments as they came, each followed by its `,` or by the closing `]`: what
    /// forwarding them writes after its own `[` and name, without finding each argument.
    /// `None` when the data was not checked with its name's end known, or when it holds a
    /// blank anywhere (forwarding drops blanks between arguments; finding those needs the
    /// validator). The bool says whether there is no argument.
    pub(crate) fn forwardable(&self) -> Option<(&str, bool)> {
        if self.rest == 0 {
            return None;
        }
        let rest = self.data.get(self.rest as usize..)?;
        if rest
            .bytes()
            .any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            return None;
        }
        Some((rest, rest.starts_with(']')))
    }

    /// [`Args::deserialize`], ignoring arguments beyond what `T` takes (as
    /// [`Packet::deserialize_args`] does), consuming the arguments: attachments are moved into
    /// byte targets where that saves a copy (see [`Packet::into_args`]).
    pub(crate) fn into_prefix<T: DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        deserialize_seq_owned(&self.data, self.event, self.attachments, Extra::Ignore)
    }

    /// Each argument's raw JSON, as [`raw`](Self::raw) lists them; when they were not listed
    /// yet and are few, found without listing them (no allocation): for re-emitting them once.
    pub(crate) fn raw_view(&self) -> RawView<'_> {
        if self.args.get().is_none() {
            let mut bounds = InlineBounds::new(usize::from(self.event));
            if !matches!(validate_split(&self.data, &mut bounds), Ok(Root::Array(_))) {
                return RawView::Listed(&[]);
            }
            if !bounds.overflow {
                return RawView::Inline(&self.data, bounds);
            }
        }
        RawView::Listed(self.split())
    }

    /// Each argument's raw JSON (after the name, for an event); empty if `data` is invalid.
    fn split(&self) -> &[Str] {
        self.args.get_or_init(|| {
            let mut slices = Slices::new(&self.data, usize::from(self.event));
            if !matches!(validate_split(&self.data, &mut slices), Ok(Root::Array(_))) {
                return Vec::new();
            }
            slices.out
        })
    }

    /// What the arguments took on the wire: the JSON and the attachments, in bytes (what a
    /// buffer of received events is bounded by).
    pub(crate) fn wire_len(&self) -> usize {
        let attachments: usize = self.attachments.iter().map(Bytes::len).sum();
        self.data.len().saturating_add(attachments)
    }

    /// The event name (`None` for an ACK).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Number of arguments (not counting the event name).
    pub fn len(&self) -> usize {
        self.split().len()
    }

    /// True when there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.split().is_empty()
    }

    /// Each argument's raw JSON (placeholders included), sharing the packet's buffer.
    pub fn raw(&self) -> &[Str] {
        self.split()
    }

    /// The packet's attachments.
    pub fn attachments(&self) -> &[Bytes] {
        &self.attachments
    }

    /// Argument `i` as a [`Value`], placeholders replaced by the attachments.
    pub fn value(&self, i: usize) -> Option<Result<Value, serde_json::Error>> {
        Some(Value::from_json(self.split().get(i)?, &self.attachments))
    }

    /// All arguments as [`Value`]s.
    pub fn values(&self) -> Result<Vec<Value>, serde_json::Error> {
        self.split()
            .iter()
            .map(|a| Value::from_json(a, &self.attachments))
            .collect()
    }

    /// Deserializes argument `i` into `T` (binary values arrive as bytes).
    pub fn get<T: DeserializeOwned>(&self, i: usize) -> Result<T, serde_json::Error> {
        let raw = self
            .split()
            .get(i)
            .ok_or_else(|| serde::de::Error::custom(format!("no argument {i}")))?;
        deserialize_one(raw, &self.attachments)
    }

    /// Deserializes all arguments as one sequence: into a tuple `(A, B)`, a `Vec<T>`, …
    /// `T` must take every argument (more arguments than `T` takes is an error).
    /// One pass over the packet's JSON when there are no attachments.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        deserialize_seq(&self.data, self.event, &self.attachments, Extra::Refuse)
    }
}

/// An event name from its raw JSON: a string (unescaped; a slice when it has no escapes) or a
/// number (its text, as JavaScript turns it into a property key).
fn event_name(raw: Str) -> Result<Str, serde_json::Error> {
    if raw.starts_with('"') {
        if let Ok(s) = serde_json::from_str::<&str>(&raw) {
            return Ok(raw.slice_ref(s));
        }
        return serde_json::from_str::<String>(&raw).map(Str::from);
    }
    serde_json::from_str::<serde_json::Number>(&raw).map(|_| raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::PacketType;

    fn event(data: &str) -> Packet {
        Packet::new(
            PacketType::Event,
            Str::from("/"),
            None,
            Some(Str::from(data)),
        )
    }

    #[test]
    fn event_name_reads_only_the_first_element() {
        assert_eq!(event("[\"chat\",1]").event_name().unwrap(), "chat");
        assert_eq!(event(" [ \"a\\\"b\" ]").event_name().unwrap(), "a\"b");
        assert_eq!(event("[\"\\u0041\"]").event_name().unwrap(), "A");
        assert_eq!(event("[-1.5e3,{}]").event_name().unwrap(), "-1.5e3");
        assert_eq!(event("[{}]").event_name(), None);
        assert_eq!(event("[\"unterminated").event_name(), None);
        assert_eq!(event("{}").event_name(), None);
    }

    #[test]
    fn deserialize_args_skips_the_name_and_ignores_extra_arguments() {
        let p = event("[\"e\",1,\"two\",[3]]");
        let (a, b): (u8, String) = p.deserialize_args().unwrap();
        assert_eq!((a, b.as_str()), (1, "two"));
        let all: Vec<serde_json::Value> = p.deserialize_args().unwrap();
        assert_eq!(all.len(), 3);
        let too_many: Result<(u8, String, Vec<u8>, u8), _> = p.deserialize_args();
        assert!(too_many.is_err());
        let ack = Packet::ack(Str::from("/"), 1, Str::from("[true]"), vec![]);
        let (t,): (bool,) = ack.deserialize_args().unwrap();
        assert!(t);
    }

    #[test]
    fn deserialize_args_rebuilds_binary() {
        let p = Packet::event(
            Str::from("/"),
            Str::from("[\"f\",\"n\",{\"_placeholder\":true,\"num\":0}]"),
            vec![Bytes::from_static(b"xyz")],
        );
        let (n, b): (String, Bytes) = p.deserialize_args().unwrap();
        assert_eq!((n.as_str(), &b[..]), ("n", &b"xyz"[..]));
    }

    #[test]
    fn args_deserialize_takes_exactly_every_argument() {
        let p = event("[\"e\",1,\"two\"]");
        let args = p.args().unwrap().unwrap();
        let (a, b): (u8, String) = args.deserialize().unwrap();
        assert_eq!((a, b.as_str()), (1, "two"));
        assert!(args.deserialize::<(u8,)>().is_err());
        assert!(args.deserialize::<(u8, String, u8)>().is_err());
        let bin = Packet::event(
            Str::from("/"),
            Str::from("[\"f\",{\"_placeholder\":true,\"num\":0},2]"),
            vec![Bytes::from_static(b"xyz")],
        );
        let args = bin.args().unwrap().unwrap();
        let (b, n): (Vec<u8>, u8) = args.deserialize().unwrap();
        assert_eq!((b.as_slice(), n), (&b"xyz"[..], 2));
        assert!(args.deserialize::<(Bytes,)>().is_err());
    }

    #[test]
    fn decoded_payloads_split_arguments_only_when_asked() {
        let args = Args::from_decoded(Str::from("[\"e\",1,{\"a\":[2]}]"), true, vec![]).unwrap();
        assert_eq!(args.name(), Some("e"));
        let (n, _): (u8, serde_json::Value) = args.deserialize().unwrap();
        assert_eq!(n, 1);
        assert!(
            args.args.get().is_none(),
            "deserializing all arguments reads the JSON once"
        );
        assert_eq!(args.raw(), ["1", "{\"a\":[2]}"]);
        let ack = Args::from_decoded(Str::from("[true]"), false, vec![]).unwrap();
        assert_eq!((ack.name(), ack.len()), (None, 1));
        // Data that is not valid JSON after all has nothing to forward and does not deserialize.
        let bad = Args::from_decoded(Str::from("[\"e\",1,]"), true, vec![]).unwrap();
        assert!(bad.raw().is_empty());
        assert!(bad.deserialize::<(u8,)>().is_err());
        assert!(Args::from_decoded(Str::from("[{}]"), true, vec![]).is_none());
    }

    fn viewed(args: &Args) -> Vec<String> {
        let mut seen = Vec::new();
        args.raw_view().for_each(|a| seen.push(a.to_owned()));
        seen
    }

    #[test]
    fn the_raw_view_lists_what_raw_lists_and_leaves_few_arguments_unlisted() {
        for n in [0, 1, 8, 9, 20] {
            let items: Vec<String> = (0..n).map(|i| format!("{{\"k\": [{i}]}}")).collect();
            for (data, event) in [
                (format!("[\"e\", {}]", items.join(" , ")), true),
                (format!("[{}]", items.join(",")), false),
            ] {
                let data = data.replace("[\"e\", ]", "[\"e\"]");
                let args = Args::from_decoded(Str::from(data.as_str()), event, vec![]).unwrap();
                let seen = viewed(&args);
                assert_eq!(args.args.get().is_some(), n > 8, "{data}");
                let listed: Vec<&str> = args.raw().iter().map(|a| a.as_str()).collect();
                assert_eq!(seen, listed, "{data}");
                assert_eq!(seen.len(), n, "{data}");
                // Once listed, the view reads the list.
                assert_eq!(viewed(&args), seen);
            }
        }
        let bad = Args::from_decoded(Str::from("[\"e\",1,]"), true, vec![]).unwrap();
        assert!(viewed(&bad).is_empty());
    }

    #[test]
    fn binary_takes_the_attachment_without_a_copy() {
        use crate::socket::Binary;
        let att = Bytes::from(vec![7u8; 1000]);
        let ph = "{\"_placeholder\":true,\"num\":0}";
        let p = Packet::event(
            Str::from("/"),
            Str::from(format!("[\"e\",{ph},[{ph}],[1,2],\"s\"]")),
            vec![att.clone()],
        );
        let (a, b, c, d): (Binary, Vec<Binary>, Binary, Binary) = p.deserialize_args().unwrap();
        assert_eq!(a.0.as_ptr(), att.as_ptr());
        assert_eq!(b[0].0.as_ptr(), att.as_ptr());
        assert_eq!((&c.0[..], &d.0[..]), (&[1u8, 2][..], &b"s"[..]));
        let args = p.args().unwrap().unwrap();
        let one: Binary = args.get(0).unwrap();
        assert_eq!(one.0.as_ptr(), att.as_ptr());
        assert_eq!(
            agree::<(Binary, Vec<Binary>, Binary, Binary)>(
                &p.data.clone().unwrap(),
                std::slice::from_ref(&att)
            )
            .unwrap()
            .0,
            a
        );
        // A layout left to the `Value` path still gives the same bytes.
        let odd = "[\"e\",{\"num\":0,\"_placeholder\":true}]";
        let (b,): (Binary,) = agree(odd, std::slice::from_ref(&att)).unwrap();
        assert_eq!(b.0, att);
        // Without attachments, and through plain serde_json, it reads bytes like `Bytes` does.
        let (b,): (Binary,) = serde_json::from_str("[[3,4]]").unwrap();
        assert_eq!(&b.0[..], &[3, 4]);
        assert!(serde_json::from_str::<Binary>("{}").is_err());
    }

    #[test]
    fn binary_is_emitted_as_a_shared_attachment() {
        use crate::socket::{to_event, Binary};
        let att = Bytes::from(vec![9u8; 100]);
        let shared = to_event("up", &("a", Binary(att.clone()), [Binary(att.clone())])).unwrap();
        let copied = to_event("up", &("a", att.clone(), [att.clone()])).unwrap();
        assert_eq!(shared, copied);
        assert_eq!(shared.attachments[0].as_ptr(), att.as_ptr());
        assert_eq!(shared.attachments[1].as_ptr(), att.as_ptr());
        // Anywhere else it is bytes, as `Bytes` is.
        assert_eq!(
            serde_json::to_string(&Binary(Bytes::from_static(b"\x01\x02"))).unwrap(),
            "[1,2]"
        );
        let one = to_event("up", &Binary(att.clone())).unwrap();
        assert_eq!(one.json, "[\"up\",{\"_placeholder\":true,\"num\":0}]");
    }

    #[test]
    fn unit_takes_no_arguments_as_a_handler_without_parameters() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Ping;
        assert_eq!(agree::<()>("[\"e\"]", &[]), Some(()));
        assert_eq!(agree::<Ping>("[\"e\"]", &[]), Some(Ping));
        // Taking every argument (`Args::deserialize`), more are still refused ...
        assert_eq!(agree::<()>("[\"e\",1]", &[]), None);
        // ... and ignored where a handler takes a prefix (`on_args`), binary ones included.
        let atts = [Bytes::from_static(b"x")];
        let binary = "[\"e\",{\"_placeholder\":true,\"num\":0},\"a\"]";
        for (data, atts) in [("[\"e\",1,{\"a\":[]}]", &[][..]), (binary, &atts[..])] {
            assert!(deserialize_seq::<()>(data, true, atts, Extra::Ignore).is_ok());
            assert!(deserialize_seq_values::<()>(data, true, atts, Extra::Ignore).is_ok());
        }
    }

    #[test]
    fn arguments_left_out_are_none_to_an_option_as_undefined_is_in_javascript() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Join(String, Option<String>);
        assert_eq!(agree::<(Option<u32>,)>("[\"e\"]", &[]), Some((None,)));
        assert_eq!(
            agree::<(u32, Option<u32>)>("[\"e\",5]", &[]),
            Some((5, None))
        );
        assert_eq!(
            agree::<Join>("[\"e\",\"lobby\"]", &[]),
            Some(Join("lobby".into(), None))
        );
        let atts = [Bytes::from_static(b"x")];
        let binary = "[\"e\",{\"_placeholder\":true,\"num\":0}]";
        assert_eq!(
            agree::<(Bytes, Option<Bytes>)>(binary, &atts),
            Some((atts[0].clone(), None))
        );
        // Anything but an `Option` still needs its argument; extra ones are still refused.
        assert_eq!(agree::<(u32, u32)>("[\"e\",5]", &[]), None);
        assert_eq!(agree::<(Option<u32>,)>("[\"e\",1,2]", &[]), None);
        assert_eq!(agree::<(Option<u32>, u32)>("[\"e\",1]", &[]), None);
    }

    /// The one-pass wrapper and the `Value` path agree (both `Ok` with the same value, or
    /// both `Err`).
    fn agree<T: DeserializeOwned + PartialEq + fmt::Debug>(
        data: &str,
        atts: &[Bytes],
    ) -> Option<T> {
        let fast = deserialize_seq::<T>(data, true, atts, Extra::Refuse);
        let slow = deserialize_seq_values::<T>(data, true, atts, Extra::Refuse);
        match (fast, slow) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{data}");
                Some(a)
            }
            (Err(_), Err(_)) => None,
            (a, b) => panic!("{data}: one pass {a:?}, through Value {b:?}"),
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Upload {
        name: String,
        body: Option<Bytes>,
        parts: Vec<Bytes>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Kind {
        File(Bytes),
        Text(String),
    }

    #[test]
    fn binary_arguments_in_one_pass_match_the_value_path() {
        let ph = |n: usize| format!("{{\"_placeholder\":true,\"num\":{n}}}");
        let atts = [Bytes::from_static(b"ab"), Bytes::from_static(b"\xff\x00")];
        let d = format!("[\"e\",{},{}]", ph(0), ph(1));
        let (a, b): (Bytes, Vec<u8>) = agree(&d, &atts).unwrap();
        assert_eq!((&a[..], &b[..]), (&b"ab"[..], &b"\xff\x00"[..]));
        let (s, _): (String, Bytes) = agree(&d, &atts).unwrap();
        assert_eq!(s, "ab");
        assert!(agree::<(String, String)>(&d, &atts).is_none());
        assert!(agree::<(u8, Bytes)>(&d, &atts).is_none());
        assert!(agree::<(serde_json::Value, Bytes)>(&d, &atts).is_none());
        let up = format!(
            "[\"e\",{{\"name\":\"n\\u00e9\",\"body\":{},\"parts\":[{},{}]}}]",
            ph(1),
            ph(0),
            ph(1)
        );
        let (u,): (Upload,) = agree(&up, &atts).unwrap();
        assert_eq!(u.name, "né");
        assert_eq!(u.parts.len(), 2);
        let none = format!(
            "[\"e\",{{\"name\":\"x\",\"body\":null,\"parts\":[{}]}}]",
            ph(0)
        );
        assert_eq!(agree::<(Upload,)>(&none, &atts).unwrap().0.body, None);
        let en = format!("[\"e\",{{\"File\":{}}},{{\"Text\":\"t\"}}]", ph(0));
        let (k1, k2): (Kind, Kind) = agree(&en, &atts).unwrap();
        assert_eq!(
            (k1, k2),
            (Kind::File(atts[0].clone()), Kind::Text("t".into()))
        );
        // Layouts the reference does not write go through `Value` and still become bytes.
        for odd in [
            "{\"num\":1,\"_placeholder\":true}",
            "{\"a\":1,\"_placeholder\":true,\"num\":1}",
            "{\"_placeholder\":true,\"num\":1.0}",
            "{\"_placeholder\":true,\"num\":0,\"num\":1}",
        ] {
            let (b,): (Bytes,) = agree(&format!("[\"e\",{odd}]"), &atts).unwrap();
            assert_eq!(&b[..], b"\xff\x00", "{odd}");
        }
        // Not placeholders: ordinary objects.
        for plain in [
            "{\"_placeholder\":false,\"num\":0}",
            "{\"_placeholder\":true,\"num\":7}",
            "{\"_placeholder\":true}",
        ] {
            let (v,): (serde_json::Value,) = agree(&format!("[\"e\",{plain}]"), &atts).unwrap();
            assert!(v.is_object(), "{plain}");
        }
    }
}
