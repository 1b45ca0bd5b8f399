//! The cluster side of the adapter boundary: what nodes tell each other (the reference
//! `ClusterAdapter` message set, transport-neutral), applying remote operations, answering
//! requests, and collecting the answers to ours.
//!
//! Flow: the server hands outgoing [`ClusterMessage`]s to the namespace's adapter
//! (`Adapter::publish`), which carries them to the other nodes (e.g. over Redis, in the
//! reference's wire format). Messages from other nodes come back through
//! `handle_cluster_message`. Only adapters with a `server_uid` take part.

use super::ack::AckOrigin;
use super::broadcast::BroadcastOptions;
use super::event::{Event, Payload};
use super::ids::{Room, SocketId};
use super::layer::{SocketLayer, Timer};
use super::timer::TimerKey;
use crate::Str;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Id of a request to the cluster (unique per requesting node).
pub type RequestId = Str;

/// Where to send the answer to a server-side emit from another node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTo {
    /// The asking node.
    pub uid: Str,
    /// Its request id.
    pub request: Str,
}

/// A message between nodes of one cluster, for one namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterMessage {
    /// The sending node.
    pub uid: Str,
    /// The namespace it concerns.
    pub nsp: Str,
    /// The one node it is for (responses), or `None` for every node.
    pub to: Option<Str>,
    /// What it says.
    pub body: ClusterBody,
}

/// The operations and answers nodes exchange (the reference's `MessageType`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClusterBody {
    /// Deliver an event to the local sockets `opts` selects; with `request`, collect acks
    /// and answer with `BroadcastClientCount` then one `BroadcastAck` per reply.
    Broadcast {
        /// Target selection (flags.timeout bounds the ack wait).
        opts: BroadcastOptions,
        /// `[name, ...args]`.
        payload: Payload,
        /// Set for a broadcast with acks.
        request: Option<RequestId>,
    },
    /// Make the selected sockets join `rooms` (also covers the reference's remote join of
    /// one socket: select its id as the room).
    SocketsJoin {
        /// Selection.
        opts: BroadcastOptions,
        /// Rooms to join.
        rooms: Vec<Room>,
    },
    /// Make the selected sockets leave `rooms`.
    SocketsLeave {
        /// Selection.
        opts: BroadcastOptions,
        /// Rooms to leave.
        rooms: Vec<Room>,
    },
    /// Disconnect the selected sockets.
    DisconnectSockets {
        /// Selection.
        opts: BroadcastOptions,
        /// Also close their connections.
        close: bool,
    },
    /// Describe the selected sockets (answer: `FetchSocketsResponse`).
    FetchSockets {
        /// Selection.
        opts: BroadcastOptions,
        /// Request id.
        request: RequestId,
    },
    /// List every room (answer: `AllRoomsResponse`).
    AllRooms {
        /// Request id.
        request: RequestId,
    },
    /// An event for the other nodes' apps; with `request`, each answers once.
    ServerSideEmit {
        /// `[name, ...args]`.
        payload: Payload,
        /// Set when an answer is expected.
        request: Option<RequestId>,
    },
    /// Answer to `FetchSockets`.
    FetchSocketsResponse {
        /// Request id.
        request: RequestId,
        /// The sockets.
        sockets: Vec<SocketInfo>,
    },
    /// Answer to `AllRooms`.
    AllRoomsResponse {
        /// Request id.
        request: RequestId,
        /// The rooms.
        rooms: Vec<Room>,
    },
    /// Answer to a `ServerSideEmit` with request.
    ServerSideEmitResponse {
        /// Request id.
        request: RequestId,
        /// The answer's arguments.
        payload: Payload,
    },
    /// How many clients a broadcast with acks reached on the answering node.
    BroadcastClientCount {
        /// Request id.
        request: RequestId,
        /// Clients reached.
        count: usize,
    },
    /// One client's acknowledgement of a broadcast with acks.
    BroadcastAck {
        /// Request id.
        request: RequestId,
        /// The client's reply.
        payload: Payload,
    },
}

/// A socket described for `fetch_sockets` (local or from another node).
#[derive(Debug, Clone, PartialEq)]
pub struct SocketInfo {
    /// Socket id.
    pub id: SocketId,
    /// Rooms (own id first).
    pub rooms: Vec<Room>,
    /// The app's data slot.
    pub data: serde_json::Value,
    /// Request headers of the handshake.
    pub headers: Vec<(Str, Str)>,
    /// Raw query string.
    pub query: Str,
    /// CONNECT auth, raw JSON.
    pub auth: Str,
    /// Peer address.
    pub address: Option<SocketAddr>,
    /// Handshake URL.
    pub url: Str,
    /// Time since the handshake when this description was made (a wall-clock-free
    /// stand-in for the reference's `issued`).
    pub age: Duration,
}

/// What a cluster request gathered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RequestResult {
    /// Sockets matching the selection, on every node.
    FetchSockets(Vec<SocketInfo>),
    /// Every room on every node (may repeat across nodes).
    AllRooms(Vec<Room>),
    /// One answer per other node.
    ServerSideEmit(Vec<Payload>),
}

pub(crate) struct PendingRequest {
    result: RequestResult,
    expected: usize,
    received: usize,
    timer: TimerKey,
}

impl SocketLayer {
    /// This node's id in `nsp`'s adapter, if clustered.
    fn own_uid(&self, nsp: &str) -> Option<Str> {
        self.nsps.get(nsp)?.adapter.server_uid().cloned()
    }

    /// Publishes a message to every node (or `to`) through `nsp`'s adapter. Returns whether
    /// it was published (single-node adapters publish nothing).
    pub(crate) fn publish(
        &mut self,
        nsp: &str,
        to: Option<Str>,
        body: impl FnOnce() -> ClusterBody,
    ) -> bool {
        let Some(ns) = self.nsps.get_mut(nsp) else {
            return false;
        };
        let Some(uid) = ns.adapter.server_uid().cloned() else {
            return false;
        };
        let message = ClusterMessage {
            uid,
            nsp: ns.name.clone(),
            to,
            body: body(),
        };
        ns.adapter.publish(message);
        true
    }

    pub(crate) fn publish_response(
        &mut self,
        nsp: &str,
        to: Str,
        body: impl FnOnce(RequestId) -> ClusterBody,
        request: RequestId,
    ) {
        self.publish(nsp, Some(to), || body(request));
    }

    /// Other nodes expected to answer, if a request was published.
    pub(crate) fn cluster_peers(&self, nsp: &str, published: bool) -> usize {
        if !published {
            return 0;
        }
        self.nsps
            .get(nsp)
            .map_or(0, |ns| ns.adapter.server_count().saturating_sub(1))
    }

    pub(crate) fn request_id(&mut self) -> RequestId {
        self.next_request += 1;
        Str::from(format!("r{}", self.next_request))
    }

    fn socket_info(&self, now: Instant, id: &SocketId) -> Option<SocketInfo> {
        let s = self.socket(id)?;
        let h = s.handshake();
        Some(SocketInfo {
            id: id.clone(),
            rooms: s.rooms().to_vec(),
            data: s.data().clone(),
            headers: h
                .headers()
                .map(|(name, value)| (Str::from(name), Str::from(value)))
                .collect(),
            query: Str::from(h.query()),
            auth: h.auth().clone(),
            address: h.address(),
            url: Str::from(h.url()),
            age: now.saturating_duration_since(h.issued()),
        })
    }

    fn local_infos(&self, now: Instant, nsp: &str, opts: &BroadcastOptions) -> Vec<SocketInfo> {
        self.select(nsp, opts)
            .iter()
            .filter_map(|id| self.socket_info(now, id))
            .collect()
    }

    fn local_rooms(&self, nsp: &str) -> Vec<Room> {
        let mut rooms = Vec::new();
        if let Some(ns) = self.nsps.get(nsp) {
            ns.adapter.all_rooms(&mut rooms);
        }
        rooms
    }

    /// Starts a request: `local` is this node's part; when other nodes must answer, the
    /// request is published and completes on their answers or its timeout. Completion is
    /// always an [`Event::RequestDone`], even when nothing had to be asked.
    fn start_request(
        &mut self,
        now: Instant,
        nsp: &str,
        local_only: bool,
        timeout: Option<Duration>,
        local: RequestResult,
        body: impl FnOnce(RequestId) -> ClusterBody,
    ) -> RequestId {
        let id = self.request_id();
        let published = !local_only && self.publish(nsp, None, || body(id.clone()));
        let expected = self.cluster_peers(nsp, published);
        let deadline = now + timeout.unwrap_or(self.config.cluster_request_timeout);
        let timer = self.timers.insert(deadline, Timer::Request(id.clone()));
        self.requests.insert(
            id.clone(),
            PendingRequest {
                result: local,
                expected,
                received: 0,
                timer,
            },
        );
        if expected == 0 {
            self.finish_request(&id, false);
        }
        id
    }

    pub(crate) fn finish_request(&mut self, id: &str, timed_out: bool) {
        let Some(req) = self.requests.remove(id) else {
            return;
        };
        if !timed_out {
            self.timers.cancel(req.timer);
        }
        self.events.push_back(Event::RequestDone {
            id: Str::from(id),
            result: req.result,
            timed_out,
        });
    }

    /// Sockets `opts` selects on every node. Completes with [`Event::RequestDone`] holding
    /// [`RequestResult::FetchSockets`].
    pub fn fetch_sockets(&mut self, now: Instant, nsp: &str, opts: &BroadcastOptions) -> RequestId {
        let local = RequestResult::FetchSockets(self.local_infos(now, nsp, opts));
        let opts2 = opts.clone();
        self.start_request(
            now,
            nsp,
            opts.flags.local,
            opts.flags.timeout,
            local,
            |request| ClusterBody::FetchSockets {
                opts: opts2,
                request,
            },
        )
    }

    /// Every room of `nsp` on every node ([`RequestResult::AllRooms`]).
    pub fn all_rooms(&mut self, now: Instant, nsp: &str) -> RequestId {
        let local = RequestResult::AllRooms(self.local_rooms(nsp));
        self.start_request(now, nsp, false, None, local, |request| {
            ClusterBody::AllRooms { request }
        })
    }

    /// Emits an event to the other nodes' apps (`serverSideEmit`). With `ack_timeout`, each
    /// node answers once and the answers arrive as [`RequestResult::ServerSideEmit`];
    /// without, nothing comes back and `None` is returned.
    pub fn server_side_emit(
        &mut self,
        now: Instant,
        nsp: &str,
        payload: Payload,
        ack_timeout: Option<Duration>,
    ) -> Option<RequestId> {
        let Some(timeout) = ack_timeout else {
            self.publish(nsp, None, || ClusterBody::ServerSideEmit {
                payload,
                request: None,
            });
            return None;
        };
        let local = RequestResult::ServerSideEmit(Vec::new());
        Some(
            self.start_request(now, nsp, false, Some(timeout), local, |request| {
                ClusterBody::ServerSideEmit {
                    payload,
                    request: Some(request),
                }
            }),
        )
    }

    /// Answers a server-side emit from another node.
    pub fn server_side_emit_reply(&mut self, nsp: &str, reply_to: ReplyTo, payload: Payload) {
        self.publish_response(
            nsp,
            reply_to.uid,
            |request| ClusterBody::ServerSideEmitResponse { request, payload },
            reply_to.request,
        );
    }

    /// A message from another node (delivered by the cluster adapter).
    pub fn handle_cluster_message(&mut self, now: Instant, message: ClusterMessage) {
        let Some(own) = self.own_uid(&message.nsp) else {
            return;
        };
        if message.uid == own || message.to.as_ref().is_some_and(|to| *to != own) {
            return;
        }
        let nsp = message.nsp;
        let from = message.uid;
        match message.body {
            ClusterBody::Broadcast {
                opts,
                payload,
                request: None,
            } => {
                let targets = self.broadcast_local(&nsp, &opts, &payload, None);
                self.scratch = targets;
            }
            ClusterBody::Broadcast {
                opts,
                payload,
                request: Some(request),
            } => {
                let b = self.next_broadcast;
                self.next_broadcast += 1;
                let timeout = opts
                    .flags
                    .timeout
                    .unwrap_or(self.config.cluster_request_timeout);
                let origin = AckOrigin::Remote {
                    uid: from.clone(),
                    request: request.clone(),
                };
                self.start_broadcast_ack(now, &nsp, &opts, &payload, b, timeout, origin);
                let count = self.broadcast_acks.get(&b).map_or(0, |s| s.expected);
                self.publish_response(
                    &nsp,
                    from,
                    |request| ClusterBody::BroadcastClientCount { request, count },
                    request,
                );
                if count == 0 {
                    self.finish_broadcast_ack(b, false);
                }
            }
            ClusterBody::SocketsJoin { opts, rooms } => {
                self.sockets_rooms_local(&nsp, &opts, &rooms, true)
            }
            ClusterBody::SocketsLeave { opts, rooms } => {
                self.sockets_rooms_local(&nsp, &opts, &rooms, false)
            }
            ClusterBody::DisconnectSockets { opts, close } => {
                self.disconnect_sockets_local(&nsp, &opts, close)
            }
            ClusterBody::FetchSockets { opts, request } => {
                let sockets = self.local_infos(now, &nsp, &opts);
                self.publish_response(
                    &nsp,
                    from,
                    |request| ClusterBody::FetchSocketsResponse { request, sockets },
                    request,
                );
            }
            ClusterBody::AllRooms { request } => {
                let rooms = self.local_rooms(&nsp);
                self.publish_response(
                    &nsp,
                    from,
                    |request| ClusterBody::AllRoomsResponse { request, rooms },
                    request,
                );
            }
            ClusterBody::ServerSideEmit { payload, request } => {
                self.events.push_back(Event::ServerSideEmit {
                    nsp,
                    payload,
                    reply_to: request.map(|request| ReplyTo { uid: from, request }),
                });
            }
            ClusterBody::FetchSocketsResponse { request, sockets } => {
                self.on_response(&request, |r| {
                    if let RequestResult::FetchSockets(v) = r {
                        v.extend(sockets);
                    }
                });
            }
            ClusterBody::AllRoomsResponse { request, rooms } => {
                self.on_response(&request, |r| {
                    if let RequestResult::AllRooms(v) = r {
                        v.extend(rooms);
                    }
                });
            }
            ClusterBody::ServerSideEmitResponse { request, payload } => {
                self.on_response(&request, |r| {
                    if let RequestResult::ServerSideEmit(v) = r {
                        v.push(payload);
                    }
                });
            }
            ClusterBody::BroadcastClientCount { request, count } => {
                let Some(&b) = self.remote_broadcasts.get(request.as_str()) else {
                    return;
                };
                if let Some(state) = self.broadcast_acks.get_mut(&b) {
                    if let AckOrigin::Local {
                        servers_pending, ..
                    } = &mut state.origin
                    {
                        *servers_pending = servers_pending.saturating_sub(1);
                    }
                    state.expected += count;
                    if state.is_complete() {
                        self.finish_broadcast_ack(b, false);
                    }
                }
            }
            ClusterBody::BroadcastAck { request, payload } => {
                if let Some(&b) = self.remote_broadcasts.get(request.as_str()) {
                    self.on_broadcast_reply(b, payload);
                }
            }
        }
    }

    fn on_response(&mut self, request: &str, add: impl FnOnce(&mut RequestResult)) {
        let Some(req) = self.requests.get_mut(request) else {
            return;
        };
        add(&mut req.result);
        req.received += 1;
        if req.received >= req.expected {
            self.finish_request(request, false);
        }
    }
}
