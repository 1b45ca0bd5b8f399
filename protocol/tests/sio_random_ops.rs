//! Property: random sequences of joins, leaves, broadcasts (rooms, except, except sender,
//! volatile), namespace leaves and re-joins, transport closes, stalled readers, time steps and
//! garbage from clients, on a full server with polling and WebSocket clients. Checked after
//! every step: no panic; the room index matches a model and is internally consistent; no
//! session buffers more than its bound; every broadcast reaches each of its targets exactly once (volatile ones at most
//! once, and a client dropped for falling behind may miss what was queued) and nobody else;
//! only garbage closes a reading client.

mod sio_common;

use proptest::prelude::*;
use sio_common::stack::{polling_socket, sio_texts, stack, text, ws_socket, Stack};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use volley_protocol::engine::{EngineConfig, Message, Packet};
use volley_protocol::server::{BroadcastOptions, Event, Payload, Room, SocketConfig};
use volley_protocol::testing::{PollingClient, WsClient};
use volley_protocol::Str;

const CLIENTS: usize = 4;
const LIMIT: usize = 160;
/// Makes each broadcast ~40 bytes, so a stalled reader overflows after a few.
const PAD: &str = "0123456789abcdefghijklmnopqrstu";

#[derive(Debug, Clone)]
enum Op {
    Join(usize, u8),
    Leave(usize, u8),
    Broadcast {
        rooms: Vec<u8>,
        except: Vec<u8>,
        sender: Option<usize>,
        volatile: bool,
    },
    LeaveNamespace(usize),
    Rejoin(usize),
    CloseTransport(usize),
    Stall(usize),
    Resume(usize),
    Advance(u64),
    /// Whatever text a broken or hostile client might send.
    Garbage(usize, String),
    /// A binary message out of sequence.
    GarbageBinary(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let c = 0..CLIENTS;
    let room = 0u8..3;
    prop_oneof![
        3 => (c.clone(), room.clone()).prop_map(|(c, r)| Op::Join(c, r)),
        2 => (c.clone(), room.clone()).prop_map(|(c, r)| Op::Leave(c, r)),
        6 => (
            proptest::collection::vec(room.clone(), 0..3),
            proptest::collection::vec(room, 0..2),
            proptest::option::of(c.clone()),
            any::<bool>()
        )
            .prop_map(|(rooms, except, sender, volatile)| Op::Broadcast {
                rooms,
                except,
                sender,
                volatile
            }),
        1 => c.clone().prop_map(Op::LeaveNamespace),
        1 => c.clone().prop_map(Op::Rejoin),
        1 => c.clone().prop_map(Op::CloseTransport),
        3 => c.clone().prop_map(Op::Stall),
        1 => c.prop_map(Op::Resume),
        1 => (0u64..8_000).prop_map(Op::Advance),
        1 => (
            0..CLIENTS,
            proptest::string::string_regex(r#"[0-6]?(/[a-z]{0,2},)?[0-9]{0,2}[\[\]"a-z{}:,0-9]{0,10}"#)
                .unwrap()
        )
            .prop_map(|(c, s)| Op::Garbage(c, s)),
        1 => (0..CLIENTS).prop_map(Op::GarbageBinary),
    ]
}

/// Half the clients poll (their queue fills while they do not), half use a WebSocket.
#[derive(Clone)]
enum Conn {
    Ws(WsClient),
    Poll(PollingClient),
}

impl Conn {
    fn sid(&self) -> &Str {
        match self {
            Conn::Ws(c) => &c.sid,
            Conn::Poll(c) => &c.sid,
        }
    }

    fn send(&self, h: &mut Stack, p: Packet) {
        match self {
            Conn::Ws(c) if c.is_closed(h) => {}
            Conn::Ws(c) => c.send(h, p),
            Conn::Poll(c) => {
                let _ = c.post(h, &[p]);
            }
        }
    }

    /// What arrived; a polling client polls only when something is queued (no parked GET).
    fn recv(&self, h: &mut Stack) -> Vec<Packet> {
        match self {
            Conn::Ws(c) => c.recv(h),
            Conn::Poll(c) => {
                let queued = h
                    .server
                    .engine()
                    .session(&c.sid)
                    .is_some_and(|s| s.buffered_bytes() > 0);
                if queued {
                    c.poll(h)
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn close(&self, h: &mut Stack) {
        match self {
            Conn::Ws(c) => c.close(h),
            Conn::Poll(c) => {
                let _ = c.post(h, &[Packet::Close]);
            }
        }
    }
}

struct Client {
    ws: Conn,
    socket: Option<String>,
    rooms: BTreeSet<u8>,
    alive: bool,
    stalled: bool,
    /// Sent garbage in the current step (so the server may close it).
    garbled: bool,
    /// Broadcasts owed to this client: id → volatile.
    owed: HashMap<u64, bool>,
}

fn room(r: u8) -> Room {
    Room::from(format!("r{r}"))
}

struct World {
    h: Stack,
    clients: Vec<Client>,
    next_broadcast: u64,
}

impl World {
    fn new() -> World {
        let mut h = stack(
            EngineConfig::default().max_buffer(Some(LIMIT)),
            SocketConfig::new(),
        );
        let clients = (0..CLIENTS)
            .map(|i| {
                let (ws, id) = if i % 2 == 0 {
                    let (c, id) = polling_socket(&mut h);
                    (Conn::Poll(c), id)
                } else {
                    let (c, id) = ws_socket(&mut h);
                    (Conn::Ws(c), id)
                };
                Client {
                    ws,
                    socket: Some(id),
                    rooms: BTreeSet::new(),
                    alive: true,
                    stalled: false,
                    garbled: false,
                    owed: HashMap::new(),
                }
            })
            .collect();
        World {
            h,
            clients,
            next_broadcast: 0,
        }
    }

    fn apply(&mut self, op: &Op) {
        for c in &mut self.clients {
            c.garbled = false;
        }
        match op {
            Op::Join(c, r) => {
                if let Some(id) = self.clients[*c].socket.clone() {
                    self.h.server.join(&id, &[room(*r)]).unwrap();
                    self.clients[*c].rooms.insert(*r);
                }
            }
            Op::Leave(c, r) => {
                if let Some(id) = self.clients[*c].socket.clone() {
                    self.h.server.leave(&id, &room(*r)).unwrap();
                    self.clients[*c].rooms.remove(r);
                }
            }
            Op::Broadcast {
                rooms,
                except,
                sender,
                volatile,
            } => {
                let b = self.next_broadcast;
                self.next_broadcast += 1;
                let mut opts = BroadcastOptions::new();
                for r in rooms {
                    opts = opts.to(room(*r));
                }
                for r in except {
                    opts = opts.except(room(*r));
                }
                let sender_id = sender.and_then(|s| self.clients[s].socket.clone());
                if let Some(id) = &sender_id {
                    opts = opts.except_socket(&id.as_str().into());
                }
                if *volatile {
                    opts = opts.volatile();
                }
                for (i, c) in self.clients.iter_mut().enumerate() {
                    let Some(_) = &c.socket else { continue };
                    let in_rooms = rooms.is_empty() || rooms.iter().any(|r| c.rooms.contains(r));
                    let excluded = except.iter().any(|r| c.rooms.contains(r))
                        || (sender_id.is_some() && *sender == Some(i));
                    if in_rooms && !excluded {
                        c.owed.insert(b, *volatile);
                    }
                }
                self.h
                    .server
                    .broadcast("/", &opts, Payload::new(format!("[\"b\",{b},\"{PAD}\"]")))
                    .unwrap();
                self.h.pump();
            }
            Op::LeaveNamespace(c) => {
                let cl = &mut self.clients[*c];
                if cl.alive && cl.socket.take().is_some() {
                    cl.rooms.clear();
                    let ws = cl.ws.clone();
                    ws.send(&mut self.h, text("1"));
                }
            }
            Op::Rejoin(c) => {
                let cl = &self.clients[*c];
                if cl.alive && cl.socket.is_none() && !cl.stalled {
                    let ws = cl.ws.clone();
                    self.drain(*c);
                    ws.send(&mut self.h, text("0"));
                    let got = self.drain(*c);
                    let id = got
                        .iter()
                        .find_map(|t| t.strip_prefix("0{\"sid\":\""))
                        .and_then(|s| s.strip_suffix("\"}"))
                        .expect("CONNECT reply")
                        .to_string();
                    self.clients[*c].socket = Some(id);
                }
            }
            Op::CloseTransport(c) => {
                let cl = &mut self.clients[*c];
                if cl.alive {
                    cl.alive = false;
                    cl.socket = None;
                    cl.rooms.clear();
                    let ws = cl.ws.clone();
                    ws.close(&mut self.h);
                }
            }
            Op::Stall(c) => self.clients[*c].stalled = true,
            Op::Resume(c) => self.clients[*c].stalled = false,
            Op::Advance(ms) => self.h.advance(Duration::from_millis(*ms)),
            Op::Garbage(c, t) => self.garble(*c, Message::Text(Str::from(t.as_str()))),
            Op::GarbageBinary(c) => self.garble(
                *c,
                Message::Binary(bytes::Bytes::from_static(&[0xde, 0xad])),
            ),
        }
        self.h.pump();
    }

    fn garble(&mut self, c: usize, msg: Message) {
        let cl = &mut self.clients[c];
        if cl.alive {
            cl.garbled = true;
            let ws = cl.ws.clone();
            ws.send(&mut self.h, Packet::Message(msg));
        }
    }

    /// Reads what client `c` received: answers pings, checks every broadcast was owed.
    fn drain(&mut self, c: usize) -> Vec<String> {
        let ws = self.clients[c].ws.clone();
        let packets = ws.recv(&mut self.h);
        let mut other = Vec::new();
        for p in &packets {
            if let Packet::Ping(_) = p {
                ws.send(&mut self.h, Packet::Pong(Str::new()));
            }
        }
        for t in sio_texts(packets) {
            if let Some(rest) = t.strip_prefix("2[\"b\",") {
                let b: u64 = rest.split(',').next().unwrap().parse().unwrap();
                assert!(
                    self.clients[c].owed.remove(&b).is_some(),
                    "client {c} got broadcast {b} it was not owed (or twice)"
                );
            } else {
                other.push(t);
            }
        }
        other
    }

    fn check(&mut self) {
        // Buffers stay within their bound.
        for c in &self.clients {
            if let Some(s) = self.h.server.engine().session(c.ws.sid()) {
                assert!(
                    s.buffered_bytes() <= LIMIT,
                    "{} > {LIMIT}",
                    s.buffered_bytes()
                );
            }
        }
        // Disconnects the model did not cause itself update it, if they are allowed.
        for e in self.h.take_events() {
            if let Event::Disconnect { socket, reason, .. } = e {
                for c in self.clients.iter_mut() {
                    if c.socket.as_deref() != Some(socket.as_str()) {
                        continue;
                    }
                    let reason = reason.as_str();
                    match reason {
                        // Only a stalled reader can be dropped: for falling behind, or for
                        // not answering pings while stalled.
                        "transport buffer full" | "ping timeout" => {
                            assert!(c.stalled, "{socket} dropped while reading: {reason}")
                        }
                        // Only garbage closes a client (or, if it happens to be `1`, leaves).
                        "forced close" | "forced server close" | "client namespace disconnect" => {
                            assert!(c.garbled, "{socket}: {reason} without garbage")
                        }
                        other => panic!("{socket}: unexpected reason {other}"),
                    }
                    c.socket = None;
                    c.rooms.clear();
                    if reason != "client namespace disconnect" {
                        c.alive = false;
                        c.owed.clear();
                    }
                }
            }
        }
        for c in self.clients.iter_mut() {
            // A session closed by garbage before it had a socket.
            if self.h.server.engine().session(c.ws.sid()).is_none() {
                c.alive = false;
                c.socket = None;
                c.rooms.clear();
                c.owed.clear();
            }
            // Garbage that happened to be a valid CONNECT created a socket.
            if c.alive && c.socket.is_none() {
                if let Some(id) = self.h.server.client_sockets(c.ws.sid()).first() {
                    assert!(c.garbled, "a socket appeared without a CONNECT");
                    c.socket = Some(id.to_string());
                }
            }
        }
        for i in 0..CLIENTS {
            if self.clients[i].alive && !self.clients[i].stalled {
                self.drain(i);
            }
        }
        self.h.server.check_consistency().unwrap();
        for c in &self.clients {
            let Some(id) = &c.socket else { continue };
            let rooms: BTreeSet<String> = self
                .h
                .server
                .rooms(id)
                .expect("model socket is live")
                .iter()
                .filter(|r| r.as_str() != id)
                .map(|r| r.to_string())
                .collect();
            let want: BTreeSet<String> = c.rooms.iter().map(|r| format!("r{r}")).collect();
            assert_eq!(rooms, want);
        }
    }

    fn finish(&mut self) {
        for c in &mut self.clients {
            c.stalled = false;
        }
        self.check();
        for (i, c) in self.clients.iter().enumerate() {
            if c.alive {
                let missing: Vec<_> = c.owed.iter().filter(|(_, v)| !**v).collect();
                assert!(missing.is_empty(), "client {i} never got {missing:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_delivery_exact_and_state_consistent(
        ops in proptest::collection::vec(op(), 1..60)
    ) {
        let mut w = World::new();
        for op in &ops {
            w.apply(op);
            w.check();
        }
        w.finish();
    }
}

#[test]
fn the_model_sees_a_broadcast_to_everyone_once() {
    let mut w = World::new();
    w.apply(&Op::Broadcast {
        rooms: vec![],
        except: vec![],
        sender: None,
        volatile: false,
    });
    for i in 0..CLIENTS {
        assert!(w.clients[i].owed.contains_key(&0));
        w.drain(i);
        assert!(w.clients[i].owed.is_empty());
    }
}
