//! Sockets the server disconnects together leave one after the other, as in the reference,
//! whose `disconnectSockets`, `socket.disconnect(true)` and `io.close()` call each socket's
//! `disconnect` / `_onclose` in turn: one socket's DISCONNECT goes out, its disconnecting
//! handlers run and it leaves before the next one starts, so what its handlers send still
//! reaches the sockets not disconnected yet.
//!
//! Such a group is a queue of [`Step`]s. Without
//! [`SocketConfig::hold_disconnecting`](super::SocketConfig::hold_disconnecting) nothing runs
//! in between, so a group runs to its end at once. With it, the group waits while its current
//! socket is held (its `Disconnecting` is out, `finish_disconnect` not called yet); the next
//! step runs when the app asks for its next event and none is queued
//! ([`SocketLayer::poll_event`]). Groups started while another waits (a disconnecting handler
//! that disconnects other sockets) stack: the newest runs to its end first, as the nested call
//! does in the reference.

use super::ids::{DisconnectReason, SocketKey};
use super::layer::SocketLayer;
use crate::socket::Packet;
use crate::Str;
use std::collections::VecDeque;

/// One thing a group does, in order.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// The socket's client gets its DISCONNECT, then the socket leaves with `server
    /// namespace disconnect` (the reference's `socket.disconnect()`). Not again if it is
    /// leaving already.
    Disconnect(SocketKey),
    /// Unless the socket is gone or leaving: every socket of its client is disconnected, then
    /// the client's session closes (the reference's `socket.disconnect(true)`).
    DisconnectClientOf(SocketKey),
    /// Every socket of the client is disconnected ([`Step::Disconnect`], in join order), then
    /// its session closes.
    DisconnectClient(Str),
    /// Closes the client's session (its sockets have left).
    Close(Str),
    /// The socket leaves with `server shutting down`. No DISCONNECT: its connection closes
    /// once every socket has left, and until then its client still takes what is sent to it.
    ShutDown(SocketKey),
    /// Closes every client's session: the end of a shutdown.
    CloseAll,
}

/// A group of sockets leaving one after the other.
#[derive(Debug)]
pub(crate) struct Departure {
    steps: VecDeque<Step>,
    /// The socket the group waits for: it started leaving and is held.
    current: Option<SocketKey>,
}

impl SocketLayer {
    /// Starts a group and runs it as far as it goes now: to its end, or (with
    /// `hold_disconnecting`) until its first socket is held.
    pub(crate) fn depart(&mut self, steps: impl IntoIterator<Item = Step>) {
        self.departures.push(Departure {
            steps: steps.into_iter().collect(),
            current: None,
        });
        self.advance_departures(self.departures.len() - 1);
    }

    /// How many groups are under way (the stack's depth).
    pub(crate) fn departure_depth(&self) -> usize {
        self.departures.len()
    }

    /// Runs the newest group, then the ones below it, but none of the `floor` oldest: step by
    /// step until one socket is held (or nothing is left above `floor`).
    pub(crate) fn advance_departures(&mut self, floor: usize) {
        while self.departures.len() > floor {
            let Some(top) = self.departures.last_mut() else {
                return;
            };
            if let Some(key) = top.current {
                if self.sockets.get(key).is_some_and(|s| s.leaving.is_some()) {
                    return;
                }
                top.current = None;
            }
            let Some(step) = top.steps.pop_front() else {
                self.departures.pop();
                continue;
            };
            if let Some(held) = self.run_step(step) {
                if let Some(top) = self.departures.last_mut() {
                    top.current = Some(held);
                }
                return;
            }
        }
    }

    /// Runs one step; returns the socket it left held, if any.
    fn run_step(&mut self, step: Step) -> Option<SocketKey> {
        match step {
            Step::Disconnect(key) => self.disconnect_one(key),
            Step::DisconnectClientOf(key) => {
                let socket = self.sockets.get(key).filter(|s| s.leaving.is_none())?;
                let sid = socket.sid.clone();
                self.run_step(Step::DisconnectClient(sid))
            }
            Step::DisconnectClient(sid) => {
                let client = self.clients.get(sid.as_str())?;
                let steps: Vec<Step> = (client.sockets.iter())
                    .map(|(_, key)| Step::Disconnect(*key))
                    .chain([Step::Close(sid)])
                    .collect();
                if let Some(top) = self.departures.last_mut() {
                    for step in steps.into_iter().rev() {
                        top.steps.push_front(step);
                    }
                }
                None
            }
            Step::Close(sid) => {
                self.close_client(&sid, DisconnectReason::ServerNamespaceDisconnect, true);
                None
            }
            Step::ShutDown(key) => {
                if self.sockets.get(key)?.leaving.is_some() {
                    return None;
                }
                self.remove_socket(key, DisconnectReason::ServerShuttingDown);
                self.held(key)
            }
            Step::CloseAll => {
                let sids: Vec<Str> = self.clients.keys().cloned().collect();
                for sid in sids {
                    self.close_client(&sid, DisconnectReason::ServerShuttingDown, true);
                }
                None
            }
        }
    }

    /// Disconnects one socket: its client gets the DISCONNECT, then it starts leaving with
    /// `server namespace disconnect`. Nothing for a socket gone or leaving already. Returns
    /// it when it is held.
    pub(crate) fn disconnect_one(&mut self, key: SocketKey) -> Option<SocketKey> {
        let socket = self.sockets.get(key).filter(|s| s.leaving.is_none())?;
        let (to, packet) = (socket.session_ref(), Packet::disconnect(socket.nsp.clone()));
        self.send_packet_to(to, &packet, false);
        self.remove_socket(key, DisconnectReason::ServerNamespaceDisconnect);
        self.held(key)
    }

    /// `key` if that socket is held in its leaving (started, not finished).
    fn held(&self, key: SocketKey) -> Option<SocketKey> {
        (self.sockets.get(key))
            .is_some_and(|s| s.leaving.is_some())
            .then_some(key)
    }
}
