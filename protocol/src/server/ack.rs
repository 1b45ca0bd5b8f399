//! Acknowledgement bookkeeping: per-socket waiters and broadcast collectors.

use super::event::Payload;
use super::ids::AckId;
use super::timer::TimerKey;
use crate::Str;

/// What a socket's pending ack id is waiting for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AckWaiter {
    /// An `emit_with_ack` to this socket, with its deadline if any.
    Single { timer: Option<TimerKey> },
    /// One target of a broadcast with acks.
    Broadcast(u64),
}

/// Who gets the replies of a broadcast with acks.
#[derive(Debug)]
pub(crate) enum AckOrigin {
    /// The app on this node: replies are collected into one event.
    Local {
        replies: Vec<Payload>,
        /// Other nodes that have not yet said how many clients they reached.
        servers_pending: usize,
    },
    /// Another node asked: each reply is forwarded to it.
    Remote { uid: Str, request: Str },
}

/// A broadcast with acks in flight.
#[derive(Debug)]
pub(crate) struct BroadcastAck {
    pub(crate) nsp: Str,
    pub(crate) ack_id: AckId,
    /// Local sockets the packet went to.
    pub(crate) targets: Vec<super::ids::SocketKey>,
    pub(crate) origin: AckOrigin,
    pub(crate) expected: usize,
    pub(crate) received: usize,
    pub(crate) timer: TimerKey,
}

impl BroadcastAck {
    /// Every expected reply arrived and every node reported its count.
    pub(crate) fn is_complete(&self) -> bool {
        match &self.origin {
            AckOrigin::Local {
                servers_pending, ..
            } => *servers_pending == 0 && self.received >= self.expected,
            AckOrigin::Remote { .. } => self.received >= self.expected,
        }
    }
}
