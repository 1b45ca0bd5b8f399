//! The polling → WebSocket upgrade: probe, NOOP release of parked GETs, completion, timeouts,
//! and the requests that are refused once it happened.

mod support;

use bytes::Bytes;
use std::time::Duration;
use support::*;
use volley_protocol::engine::{CloseReason, Method, Packet, TransportKind, WsFrame};
use volley_protocol::testing::PollingClient;
use volley_protocol::Str;

fn probe() -> Packet {
    Packet::Ping(Str::from_static("probe"))
}

#[test]
fn upgrade_while_a_get_is_parked_releases_it_with_noop() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    let ws = c.open_upgrade(&mut h).expect("upgrade accepted");
    // Opening the WebSocket alone changes nothing for polling.
    assert!(h.is_pending(get));
    assert!(h.server.session(&c.sid).unwrap().is_upgrading());
    ws.send(&mut h, probe());
    assert_eq!(
        ws.recv(&mut h),
        vec![Packet::Pong(Str::from_static("probe"))]
    );
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Noop]);
    // While the upgrade is pending, GETs are released at once.
    assert_eq!(c.poll(&mut h), vec![Packet::Noop]);
    ws.send(&mut h, Packet::Upgrade);
    let info = h.server.session(&c.sid).unwrap();
    assert_eq!(info.transport(), TransportKind::WebSocket);
    assert!(!info.is_upgrading());
    // Traffic now flows over the WebSocket, both ways.
    h.server.send(h.now, &c.sid, "over ws");
    assert_eq!(ws.recv(&mut h), vec![text("over ws")]);
    ws.send(&mut h, text("from ws"));
    assert_eq!(events(&mut h), vec![opened("s1"), message("s1", "from ws")]);
}

#[test]
fn after_the_upgrade_polling_requests_are_bad_requests() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let _ws = c.upgrade(&mut h);
    let get = c.get(&mut h);
    assert_eq!(
        body(&h.expect_response(get)),
        r#"{"code":3,"message":"Bad request"}"#
    );
    let r = c.post(&mut h, &[text("late")]);
    assert_eq!(
        (r.status, body(&r)),
        (400, r#"{"code":3,"message":"Bad request"}"#)
    );
    assert_eq!(events(&mut h), vec![opened("s1")]);
}

#[test]
fn a_second_websocket_for_the_sid_is_closed() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let first = c.open_upgrade(&mut h).unwrap();
    let second = c.open_upgrade(&mut h).unwrap();
    assert!(
        second.is_closed(&h),
        "closed while the first one is upgrading"
    );
    assert!(!first.is_closed(&h));
    first.send(&mut h, probe());
    first.recv(&mut h);
    first.send(&mut h, Packet::Upgrade);
    let third = c.open_upgrade(&mut h).unwrap();
    assert!(third.is_closed(&h), "closed after the upgrade");
    assert!(!first.is_closed(&h));
    assert_eq!(events(&mut h), vec![opened("s1")]);
}

#[test]
fn packets_queued_during_the_upgrade_arrive_over_the_websocket_in_order() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let ws = c.probe(&mut h);
    h.server.send(h.now, &c.sid, "a");
    h.server.send(h.now, &c.sid, "b");
    ws.send(&mut h, Packet::Upgrade);
    assert_eq!(ws.recv(&mut h), vec![text("a"), text("b")]);
}

#[test]
fn queued_data_is_what_a_get_gets_during_the_upgrade() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let ws = c.probe(&mut h);
    h.server.send(h.now, &c.sid, "data");
    assert_eq!(c.poll(&mut h), vec![text("data")]);
    assert!(
        ws.recv(&mut h).is_empty(),
        "nothing goes to the probe socket"
    );
}

#[test]
fn an_unfinished_upgrade_times_out_and_polling_carries_on() {
    let mut h = harness(fast_config().ping_interval(Duration::from_secs(60)));
    let c = PollingClient::connect(&mut h);
    let ws = c.probe(&mut h);
    h.advance(Duration::from_millis(999));
    assert!(!ws.is_closed(&h));
    h.advance(Duration::from_millis(1));
    assert!(ws.is_closed(&h));
    let info = h.server.session(&c.sid).unwrap();
    assert_eq!(
        (info.transport(), info.is_upgrading()),
        (TransportKind::Polling, false)
    );
    // GETs park again, and a new upgrade may start.
    let get = c.get(&mut h);
    assert!(h.is_pending(get));
    let again = c.upgrade(&mut h);
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Noop]);
    h.server.send(h.now, &c.sid, "ok");
    assert_eq!(again.recv(&mut h), vec![text("ok")]);
    assert_eq!(events(&mut h), vec![opened("s1")]);
}

#[test]
fn anything_but_probe_or_upgrade_on_the_new_socket_aborts_the_upgrade() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let ws = c.open_upgrade(&mut h).unwrap();
    ws.send(&mut h, text("too early"));
    assert!(ws.is_closed(&h));
    let ws = c.open_upgrade(&mut h).unwrap();
    ws.send_frame(&mut h, WsFrame::Text(Str::from_static("zzz")));
    assert!(ws.is_closed(&h));
    assert_eq!(
        h.server.session(&c.sid).unwrap().transport(),
        TransportKind::Polling
    );
    assert_eq!(
        events(&mut h),
        vec![opened("s1")],
        "no message leaks from a probe socket"
    );
}

#[test]
fn closing_the_probe_socket_cancels_the_upgrade_only() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let ws = c.probe(&mut h);
    ws.close(&mut h);
    assert!(!h.server.session(&c.sid).unwrap().is_upgrading());
    let get = c.get(&mut h);
    assert!(
        h.is_pending(get),
        "GETs park again once the upgrade is gone"
    );
    assert_eq!(events(&mut h), vec![opened("s1")]);
}

#[test]
fn the_session_closing_mid_upgrade_closes_the_probe_socket() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let ws = c.open_upgrade(&mut h).unwrap();
    c.post(&mut h, &[Packet::Close]);
    assert!(ws.is_closed(&h));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportClose)]
    );
}

#[test]
fn aborted_upgrade_request_leaves_the_session_alone() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    // An upgrade request the adapter could not complete.
    let head = volley_protocol::engine::RequestHead::new(
        Method::Get,
        &format!("/socket.io/?EIO=4&transport=websocket&sid={}", c.sid),
    )
    .with_header("Connection", "Upgrade")
    .with_header("Upgrade", "websocket");
    let outcome = h.server.handle_request(
        h.now,
        volley_protocol::engine::ReqId(999),
        head,
        Bytes::new(),
    );
    assert!(matches!(
        outcome,
        volley_protocol::engine::RequestOutcome::UpgradeWebSocket
    ));
    h.abort(volley_protocol::engine::ReqId(999));
    assert!(!h.server.session(&c.sid).unwrap().is_upgrading());
    assert_eq!(events(&mut h), vec![opened("s1")]);
}
