//! One polling POST at a time per session, as the reference enforces it: a POST whose body is
//! still arriving is in flight; a second POST meanwhile gets a bare `400`, the session closes
//! with `transport error` and the first POST is ended too. A POST whose connection goes away
//! before its body is complete closes the session the same way.

mod sio_common;
mod support;

use bytes::Bytes;
use sio_common::stack::{polling_socket, stack};
use support::*;
use volley_protocol::engine::{CloseReason, EngineConfig, Method, Packet, RequestHead};
use volley_protocol::server::{Event, SocketConfig};
use volley_protocol::testing::PollingClient;

#[test]
fn a_second_post_while_a_body_is_in_flight_gets_a_bare_400_and_closes_the_session() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let first = c.post_head(&mut h);
    assert!(h.is_pending(first), "the first POST waits for its body");
    let second = c.post_body(&mut h, "4second");
    assert_eq!((second.status, body(&second)), (400, ""));
    assert_eq!(second.header("content-type"), None);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportError)]
    );
    // The first POST is ended with the session: answered at once, its body no longer wanted.
    assert_eq!(h.expect_response(first).status, 400);
    assert!(!h.request_body(first, Some(Bytes::from_static(b"4first"))));
    assert!(events(&mut h).is_empty(), "neither body reaches the app");
    assert!(session_is_gone(&mut h, &c));
}

#[test]
fn a_parked_get_learns_of_the_overlap_with_a_close_packet() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    let _first = c.post_head(&mut h);
    assert_eq!(c.post_body(&mut h, "4x").status, 400);
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Close]);
}

#[test]
fn posts_one_after_another_are_not_an_overlap() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let first = c.post_head(&mut h);
    assert!(h.request_body(first, Some(Bytes::from_static(b"4one"))));
    assert_eq!(body(&h.expect_response(first)), "ok");
    let second = c.post_head(&mut h);
    assert!(h.request_body(second, Some(Bytes::from_static(b"4two"))));
    assert_eq!(body(&h.expect_response(second)), "ok");
    assert_eq!(body(&c.post_body(&mut h, "4three")), "ok");
    assert_eq!(
        events(&mut h),
        vec![
            opened("s1"),
            message("s1", "one"),
            message("s1", "two"),
            message("s1", "three")
        ]
    );
}

#[test]
fn an_overlap_on_one_session_leaves_the_others_alone() {
    let mut h = default_harness();
    let a = PollingClient::connect(&mut h);
    let b = PollingClient::connect(&mut h);
    let b_post = b.post_head(&mut h);
    let _a_first = a.post_head(&mut h);
    assert_eq!(a.post_body(&mut h, "4x").status, 400);
    assert!(h.request_body(b_post, Some(Bytes::from_static(b"4still here"))));
    assert_eq!(body(&h.expect_response(b_post)), "ok");
    assert_eq!(
        events(&mut h),
        vec![
            opened("s1"),
            opened("s2"),
            closed("s1", CloseReason::TransportError),
            message("s2", "still here")
        ]
    );
    h.server.send(h.now, &b.sid, "reply");
    assert_eq!(b.poll(&mut h), vec![text("reply")]);
}

#[test]
fn a_post_whose_client_goes_away_before_the_body_closes_the_session() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    let post = c.post_head(&mut h);
    h.abort(post);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportError)]
    );
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![Packet::Close]);
    assert!(h.response(post).is_none(), "nobody is left to answer");
}

#[test]
fn a_body_over_max_payload_gets_413_and_frees_the_session_for_the_next_post() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let big = c.post_head(&mut h);
    assert!(h.request_body(big, None));
    let r = h.expect_response(big);
    assert_eq!((r.status, body(&r)), (413, ""));
    assert_eq!(body(&c.post_body(&mut h, "4after")), "ok");
    assert_eq!(events(&mut h), vec![opened("s1"), message("s1", "after")]);
}

#[test]
fn closing_a_session_ends_its_post_in_flight() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let post = c.post_head(&mut h);
    h.server.close_all(h.now);
    assert_eq!(h.expect_response(post).status, 400);
    assert!(!h.request_body(post, Some(Bytes::from_static(b"4late"))));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ServerShuttingDown)]
    );
}

#[test]
fn a_request_head_that_is_not_a_post_is_decided_at_once() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let head = RequestHead::new(Method::Get, &format!("/socket.io/?{}", c.query()));
    let get = h.request_head(head);
    assert!(h.is_pending(get), "a long-poll parks as usual");
    let unknown = RequestHead::new(Method::Post, "/socket.io/?EIO=4&transport=polling&sid=nope");
    let post = h.request_head(unknown);
    assert_eq!(body(&h.expect_response(post)), UNKNOWN_SID);
}

#[test]
fn socket_io_reports_an_overlapping_post_as_a_transport_error() {
    let mut h = stack(EngineConfig::default(), SocketConfig::default());
    let (c, id) = polling_socket(&mut h);
    let (other, other_id) = polling_socket(&mut h);
    h.take_events();
    let _first = c.post_head(&mut h);
    assert_eq!(c.post_body(&mut h, "42[\"x\"]").status, 400);
    let disconnects: Vec<(String, &str)> = h
        .take_events()
        .iter()
        .filter_map(|e| match e {
            Event::Disconnect { socket, reason, .. } => Some((socket.to_string(), reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(disconnects, vec![(id, "transport error")]);
    assert!(h.server.socket(&other_id).is_some());
    assert_eq!(other.post_body(&mut h, "42[\"y\"]").status, 200);
}
