//! Acknowledgement bookkeeping: per-socket waiters and broadcast collectors.

use super::event::Payload;
use super::ids::AckId;
use super::timer::TimerKey;
use crate::socket::DEFAULT_NSP;
use crate::Str;

/// The Engine.IO text of an ACK to `id` in `nsp` (`43…`, or `46<n>-…` with `attachments`),
/// followed by the JSON array `data` writes (`len` bytes), in one exact-size buffer: the same
/// text as encoding `Packet::ack`, without the array as a buffer of its own.
pub(crate) fn ack_text(
    nsp: &str,
    id: AckId,
    attachments: usize,
    len: usize,
    data: impl FnOnce(&mut String),
) -> Str {
    let (mut count, mut num) = (itoa::Buffer::new(), itoa::Buffer::new());
    let count = (attachments > 0).then(|| count.format(attachments));
    let nsp = (nsp != DEFAULT_NSP).then_some(nsp);
    let id = num.format(id);
    let head = 2 + count.map_or(0, |c| c.len() + 1) + nsp.map_or(0, |n| n.len() + 1) + id.len();
    let mut out = String::with_capacity(head + len);
    out.push('4');
    match count {
        Some(count) => {
            out.push('6');
            out.push_str(count);
            out.push('-');
        }
        None => out.push('3'),
    }
    if let Some(nsp) = nsp {
        out.push_str(nsp);
        out.push(',');
    }
    out.push_str(id);
    data(&mut out);
    // A `String` whose capacity is its length becomes a `Str` without another allocation.
    Str::from(out)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::Packet;
    use bytes::Bytes;

    #[test]
    fn an_ack_written_in_place_is_the_text_of_its_packet() {
        for nsp in ["/", "/chat", "/a,b"] {
            for id in [0, 7, 12_345, u64::MAX] {
                for n in [0, 1, 12] {
                    for data in ["[]", r#"[1,"x",{"_placeholder":true,"num":0}]"#] {
                        let attachments = vec![Bytes::from_static(b"b"); n];
                        let packet = Packet::ack(Str::from(nsp), id, Str::from(data), attachments);
                        let text = ack_text(nsp, id, n, data.len(), |out| out.push_str(data));
                        assert_eq!(text, packet.encode_engine_text(), "{nsp} {id} {n} {data}");
                    }
                }
            }
        }
    }
}
