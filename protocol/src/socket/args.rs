//! Looking inside EVENT and ACK payloads: the event name and each argument's raw JSON.

use super::packet::Packet;
use super::value::Value;
use crate::Str;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// An EVENT's name and arguments, or an ACK's arguments, as raw JSON slices of the packet.
///
/// Nothing is parsed beyond finding the argument boundaries; each argument can be forwarded
/// as is, turned into a [`Value`] (placeholders rebuilt into binary), or deserialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    name: Option<Str>,
    args: Vec<Str>,
    attachments: Vec<Bytes>,
}

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

    /// The name of an EVENT (a numeric name as its JSON text, e.g. `1`), without parsing the
    /// arguments beyond their boundaries.
    pub fn event_name(&self) -> Option<Str> {
        if !self.kind.is_event() {
            return None;
        }
        self.args()?.ok()?.name
    }
}

impl Args {
    fn parse(data: &Str, event: bool, attachments: Vec<Bytes>) -> Result<Args, serde_json::Error> {
        let raw: Vec<&RawValue> = serde_json::from_str(data)?;
        let mut items = raw.into_iter().map(|r| data.slice_ref(r.get()));
        let name = if event {
            let first = items
                .next()
                .ok_or_else(|| serde::de::Error::custom("empty event"))?;
            Some(event_name(first)?)
        } else {
            None
        };
        Ok(Args {
            name,
            args: items.collect(),
            attachments,
        })
    }

    /// The event name (`None` for an ACK).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Number of arguments (not counting the event name).
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// True when there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// Each argument's raw JSON (placeholders included), sharing the packet's buffer.
    pub fn raw(&self) -> &[Str] {
        &self.args
    }

    /// The packet's attachments.
    pub fn attachments(&self) -> &[Bytes] {
        &self.attachments
    }

    /// Argument `i` as a [`Value`], placeholders replaced by the attachments.
    pub fn value(&self, i: usize) -> Option<Result<Value, serde_json::Error>> {
        Some(Value::from_json(self.args.get(i)?, &self.attachments))
    }

    /// All arguments as [`Value`]s.
    pub fn values(&self) -> Result<Vec<Value>, serde_json::Error> {
        self.args
            .iter()
            .map(|a| Value::from_json(a, &self.attachments))
            .collect()
    }

    /// Deserializes argument `i` into `T` (binary values arrive as bytes).
    pub fn get<T: DeserializeOwned>(&self, i: usize) -> Result<T, serde_json::Error> {
        let raw = self
            .args
            .get(i)
            .ok_or_else(|| serde::de::Error::custom(format!("no argument {i}")))?;
        if self.attachments.is_empty() {
            serde_json::from_str(raw)
        } else {
            Value::from_json(raw, &self.attachments)?.deserialize_into()
        }
    }

    /// Deserializes all arguments as one sequence: into a tuple `(A, B)`, a `Vec<T>`, …
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        if self.attachments.is_empty() {
            let len = self.args.iter().map(|a| a.len() + 1).sum::<usize>() + 1;
            let mut joined = String::with_capacity(len);
            joined.push('[');
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    joined.push(',');
                }
                joined.push_str(a);
            }
            joined.push(']');
            serde_json::from_str(&joined)
        } else {
            Value::Array(self.values()?).deserialize_into()
        }
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
    match serde_json::from_str::<serde_json::Number>(&raw) {
        Ok(_) => Ok(raw),
        Err(e) => Err(e),
    }
}
