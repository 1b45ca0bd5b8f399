//! The cluster adapter boundary: two nodes whose adapters publish onto an in-memory bus (as a
//! Redis adapter would) — broadcasts, server-wide operations, requests and acks across nodes.

mod sio_common;

use sio_common::Harness;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use volley_protocol::server::{
    Adapter, AdapterFactory, BroadcastOptions, ClusterMessage, Event, InMemoryAdapter, Payload,
    RequestResult, Room, RoomIndex, SocketConfig, SocketKey, SocketLayer,
};
use volley_protocol::{CounterIds, Str};

type Bus = Arc<Mutex<Vec<ClusterMessage>>>;

/// A cluster adapter: local rooms in memory, everything else onto the bus.
struct BusAdapter {
    local: InMemoryAdapter,
    uid: Str,
    servers: usize,
    bus: Bus,
}

impl Adapter for BusAdapter {
    fn add_all(&mut self, socket: SocketKey, rooms: &[Room]) {
        self.local.add_all(socket, rooms)
    }
    fn del(&mut self, socket: SocketKey, room: &str) {
        self.local.del(socket, room)
    }
    fn del_all(&mut self, socket: SocketKey) {
        self.local.del_all(socket)
    }
    fn socket_rooms(&self, socket: SocketKey) -> &[Room] {
        self.local.socket_rooms(socket)
    }
    fn plan(&self, rooms: &[Room], except: &[Room], out: &mut Vec<SocketKey>) {
        self.local.plan(rooms, except, out)
    }
    fn all_rooms(&self, out: &mut Vec<Room>) {
        self.local.all_rooms(out)
    }
    fn index(&self) -> Option<&RoomIndex> {
        self.local.index()
    }
    fn server_uid(&self) -> Option<&Str> {
        Some(&self.uid)
    }
    fn server_count(&self) -> usize {
        self.servers
    }
    fn publish(&mut self, message: ClusterMessage) {
        self.bus.lock().unwrap().push(message);
    }
}

struct BusFactory {
    uid: &'static str,
    servers: usize,
    bus: Bus,
}

impl AdapterFactory for BusFactory {
    fn create(&mut self, _nsp: &Str) -> Box<dyn Adapter> {
        Box::new(BusAdapter {
            local: InMemoryAdapter::new(),
            uid: Str::from(self.uid),
            servers: self.servers,
            bus: self.bus.clone(),
        })
    }
}

struct Cluster {
    nodes: Vec<Harness>,
    bus: Bus,
    /// Messages dropped instead of delivered, by sender uid (to simulate a silent node).
    mute: Option<&'static str>,
}

const UIDS: [&str; 3] = ["node-a", "node-b", "node-c"];

impl Cluster {
    fn new(n: usize) -> Cluster {
        let bus: Bus = Arc::default();
        let nodes = (0..n)
            .map(|i| {
                let factory = BusFactory {
                    uid: UIDS[i],
                    servers: n,
                    bus: bus.clone(),
                };
                Harness::with_layer(SocketLayer::with_adapters(
                    SocketConfig::new(),
                    Box::new(CounterIds::new(format!("{}-s", UIDS[i]))),
                    Box::new(factory),
                ))
            })
            .collect();
        Cluster {
            nodes,
            bus,
            mute: None,
        }
    }

    /// Delivers bus messages to every node (each ignores its own and those not for it)
    /// until the bus is quiet. Returns how many were carried.
    fn carry(&mut self) -> usize {
        let mut carried = 0;
        loop {
            let batch: Vec<ClusterMessage> = std::mem::take(&mut *self.bus.lock().unwrap());
            if batch.is_empty() {
                return carried;
            }
            for msg in batch {
                if Some(msg.uid.as_str()) == self.mute {
                    continue;
                }
                carried += 1;
                for node in &mut self.nodes {
                    let now = node.now;
                    node.layer.handle_cluster_message(now, msg.clone());
                    node.pump();
                }
            }
        }
    }
}

fn r(s: &str) -> Room {
    Room::from(s)
}

#[test]
fn a_broadcast_reaches_the_right_clients_on_every_node_once() {
    let mut c = Cluster::new(2);
    let a1 = c.nodes[0].connect("A1", "/");
    let a2 = c.nodes[0].connect("A2", "/");
    let b1 = c.nodes[1].connect("B1", "/");
    let b2 = c.nodes[1].connect("B2", "/");
    c.nodes[0].layer.join(&a1, &[r("news")]).unwrap();
    c.nodes[0]
        .layer
        .join(&a2, &[r("news"), r("muted")])
        .unwrap();
    c.nodes[1].layer.join(&b1, &[r("news")]).unwrap();
    c.nodes[1].layer.join(&b2, &[r("other")]).unwrap();

    let opts = BroadcastOptions::new()
        .to("news")
        .except("muted")
        .except_socket(&a1);
    c.nodes[0]
        .layer
        .broadcast("/", &opts, Payload::new("[\"n\"]"))
        .unwrap();
    c.nodes[0].pump();
    assert_eq!(c.carry(), 1);
    assert!(c.nodes[0].take("A1").is_empty(), "the sender is excluded");
    assert!(c.nodes[0].take("A2").is_empty(), "muted");
    assert_eq!(c.nodes[1].take("B1"), vec!["2[\"n\"]"]);
    assert!(c.nodes[1].take("B2").is_empty());
    let _ = b2;

    // `local` stays on this node.
    c.nodes[1]
        .layer
        .broadcast(
            "/",
            &BroadcastOptions::new().local(),
            Payload::new("[\"l\"]"),
        )
        .unwrap();
    c.nodes[1].pump();
    assert_eq!(c.carry(), 0);
    assert_eq!(c.nodes[1].take("B1"), vec!["2[\"l\"]"]);
    assert!(c.nodes[0].take("A1").is_empty());
}

#[test]
fn fetch_sockets_and_all_rooms_gather_every_node() {
    let mut c = Cluster::new(3);
    let a = c.nodes[0].connect("A", "/");
    let b = c.nodes[1].connect("B", "/");
    let _cc = c.nodes[2].connect("C", "/");
    c.nodes[0].layer.join(&a, &[r("red")]).unwrap();
    c.nodes[1].layer.join(&b, &[r("red")]).unwrap();
    let now = c.nodes[0].now;
    let req = c.nodes[0]
        .layer
        .fetch_sockets(now, "/", &BroadcastOptions::new().to("red"));
    c.nodes[0].pump();
    assert!(
        c.nodes[0].take_events().is_empty(),
        "waits for the other nodes"
    );
    c.carry();
    match &c.nodes[0].take_events()[..] {
        [Event::RequestDone {
            id,
            result: RequestResult::FetchSockets(s),
            timed_out: false,
        }] => {
            assert_eq!(*id, req);
            let mut ids: Vec<String> = s.iter().map(|i| i.id.to_string()).collect();
            ids.sort();
            assert_eq!(ids, vec![a.to_string(), b.to_string()]);
        }
        other => panic!("unexpected {other:?}"),
    }
    let now = c.nodes[2].now;
    c.nodes[2].layer.all_rooms(now, "/");
    c.nodes[2].pump();
    c.carry();
    match &c.nodes[2].take_events()[..] {
        [Event::RequestDone {
            result: RequestResult::AllRooms(rooms),
            timed_out: false,
            ..
        }] => {
            assert_eq!(rooms.iter().filter(|x| *x == "red").count(), 2);
            assert_eq!(rooms.len(), 5, "3 own-id rooms + red twice: {rooms:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_silent_node_makes_the_request_time_out_with_what_arrived() {
    let mut c = Cluster::new(3);
    c.nodes[0].connect("A", "/");
    c.nodes[1].connect("B", "/");
    c.mute = Some("node-c");
    let now = c.nodes[0].now;
    c.nodes[0]
        .layer
        .fetch_sockets(now, "/", &BroadcastOptions::new());
    c.nodes[0].pump();
    c.carry();
    assert!(c.nodes[0].take_events().is_empty());
    c.nodes[0].advance(Duration::from_secs(5));
    match &c.nodes[0].take_events()[..] {
        [Event::RequestDone {
            result: RequestResult::FetchSockets(s),
            timed_out: true,
            ..
        }] => {
            assert_eq!(s.len(), 2)
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn broadcast_with_ack_counts_remote_clients_and_collects_their_replies() {
    let mut c = Cluster::new(2);
    c.nodes[0].connect("A", "/");
    c.nodes[1].connect("B1", "/");
    c.nodes[1].connect("B2", "/");
    let now = c.nodes[0].now;
    let opts = BroadcastOptions::new().timeout(Duration::from_secs(2));
    let handle = c.nodes[0]
        .layer
        .broadcast_with_ack(now, "/", &opts, Payload::new("[\"vote\"]"))
        .unwrap();
    c.nodes[0].pump();
    assert_eq!(handle.local_expected, 1);
    c.carry();
    let sent_a = c.nodes[0].take("A");
    let sent_b1 = c.nodes[1].take("B1");
    assert_eq!(sent_b1, c.nodes[1].take("B2"), "one encoding per node");
    let ack_of = |sent: &[String]| -> String {
        let t = &sent[0];
        t[1..t.find('[').unwrap()].to_string()
    };
    c.nodes[0].send("A", &format!("3{}[\"a\"]", ack_of(&sent_a)));
    c.nodes[1].send("B1", &format!("3{}[\"b1\"]", ack_of(&sent_b1)));
    c.carry();
    assert!(
        c.nodes[0].take_events().is_empty(),
        "B2 has not answered yet"
    );
    c.nodes[1].send("B2", &format!("3{}[\"b2\"]", ack_of(&sent_b1)));
    c.carry();
    match &c.nodes[0].take_events()[..] {
        [Event::BroadcastAck {
            replies,
            expected: 3,
            timed_out: false,
            ..
        }] => {
            let mut got: Vec<String> = replies.iter().map(|p| p.data.to_string()).collect();
            got.sort();
            assert_eq!(got, vec!["[\"a\"]", "[\"b1\"]", "[\"b2\"]"]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn server_side_emit_reaches_other_nodes_and_their_answers_come_back() {
    let mut c = Cluster::new(3);
    let now = c.nodes[0].now;
    let req = c.nodes[0]
        .layer
        .server_side_emit(
            now,
            "/",
            Payload::new("[\"sync\",1]"),
            Some(Duration::from_secs(1)),
        )
        .unwrap();
    c.carry();
    for i in 1..3 {
        let events = c.nodes[i].take_events();
        let reply_to = match &events[..] {
            [Event::ServerSideEmit {
                payload,
                reply_to: Some(to),
                ..
            }] => {
                assert_eq!(payload.data, "[\"sync\",1]");
                to.clone()
            }
            other => panic!("unexpected {other:?}"),
        };
        let answer = Payload::new(format!("[\"ok{i}\"]"));
        c.nodes[i]
            .layer
            .server_side_emit_reply("/", reply_to, answer);
    }
    c.carry();
    match &c.nodes[0].take_events()[..] {
        [Event::RequestDone {
            id,
            result: RequestResult::ServerSideEmit(answers),
            timed_out: false,
        }] => {
            assert_eq!(*id, req);
            assert_eq!(answers.len(), 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        c.nodes[0].take_events().is_empty(),
        "the sender does not hear itself"
    );
}

#[test]
fn remote_join_leave_and_disconnect_apply_on_the_node_holding_the_socket() {
    let mut c = Cluster::new(2);
    let b = c.nodes[1].connect("B", "/");
    // Node A makes B (by its id, a room) join a room, then disconnects it.
    c.nodes[0]
        .layer
        .sockets_join("/", &BroadcastOptions::new().to(b.room()), &[r("vip")]);
    c.carry();
    assert_eq!(c.nodes[1].layer.sockets_in("/", "vip"), vec![b.clone()]);
    c.nodes[0]
        .layer
        .sockets_leave("/", &BroadcastOptions::new().to("vip"), &[r("vip")]);
    c.carry();
    assert!(c.nodes[1].layer.sockets_in("/", "vip").is_empty());
    c.nodes[0]
        .layer
        .disconnect_sockets("/", &BroadcastOptions::new(), false);
    c.carry();
    assert_eq!(c.nodes[1].take("B"), vec!["1"]);
    assert_eq!(c.nodes[1].layer.socket_count(), 0);
    c.nodes[1].layer.check_consistency().unwrap();
}
