//! A received event on its way to a handler: validated already, or checked only up to its
//! name. Each handler kind takes it the way it needs: untyped handlers through the full
//! validation, typed ones through the one serde pass that reads their arguments.

use super::event::{AckResponder, Event};
use crate::socket::{DecodeError, TypedArgsError, UncheckedEvent};
use serde::de::DeserializeOwned;

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
            Incoming::Checked(mut event) => {
                let ack = event.take_ack();
                match event.forward_args().deserialize_prefix() {
                    Ok(args) => Ok((args, ack)),
                    Err(e) => Err(TypedArgsError::Mismatch(e)),
                }
            }
            Incoming::Unchecked { event, ack } => Ok((event.deserialize_args()?, ack)),
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
