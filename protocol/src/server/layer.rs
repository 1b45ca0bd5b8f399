//! The Socket.IO state machine fed by Engine.IO events (no Engine.IO inside: see `Server` for
//! the composition). Peer input: `handle_open` / `handle_message` / `handle_close`; time:
//! `handle_timeout`; output: `poll_event`, `poll_command`, `poll_timeout`.

use super::ack::{AckOrigin, AckWaiter, BroadcastAck};
use super::config::SocketConfig;
use super::deferred::event_of;
use super::error::ServerError;
use super::event::{
    to_messages, AckOutcome, ConnectRequest, EngineCommand, Event, Payload, SessionRef,
};
use super::handshake::Handshake;
use super::ids::{AckId, DisconnectReason, SocketId, SocketKey};
use super::namespace::{NamespacePattern, Namespaces, PatternId};
use super::recovery::{restore_from_auth, Identity, RecoveryState};
use super::socket::{Acks, Slab, Socket, SocketRef};
use super::timer::{TimerKey, TimerTable};
use super::{AdapterFactory, InMemoryAdapterFactory};
use crate::engine::{Message, RequestHead, SessionKey};
use crate::hash::IdMap;
use crate::id::IdGenerator;
use crate::socket::{ConnectError, Decoded, Decoder, Packet, PacketType, Parser, UncheckedEvent};
use crate::Str;
use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Instant;

/// Every deadline of the Socket.IO layer.
#[derive(Debug, Clone)]
pub(crate) enum Timer {
    /// The client must join a namespace by then.
    Connect(Str),
    /// An `emit_with_ack` deadline.
    Ack(SocketKey, AckId),
    /// A broadcast-with-acks deadline.
    BroadcastAck(u64),
    /// A cluster request deadline.
    Request(Str),
    /// Connection state recovery drops what expired.
    RecoveryPurge,
}

/// One Engine.IO session as seen by Socket.IO (the reference's `Client`).
pub(crate) struct Client {
    head: Arc<RequestHead>,
    /// The engine's handle of the session, when the layer was given it.
    pub(crate) session: Option<SessionKey>,
    decoder: Decoder,
    /// Joined namespaces, in join order.
    pub(crate) sockets: Vec<(Str, SocketKey)>,
    /// Namespaces whose CONNECT awaits the app's decision.
    pub(crate) pending: Vec<Str>,
    pub(crate) connect_timer: Option<TimerKey>,
    /// Position (+1) in the event stream of this client's first [`Event::Unchecked`] that
    /// may still be queued: what it sends next must wait for that event to prove
    /// well-formed (see `settle`).
    pub(crate) unchecked: Option<NonZeroU64>,
}

/// The Socket.IO server state machine, without Engine.IO.
///
/// Drive it with Engine.IO events, then drain: `poll_command` (hand each to the Engine.IO
/// layer), `poll_event` (hand each to the app), until both are empty; then wait until
/// `poll_timeout` and call `handle_timeout`. App commands (`emit`, `join`, …) also queue
/// commands and events; drain after them too.
pub struct SocketLayer {
    pub(crate) config: SocketConfig,
    ids: Box<dyn IdGenerator + Send>,
    pub(crate) nsps: Namespaces,
    /// Boxed, as the engine's sessions are: empty table slots then cost a pointer each.
    pub(crate) clients: IdMap<Str, Box<Client>>,
    pub(crate) sockets: Slab,
    pub(crate) by_id: IdMap<SocketId, SocketKey>,
    pub(crate) timers: TimerTable<Timer>,
    pub(crate) events: VecDeque<Event>,
    /// How many events `poll_event` has handed out (positions in the event stream).
    pub(crate) popped: u64,
    pub(crate) commands: VecDeque<EngineCommand>,
    pub(crate) broadcast_acks: HashMap<u64, BroadcastAck>,
    pub(crate) next_broadcast: u64,
    pub(crate) requests: HashMap<Str, super::cluster::PendingRequest>,
    pub(crate) next_request: u64,
    /// Our broadcasts with acks published to the cluster: request id → broadcast.
    pub(crate) remote_broadcasts: HashMap<Str, u64>,
    pub(crate) scratch: Vec<SocketKey>,
    /// Connection state recovery, when enabled.
    pub(crate) recovery: Option<Box<RecoveryState>>,
    /// Groups of sockets leaving one after the other, newest last (`server/departures.rs`).
    pub(crate) departures: Vec<super::departures::Departure>,
}

impl std::fmt::Debug for SocketLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketLayer")
            .field("clients", &self.clients.len())
            .field("sockets", &self.sockets.len())
            .field("timers", &self.timers.len())
            .finish_non_exhaustive()
    }
}

impl SocketLayer {
    /// A layer with in-memory adapters. `ids` makes socket ids.
    pub fn new(config: SocketConfig, ids: Box<dyn IdGenerator + Send>) -> Self {
        Self::with_adapters(config, ids, Box::new(InMemoryAdapterFactory))
    }

    /// A layer whose namespaces get their adapter from `adapters` (e.g. a cluster adapter).
    pub fn with_adapters(
        config: SocketConfig,
        ids: Box<dyn IdGenerator + Send>,
        adapters: Box<dyn AdapterFactory>,
    ) -> Self {
        let recovery = config
            .connection_state_recovery
            .clone()
            .map(|c| Box::new(RecoveryState::new(c)));
        SocketLayer {
            config,
            recovery,
            ids,
            nsps: Namespaces::new(adapters),
            clients: IdMap::default(),
            sockets: Slab::default(),
            by_id: IdMap::default(),
            timers: TimerTable::default(),
            events: VecDeque::new(),
            popped: 0,
            commands: VecDeque::new(),
            broadcast_acks: HashMap::new(),
            next_broadcast: 0,
            requests: HashMap::new(),
            next_request: 0,
            remote_broadcasts: HashMap::new(),
            scratch: Vec::new(),
            departures: Vec::new(),
        }
    }

    // ----- namespaces -------------------------------------------------------------------

    /// Registers a static namespace (`/` always exists). Idempotent.
    pub fn add_namespace(&mut self, name: &str) -> Result<(), ServerError> {
        if !name.starts_with('/') {
            return Err(ServerError::InvalidNamespaceName);
        }
        self.nsps.ensure(Str::from(name), None);
        Ok(())
    }

    /// Registers a dynamic namespace pattern; a matching CONNECT creates the child namespace.
    pub fn add_dynamic_namespace(&mut self, pattern: NamespacePattern) -> PatternId {
        self.nsps.add_pattern(pattern)
    }

    /// Names of the live namespaces.
    pub fn namespaces(&self) -> impl Iterator<Item = &Str> + '_ {
        self.nsps.names()
    }

    /// Names of the live namespaces created from `pattern` (the reference's parent namespace
    /// children).
    pub fn namespace_children(&self, pattern: PatternId) -> impl Iterator<Item = &Str> + '_ {
        self.nsps.children(pattern)
    }

    /// The pattern a live namespace was created from (`None` for a static one or unknown).
    pub fn namespace_pattern(&self, nsp: &str) -> Option<PatternId> {
        self.nsps.get(nsp).and_then(|n| n.pattern)
    }

    // ----- Engine.IO input --------------------------------------------------------------

    /// A new Engine.IO session was opened (after the app accepted it).
    pub fn handle_open(&mut self, now: Instant, sid: Str, head: Arc<RequestHead>) {
        self.touch(now);
        let timer = self.timers.insert(
            now + self.config.connect_timeout,
            Timer::Connect(sid.clone()),
        );
        self.clients.insert(
            sid,
            Box::new(Client {
                head,
                session: None,
                decoder: Decoder::new()
                    .max_attachment_bytes(self.config.max_attachment_bytes.unwrap_or(usize::MAX)),
                sockets: Vec::new(),
                pending: Vec::new(),
                connect_timer: Some(timer),
                unchecked: None,
            }),
        );
    }

    /// Tells the layer the engine's handle of session `sid` (after
    /// [`handle_open`](Self::handle_open)): what it sends to the session's sockets then names
    /// the session by handle ([`SessionRef::Key`]) instead of by id.
    pub fn set_session_key(&mut self, sid: &str, key: SessionKey) {
        if let Some(client) = self.clients.get_mut(sid) {
            client.session = Some(key);
        }
    }

    /// A message arrived on an Engine.IO session.
    pub fn handle_message(&mut self, now: Instant, sid: &str, msg: Message) {
        self.touch(now);
        let Some(client) = self.clients.get_mut(sid) else {
            return;
        };
        let decoded = match msg {
            msg if self.config.parser == Parser::MsgPack => {
                crate::socket::msgpack::decode_message(msg).map(|p| Some(Decoded::Packet(p)))
            }
            Message::Text(text) if self.config.defer_event_validation => {
                client.decoder.decode_text_deferred(text)
            }
            Message::Text(text) => client
                .decoder
                .decode_text(text)
                .map(|p| p.map(Decoded::Packet)),
            Message::Binary(bytes) => client
                .decoder
                .decode_binary(bytes)
                .map(|p| p.map(Decoded::Packet)),
        };
        match decoded {
            Ok(Some(Decoded::Packet(packet))) => self.on_packet(now, sid, packet),
            Ok(Some(Decoded::Event(event))) => {
                // The usual case, a socket of this client's: queued with the client found above.
                let position = self.popped + self.events.len() as u64;
                let joined = client
                    .sockets
                    .iter()
                    .find(|(n, _)| n.as_str() == event.nsp())
                    .and_then(|(_, key)| self.sockets.get(*key));
                match joined {
                    Some(socket) => {
                        client.unchecked = client.unchecked.or(NonZeroU64::new(position + 1));
                        self.events.push_back(Event::Unchecked {
                            socket: socket.id.clone(),
                            event,
                        });
                    }
                    None => self.on_unjoined(now, sid, event),
                }
            }
            Ok(None) => {}
            // The reference closes the connection; its sockets see `forced close`.
            Err(_) => {
                if self.settle(sid) {
                    self.close_client(sid, DisconnectReason::ForcedClose, true);
                }
            }
        }
    }

    /// The Engine.IO session ended (any reason); its sockets disconnect with `reason`.
    pub fn handle_close(&mut self, now: Instant, sid: &str, reason: DisconnectReason) {
        self.touch(now);
        // A malformed event still queued closed the client before the session ended.
        if self.settle(sid) {
            self.close_client(sid, reason, false);
        }
    }

    /// The session `sid` now talks over WebSocket: each socket of its client gets
    /// [`Event::Upgraded`].
    pub fn handle_upgraded(&mut self, sid: &str) {
        let Some(client) = self.clients.get(sid) else {
            return;
        };
        for (_, key) in &client.sockets {
            if let Some(socket) = self.sockets.get(*key) {
                let socket = socket.id.clone();
                self.events.push_back(Event::Upgraded { socket });
            }
        }
    }

    /// Fires every timer due at `now`. Calling it early is a no-op.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.touch(now);
        while let Some(timer) = self.timers.pop_due(now) {
            match timer {
                Timer::Connect(sid) => {
                    let joined = self.clients.get_mut(sid.as_str()).map(|c| {
                        c.connect_timer = None;
                        !c.sockets.is_empty()
                    });
                    if joined == Some(false) {
                        self.close_client(&sid, DisconnectReason::ForcedServerClose, true);
                    }
                }
                Timer::Ack(key, id) => {
                    if let Some(socket) = self.sockets.get_mut(key) {
                        if let Some(AckWaiter::Single { .. }) = socket.acks.get(&id) {
                            socket.acks.remove(&id);
                            self.events.push_back(Event::Ack {
                                socket: socket.id.clone(),
                                id,
                                outcome: AckOutcome::Timeout,
                            });
                        }
                    }
                }
                Timer::BroadcastAck(b) => self.finish_broadcast_ack(b, true),
                Timer::Request(id) => self.finish_request(&id, true),
                Timer::RecoveryPurge => {
                    let next = self.recovery.as_mut().and_then(|r| r.purge(now));
                    if let Some(at) = next {
                        self.timers.insert(at, Timer::RecoveryPurge);
                    }
                }
            }
        }
    }

    /// The earliest deadline, if any.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// The next event for the app. When none is queued, sockets the server disconnects
    /// together go on leaving: the next one starts once the one before it has finished
    /// (see [`disconnect_sockets`](Self::disconnect_sockets)).
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.poll_event_above(0)
    }

    /// [`poll_event`](Self::poll_event), but the `floor` oldest groups of sockets leaving
    /// together are not moved on: the API layer's nested calls (from within handlers) leave
    /// them to the call that started them, so a group of N sockets runs in a loop, not N
    /// calls deep.
    pub(crate) fn poll_event_above(&mut self, floor: usize) -> Option<Event> {
        if self.events.is_empty() {
            self.advance_departures(floor);
        }
        let event = self.events.pop_front()?;
        self.popped += 1;
        Some(event)
    }

    /// Whether [`poll_command`](Self::poll_command) has a command to hand out.
    pub(crate) fn has_commands(&self) -> bool {
        !self.commands.is_empty()
    }

    /// The next command for the Engine.IO layer.
    #[must_use]
    pub fn poll_command(&mut self) -> Option<EngineCommand> {
        self.commands.pop_front()
    }

    // ----- admission --------------------------------------------------------------------

    /// Admits a namespace CONNECT: creates the socket, answers `CONNECT {"sid":…}`.
    pub fn accept_connect(
        &mut self,
        now: Instant,
        mut req: ConnectRequest,
    ) -> Result<SocketId, ServerError> {
        self.touch(now);
        let Some(client) = self.clients.get_mut(req.sid.as_str()) else {
            // The client left: a session it was restoring stays available to its next try.
            self.put_back(&req.nsp, req.recovered.take());
            return Err(ServerError::ClientGone);
        };
        // Not pending: decided already (through a clone of this request).
        let pos = client
            .pending
            .iter()
            .position(|n| *n == req.nsp)
            .ok_or(ServerError::ClientGone)?;
        client.pending.swap_remove(pos);
        if client.pending.is_empty() {
            client.pending = Vec::new();
        }
        // A restored socket takes its old id back, unless that id is live again meanwhile.
        let restored = req
            .recovered
            .take()
            .filter(|r| !self.by_id.contains_key(r.session.id.as_str()));
        let (id, data, rooms, missed, pid) = match restored {
            Some(r) => {
                let s = r.session;
                (s.id, s.data, s.rooms, r.missed, Some((s.pid, true)))
            }
            None => {
                let pid = self.recovery.is_some().then(|| (self.ids.sid(), false));
                let data = serde_json::Value::Object(Default::default());
                (
                    SocketId::new(self.ids.sid()),
                    data,
                    Vec::new(),
                    Vec::new(),
                    pid,
                )
            }
        };
        // Issued when the namespace admits the socket, as the reference builds each socket's
        // handshake when its CONNECT is handled (not when the session opened).
        let handshake = Arc::new(Handshake::new(client.head.clone(), now, req.auth));
        let key = self.sockets.insert(Socket {
            id: id.clone(),
            sid: req.sid.clone(),
            session: client.session,
            nsp: req.nsp.clone(),
            handshake,
            data,
            acks: Acks::default(),
            leaving: None,
        });
        super::push_lean(&mut client.sockets, (req.nsp.clone(), key));
        if let Some(t) = client.connect_timer.take() {
            self.timers.cancel(t);
        }
        // Pending CONNECTs keep a child alive; `ensure` is for custom flows all the same.
        let ns = self.nsps.ensure(req.nsp.clone(), req.pattern);
        ns.pending = ns.pending.saturating_sub(1);
        ns.adapter.add_all(key, &[id.room()]);
        if !rooms.is_empty() {
            ns.adapter.add_all(key, &rooms);
        }
        ns.socket_count += 1;
        self.by_id.insert(id.clone(), key);
        // As the reference does, the missed events go first; the client holds them until
        // the CONNECT answer and then delivers them in order.
        for payload in missed {
            let packet = Packet::event(req.nsp.clone(), payload.data, payload.attachments);
            self.send_packet(&req.sid, &packet, false);
        }
        let answer =
            Packet::connect_ok_with_pid(req.nsp, &id, pid.as_ref().map(|(p, _)| p.as_str()));
        self.send_packet(&req.sid, &answer, false);
        if let (Some(r), Some((pid, recovered))) = (self.recovery.as_mut(), pid) {
            r.sockets.insert(key, Identity { pid, recovered });
        }
        Ok(id)
    }

    /// Refuses a namespace CONNECT: the client gets `CONNECT_ERROR` with `error`; its
    /// session stays open.
    pub fn refuse_connect(&mut self, mut req: ConnectRequest, error: ConnectError) {
        // A session this CONNECT was restoring stays available to a later try, unless the
        // request was decided already (a clone): then it is not this call's to give back.
        let Some(client) = self.clients.get_mut(req.sid.as_str()) else {
            self.put_back(&req.nsp, req.recovered.take());
            return;
        };
        if let Some(pos) = client.pending.iter().position(|n| *n == req.nsp) {
            client.pending.swap_remove(pos);
            if client.pending.is_empty() {
                client.pending = Vec::new();
            }
            self.put_back(&req.nsp, req.recovered.take());
            self.connect_settled(&req.nsp);
            self.send_packet(&req.sid, &error.to_packet(req.nsp), false);
        }
    }

    // ----- getters ----------------------------------------------------------------------

    /// Read access to a connected socket.
    pub fn socket(&self, id: &str) -> Option<SocketRef<'_>> {
        let key = *self.by_id.get(id)?;
        self.socket_by_key(key)
    }

    /// Read access by key.
    pub fn socket_by_key(&self, key: SocketKey) -> Option<SocketRef<'_>> {
        let socket = self.sockets.get(key)?;
        let rooms = self
            .nsps
            .get(&socket.nsp)
            .map_or(&[][..], |n| n.adapter.socket_rooms(key));
        Some(SocketRef { socket, key, rooms })
    }

    /// The app's data slot of a socket (`socket.data`).
    pub fn socket_data_mut(&mut self, id: &str) -> Option<&mut serde_json::Value> {
        let key = *self.by_id.get(id)?;
        self.sockets.get_mut(key).map(|s| &mut s.data)
    }

    /// Number of connected sockets (all namespaces).
    pub fn socket_count(&self) -> usize {
        self.sockets.len()
    }

    /// Number of Engine.IO sessions known to the layer.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// Ids of the sockets of one client, in join order.
    pub fn client_sockets(&self, engine_sid: &str) -> Vec<SocketId> {
        self.clients.get(engine_sid).map_or_else(Vec::new, |c| {
            c.sockets
                .iter()
                .filter_map(|(_, k)| self.sockets.get(*k).map(|s| s.id.clone()))
                .collect()
        })
    }

    /// Checks the room index of every namespace against the live sockets (tests, debugging).
    pub fn check_consistency(&self) -> Result<(), String> {
        let mut indexed = 0;
        let mut all_indexed = true;
        for ns in self.nsps.iter() {
            let Some(index) = ns.adapter.index() else {
                all_indexed = false;
                continue;
            };
            index.check_consistency()?;
            for key in index.all_sockets() {
                let s = self
                    .sockets
                    .get(key)
                    .ok_or_else(|| format!("{key:?} indexed in {} but not live", ns.name))?;
                if s.nsp != ns.name {
                    return Err(format!(
                        "{key:?} indexed in {} but lives in {}",
                        ns.name, s.nsp
                    ));
                }
            }
            if index.socket_count() != ns.socket_count {
                return Err(format!("{}: index/socket count mismatch", ns.name));
            }
            indexed += index.socket_count();
        }
        if (all_indexed && indexed != self.sockets.len()) || self.by_id.len() != self.sockets.len()
        {
            return Err("socket counts disagree".into());
        }
        Ok(())
    }

    // ----- internals --------------------------------------------------------------------

    pub(crate) fn send_packet(&mut self, sid: &Str, packet: &Packet, volatile: bool) {
        self.send_packet_to(SessionRef::Sid(sid.clone()), packet, volatile);
    }

    pub(crate) fn send_packet_to(&mut self, to: SessionRef, packet: &Packet, volatile: bool) {
        self.commands.push_back(EngineCommand::Send {
            to,
            messages: to_messages(packet, self.config.parser),
            volatile,
        });
    }

    fn on_packet(&mut self, now: Instant, sid: &str, packet: Packet) {
        let Some(client) = self.clients.get(sid) else {
            return;
        };
        let joined = client
            .sockets
            .iter()
            .find(|(n, _)| *n == packet.nsp)
            .map(|(_, k)| *k);
        let pending = client.pending.contains(&packet.nsp);
        // An event only queues for the app, behind the unchecked ones; anything else acts
        // now, so the client's unchecked events must prove well-formed first.
        let queues = joined.is_some() && packet.kind.is_event();
        if client.unchecked.is_some() && !queues && !self.settle(sid) {
            return;
        }
        match (packet.kind, joined) {
            (PacketType::Connect, None) if !pending => self.on_connect(now, sid, packet),
            (PacketType::Event | PacketType::BinaryEvent, Some(key)) => {
                if let Some(socket) = self.sockets.get(key) {
                    self.events.push_back(event_of(socket.id.clone(), packet));
                }
            }
            (PacketType::Ack | PacketType::BinaryAck, Some(key)) => self.on_ack(key, packet),
            (PacketType::Disconnect, Some(key)) => {
                self.remove_socket(key, DisconnectReason::ClientNamespaceDisconnect);
            }
            // A second CONNECT, a client CONNECT_ERROR, or a packet for a namespace the
            // client has not joined: the reference closes the client.
            _ => self.close_client(sid, DisconnectReason::ForcedServerClose, true),
        }
    }

    /// A deferred event for a namespace the client has not joined: decided as the validating
    /// decoder would (malformed → `forced close`, else the unjoined-namespace close).
    fn on_unjoined(&mut self, now: Instant, sid: &str, event: UncheckedEvent) {
        if !self.settle(sid) {
            return;
        }
        match event.check() {
            Ok(packet) => self.on_packet(now, sid, packet),
            Err(_) => self.close_client(sid, DisconnectReason::ForcedClose, true),
        }
    }

    /// The app found an [`Event::Unchecked`] of `socket` malformed: closes its client as the
    /// decoder closes one that sent a malformed packet (its sockets see `forced close`).
    /// False if the socket is gone already.
    pub fn close_malformed(&mut self, socket: &str) -> bool {
        self.close_client_of(socket, DisconnectReason::ForcedClose)
    }

    /// The app held more of `socket`'s received events (waiting for an async middleware)
    /// than the per-client buffer bound: closes its client as an overflowing outgoing buffer
    /// closes it (its sockets see `transport buffer full`). False if the socket is gone
    /// already.
    pub fn close_overflowed(&mut self, socket: &str) -> bool {
        self.close_client_of(socket, DisconnectReason::BufferFull)
    }

    fn close_client_of(&mut self, socket: &str, reason: DisconnectReason) -> bool {
        let Some(sid) = self.socket(socket).map(|s| s.socket.sid.clone()) else {
            return false;
        };
        self.close_client(&sid, reason, true);
        true
    }

    fn on_connect(&mut self, _now: Instant, sid: &str, packet: Packet) {
        let auth = packet
            .connect_auth()
            .unwrap_or(Str::from_static(crate::socket::EMPTY_AUTH));
        let nsp = packet.nsp;
        let Some(client) = self.clients.get_mut(sid) else {
            return;
        };
        let sid = Str::from(sid);
        if client.sockets.len() + client.pending.len() >= self.config.max_namespaces_per_client {
            let refusal = ConnectError::new("Too many namespaces").to_packet(nsp);
            self.send_packet(&sid, &refusal, false);
            return;
        }
        match self.nsps.resolve(&nsp, &auth) {
            Some(ns) => {
                let pattern = ns.pattern;
                ns.pending += 1;
                super::push_lean(&mut client.pending, nsp.clone());
                let recovered = match self.recovery.as_mut() {
                    Some(r) => restore_from_auth(r, &nsp, &auth).map(Box::new),
                    None => None,
                };
                self.events.push_back(Event::Connect(ConnectRequest {
                    sid,
                    nsp,
                    auth,
                    pattern,
                    head: client.head.clone(),
                    recovered,
                }));
            }
            None => {
                let refusal = ConnectError::new("Invalid namespace").to_packet(nsp);
                self.send_packet(&sid, &refusal, false);
            }
        }
    }

    fn on_ack(&mut self, key: SocketKey, packet: Packet) {
        let Some(socket) = self.sockets.get_mut(key) else {
            return;
        };
        let Some(id) = packet.id else {
            return;
        };
        // An unknown id is ignored, as in the reference.
        let Some(waiter) = socket.acks.remove(&id) else {
            return;
        };
        let payload = Payload {
            data: packet.data.unwrap_or_default(),
            attachments: packet.attachments,
        };
        match waiter {
            AckWaiter::Single { timer } => {
                if let Some(t) = timer {
                    self.timers.cancel(t);
                }
                self.events.push_back(Event::Ack {
                    socket: socket.id.clone(),
                    id,
                    outcome: AckOutcome::Reply(payload),
                });
            }
            AckWaiter::Broadcast(b) => self.on_broadcast_reply(b, payload),
        }
    }

    pub(crate) fn on_broadcast_reply(&mut self, b: u64, payload: Payload) {
        let Some(state) = self.broadcast_acks.get_mut(&b) else {
            return;
        };
        state.received += 1;
        match &mut state.origin {
            AckOrigin::Local { replies, .. } => replies.push(payload),
            AckOrigin::Remote { uid, request } => {
                let (uid, request, nsp) = (uid.clone(), request.clone(), state.nsp.clone());
                self.publish_response(
                    &nsp,
                    uid,
                    |request| super::cluster::ClusterBody::BroadcastAck { request, payload },
                    request,
                );
            }
        }
        if self.broadcast_acks.get(&b).is_some_and(|s| s.is_complete()) {
            self.finish_broadcast_ack(b, false);
        }
    }

    pub(crate) fn finish_broadcast_ack(&mut self, b: u64, timed_out: bool) {
        let Some(state) = self.broadcast_acks.remove(&b) else {
            return;
        };
        if !timed_out {
            self.timers.cancel(state.timer);
        }
        if matches!(state.origin, AckOrigin::Local { .. }) {
            self.remote_broadcasts.retain(|_, x| *x != b);
        }
        // Targets that did not answer stop waiting (their entry would otherwise leak).
        for key in &state.targets {
            if let Some(s) = self.sockets.get_mut(*key) {
                if matches!(s.acks.get(&state.ack_id), Some(AckWaiter::Broadcast(x)) if *x == b) {
                    s.acks.remove(&state.ack_id);
                }
            }
        }
        if let AckOrigin::Local { replies, .. } = state.origin {
            self.events.push_back(Event::BroadcastAck {
                id: b,
                replies,
                expected: state.expected,
                timed_out,
            });
        }
    }

    /// A CONNECT to `nsp` was refused or its client left before a decision: an unused
    /// dynamic child is cleaned up (when configured), so refused names do not pile up.
    pub(crate) fn connect_settled(&mut self, nsp: &str) {
        if let Some(ns) = self.nsps.get_mut(nsp) {
            ns.pending = ns.pending.saturating_sub(1);
            if self.config.cleanup_empty_child_namespaces {
                self.nsps.remove_if_unused_child(nsp);
            }
        }
    }
}
