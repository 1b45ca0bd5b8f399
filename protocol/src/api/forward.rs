//! Re-emitting received arguments without parsing them (raw JSON slices and shared bytes).

use crate::socket::{Args, RawArgs};
use crate::Str;

/// Calls `f` with the exact length of `[name, ...args]` (the arguments of `args` unchanged)
/// and a writer of that text.
fn with_payload<R>(
    name: Option<&str>,
    args: &Args,
    f: impl FnOnce(usize, &dyn Fn(&mut String)) -> R,
) -> R {
    // Event names are JSON-escaped by serde_json; a String never fails to serialize.
    let name = name.map(|n| serde_json::to_string(n).unwrap_or_else(|_| "\"\"".into()));
    if let Some((rest, empty)) = args.forwardable() {
        // Checked text: the arguments and the closing `]` are copied as they came.
        let comma = name.is_some() && !empty;
        let len = 1 + name.as_ref().map_or(0, String::len) + usize::from(comma) + rest.len();
        let write = |out: &mut String| {
            out.push('[');
            if let Some(name) = &name {
                out.push_str(name);
            }
            if comma {
                out.push(',');
            }
            out.push_str(rest);
        };
        return f(len, &write);
    }
    let raw = args.raw_view();
    let (mut items, mut bytes) = (usize::from(name.is_some()), 0);
    raw.for_each(|a| {
        items += 1;
        bytes += a.len();
    });
    let len = 2 + name.as_ref().map_or(0, String::len) + bytes + items.saturating_sub(1);
    let write = |out: &mut String| {
        out.push('[');
        if let Some(name) = &name {
            out.push_str(name);
        }
        let mut first = name.is_none();
        raw.for_each(|a| {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(a);
        });
        out.push(']');
    };
    f(len, &write)
}

fn payload(name: Option<&str>, args: &Args) -> RawArgs {
    with_payload(name, args, |len, write| {
        // The exact length: a `String` whose capacity is its length becomes a `Str` without
        // a second allocation.
        let mut out = String::with_capacity(len);
        write(&mut out);
        debug_assert_eq!(out.len(), len);
        RawArgs {
            json: Str::from(out),
            attachments: args.attachments().to_vec(),
        }
    })
}

/// Calls `f` with the exact length of `[...args]` (the arguments of `args` unchanged) and a
/// writer of that text: for a reply written straight into its packet.
pub(crate) fn with_ack_payload<R>(
    args: &Args,
    f: impl FnOnce(usize, &dyn Fn(&mut String)) -> R,
) -> R {
    with_payload(None, args, f)
}

/// `[name, ...args]` with the arguments of `args` unchanged.
pub(crate) fn event_payload(name: &str, args: &Args) -> RawArgs {
    payload(Some(name), args)
}

/// `[...args]` with the arguments of `args` unchanged.
pub(crate) fn ack_payload(args: &Args) -> RawArgs {
    payload(None, args)
}
