//! Sockets leaving, in the reference's two steps (`Socket._onclose`): first `Disconnecting`
//! while the socket is still in its namespace and rooms, then (`_cleanup`) it leaves them all
//! and `Disconnect` follows.
//!
//! With [`SocketConfig::hold_disconnecting`](super::SocketConfig::hold_disconnecting) the app
//! runs its disconnecting handlers between the two and ends the first with
//! [`SocketLayer::finish_disconnect`]; without it the second step follows at once.

use super::ack::AckWaiter;
use super::error::ServerError;
use super::event::{AckOutcome, EngineCommand, Event};
use super::ids::{DisconnectReason, SocketKey};
use super::layer::{SocketLayer, Timer};
use super::recovery::is_recoverable;
use crate::Str;

impl SocketLayer {
    /// Closes a client: its sockets disconnect with `reason`; optionally the Engine.IO
    /// session is closed too.
    pub(crate) fn close_client(&mut self, sid: &str, reason: DisconnectReason, close: bool) {
        let Some(client) = self.clients.remove(sid) else {
            return;
        };
        if let Some(t) = client.connect_timer {
            self.timers.cancel(t);
        }
        for nsp in &client.pending {
            self.connect_settled(nsp);
        }
        for (_, key) in &client.sockets {
            self.remove_socket(*key, reason);
        }
        if close {
            self.commands.push_back(EngineCommand::Close {
                sid: Str::from(sid),
            });
        }
    }

    /// A socket starts leaving: its client no longer routes to it (the namespace is free for
    /// a new CONNECT) and nothing more is sent to it, but it stays in its namespace and rooms
    /// while the app hears `Disconnecting`. Unless the app holds it there, it leaves at once.
    /// A socket already leaving is left alone.
    pub(crate) fn remove_socket(&mut self, key: SocketKey, reason: DisconnectReason) {
        let Some(socket) = self.sockets.get_mut(key) else {
            return;
        };
        if socket.leaving.is_some() {
            return;
        }
        socket.leaving = Some(reason);
        if let Some(client) = self.clients.get_mut(socket.sid.as_str()) {
            client.sockets.retain(|(_, k)| *k != key);
        }
        let rooms = (self.nsps.get(&socket.nsp))
            .map(|ns| ns.adapter.socket_rooms(key).to_vec())
            .unwrap_or_default();
        self.events.push_back(Event::Disconnecting {
            socket: socket.id.clone(),
            nsp: socket.nsp.clone(),
            reason,
            rooms,
            data: socket.data.clone(),
        });
        if !self.config.hold_disconnecting {
            self.finish_leaving(key);
        }
    }

    /// Ends what `Disconnecting` started for `socket` (with
    /// [`SocketConfig::hold_disconnecting`](super::SocketConfig::hold_disconnecting)): with
    /// connection state recovery its session is kept (rooms and `data` as the disconnecting
    /// handlers left them, as in the reference), it leaves every room and its namespace, and
    /// [`Event::Disconnect`] follows, then [`AckOutcome::Disconnected`] for each emit still
    /// waiting for its acknowledgement. Returns its final `data`.
    /// [`ServerError::UnknownSocket`] if it is not leaving (gone already, or never started).
    pub fn finish_disconnect(&mut self, socket: &str) -> Result<serde_json::Value, ServerError> {
        let key = (self.by_id.get(socket).copied())
            .filter(|k| self.sockets.get(*k).is_some_and(|s| s.leaving.is_some()))
            .ok_or(ServerError::UnknownSocket)?;
        self.finish_leaving(key).ok_or(ServerError::UnknownSocket)
    }

    /// The second step: persist (when recoverable), leave every room and the namespace,
    /// `Disconnect`, then settle the pending acks. Returns the socket's final `data`.
    fn finish_leaving(&mut self, key: SocketKey) -> Option<serde_json::Value> {
        let reason = self.sockets.get(key)?.leaving?;
        let mut socket = self.sockets.remove(key)?;
        let mut remove_nsp = false;
        let identity = self.recovery.as_mut().and_then(|r| r.sockets.remove(&key));
        if let Some(ns) = self.nsps.get_mut(&socket.nsp) {
            if let (Some(r), Some(identity)) = (self.recovery.as_mut(), identity) {
                if is_recoverable(reason) {
                    let rooms = ns.adapter.socket_rooms(key).to_vec();
                    let data = socket.data.clone();
                    let at = r.persist(&socket.nsp, socket.id.clone(), identity.pid, rooms, data);
                    if let Some(at) = at {
                        self.timers.insert(at, Timer::RecoveryPurge);
                    }
                }
            }
            ns.adapter.del_all(key);
            ns.socket_count -= 1;
            remove_nsp = self.config.cleanup_empty_child_namespaces;
        }
        if remove_nsp {
            self.nsps.remove_if_unused_child(&socket.nsp);
        }
        self.by_id.remove(&socket.id);
        self.events.push_back(Event::Disconnect {
            socket: socket.id.clone(),
            nsp: socket.nsp.clone(),
            reason,
        });
        let mut acks: Vec<_> = socket.acks.into_waiters().collect();
        acks.sort_unstable_by_key(|(id, _)| *id);
        for (id, waiter) in acks {
            if let AckWaiter::Single { timer } = waiter {
                if let Some(t) = timer {
                    self.timers.cancel(t);
                }
                self.events.push_back(Event::Ack {
                    socket: socket.id.clone(),
                    id,
                    outcome: AckOutcome::Disconnected,
                });
            }
        }
        Some(std::mem::take(&mut socket.data))
    }
}
