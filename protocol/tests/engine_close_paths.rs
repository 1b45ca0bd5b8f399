//! Closing from the server side: forced close, shutdown, and what each transport sees.

mod support;

use std::time::Duration;
use support::*;
use volley_protocol::engine::{CloseReason, EngineConfig, Packet, SendOutcome};
use volley_protocol::testing::{PollingClient, WsClient};

#[test]
fn forced_close_answers_a_parked_get_with_close() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    assert!(h.server.close(h.now, &c.sid));
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Close]);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ForcedClose)]
    );
    assert_eq!(h.server.session_count(), 0);
    assert!(!h.server.close(h.now, &c.sid), "closing twice is a no-op");
}

#[test]
fn forced_close_delivers_queued_packets_then_close_on_the_next_get() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    h.server.send(h.now, &c.sid, "last words");
    h.server.close(h.now, &c.sid);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ForcedClose)]
    );
    assert_eq!(
        h.server.send(h.now, &c.sid, "too late"),
        SendOutcome::NoSession
    );
    assert!(h.server.session(&c.sid).is_none());
    assert_eq!(c.poll(&mut h), vec![text("last words")]);
    assert_eq!(c.poll(&mut h), vec![Packet::Noop, Packet::Close]);
    let get = c.get(&mut h);
    assert_eq!(
        body(&h.expect_response(get)),
        r#"{"code":1,"message":"Session ID unknown"}"#
    );
}

#[test]
fn forced_close_answers_a_parked_get_with_what_was_queued_and_the_next_with_close() {
    // As the reference: never the last messages and the close packet in one body.
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    h.server.send(h.now, &c.sid, "41");
    h.server.close(h.now, &c.sid);
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![text("41")]);
    assert_eq!(c.poll(&mut h), vec![Packet::Noop, Packet::Close]);
    let get = c.get(&mut h);
    assert_eq!(h.expect_response(get).status, 400);
}

#[test]
fn forced_close_with_nothing_queued_is_noop_then_close() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    h.server.close(h.now, &c.sid);
    // POSTs to the closing session are acknowledged and ignored.
    assert_eq!(body(&c.post(&mut h, &[text("ignored")])), "ok");
    assert_eq!(c.poll(&mut h), vec![Packet::Noop, Packet::Close]);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ForcedClose)]
    );
}

#[test]
fn a_closed_polling_session_that_never_polls_again_is_forgotten_after_the_linger() {
    let mut h = harness(EngineConfig::default().close_linger(Duration::from_secs(5)));
    let c = PollingClient::connect(&mut h);
    h.server.close(h.now, &c.sid);
    assert_eq!(h.server.session_count(), 1);
    h.advance(Duration::from_secs(5));
    assert_eq!(h.server.session_count(), 0);
    assert_eq!(h.server.poll_timeout(), None);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ForcedClose)]
    );
}

#[test]
fn forced_close_on_websocket_drains_then_closes_the_socket() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    h.server.send(h.now, &ws.sid, "bye");
    h.server.close(h.now, &ws.sid);
    assert_eq!(ws.recv(&mut h), vec![text("bye")]);
    assert!(ws.is_closed(&h));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ForcedClose)]
    );
    assert_eq!(h.server.session_count(), 0);
}

#[test]
fn shutdown_closes_every_session_with_its_reason() {
    let mut h = default_harness();
    let p = PollingClient::connect(&mut h);
    let get = p.get(&mut h);
    let (ws, _) = WsClient::connect(&mut h);
    h.server.close_all(h.now);
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Close]);
    assert!(ws.is_closed(&h));
    let mut evs = events(&mut h);
    evs.sort_by_key(|e| format!("{e:?}"));
    assert_eq!(
        evs,
        vec![
            closed("s1", CloseReason::ServerShuttingDown),
            closed("s2", CloseReason::ServerShuttingDown),
            opened("s1"),
            opened("s2"),
        ]
    );
    assert_eq!(h.server.session_count(), 0);
}

#[test]
fn reason_strings_are_the_reference_ones() {
    let all = [
        (CloseReason::TransportClose, "transport close"),
        (CloseReason::TransportError, "transport error"),
        (CloseReason::PingTimeout, "ping timeout"),
        (CloseReason::ParseError, "parse error"),
        (CloseReason::ForcedClose, "forced close"),
        (CloseReason::ServerShuttingDown, "server shutting down"),
        (CloseReason::BufferFull, "buffer full"),
    ];
    for (r, s) in all {
        assert_eq!(r.as_str(), s);
        assert_eq!(r.to_string(), s);
    }
}
