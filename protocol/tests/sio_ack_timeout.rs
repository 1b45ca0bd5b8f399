//! Acknowledgements both ways: replies, timeouts on the timer table, unknown ids, and
//! broadcasts collecting one reply per target.

mod sio_common;

use sio_common::Harness;
use std::time::Duration;
use volley_protocol::server::{AckOutcome, BroadcastOptions, Event, Payload};

#[test]
fn emit_with_ack_times_out_as_an_outcome_event() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let id = h
        .layer
        .emit_with_ack(
            h.now,
            &a,
            Payload::new(r#"["ping"]"#),
            Some(Duration::from_secs(5)),
        )
        .unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec![format!(r#"2{id}["ping"]"#)]);
    assert_eq!(h.layer.poll_timeout(), Some(h.now + Duration::from_secs(5)));
    h.advance(Duration::from_millis(4999));
    assert!(h.take_events().is_empty());
    h.advance(Duration::from_millis(1));
    let events = h.take_events();
    assert!(matches!(
        &events[..],
        [Event::Ack { socket, id: got, outcome: AckOutcome::Timeout }] if *socket == a && *got == id
    ));
    // A late reply is ignored.
    h.send("A", &format!("3{id}[\"late\"]"));
    assert!(h.take_events().is_empty());
    assert!(h.closed.is_empty());
}

#[test]
fn a_reply_before_the_deadline_wins_and_cancels_the_timer() {
    let mut h = Harness::new();
    h.layer.add_namespace("/admin").unwrap();
    let a = h.connect("A", "/admin");
    let id = h
        .layer
        .emit_with_ack(
            h.now,
            &a,
            Payload::new(r#"["q"]"#),
            Some(Duration::from_secs(5)),
        )
        .unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec![format!(r#"2/admin,{id}["q"]"#)]);
    h.send("A", &format!("3/admin,{id}[\"yes\",2]"));
    let events = h.take_events();
    match &events[..] {
        [Event::Ack {
            outcome: AckOutcome::Reply(p),
            ..
        }] => assert_eq!(p.data, r#"["yes",2]"#),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(h.layer.poll_timeout(), None);
    h.advance(Duration::from_secs(10));
    assert!(h.take_events().is_empty());
}

#[test]
fn ack_ids_count_up_per_namespace_and_unknown_ids_are_ignored() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let b = h.connect("B", "/");
    let i0 = h
        .layer
        .emit_with_ack(h.now, &a, Payload::new("[\"x\"]"), None)
        .unwrap();
    let i1 = h
        .layer
        .emit_with_ack(h.now, &b, Payload::new("[\"x\"]"), None)
        .unwrap();
    assert_eq!((i0, i1), (0, 1));
    h.send("A", "399[]");
    assert!(h.take_events().is_empty());
    assert!(h.closed.is_empty());
}

#[test]
fn client_event_with_ack_id_is_answered_with_an_ack_packet() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    h.send("A", r#"212["question",{"n":1}]"#);
    let events = h.take_events();
    let ack = match &events[..] {
        [Event::Event { payload, ack, .. }] => {
            assert_eq!(payload.data, r#"["question",{"n":1}]"#);
            ack.unwrap()
        }
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(ack, 12);
    h.layer.ack(&a, ack, Payload::new(r#"["answer"]"#)).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec![r#"312["answer"]"#]);
}

#[test]
fn binary_ack_reply_carries_its_attachment() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let id = h
        .layer
        .emit_with_ack(h.now, &a, Payload::new("[\"f\"]"), None)
        .unwrap();
    h.pump();
    h.take("A");
    h.send("A", &format!(r#"61-{id}[{{"_placeholder":true,"num":0}}]"#));
    assert!(h.take_events().is_empty(), "waits for the attachment");
    h.send_binary("A", &[9, 9]);
    match &h.take_events()[..] {
        [Event::Ack {
            outcome: AckOutcome::Reply(p),
            ..
        }] => {
            assert_eq!(p.attachments, vec![bytes::Bytes::from_static(&[9, 9])]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn pending_acks_settle_as_disconnected_when_the_socket_goes() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    h.layer
        .emit_with_ack(
            h.now,
            &a,
            Payload::new("[\"x\"]"),
            Some(Duration::from_secs(1)),
        )
        .unwrap();
    h.send("A", "1");
    let events = h.take_events();
    assert!(matches!(
        events.last(),
        Some(Event::Ack {
            outcome: AckOutcome::Disconnected,
            ..
        })
    ));
    assert_eq!(h.layer.poll_timeout(), None, "its timer was removed");
}

#[test]
fn broadcast_with_ack_collects_one_reply_per_target_then_completes() {
    let mut h = Harness::new();
    let ids: Vec<_> = ["A", "B", "C"].iter().map(|s| h.connect(s, "/")).collect();
    let opts = BroadcastOptions::new().timeout(Duration::from_secs(3));
    let handle = h
        .layer
        .broadcast_with_ack(h.now, "/", &opts, Payload::new(r#"["vote"]"#))
        .unwrap();
    h.pump();
    assert_eq!(handle.local_expected, 3);
    let sent: Vec<_> = ["A", "B", "C"].iter().map(|s| h.take(s)).collect();
    assert!(
        sent.iter().all(|v| v == &sent[0]),
        "one encoding, one ack id: {sent:?}"
    );
    assert_eq!(sent[0], vec![r#"20["vote"]"#]);
    h.send("A", "30[1]");
    h.send("C", "30[3]");
    assert!(h.take_events().is_empty());
    h.send("B", "30[2]");
    match &h.take_events()[..] {
        [Event::BroadcastAck {
            id,
            replies,
            expected,
            timed_out,
        }] => {
            assert_eq!(*id, handle.id);
            assert_eq!(*expected, 3);
            assert!(!timed_out);
            let data: Vec<_> = replies.iter().map(|p| p.data.to_string()).collect();
            assert_eq!(data, vec!["[1]", "[3]", "[2]"]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(h.layer.poll_timeout(), None);
    for id in &ids {
        assert_eq!(h.layer.socket(id).unwrap().pending_acks(), 0);
    }
}

#[test]
fn broadcast_with_ack_times_out_with_the_replies_it_got() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let _b = h.connect("B", "/");
    let opts = BroadcastOptions::new().timeout(Duration::from_secs(2));
    h.layer
        .broadcast_with_ack(h.now, "/", &opts, Payload::new(r#"["vote"]"#))
        .unwrap();
    h.send("A", "30[\"a\"]");
    h.advance(Duration::from_secs(2));
    match &h.take_events()[..] {
        [Event::BroadcastAck {
            replies,
            expected: 2,
            timed_out: true,
            ..
        }] => {
            assert_eq!(replies.len(), 1)
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(h.layer.socket(&a).unwrap().pending_acks(), 0);
}

#[test]
fn broadcast_with_ack_to_nobody_completes_at_once_and_needs_a_timeout() {
    let mut h = Harness::new();
    let none = BroadcastOptions::new()
        .to("empty")
        .timeout(Duration::from_secs(1));
    let handle = h
        .layer
        .broadcast_with_ack(h.now, "/", &none, Payload::new("[\"x\"]"))
        .unwrap();
    h.pump();
    assert_eq!(handle.local_expected, 0);
    assert!(matches!(
        &h.take_events()[..],
        [Event::BroadcastAck {
            expected: 0,
            timed_out: false,
            ..
        }]
    ));
    assert!(h
        .layer
        .broadcast_with_ack(
            h.now,
            "/",
            &BroadcastOptions::new(),
            Payload::new("[\"x\"]")
        )
        .is_err());
}
