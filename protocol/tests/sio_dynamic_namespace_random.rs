//! Property: random CONNECTs to dynamic children (accepted, refused or left pending), leaves,
//! decisions after the client left, and closed sessions, with `cleanup_empty_child_namespaces`
//! on and a small per-client namespace bound. Checked after every step: the room index is
//! consistent; the live children are exactly the names some client has joined or is joining;
//! every client has exactly the sockets the model says, never more than the bound.

mod sio_common;

use proptest::prelude::*;
use sio_common::Harness;
use std::collections::BTreeSet;
use volley_protocol::server::{
    ConnectRequest, DisconnectReason, NamespacePattern, PatternId, SocketConfig,
};
use volley_protocol::socket::ConnectError;

const CLIENTS: usize = 3;
const ROOMS: u8 = 4;
const MAX: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Connect(usize, u8),
    Decide(usize, usize, bool),
    Leave(usize, u8),
    Close(usize),
    /// A decision on a request whose client has left since.
    DecideStale(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    let c = 0..CLIENTS;
    prop_oneof![
        4 => (c.clone(), 0..ROOMS).prop_map(|(c, r)| Op::Connect(c, r)),
        4 => (c.clone(), 0usize..4, any::<bool>()).prop_map(|(c, i, a)| Op::Decide(c, i, a)),
        2 => (c.clone(), 0..ROOMS).prop_map(|(c, r)| Op::Leave(c, r)),
        1 => c.prop_map(Op::Close),
        1 => (0usize..8, any::<bool>()).prop_map(|(i, a)| Op::DecideStale(i, a)),
    ]
}

#[derive(Default)]
struct Client {
    generation: usize,
    open: bool,
    joined: BTreeSet<u8>,
    pending: Vec<(u8, ConnectRequest)>,
}

impl Client {
    fn sid(&self, c: usize) -> String {
        format!("c{c}-{}", self.generation)
    }
}

fn nsp(room: u8) -> String {
    format!("/room-{room}")
}

struct Run {
    h: Harness,
    pattern: PatternId,
    clients: Vec<Client>,
    stale: Vec<ConnectRequest>,
}

impl Run {
    fn new() -> Self {
        let mut h = Harness::with_config(
            SocketConfig::new()
                .cleanup_empty_child_namespaces(true)
                .max_namespaces_per_client(MAX),
        );
        let pattern = h
            .layer
            .add_dynamic_namespace(NamespacePattern::prefix("/room-"));
        Run {
            h,
            pattern,
            clients: (0..CLIENTS).map(|_| Client::default()).collect(),
            stale: Vec::new(),
        }
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Connect(c, r) => {
                if !self.clients[c].open {
                    self.clients[c].open = true;
                    let sid = self.clients[c].sid(c);
                    self.h.open(&sid);
                }
                let client = &self.clients[c];
                if client.joined.contains(&r) || client.pending.iter().any(|(p, _)| *p == r) {
                    return; // A second CONNECT closes the client; not what this property is about.
                }
                let sid = client.sid(c);
                let full = client.joined.len() + client.pending.len() >= MAX;
                self.h.take(&sid);
                self.h.send(&sid, &format!("0{},", nsp(r)));
                if full {
                    assert_eq!(
                        self.h.take(&sid),
                        vec![format!(
                            r#"4{},{{"message":"Too many namespaces"}}"#,
                            nsp(r)
                        )]
                    );
                    assert!(self.h.take_events().is_empty());
                } else {
                    let req = self.h.take_connect();
                    self.clients[c].pending.push((r, req));
                }
            }
            Op::Decide(c, i, accept) => {
                let client = &mut self.clients[c];
                if client.pending.is_empty() {
                    return;
                }
                let (r, req) = client.pending.remove(i % client.pending.len());
                if accept {
                    self.h
                        .layer
                        .accept_connect(self.h.now, req)
                        .expect("accept");
                    client.joined.insert(r);
                } else {
                    self.h
                        .layer
                        .refuse_connect(req, ConnectError::new("refused"));
                }
                self.h.pump();
            }
            Op::Leave(c, r) => {
                let client = &mut self.clients[c];
                if client.joined.remove(&r) {
                    let sid = client.sid(c);
                    self.h.send(&sid, &format!("1{},", nsp(r)));
                }
            }
            Op::Close(c) => {
                let client = &mut self.clients[c];
                if client.open {
                    let sid = client.sid(c);
                    self.stale
                        .extend(client.pending.drain(..).map(|(_, req)| req));
                    client.joined.clear();
                    client.open = false;
                    client.generation += 1;
                    self.h.engine_closed(&sid, DisconnectReason::TransportClose);
                }
            }
            Op::DecideStale(i, accept) => {
                if self.stale.is_empty() {
                    return;
                }
                let req = self.stale.remove(i % self.stale.len());
                if accept {
                    assert!(self.h.layer.accept_connect(self.h.now, req).is_err());
                } else {
                    self.h.layer.refuse_connect(req, ConnectError::new("late"));
                }
                self.h.pump();
            }
        }
        self.h.take_events();
    }

    fn check(&self) -> Result<(), TestCaseError> {
        self.h
            .layer
            .check_consistency()
            .map_err(TestCaseError::fail)?;
        let live: BTreeSet<String> = self
            .h
            .layer
            .namespace_children(self.pattern)
            .map(|n| n.to_string())
            .collect();
        let expected: BTreeSet<String> = self
            .clients
            .iter()
            .flat_map(|c| c.joined.iter().chain(c.pending.iter().map(|(r, _)| r)))
            .map(|r| nsp(*r))
            .collect();
        prop_assert_eq!(live, expected);
        for (i, c) in self.clients.iter().enumerate() {
            let sockets = self.h.layer.client_sockets(&c.sid(i)).len();
            prop_assert_eq!(sockets, c.joined.len());
            prop_assert!(sockets <= MAX);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn children_exist_exactly_while_used(ops in proptest::collection::vec(op(), 1..60)) {
        let mut run = Run::new();
        for op in ops {
            run.apply(op);
            run.check()?;
        }
    }
}
