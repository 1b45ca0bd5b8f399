//! An interpreter that turns arbitrary bytes into a sequence of client inputs, application
//! commands and time steps against an [`EngineServer`] with several clients, checking the
//! server's invariants as it goes. Shared by the property test and the `engine_session` fuzz
//! target, so both explore the same space.

use super::{Harness, PollingClient, WsClient};
use crate::engine::{
    ConnId, EngineConfig, EngineEvent, EngineServer, Method, OutMessage, ReqId, RequestHead,
    SendOptions, WsFrame,
};
use crate::{CounterIds, Str};
use bytes::Bytes;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// Per-session outgoing bound used by the interpreter.
pub const CHAOS_BUFFER_LIMIT: usize = 64;

/// Packet texts the interpreter picks from (valid, borderline and invalid).
const VOCABULARY: &[&[u8]] = &[
    b"4hi",
    b"3",
    b"1",
    b"2",
    b"2probe",
    b"5",
    b"6",
    b"bAQID",
    b"b!!",
    b"x",
    b"",
    b"4",
    b"0{}",
    b"3probe",
    b"4\xc3\xa9",
];

struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }
    fn body(&mut self) -> Vec<u8> {
        let n = self.byte().unwrap_or(0) % 4;
        let mut out = Vec::new();
        for i in 0..n {
            if i > 0 {
                out.push(0x1e);
            }
            let w = self.byte().unwrap_or(0) as usize;
            out.extend_from_slice(VOCABULARY[w % VOCABULARY.len()]);
        }
        out
    }
}

#[derive(Default)]
struct Client {
    sid: Str,
    conns: Vec<ConnId>,
    last_get: Option<ReqId>,
    /// A POST whose head was sent and whose body has not been.
    post_in_flight: Option<ReqId>,
}

/// Runs the byte-driven scenario; panics if an invariant breaks: a request answered twice
/// or never (unless aborted; a POST whose body never comes is answered when its session
/// ends), events out of order for a session (`Opened`, then messages,
/// then at most one `Closed`), a buffer beyond its bound, or sessions or timers left once
/// every client has gone quiet.
pub fn run_engine_chaos(data: &[u8]) {
    let config = EngineConfig::default()
        .ping_interval(Duration::from_millis(300))
        .ping_timeout(Duration::from_millis(200))
        .upgrade_timeout(Duration::from_millis(1000))
        .max_payload(64)
        .max_buffer(Some(CHAOS_BUFFER_LIMIT));
    let mut h = Harness::new(EngineServer::new(config, CounterIds::new("s")));
    let mut input = Input { data };
    let mut clients: Vec<Client> = Vec::new();
    let mut outstanding: HashSet<ReqId> = HashSet::new();
    let mut aborted: HashSet<ReqId> = HashSet::new();
    let mut state: HashMap<Str, bool> = HashMap::new(); // true while open

    while let Some(op) = input.byte() {
        let k = match (clients.len(), input.byte()) {
            (0, _) | (_, None) => None,
            (n, Some(b)) => Some(b as usize % n),
        };
        match (op % 12, k) {
            (0, _) => {
                let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
                let r = h.expect_response(req);
                let c = PollingClient::from_handshake_response(&r);
                clients.push(Client {
                    sid: c.sid,
                    ..Client::default()
                });
            }
            (1, _) => {
                let (ws, _) = WsClient::connect(&mut h);
                clients.push(Client {
                    sid: ws.sid,
                    conns: vec![ws.conn],
                    ..Client::default()
                });
            }
            (3, Some(k)) if input.byte().unwrap_or(0) % 3 == 0 => {
                // Only the head: the body follows (or never does) in a later step.
                let target = format!("{}?EIO=4&transport=polling&sid={}", h.path, clients[k].sid);
                let req = h.request_head(RequestHead::new(Method::Post, &target));
                clients[k].post_in_flight = Some(req);
                outstanding.insert(req);
            }
            (2, Some(k)) | (3, Some(k)) => {
                let q = format!("EIO=4&transport=polling&sid={}", clients[k].sid);
                let (method, body) = if op % 12 == 3 {
                    (Method::Post, Bytes::from(input.body()))
                } else {
                    (Method::Get, Bytes::new())
                };
                let req = h.request_to(method, &q, body);
                if method == Method::Get {
                    clients[k].last_get = Some(req);
                }
                outstanding.insert(req);
            }
            (4, Some(k)) => {
                if let Some(req) = clients[k].post_in_flight.take() {
                    match input.byte().unwrap_or(0) % 4 {
                        0 => {
                            aborted.insert(req);
                            h.abort(req);
                        }
                        1 => {
                            h.request_body(req, None);
                        }
                        _ => {
                            h.request_body(req, Some(Bytes::from(input.body())));
                        }
                    }
                } else if let Some(req) = clients[k].last_get.take() {
                    aborted.insert(req);
                    h.abort(req);
                }
            }
            (5, Some(k)) => {
                let target = format!(
                    "{}?EIO=4&transport=websocket&sid={}",
                    h.path, clients[k].sid
                );
                let head = RequestHead::new(Method::Get, &target)
                    .with_header("Connection", "Upgrade")
                    .with_header("Upgrade", "websocket");
                let req = h.request(head, Bytes::new());
                match h.ws_conn(req) {
                    Some(conn) => clients[k].conns.push(conn),
                    None => {
                        h.expect_response(req);
                    }
                }
            }
            (6, Some(k)) | (7, Some(k)) => {
                let open = clients[k].conns.iter().rev().find(|c| !h.ws_closed(**c));
                if let Some(&conn) = open {
                    let body = input.body();
                    let frame = if op % 12 == 7 {
                        WsFrame::Binary(Bytes::from(body))
                    } else {
                        WsFrame::Text(Str::from(String::from_utf8_lossy(&body).into_owned()))
                    };
                    h.ws_send(conn, frame);
                }
            }
            (8, Some(k)) => {
                if let Some(&conn) = clients[k].conns.last() {
                    h.ws_close(conn);
                }
            }
            (9, Some(k)) | (10, Some(k)) => {
                let n = input.byte().unwrap_or(0) as usize % 40;
                let volatile = op % 12 == 10;
                let msg = OutMessage::text(&"x".repeat(n));
                h.server
                    .send_with(h.now, &clients[k].sid, &[msg], SendOptions { volatile });
            }
            (11, Some(k)) => {
                if input.byte().unwrap_or(0) % 4 == 0 {
                    h.server.close(h.now, &clients[k].sid);
                } else {
                    let ms = u64::from(input.byte().unwrap_or(0)) * 4;
                    h.advance(Duration::from_millis(ms));
                }
            }
            _ => h.advance(Duration::from_millis(u64::from(op) * 3)),
        }
        check_step(&mut h, &mut outstanding, &mut state);
    }

    // Clients go quiet: every session ends, every timer with it.
    h.advance(Duration::from_secs(60));
    check_step(&mut h, &mut outstanding, &mut state);
    assert!(
        state.values().all(|open| !open),
        "sessions left open: {state:?}"
    );
    assert_eq!(h.server.session_count(), 0, "sessions left behind");
    assert_eq!(h.server.poll_timeout(), None, "timers left behind");
    assert!(
        outstanding.is_subset(&aborted),
        "requests never answered: {:?}",
        outstanding.difference(&aborted).collect::<Vec<_>>()
    );
}

fn check_step(
    h: &mut Harness<EngineServer>,
    outstanding: &mut HashSet<ReqId>,
    state: &mut HashMap<Str, bool>,
) {
    outstanding.retain(|req| h.response(*req).is_none());
    for sid in h.server.sids() {
        let bytes = h.server.session(sid).map_or(0, |s| s.buffered_bytes());
        // Control packets (handshake, pings, noops) are outside the bound; few and small.
        assert!(
            bytes <= CHAOS_BUFFER_LIMIT + 160,
            "{sid}: {bytes} bytes buffered"
        );
    }
    for ev in h.take_events() {
        match ev {
            EngineEvent::Opened { sid, .. } => {
                assert_eq!(state.insert(sid, true), None, "opened twice");
            }
            EngineEvent::Message { sid, .. } | EngineEvent::Upgraded { sid } => {
                assert_eq!(state.get(&sid), Some(&true), "event outside a session");
            }
            EngineEvent::Closed { sid, .. } => {
                assert_eq!(
                    state.insert(sid, false),
                    Some(true),
                    "closed twice or unopened"
                );
            }
        }
    }
}
