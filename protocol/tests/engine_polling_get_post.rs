//! Long-polling: parked GETs, POSTed packets, batching, and the polling failure modes.

mod support;

use bytes::Bytes;
use support::*;
use volley_protocol::engine::{CloseReason, EngineEvent, Method, OutMessage, Packet};
use volley_protocol::testing::PollingClient;

#[test]
fn a_get_with_nothing_queued_parks_until_data_is_sent() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    assert!(h.is_pending(get));
    assert_eq!(
        h.server.send(h.now, &c.sid, "hello"),
        volley_protocol::engine::SendOutcome::Queued
    );
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![text("hello")]);
}

#[test]
fn every_queued_packet_goes_out_in_one_get() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    h.server.send(h.now, &c.sid, "a");
    h.server.send(
        h.now,
        &c.sid,
        OutMessage::binary(Bytes::from_static(&[1, 2, 3])),
    );
    h.server.send(h.now, &c.sid, "c");
    let get = c.get(&mut h);
    let r = h.expect_response(get);
    assert_eq!(body(&r), "4a\u{1e}bAQID\u{1e}4c");
    assert_eq!(
        r.header("content-type").unwrap(),
        "text/plain; charset=UTF-8"
    );
}

#[test]
fn posted_packets_become_ordered_events_and_the_post_is_answered_ok() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let r = c.post(&mut h, &[text("one"), binary(&[9, 8]), text("two")]);
    assert_eq!((r.status, body(&r)), (200, "ok"));
    assert_eq!(r.header("content-type").unwrap(), "text/html");
    let evs = h.take_events();
    let msgs: Vec<_> = evs
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::Message { msg, .. } => Some(Packet::Message(msg)),
            _ => None,
        })
        .collect();
    assert_eq!(msgs, vec![text("one"), binary(&[9, 8]), text("two")]);
}

#[test]
fn replies_the_app_makes_to_a_post_all_arrive_in_the_next_get() {
    let mut h = default_harness();
    h.set_app(|server, now, ev| {
        if let EngineEvent::Message { sid, msg } = ev {
            server.send(now, sid, msg.clone());
        }
    });
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    c.post(&mut h, &[text("x"), text("y")]);
    assert_eq!(
        PollingClient::packets_of(&mut h, get),
        vec![text("x"), text("y")]
    );
}

#[test]
fn two_concurrent_gets_close_the_session() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let first = c.get(&mut h);
    let second = c.get(&mut h);
    assert_eq!(
        PollingClient::packets_of(&mut h, first),
        vec![Packet::Close]
    );
    // The reference's bare 400: no body, no Content-Type.
    let r = h.expect_response(second);
    assert_eq!((r.status, body(&r)), (400, ""));
    assert_eq!(r.header("content-type"), None);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportError)]
    );
    assert!(session_is_gone(&mut h, &c));
}

#[test]
fn aborting_a_parked_get_closes_the_session() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    h.abort(get);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportError)]
    );
    assert!(
        h.response(get).is_none(),
        "an aborted request gets no response"
    );
    assert_eq!(h.server.session_count(), 0);
}

#[test]
fn an_undecodable_post_closes_the_session_and_later_requests_are_unknown() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    let r = c.post_body(&mut h, "abc");
    // The reference answers `200 ok` (checked in interop/js/bad-input.test.mjs against both).
    assert_eq!((r.status, body(&r)), (200, "ok"));
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Close]);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ParseError)]
    );
    let r = c.post(&mut h, &[text("late")]);
    assert_eq!(
        (r.status, body(&r)),
        (400, r#"{"code":1,"message":"Session ID unknown"}"#)
    );
}

#[test]
fn client_close_while_a_get_is_parked_answers_it_with_noop() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    let r = c.post(&mut h, &[Packet::Close]);
    assert_eq!((r.status, body(&r)), (200, "ok"));
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Noop]);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportClose)]
    );
    assert_eq!(h.server.session_count(), 0);
}

#[test]
fn a_ping_from_the_client_is_a_transport_error_in_v4() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    c.post(&mut h, &[ping()]);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportError)]
    );
}

#[test]
fn packets_after_a_close_in_the_same_post_are_ignored() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    c.post(&mut h, &[text("before"), Packet::Close, text("after")]);
    assert_eq!(
        events(&mut h),
        vec![
            opened("s1"),
            message("s1", "before"),
            closed("s1", CloseReason::TransportClose)
        ]
    );
}

#[test]
fn unsupported_methods_on_a_session_are_500() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let req = h.request_to(Method::Put, &c.query(), Bytes::new());
    assert_eq!(h.expect_response(req).status, 500);
    assert!(h.server.session(&c.sid).is_some());
}

#[test]
fn polling_responses_are_not_cacheable() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let post = c.post(&mut h, &[text("x")]);
    assert_eq!(post.header("cache-control").unwrap(), "no-store");
    h.server.send(h.now, &c.sid, "y");
    let get = c.get(&mut h);
    assert_eq!(
        h.expect_response(get).header("cache-control").unwrap(),
        "no-store"
    );
}

#[test]
fn a_binary_post_body_is_a_transport_error_in_v4() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let head = volley_protocol::engine::RequestHead::new(
        Method::Post,
        &format!("/socket.io/?{}", c.query()),
    )
    .with_header("Content-Type", "application/octet-stream");
    let req = h.request(head, Bytes::from_static(b"4hi"));
    let r = h.expect_response(req);
    assert_eq!((r.status, body(&r)), (400, ""));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportError)]
    );
}

#[test]
fn invalid_utf8_in_a_post_is_replaced_like_the_reference_does() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let r = c.post_body(&mut h, Bytes::from_static(b"4a\xffb"));
    assert_eq!(body(&r), "ok");
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), message("s1", "a\u{fffd}b")]
    );
}

#[test]
fn packets_before_an_undecodable_one_are_still_delivered() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let r = c.post_body(&mut h, "4one\u{1e}4two\u{1e}zzz\u{1e}4three");
    assert_eq!(r.status, 200);
    assert_eq!(
        events(&mut h),
        vec![
            opened("s1"),
            message("s1", "one"),
            message("s1", "two"),
            closed("s1", CloseReason::ParseError)
        ]
    );
}
