//! Heartbeat: pings every pingInterval from the handshake on, pongs within pingTimeout.

mod support;

use std::time::Duration;
use support::*;
use volley_protocol::engine::{CloseReason, EngineConfig};
use volley_protocol::testing::{PollingClient, WsClient};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn a_polling_client_that_never_polls_is_gone_after_interval_plus_timeout() {
    let mut h = harness(fast_config());
    let _c = PollingClient::connect(&mut h);
    h.advance(ms(499));
    assert_eq!(events(&mut h), vec![opened("s1")]);
    h.advance(ms(1));
    assert_eq!(events(&mut h), vec![closed("s1", CloseReason::PingTimeout)]);
    assert_eq!(h.server.session_count(), 0);
    assert_eq!(h.server.poll_timeout(), None);
}

#[test]
fn the_first_ping_goes_out_at_ping_interval_not_before() {
    let mut h = harness(fast_config());
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    h.advance(ms(299));
    assert!(h.is_pending(get));
    h.advance(ms(1));
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![ping()]);
}

#[test]
fn answering_pongs_keeps_the_session_alive_indefinitely() {
    let mut h = harness(fast_config());
    let c = PollingClient::connect(&mut h);
    for round in 0..10 {
        let get = c.get(&mut h);
        let moved = h.advance_to_next_timeout().expect("a ping deadline");
        assert_eq!(moved, ms(300), "round {round}");
        assert_eq!(PollingClient::packets_of(&mut h, get), vec![ping()]);
        h.advance(ms(50));
        assert_eq!(body(&c.post(&mut h, &[pong()])), "ok");
    }
    assert_eq!(events(&mut h), vec![opened("s1")]);
    // The next ping is pingInterval after the last pong.
    let get = c.get(&mut h);
    h.advance(ms(299));
    assert!(h.is_pending(get));
    h.advance(ms(1));
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![ping()]);
}

#[test]
fn a_missing_pong_times_out_and_a_parked_get_learns_with_close() {
    let mut h = harness(fast_config());
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    h.advance(ms(300));
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![ping()]);
    let get = c.get(&mut h);
    h.advance(ms(199));
    assert!(h.is_pending(get));
    h.advance(ms(1));
    assert_eq!(
        PollingClient::packets_of(&mut h, get),
        vec![volley_protocol::engine::Packet::Close]
    );
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::PingTimeout)]
    );
}

#[test]
fn websocket_sessions_ping_and_time_out_the_same_way() {
    let mut h = harness(fast_config());
    let (ws, _) = WsClient::connect(&mut h);
    h.advance(ms(300));
    assert_eq!(ws.recv(&mut h), vec![ping()]);
    ws.send(&mut h, pong());
    h.advance(ms(300));
    assert_eq!(ws.recv(&mut h), vec![ping()]);
    h.advance(ms(200));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::PingTimeout)]
    );
    assert!(ws.is_closed(&h));
}

#[test]
fn many_sessions_time_out_in_deadline_order() {
    let mut h = harness(fast_config());
    let _a = PollingClient::connect(&mut h);
    h.advance(ms(100));
    let _b = PollingClient::connect(&mut h);
    h.advance(ms(100));
    let _c = PollingClient::connect(&mut h);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), opened("s2"), opened("s3")]
    );
    h.advance(ms(300));
    assert_eq!(events(&mut h), vec![closed("s1", CloseReason::PingTimeout)]);
    h.advance(ms(100));
    assert_eq!(events(&mut h), vec![closed("s2", CloseReason::PingTimeout)]);
    h.advance(ms(100));
    assert_eq!(events(&mut h), vec![closed("s3", CloseReason::PingTimeout)]);
    assert_eq!(h.elapsed(), ms(700));
}

#[test]
fn handshake_advertises_the_configured_heartbeat() {
    let mut h = harness(
        EngineConfig::default()
            .ping_interval(ms(1234))
            .ping_timeout(ms(567))
            .max_payload(42),
    );
    let c = PollingClient::connect(&mut h);
    assert_eq!(c.handshake.ping_interval, ms(1234));
    assert_eq!(c.handshake.ping_timeout, ms(567));
    assert_eq!(c.handshake.max_payload, 42);
}

#[test]
fn traffic_while_a_pong_is_late_extends_the_deadline_once_per_ping() {
    let mut h = harness(fast_config());
    let (ws, _) = WsClient::connect(&mut h);
    h.advance(ms(300));
    assert_eq!(ws.recv(&mut h), vec![ping()]);
    h.advance(ms(150));
    ws.send(&mut h, text("busy"));
    // The deadline moved from 500 ms to 650 ms; a second message does not move it again.
    h.advance(ms(100));
    ws.send(&mut h, text("still busy"));
    h.advance(ms(99));
    assert_eq!(
        events(&mut h),
        vec![
            opened("s1"),
            message("s1", "busy"),
            message("s1", "still busy")
        ]
    );
    h.advance(ms(1));
    assert_eq!(events(&mut h), vec![closed("s1", CloseReason::PingTimeout)]);
}

#[test]
fn traffic_before_any_ping_changes_nothing() {
    let mut h = harness(fast_config());
    let c = PollingClient::connect(&mut h);
    h.advance(ms(100));
    c.post(&mut h, &[text("early")]);
    h.advance(ms(399));
    assert_eq!(events(&mut h), vec![opened("s1"), message("s1", "early")]);
    h.advance(ms(1));
    assert_eq!(events(&mut h), vec![closed("s1", CloseReason::PingTimeout)]);
}

#[test]
fn a_ping_sent_late_still_gets_the_whole_ping_timeout() {
    let mut h = harness(fast_config());
    let (ws, _) = WsClient::connect(&mut h);
    // The timer task runs 250 ms after the ping was due (more than pingTimeout late).
    h.advance_late(ms(550));
    assert_eq!(ws.recv(&mut h), vec![ping()]);
    assert_eq!(events(&mut h), vec![opened("s1")]);
    assert!(!ws.is_closed(&h));
    // The pong may take pingTimeout from when the ping was sent.
    h.advance(ms(199));
    ws.send(&mut h, pong());
    h.advance(ms(300));
    assert_eq!(ws.recv(&mut h), vec![ping()]);
    assert_eq!(events(&mut h), vec![]);
}

#[test]
fn a_late_ping_times_out_ping_timeout_after_it_was_sent() {
    let mut h = harness(fast_config());
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    h.advance_late(ms(400));
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![ping()]);
    h.advance(ms(199));
    assert_eq!(events(&mut h), vec![opened("s1")]);
    h.advance(ms(1));
    assert_eq!(events(&mut h), vec![closed("s1", CloseReason::PingTimeout)]);
}
