//! Re-emitting received arguments without parsing them (raw JSON slices and shared bytes).

use crate::socket::{Args, RawArgs};
use crate::Str;

fn payload(name: Option<&str>, args: &Args) -> RawArgs {
    let raw = args.raw();
    let len = 2 + name.map_or(0, |n| n.len() + 3) + raw.iter().map(|a| a.len() + 1).sum::<usize>();
    let mut out = String::with_capacity(len);
    out.push('[');
    if let Some(name) = name {
        // Event names are JSON-escaped by serde_json; a String never fails to serialize.
        out.push_str(&serde_json::to_string(name).unwrap_or_else(|_| "\"\"".into()));
    }
    for (i, a) in raw.iter().enumerate() {
        if i > 0 || name.is_some() {
            out.push(',');
        }
        out.push_str(a);
    }
    out.push(']');
    RawArgs {
        json: Str::from(out),
        attachments: args.attachments().to_vec(),
    }
}

/// `[name, ...args]` with the arguments of `args` unchanged.
pub(crate) fn event_payload(name: &str, args: &Args) -> RawArgs {
    payload(Some(name), args)
}

/// `[...args]` with the arguments of `args` unchanged.
pub(crate) fn ack_payload(args: &Args) -> RawArgs {
    payload(None, args)
}
