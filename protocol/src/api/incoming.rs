//! A received event on its way to a handler: validated already, or checked only up to its
//! name. Each handler kind takes it the way it needs: untyped handlers through the full
//! validation, typed ones through the one serde pass that reads their arguments.

use super::event::{AckResponder, Event};
use crate::engine::BufferLimit;
use crate::socket::{DecodeError, TypedArgsError, UncheckedEvent};
use serde::de::DeserializeOwned;
use std::collections::VecDeque;

// Moved by value several times on its way to a handler (`deliver`, `process`, the handler,
// `into_event`): kept within what a copy of up to 256 bytes moves (232 bytes in 64-bit
// builds; a cluster reply's rare data is boxed in `AckResponder` for this).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Incoming>() <= 256);

pub(crate) enum Incoming {
    /// Validated by the decoder (binary events, or events of a layer that validates).
    Checked(Event),
    /// A text event checked up to its name.
    Unchecked {
        event: UncheckedEvent,
        ack: Option<AckResponder>,
    },
}

/// What became of an event handed to a handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// The handler was called.
    Handled,
    /// Well-formed, but not what a typed handler takes: it was not called.
    Mismatch,
    /// A protocol violation: the client must be closed, and none of its later events handled.
    Malformed,
}

impl Incoming {
    pub(crate) fn name(&self) -> &str {
        match self {
            Incoming::Checked(event) => event.name(),
            Incoming::Unchecked { event, .. } => event.name(),
        }
    }

    /// The event, validated (for handlers that may read or forward the raw arguments).
    pub(crate) fn into_event(self) -> Result<Event, DecodeError> {
        match self {
            Incoming::Checked(event) => Ok(event),
            Incoming::Unchecked { event, ack } => {
                let (name, args) = event.check_args()?;
                Ok(Event::new(name, args, ack))
            }
        }
    }

    /// The arguments deserialized into `T` in one pass (arguments beyond what `T` takes are
    /// ignored), with the acknowledgement responder.
    pub(crate) fn into_args<T: DeserializeOwned>(
        self,
    ) -> Result<(T, Option<AckResponder>), TypedArgsError> {
        match self {
            Incoming::Checked(event) => {
                // The handler owns its arguments: attachments move into byte targets
                // (no copy when the transport's buffer is not shared).
                let (args, ack) = event.into_args_and_ack();
                match args.into_prefix() {
                    Ok(args) => Ok((args, ack)),
                    Err(e) => Err(TypedArgsError::Mismatch(e)),
                }
            }
            Incoming::Unchecked { event, ack } => Ok((event.deserialize_args()?, ack)),
        }
    }

    /// What the event took on the wire, in bytes (its text, or its JSON and attachments).
    fn wire_len(&self) -> usize {
        match self {
            Incoming::Checked(event) => event.wire_len(),
            Incoming::Unchecked { event, .. } => event.wire_len(),
        }
    }

    /// For an event no handler takes: only whether it was malformed.
    pub(crate) fn unhandled(self) -> Delivery {
        match self {
            Incoming::Unchecked { event, .. } => match event.check() {
                Err(_) => Delivery::Malformed,
                Ok(_) => Delivery::Handled,
            },
            Incoming::Checked(_) => Delivery::Handled,
        }
    }
}

/// What one waiting event costs beyond its wire bytes, about (the event, its name and ack
/// responder; measured: ≈280 bytes per waiting 28-byte event). Bounds the number of waiting
/// events under a byte limit (see [`BufferLimit::max_items`]).
const WAITING_EVENT_COST: usize = 256;

/// A socket's events waiting, in arrival order, while its connection handlers or an async
/// event middleware run; bounded by what they took on the wire, and in number (so a flood of
/// tiny events cannot hold far more memory than the bound).
#[derive(Default)]
pub(crate) struct Gate {
    waiting: VecDeque<Incoming>,
    /// The wire size of the waiting events.
    bytes: usize,
    /// It overflowed: its client is being closed, and nothing more of it is kept.
    shut: bool,
}

impl Gate {
    /// Queues `incoming`, unless that takes the waiting events past `limit` bytes (`None`:
    /// unbounded) or past the number of events such a limit allows
    /// ([`BufferLimit::max_items`]): then they are all dropped, the gate keeps nothing more,
    /// and false says that the client must be closed (once: later events are dropped
    /// quietly).
    pub(crate) fn push(&mut self, incoming: Incoming, limit: Option<usize>) -> bool {
        if self.shut {
            return true;
        }
        let bytes = self.bytes.saturating_add(incoming.wire_len());
        let over = |limit: usize| {
            bytes > limit || self.waiting.len() >= BufferLimit::max_items(limit, WAITING_EVENT_COST)
        };
        if limit.is_some_and(over) {
            self.waiting = VecDeque::new();
            self.bytes = 0;
            self.shut = true;
            return false;
        }
        self.bytes = bytes;
        self.waiting.push_back(incoming);
        true
    }

    /// The event that waited longest.
    pub(crate) fn pop(&mut self) -> Option<Incoming> {
        let next = self.waiting.pop_front()?;
        self.bytes -= next.wire_len();
        Some(next)
    }
}
