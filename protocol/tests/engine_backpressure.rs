//! Bounded outgoing buffers: byte counts, volatile messages dropped first, slow clients closed.

mod support;

use bytes::Bytes;
use support::*;
use volley_protocol::engine::{
    BufferLimit, CloseReason, EngineConfig, OutMessage, Packet, SendOptions, SendOutcome,
};
use volley_protocol::testing::{PollingClient, WsClient};
use volley_protocol::Str;

const VOLATILE: SendOptions = SendOptions { volatile: true };

fn bounded(limit: usize) -> EngineConfig {
    EngineConfig::default().max_buffer(Some(limit))
}

#[test]
fn buffered_bytes_count_what_waits_for_the_client() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    // The harness drains WebSockets as soon as they are ready; look before pumping.
    h.server.send(h.now, &ws.sid, "abc");
    h.server.send(
        h.now,
        &ws.sid,
        OutMessage::binary(Bytes::from_static(&[0; 10])),
    );
    assert_eq!(h.server.session(&ws.sid).unwrap().buffered_bytes(), 4 + 10);
    ws.recv(&mut h);
    assert_eq!(h.server.session(&ws.sid).unwrap().buffered_bytes(), 0);
}

#[test]
fn a_slow_client_is_closed_when_its_buffer_is_full() {
    let mut h = harness(bounded(20));
    let c = PollingClient::connect(&mut h);
    let ten = OutMessage::text("123456789");
    assert_eq!(
        h.server.send(h.now, &c.sid, ten.clone()),
        SendOutcome::Queued
    );
    assert_eq!(
        h.server.send(h.now, &c.sid, ten.clone()),
        SendOutcome::Queued
    );
    assert_eq!(h.server.send(h.now, &c.sid, ten), SendOutcome::Overflowed);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::BufferFull)]
    );
    let get = c.get(&mut h);
    assert_eq!(h.expect_response(get).status, 400);
}

#[test]
fn a_volatile_message_reaches_a_polling_client_with_a_parked_get() {
    let mut h = harness(bounded(20));
    let c = PollingClient::connect(&mut h);
    let get = c.get(&mut h);
    // With a GET parked, volatile messages are writable and get queued.
    assert_eq!(
        h.server
            .send_with(h.now, &c.sid, &[OutMessage::text("v1")], VOLATILE),
        SendOutcome::Queued
    );
    assert_eq!(PollingClient::packets_of(&mut h, get), vec![text("v1")]);
}

#[test]
fn a_volatile_message_to_a_polling_client_without_a_parked_get_is_dropped() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    assert_eq!(
        h.server
            .send_with(h.now, &c.sid, &[OutMessage::text("v")], VOLATILE),
        SendOutcome::Dropped
    );
    assert_eq!(h.server.send(h.now, &c.sid, "kept"), SendOutcome::Queued);
    assert_eq!(c.poll(&mut h), vec![text("kept")]);
}

#[test]
fn on_a_full_websocket_volatile_groups_go_first_and_whole() {
    let mut h = harness(bounded(12));
    let (ws, _) = WsClient::connect(&mut h);
    // Fill without letting the harness drain in between.
    let now = h.now;
    let s = &ws.sid;
    assert_eq!(h.server.send(now, s, "aa"), SendOutcome::Queued); // 3 bytes
    let group = [OutMessage::text("v1"), OutMessage::text("v2")]; // 6 bytes, volatile
    assert_eq!(
        h.server.send_with(now, s, &group, VOLATILE),
        SendOutcome::Queued
    );
    assert_eq!(
        h.server
            .send_with(now, s, &[OutMessage::text("w")], VOLATILE),
        SendOutcome::Queued
    ); // 2
    assert_eq!(h.server.session(s).unwrap().buffered_bytes(), 11);
    // A volatile message that does not fit is itself dropped.
    assert_eq!(
        h.server
            .send_with(now, s, &[OutMessage::text("x")], VOLATILE),
        SendOutcome::Dropped
    );
    // A regular one evicts the oldest volatile group (both of its messages).
    assert_eq!(h.server.send(now, s, "bbb"), SendOutcome::Queued);
    assert_eq!(ws.recv(&mut h), vec![text("aa"), text("w"), text("bbb")]);
    assert_eq!(events(&mut h), vec![opened("s1")]);
}

#[test]
fn overflow_of_one_client_leaves_the_others_alone() {
    let mut h = harness(bounded(10));
    let (fast, _) = WsClient::connect(&mut h);
    let slow = PollingClient::connect(&mut h);
    let msg = [OutMessage::text("12345")];
    let sids = [fast.sid.clone(), slow.sid.clone()];
    for _ in 0..3 {
        h.server.send_many(
            h.now,
            sids.iter().map(|s| s.as_str()),
            &msg,
            SendOptions::default(),
        );
        // The WebSocket client keeps up; the polling one never polls.
        assert_eq!(fast.recv(&mut h), vec![text("12345")]);
    }
    assert_eq!(
        events(&mut h),
        vec![
            opened("s1"),
            opened("s2"),
            closed("s2", CloseReason::BufferFull)
        ]
    );
    assert!(h.server.session(&fast.sid).is_some());
}

#[test]
fn send_many_shares_one_encoding_between_sessions() {
    let mut h = default_harness();
    let a = PollingClient::connect(&mut h);
    let b = PollingClient::connect(&mut h);
    let msg = OutMessage::from_encoded_text(Str::from("4shared")).unwrap();
    let n = h.server.send_many(
        h.now,
        [a.sid.as_str(), b.sid.as_str(), "nobody"],
        &[msg],
        SendOptions::default(),
    );
    assert_eq!(n, 2);
    assert_eq!(a.poll(&mut h), vec![text("shared")]);
    assert_eq!(b.poll(&mut h), vec![text("shared")]);
    assert!(OutMessage::from_encoded_text(Str::from("2ping")).is_none());
}

#[test]
fn groups_are_delivered_together_in_one_poll() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let group = [
        OutMessage::text("51-[\"e\",{\"_placeholder\":true,\"num\":0}]"),
        OutMessage::binary(Bytes::from_static(&[1])),
    ];
    h.server
        .send_with(h.now, &c.sid, &group, SendOptions::default());
    assert_eq!(
        c.poll(&mut h),
        vec![
            text("51-[\"e\",{\"_placeholder\":true,\"num\":0}]"),
            Packet::Message(volley_protocol::engine::Message::Binary(
                Bytes::from_static(&[1])
            ))
        ]
    );
}

#[test]
fn a_flood_of_empty_messages_is_bounded_in_number_not_only_in_bytes() {
    // Empty binary messages count 0 bytes: were only bytes counted, a client that never polls
    // could be sent them without end (each still holds memory on the server).
    let limit = 64 * 1024;
    let mut h = harness(bounded(limit));
    let c = PollingClient::connect(&mut h);
    let empty = OutMessage::binary(Bytes::new());
    let mut queued = 0;
    let outcome = loop {
        match h.server.send(h.now, &c.sid, empty.clone()) {
            SendOutcome::Queued if queued < 1_000_000 => queued += 1,
            other => break other,
        }
    };
    assert_eq!(outcome, SendOutcome::Overflowed, "{queued} queued");
    assert!(
        queued <= BufferLimit::max_items(limit, 64),
        "{queued} queued"
    );
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::BufferFull)]
    );
}

#[test]
fn volatile_messages_make_room_by_number_too() {
    let mut h = harness(bounded(64 * 1024));
    let (ws, _) = WsClient::connect(&mut h);
    let empty = [OutMessage::binary(Bytes::new())];
    let outcomes: Vec<SendOutcome> = (0..5000)
        .map(|_| h.server.send_with(h.now, &ws.sid, &empty, VOLATILE))
        .collect();
    let queued = outcomes
        .iter()
        .filter(|o| **o == SendOutcome::Queued)
        .count();
    assert!(queued < 5000, "every volatile message was kept");
    assert_eq!(outcomes.last(), Some(&SendOutcome::Dropped));
    // A message that must arrive makes room by dropping the oldest volatile one.
    let kept = OutMessage::text("kept");
    assert_eq!(h.server.send(h.now, &ws.sid, kept), SendOutcome::Queued);
    let got = ws.recv(&mut h);
    assert_eq!(got.len(), queued);
    assert_eq!(got.last(), Some(&text("kept")));
    assert!(h.server.session(&ws.sid).is_some());
}
