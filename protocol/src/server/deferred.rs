//! Events validated late (`SocketConfig::defer_event_validation`): a client's later packets
//! must not act before its queued unchecked events proved well-formed.
//!
//! The reference decodes each packet in full as it arrives: a malformed one closes the client
//! right there, and nothing it sent after it in the same polling body or WebSocket batch has
//! any effect. With deferred validation the app reads an event's arguments only when it
//! dispatches it, after the layer has taken in the whole batch. Later events of the client
//! only queue behind it (the app skips them once it closed the client), but a packet that
//! acts at once (an ACK reply, DISCONNECT, CONNECT, a protocol violation, the session's end)
//! first has the client's queued unchecked events validated here.

use super::event::{Event, Payload};
use super::ids::{DisconnectReason, SocketId};
use super::layer::SocketLayer;
use crate::socket::Packet;

/// The app event for an event packet of `socket`.
pub(crate) fn event_of(socket: SocketId, packet: Packet) -> Event {
    Event::Event {
        socket,
        nsp: packet.nsp,
        payload: Payload {
            data: packet.data.unwrap_or_default(),
            attachments: packet.attachments,
        },
        ack: packet.id,
    }
}

/// True for an event the client sent through one of `sockets`.
fn sent_by(event: &Event, sockets: &[SocketId]) -> bool {
    match event {
        Event::Event { socket, .. } | Event::Unchecked { socket, .. } => sockets.contains(socket),
        _ => false,
    }
}

impl SocketLayer {
    /// Validates the unchecked events of client `sid` still queued for the app, in order;
    /// the well-formed ones become plain [`Event::Event`]s. At the first malformed one the
    /// client is closed (`forced close`, as the decoder closes it) and that event and every
    /// later one it sent leave the queue. False if the client is closed or unknown.
    pub(crate) fn settle(&mut self, sid: &str) -> bool {
        let Some(client) = self.clients.get_mut(sid) else {
            return false;
        };
        let Some(first) = client.unchecked.take() else {
            return true;
        };
        let sockets: Vec<SocketId> = (client.sockets.iter())
            .filter_map(|(_, key)| self.sockets.get(*key).map(|s| s.id.clone()))
            .collect();
        // Events before `first` were handed out already, or are not the client's.
        let mut i =
            usize::try_from((first.get() - 1).saturating_sub(self.popped)).unwrap_or(usize::MAX);
        while i < self.events.len() {
            let unchecked = matches!(&self.events[i],
                Event::Unchecked { socket, .. } if sockets.contains(socket));
            if !unchecked {
                i += 1;
                continue;
            }
            let Some(Event::Unchecked { socket, event }) = self.events.remove(i) else {
                continue;
            };
            match event.check() {
                Ok(packet) => {
                    self.events.insert(i, event_of(socket, packet));
                    i += 1;
                }
                Err(_) => {
                    let rest: Vec<Event> = (self.events.drain(i..))
                        .filter(|e| !sent_by(e, &sockets))
                        .collect();
                    self.events.extend(rest);
                    self.close_client(sid, DisconnectReason::ForcedClose, true);
                    return false;
                }
            }
        }
        true
    }
}
