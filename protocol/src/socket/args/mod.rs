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
mod tests;
