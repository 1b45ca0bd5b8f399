//! App commands of the Socket.IO layer: emit, acks, broadcast, rooms, disconnect and the
//! server-wide operations.

use super::ack::{ack_text, AckOrigin, AckWaiter, BroadcastAck};
use super::broadcast::BroadcastOptions;
use super::cluster::ClusterBody;
use super::departures::Step;
use super::error::ServerError;
use super::event::{ack_messages, to_messages, EngineCommand, Payload};
use super::ids::{AckId, Room, SocketId, SocketKey};
use super::layer::{SocketLayer, Timer};
use crate::socket::{Packet, Parser};
use crate::Str;
use std::time::{Duration, Instant};

/// A broadcast with acknowledgements that was sent: its id (for the final
/// [`Event::BroadcastAck`](super::Event::BroadcastAck)) and how many local clients it reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BroadcastAckHandle {
    /// Matches `Event::BroadcastAck::id`.
    pub id: u64,
    /// Replies expected from this node's clients (other nodes add theirs as they report).
    pub local_expected: usize,
}

impl SocketLayer {
    fn key_of(&self, socket: &str) -> Result<SocketKey, ServerError> {
        self.by_id
            .get(socket)
            .copied()
            .ok_or(ServerError::UnknownSocket)
    }

    fn emit_inner(
        &mut self,
        socket: &str,
        payload: Payload,
        volatile: bool,
        id: Option<AckId>,
    ) -> Result<(), ServerError> {
        let key = self.key_of(socket)?;
        let s = self.sockets.get(key).ok_or(ServerError::UnknownSocket)?;
        let (nsp, to, reachable) = (s.nsp.clone(), s.session_ref(), s.reachable());
        let mut payload = payload;
        if self.recovery.is_some() && id.is_none() && !volatile {
            // The reference sends it as a broadcast to the socket's own room, kept as such.
            let room = SocketId::from(socket).room();
            self.keep_for_recovery(&nsp, vec![room], Vec::new(), &mut payload);
        }
        // A leaving socket's client has left the namespace or lost its connection: the
        // reference's write goes nowhere (kept for recovery all the same, as above).
        if !reachable {
            return Ok(());
        }
        let mut packet = Packet::event(nsp, payload.data, payload.attachments);
        packet.id = id;
        self.send_packet_to(to, &packet, volatile);
        Ok(())
    }

    /// Sends an event (`[name, ...args]`) to one socket.
    pub fn emit(&mut self, socket: &str, payload: Payload) -> Result<(), ServerError> {
        self.emit_inner(socket, payload, false, None)
    }

    /// Sends an event that may be dropped if the client's buffer is full (`socket.volatile`).
    pub fn emit_volatile(&mut self, socket: &str, payload: Payload) -> Result<(), ServerError> {
        self.emit_inner(socket, payload, true, None)
    }

    /// Sends an event the client must acknowledge. The outcome arrives as [`Event::Ack`](super::Event::Ack):
    /// the reply, [`AckOutcome::Timeout`](super::AckOutcome::Timeout) after `timeout`, or
    /// `Disconnected`.
    pub fn emit_with_ack(
        &mut self,
        now: Instant,
        socket: &str,
        payload: Payload,
        timeout: Option<Duration>,
    ) -> Result<AckId, ServerError> {
        let key = self.key_of(socket)?;
        let nsp = self
            .sockets
            .get(key)
            .map(|s| s.nsp.clone())
            .ok_or(ServerError::UnknownSocket)?;
        let id = self
            .nsps
            .get_mut(&nsp)
            .ok_or(ServerError::UnknownSocket)?
            .next_ack_id();
        let timer = timeout.map(|t| self.timers.insert(now + t, Timer::Ack(key, id)));
        if let Some(s) = self.sockets.get_mut(key) {
            s.acks.insert(id, AckWaiter::Single { timer });
        }
        self.emit_inner(socket, payload, false, Some(id))?;
        Ok(id)
    }

    /// Answers a client's event that carried ack id `id`.
    pub fn ack(&mut self, socket: &str, id: AckId, payload: Payload) -> Result<(), ServerError> {
        let key = self.key_of(socket)?;
        self.ack_key(key, id, payload)
    }

    /// [`ack`](Self::ack) to the socket with handle `key` (see [`SocketRef::key`](super::SocketRef::key)):
    /// no lookup by id. A handle whose socket is gone reaches nobody
    /// ([`ServerError::UnknownSocket`]).
    pub fn ack_key(
        &mut self,
        key: SocketKey,
        id: AckId,
        payload: Payload,
    ) -> Result<(), ServerError> {
        let data = payload.data;
        let len = data.len();
        self.ack_with(key, id, payload.attachments, len, |out| out.push_str(&data))
    }

    /// [`ack_key`](Self::ack_key) with the JSON array written by `data` (`len` bytes)
    /// straight into the packet's buffer: a reply that forwards arguments needs no buffer of
    /// its own.
    pub(crate) fn ack_with(
        &mut self,
        key: SocketKey,
        id: AckId,
        attachments: Vec<bytes::Bytes>,
        len: usize,
        data: impl FnOnce(&mut String),
    ) -> Result<(), ServerError> {
        let s = self.sockets.get(key).ok_or(ServerError::UnknownSocket)?;
        if !s.reachable() {
            return Ok(());
        }
        let to = s.session_ref();
        let messages = if self.config.parser == Parser::Json {
            ack_messages(
                ack_text(&s.nsp, id, attachments.len(), len, data),
                attachments,
            )
        } else {
            // Another wire format: the packet goes through its encoder.
            let mut json = String::with_capacity(len);
            data(&mut json);
            let packet = Packet::ack(s.nsp.clone(), id, Str::from(json), attachments);
            to_messages(&packet, self.config.parser)
        };
        self.commands.push_back(EngineCommand::Send {
            to,
            messages,
            volatile: false,
        });
        Ok(())
    }

    /// Local targets of `opts` in `nsp` (empty if the namespace does not exist).
    pub(crate) fn plan_local(&mut self, nsp: &str, opts: &BroadcastOptions) -> Vec<SocketKey> {
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        if let Some(ns) = self.nsps.get(nsp) {
            ns.adapter.plan(&opts.rooms, &opts.except, &mut out);
        }
        out
    }

    /// Encodes once and queues the same messages for every local target.
    pub(crate) fn broadcast_local(
        &mut self,
        nsp: &str,
        opts: &BroadcastOptions,
        payload: &Payload,
        ack: Option<(u64, AckId)>,
    ) -> Vec<SocketKey> {
        let mut targets = self.plan_local(nsp, opts);
        let nsp = Str::from(nsp);
        let mut payload = payload.clone();
        if self.recovery.is_some() && ack.is_none() && !opts.flags.volatile {
            let (rooms, except) = (opts.rooms.clone(), opts.except.clone());
            self.keep_for_recovery(&nsp, rooms, except, &mut payload);
        }
        let mut packet = Packet::event(nsp, payload.data, payload.attachments);
        packet.id = ack.map(|(_, id)| id);
        let messages = to_messages(&packet, self.config.parser);
        // Leaving sockets are still in their rooms, but their clients take nothing more
        // (unless the server is shutting down): they are no targets (nor awaited for an ack).
        let mut reached = 0;
        for i in 0..targets.len() {
            let key = targets[i];
            let Some(s) = self.sockets.get_mut(key) else {
                continue;
            };
            if !s.reachable() {
                continue;
            }
            if let Some((b, id)) = ack {
                s.acks.insert(id, AckWaiter::Broadcast(b));
            }
            self.commands.push_back(EngineCommand::Send {
                to: s.session_ref(),
                messages: messages.clone(),
                volatile: opts.flags.volatile,
            });
            targets[reached] = key;
            reached += 1;
        }
        targets.truncate(reached);
        targets
    }

    fn recycle(&mut self, targets: Vec<SocketKey>) -> usize {
        let n = targets.len();
        self.scratch = targets;
        n
    }

    /// Broadcasts an event in namespace `nsp` to the sockets `opts` selects (and, unless
    /// `local`, to the other nodes). The packet is encoded once. Returns the number of local
    /// targets.
    pub fn broadcast(
        &mut self,
        nsp: &str,
        opts: &BroadcastOptions,
        payload: Payload,
    ) -> Result<usize, ServerError> {
        if !opts.flags.local {
            self.publish(nsp, None, || ClusterBody::Broadcast {
                opts: opts.clone(),
                payload: payload.clone(),
                request: None,
            });
        }
        let targets = self.broadcast_local(nsp, opts, &payload, None);
        Ok(self.recycle(targets))
    }

    /// Broadcasts an event expecting one acknowledgement per target; needs
    /// `opts.flags.timeout`. Completion arrives as [`Event::BroadcastAck`](super::Event::BroadcastAck) once every target
    /// answered or the timeout passed.
    pub fn broadcast_with_ack(
        &mut self,
        now: Instant,
        nsp: &str,
        opts: &BroadcastOptions,
        payload: Payload,
    ) -> Result<BroadcastAckHandle, ServerError> {
        let timeout = opts.flags.timeout.ok_or(ServerError::MissingTimeout)?;
        let b = self.next_broadcast;
        self.next_broadcast += 1;
        let remote_servers = if opts.flags.local {
            0
        } else {
            let request = self.request_id();
            let sent = self.publish(nsp, None, || ClusterBody::Broadcast {
                opts: opts.clone(),
                payload: payload.clone(),
                request: Some(request.clone()),
            });
            if sent {
                self.remote_broadcasts.insert(request, b);
            }
            self.cluster_peers(nsp, sent)
        };
        self.start_broadcast_ack(
            now,
            nsp,
            opts,
            &payload,
            b,
            timeout,
            AckOrigin::Local {
                replies: Vec::new(),
                servers_pending: remote_servers,
            },
        );
        let local_expected = self.broadcast_acks.get(&b).map_or(0, |s| s.expected);
        if self.broadcast_acks.get(&b).is_some_and(|s| s.is_complete()) {
            self.finish_broadcast_ack(b, false);
        }
        Ok(BroadcastAckHandle {
            id: b,
            local_expected,
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start_broadcast_ack(
        &mut self,
        now: Instant,
        nsp: &str,
        opts: &BroadcastOptions,
        payload: &Payload,
        b: u64,
        timeout: Duration,
        origin: AckOrigin,
    ) {
        let ack_id = self.nsps.get_mut(nsp).map_or(0, |ns| ns.next_ack_id());
        let targets = self.broadcast_local(nsp, opts, payload, Some((b, ack_id)));
        let timer = self.timers.insert(now + timeout, Timer::BroadcastAck(b));
        self.broadcast_acks.insert(
            b,
            BroadcastAck {
                nsp: Str::from(nsp),
                ack_id,
                expected: targets.len(),
                targets: targets.clone(),
                origin,
                received: 0,
                timer,
            },
        );
        self.recycle(targets);
    }

    // ----- rooms ------------------------------------------------------------------------

    /// Adds a socket to rooms.
    pub fn join(&mut self, socket: &str, rooms: &[Room]) -> Result<(), ServerError> {
        let key = self.key_of(socket)?;
        self.with_adapter(key, |a| a.add_all(key, rooms))
    }

    /// Removes a socket from a room.
    pub fn leave(&mut self, socket: &str, room: &str) -> Result<(), ServerError> {
        let key = self.key_of(socket)?;
        self.with_adapter(key, |a| a.del(key, room))
    }

    /// Removes a socket from every room, its own included (as the reference's `leaveAll`).
    pub fn leave_all(&mut self, socket: &str) -> Result<(), ServerError> {
        let key = self.key_of(socket)?;
        self.with_adapter(key, |a| {
            let rooms = a.socket_rooms(key).to_vec();
            for room in rooms {
                a.del(key, &room);
            }
        })
    }

    fn with_adapter(
        &mut self,
        key: SocketKey,
        f: impl FnOnce(&mut dyn super::Adapter),
    ) -> Result<(), ServerError> {
        let nsp = &self.sockets.get(key).ok_or(ServerError::UnknownSocket)?.nsp;
        let ns = self
            .nsps
            .get_mut(nsp)
            .ok_or(ServerError::UnknownNamespace)?;
        f(ns.adapter.as_mut());
        Ok(())
    }

    /// Rooms of a socket (own id first).
    pub fn rooms(&self, socket: &str) -> Option<Vec<Room>> {
        self.socket(socket).map(|s| s.rooms().to_vec())
    }

    /// Local sockets in `room` of `nsp`.
    pub fn sockets_in(&self, nsp: &str, room: &str) -> Vec<SocketId> {
        self.select(nsp, &BroadcastOptions::new().to(room))
    }

    /// Local sockets `opts` selects in `nsp` (the reference's local `fetchSockets`).
    pub fn select(&self, nsp: &str, opts: &BroadcastOptions) -> Vec<SocketId> {
        let mut keys = Vec::new();
        if let Some(ns) = self.nsps.get(nsp) {
            ns.adapter.plan(&opts.rooms, &opts.except, &mut keys);
        }
        keys.iter()
            .filter_map(|k| self.sockets.get(*k).map(|s| s.id.clone()))
            .collect()
    }

    // ----- disconnect -------------------------------------------------------------------

    /// Disconnects a socket: the client gets `1/nsp,` and the app `server namespace
    /// disconnect`. With `close`, every socket of that client is disconnected the same way,
    /// one after the other, and then its Engine.IO session closed (see
    /// [`disconnect_sockets`](Self::disconnect_sockets) for what one after the other means).
    /// A socket already leaving is not disconnected again (with `close`, its client's other
    /// sockets and session still are).
    pub fn disconnect(&mut self, socket: &str, close: bool) -> Result<(), ServerError> {
        let key = self.key_of(socket)?;
        let s = self.sockets.get(key).ok_or(ServerError::UnknownSocket)?;
        if close {
            let sid = s.sid.clone();
            self.depart([Step::DisconnectClient(sid)]);
        } else {
            // One socket: with `hold_disconnecting` the app finishes it.
            let _ = self.disconnect_one(key);
        }
        Ok(())
    }

    // ----- server-wide operations -------------------------------------------------------

    /// Makes the sockets `opts` selects join `rooms` (here and, unless `local`, cluster-wide).
    pub fn sockets_join(&mut self, nsp: &str, opts: &BroadcastOptions, rooms: &[Room]) {
        self.sockets_rooms(nsp, opts, rooms, true);
    }

    /// Makes the sockets `opts` selects leave `rooms` (here and, unless `local`, cluster-wide).
    pub fn sockets_leave(&mut self, nsp: &str, opts: &BroadcastOptions, rooms: &[Room]) {
        self.sockets_rooms(nsp, opts, rooms, false);
    }

    fn sockets_rooms(&mut self, nsp: &str, opts: &BroadcastOptions, rooms: &[Room], join: bool) {
        if !opts.flags.local {
            let (opts, rooms) = (opts.clone(), rooms.to_vec());
            self.publish(nsp, None, || match join {
                true => ClusterBody::SocketsJoin { opts, rooms },
                false => ClusterBody::SocketsLeave { opts, rooms },
            });
        }
        self.sockets_rooms_local(nsp, opts, rooms, join);
    }

    /// Joins (`join`) or leaves `rooms` for the local sockets `opts` selects.
    pub(crate) fn sockets_rooms_local(
        &mut self,
        nsp: &str,
        opts: &BroadcastOptions,
        rooms: &[Room],
        join: bool,
    ) {
        let targets = self.plan_local(nsp, opts);
        if let Some(ns) = self.nsps.get_mut(nsp) {
            for &k in &targets {
                if join {
                    ns.adapter.add_all(k, rooms);
                } else {
                    for room in rooms {
                        ns.adapter.del(k, room);
                    }
                }
            }
        }
        self.recycle(targets);
    }

    /// Disconnects the sockets `opts` selects (here and, unless `local`, cluster-wide), one
    /// after the other as the reference does: each one's client gets its DISCONNECT and the
    /// socket leaves before the next one starts, so with
    /// [`SocketConfig::hold_disconnecting`](super::SocketConfig::hold_disconnecting) what one
    /// socket's disconnecting handlers broadcast still reaches those not disconnected yet
    /// (the next one starts when [`poll_event`](Self::poll_event) finds nothing queued after
    /// [`finish_disconnect`](Self::finish_disconnect)). With `close`, each selected socket's
    /// client is disconnected from every namespace and closed (the reference's
    /// `disconnectSockets(true)`).
    pub fn disconnect_sockets(&mut self, nsp: &str, opts: &BroadcastOptions, close: bool) {
        if !opts.flags.local {
            self.publish(nsp, None, || ClusterBody::DisconnectSockets {
                opts: opts.clone(),
                close,
            });
        }
        self.disconnect_sockets_local(nsp, opts, close);
    }

    pub(crate) fn disconnect_sockets_local(
        &mut self,
        nsp: &str,
        opts: &BroadcastOptions,
        close: bool,
    ) {
        let mut targets = self.plan_local(nsp, opts);
        // In the order they were admitted (as long as no slot was reused), for a
        // predictable order: the reference's goes by join order.
        targets.sort_unstable();
        let steps: Vec<Step> = (targets.iter())
            .map(|&key| match close {
                true => Step::DisconnectClientOf(key),
                false => Step::Disconnect(key),
            })
            .collect();
        self.recycle(targets);
        self.depart(steps);
    }

    /// Shuts the layer down as the reference's `io.close()` does: every socket leaves with
    /// `server shutting down`, one after the other (each one's disconnecting handlers run while
    /// its client is still connected, so what they send it still goes out, and before the next
    /// socket starts leaving), then every client's session closes.
    pub fn shutdown(&mut self) {
        let mut keys: Vec<(Str, SocketKey)> = (self.clients.values())
            .flat_map(|c| c.sockets.iter().cloned())
            .collect();
        // Namespace by namespace, each in admission order (as long as no slot was reused).
        keys.sort_unstable();
        let steps = keys.into_iter().map(|(_, key)| Step::ShutDown(key));
        self.depart(steps.chain([Step::CloseAll]));
    }
}
