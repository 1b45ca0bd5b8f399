//! Random sequences of client inputs, application commands and time steps against one server
//! with several clients. Invariants: no panic, every request answered exactly once (or
//! aborted), one `Opened` then at most one `Closed` per session and nothing after it, buffers
//! within their bound, and once clients go quiet every session and timer is gone.

mod support;

use bytes::Bytes;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use support::*;
use volley_protocol::engine::{
    ConnId, EngineEvent, Method, OutMessage, ReqId, RequestHead, SendOptions, WsFrame,
};
use volley_protocol::Str;

const LIMIT: usize = 64;

#[derive(Debug, Clone)]
enum Op {
    ConnectPolling,
    ConnectWs,
    Get(usize),
    Post(usize, Vec<u8>),
    Abort(usize),
    OpenUpgrade(usize),
    WsSend(usize, Vec<u8>, bool),
    WsClose(usize),
    Send(usize, usize, bool),
    Close(usize),
    Advance(u64),
}

fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    // Mostly well-formed packets, sometimes garbage.
    prop_oneof![
        prop::collection::vec(
            prop::sample::select(vec![
                &b"4hi"[..],
                b"3",
                b"1",
                b"2",
                b"2probe",
                b"5",
                b"6",
                b"bAQID",
                b"b!!",
                b"x",
                b""
            ]),
            1..4
        )
        .prop_map(|parts| parts.join(&0x1e_u8)),
        prop::collection::vec(any::<u8>(), 0..12),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0usize..6;
    prop_oneof![
        2 => Just(Op::ConnectPolling),
        2 => Just(Op::ConnectWs),
        4 => i.clone().prop_map(Op::Get),
        4 => (i.clone(), body_bytes()).prop_map(|(i, b)| Op::Post(i, b)),
        1 => i.clone().prop_map(Op::Abort),
        2 => i.clone().prop_map(Op::OpenUpgrade),
        4 => (i.clone(), body_bytes(), any::<bool>()).prop_map(|(i, b, bin)| Op::WsSend(i, b, bin)),
        1 => i.clone().prop_map(Op::WsClose),
        4 => (i.clone(), 0usize..40, any::<bool>()).prop_map(|(i, n, v)| Op::Send(i, n, v)),
        1 => i.clone().prop_map(Op::Close),
        3 => (0u64..700).prop_map(Op::Advance),
    ]
}

#[derive(Default)]
struct Client {
    sid: Option<Str>,
    conns: Vec<ConnId>,
    last_get: Option<ReqId>,
}

fn run(ops: Vec<Op>) {
    let mut h = harness(fast_config().max_buffer(Some(LIMIT)));
    let mut clients: Vec<Client> = Vec::new();
    let mut outstanding: HashSet<ReqId> = HashSet::new();
    let mut aborted: HashSet<ReqId> = HashSet::new();
    let mut state: HashMap<String, u8> = HashMap::new(); // 1 open, 2 closed

    for op in ops {
        let pick =
            |clients: &Vec<Client>, i: usize| (!clients.is_empty()).then(|| i % clients.len());
        match op {
            Op::ConnectPolling => {
                let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
                let r = h.expect_response(req);
                let c = volley_protocol::testing::PollingClient::from_handshake_response(&r);
                clients.push(Client {
                    sid: Some(c.sid),
                    ..Client::default()
                });
            }
            Op::ConnectWs => {
                let (ws, _) = volley_protocol::testing::WsClient::connect(&mut h);
                clients.push(Client {
                    sid: Some(ws.sid),
                    conns: vec![ws.conn],
                    last_get: None,
                });
            }
            Op::Get(i) | Op::Post(i, _) if pick(&clients, i).is_some() => {
                let k = pick(&clients, i).unwrap();
                let c = &mut clients[k];
                let q = format!("EIO=4&transport=polling&sid={}", c.sid.as_ref().unwrap());
                let (method, body) = match op {
                    Op::Post(_, b) => (Method::Post, Bytes::from(b)),
                    _ => (Method::Get, Bytes::new()),
                };
                let req = h.request_to(method, &q, body);
                if method == Method::Get {
                    c.last_get = Some(req);
                }
                outstanding.insert(req);
            }
            Op::Abort(i) => {
                if let Some(req) = pick(&clients, i).and_then(|k| clients[k].last_get.take()) {
                    aborted.insert(req);
                    h.abort(req);
                }
            }
            Op::OpenUpgrade(i) => {
                if let Some(k) = pick(&clients, i) {
                    let target = format!(
                        "/socket.io/?EIO=4&transport=websocket&sid={}",
                        clients[k].sid.as_ref().unwrap()
                    );
                    let head =
                        RequestHead::new(Method::Get, &target).with_header("Upgrade", "websocket");
                    let req = h.request(head, Bytes::new());
                    match h.ws_conn(req) {
                        Some(conn) => clients[k].conns.push(conn),
                        None => {
                            h.expect_response(req);
                        }
                    }
                }
            }
            Op::WsSend(i, b, binary) => {
                if let Some(k) = pick(&clients, i) {
                    if let Some(&conn) = clients[k].conns.iter().rev().find(|c| !h.ws_closed(**c)) {
                        let frame = if binary {
                            WsFrame::Binary(Bytes::from(b))
                        } else {
                            WsFrame::Text(Str::from(String::from_utf8_lossy(&b).into_owned()))
                        };
                        h.ws_send(conn, frame);
                    }
                }
            }
            Op::WsClose(i) => {
                if let Some(&conn) = pick(&clients, i).and_then(|k| clients[k].conns.last()) {
                    h.ws_close(conn);
                }
            }
            Op::Send(i, n, volatile) => {
                if let Some(k) = pick(&clients, i) {
                    let msg = OutMessage::text(&"x".repeat(n));
                    let sid = clients[k].sid.clone().unwrap();
                    h.server
                        .send_with(h.now, &sid, &[msg], SendOptions { volatile });
                }
            }
            Op::Close(i) => {
                if let Some(k) = pick(&clients, i) {
                    let sid = clients[k].sid.clone().unwrap();
                    h.server.close(h.now, &sid);
                }
            }
            Op::Advance(ms) => h.advance(Duration::from_millis(ms)),
            Op::Get(_) | Op::Post(..) => {}
        }

        outstanding.retain(|req| h.response(*req).is_none());
        for sid in h.server.sids() {
            let bytes = h.server.session(sid).unwrap().buffered_bytes();
            // Control packets (handshake, pings, noops) are not bounded; they are few and small.
            assert!(bytes <= LIMIT + 160, "{sid}: {bytes} bytes buffered");
        }
        for ev in h.take_events() {
            match ev {
                EngineEvent::Opened { sid, .. } => {
                    assert_eq!(state.insert(sid.to_string(), 1), None, "opened twice");
                }
                EngineEvent::Message { sid, .. } => {
                    assert_eq!(
                        state.get(sid.as_str()),
                        Some(&1),
                        "message outside a session"
                    );
                }
                EngineEvent::Closed { sid, .. } => {
                    assert_eq!(state.insert(sid.to_string(), 2), Some(1), "closed twice");
                }
            }
        }
    }

    // Clients go quiet: every session ends and every timer with it.
    h.advance(Duration::from_secs(60));
    for ev in h.take_events() {
        if let EngineEvent::Closed { sid, .. } = ev {
            assert_eq!(state.insert(sid.to_string(), 2), Some(1));
        } else {
            panic!("unexpected {ev:?}");
        }
    }
    assert!(
        state.values().all(|&s| s == 2),
        "every session closed: {state:?}"
    );
    assert_eq!(h.server.session_count(), 0);
    assert_eq!(h.server.poll_timeout(), None);
    outstanding.retain(|req| h.response(*req).is_none());
    assert!(
        outstanding.is_subset(&aborted),
        "unanswered requests: {:?}",
        outstanding.difference(&aborted)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn random_inputs_keep_the_server_consistent(ops in prop::collection::vec(op(), 1..60)) {
        run(ops);
    }
}
