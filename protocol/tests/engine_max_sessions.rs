//! `EngineConfig::max_sessions`: a handshake past the bound is answered 503 (JSON for
//! polling, the plain message for a WebSocket) and creates nothing; sessions that end, and
//! handshakes awaiting admission, free or take places.

mod support;

use bytes::Bytes;
use support::*;
use volley_protocol::engine::{EngineConfig, Method, Packet, RequestHead};
use volley_protocol::testing::{Admission, PollingClient, WsClient};

const FULL: &str = r#"{"code":4,"message":"Too many sessions"}"#;

#[test]
fn handshakes_past_max_sessions_get_503_and_a_closed_session_frees_its_place() {
    let mut h = harness(EngineConfig::default().max_sessions(Some(2)));
    let first = PollingClient::connect(&mut h);
    let (_ws, _) = WsClient::connect(&mut h);
    assert_eq!(h.server.session_count(), 2);

    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    let r = h.expect_response(req);
    assert_eq!((r.status, body(&r)), (503, FULL));
    assert_eq!(r.header("content-type").unwrap(), "application/json");

    let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket")
        .with_header("Connection", "Upgrade")
        .with_header("Upgrade", "websocket");
    let req = h.request(head, Bytes::new());
    let r = h.expect_response(req);
    assert_eq!((r.status, body(&r)), (503, "Too many sessions"));
    assert_eq!(r.header("connection").unwrap(), "close");
    assert!(h.ws_conn(req).is_none());
    assert_eq!(h.server.session_count(), 2);
    events(&mut h);

    // The polling client leaves: its place is free again.
    assert_eq!(first.post(&mut h, &[Packet::Close]).status, 200);
    assert_eq!(h.server.session_count(), 1);
    let third = PollingClient::connect(&mut h);
    assert_eq!(third.handshake.sid, "s3");
}

#[test]
fn handshakes_awaiting_admission_count_against_max_sessions() {
    let mut h = harness(EngineConfig::default().max_sessions(Some(1)));
    h.admission = Admission::Manual;
    let waiting = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    assert!(h.is_pending(waiting));
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    assert_eq!(h.expect_response(req).status, 503);
    // Refusing the waiting one frees the place.
    let incoming = h.incoming.pop_front().expect("the waiting handshake");
    h.refuse_incoming(incoming, None);
    assert_eq!(h.expect_response(waiting).status, 403);
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    assert!(h.is_pending(req));
}

#[test]
fn without_max_sessions_there_is_no_bound() {
    let mut h = default_harness();
    for _ in 0..500 {
        PollingClient::connect(&mut h);
    }
    assert_eq!(h.server.session_count(), 500);
}
