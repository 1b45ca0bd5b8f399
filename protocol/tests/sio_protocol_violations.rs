//! Protocol violations close only the offending client (PROTOCOL.md list); a numeric event
//! name is accepted and an ACK with an unknown id is ignored.

mod sio_common;

use sio_common::{disconnects, Harness};
use volley_protocol::server::Event;

/// Connects a bystander `B` and the offender `A` on `/`, sends `packet` from `A`, and
/// returns the disconnect reason `A`'s socket got.
fn violation(packet: &str) -> &'static str {
    let mut h = Harness::new();
    let b = h.connect("B", "/");
    let a = h.connect("A", "/");
    h.take_events();
    h.send("A", packet);
    assert_eq!(h.closed, vec!["A"], "packet {packet:?} must close A");
    let events = h.take_events();
    let reasons = disconnects(&events);
    assert_eq!(reasons.len(), 1, "{packet:?}: {events:?}");
    assert_eq!(reasons[0].0, a.to_string());
    // The bystander is untouched and still served.
    h.emit(&b, "[\"still\"]");
    assert_eq!(h.take("B"), vec!["2[\"still\"]"]);
    assert!(h.take("A").is_empty());
    reasons[0].1
}

#[test]
fn undecodable_packets_close_the_client_with_forced_close() {
    for packet in [
        "9",                 // unknown type
        "2{\"a\":1}",        // EVENT payload not an array
        "2[]",               // EVENT payload empty
        "2\"x\"",            // EVENT payload a string
        "2abc[\"x\"]",       // ack id not digits
        "0\"str\"",          // CONNECT payload not an object
        "2[\"disconnect\"]", // reserved event names
        "2[\"connect\"]",
        "2[\"connect_error\"]",
        "2[\"disconnecting\"]",
        "2[\"newListener\"]",
        "2[\"removeListener\"]",
        "2[{\"x\":1}]", // name neither string nor number
        "",
    ] {
        assert_eq!(violation(packet), "forced close", "packet {packet:?}");
    }
}

#[test]
fn invalid_state_closes_the_client_with_forced_server_close() {
    for packet in [
        "4{\"message\":\"x\"}", // client-sent CONNECT_ERROR
        "2/admin,[\"x\"]",      // EVENT to a namespace not joined
        "0",                    // CONNECT to a namespace already joined
        "3/other,1[]",          // ACK to a namespace not joined
    ] {
        assert_eq!(
            violation(packet),
            "forced server close",
            "packet {packet:?}"
        );
    }
}

#[test]
fn binary_out_of_sequence_is_a_violation() {
    let mut h = Harness::new();
    h.connect("A", "/");
    h.send_binary("A", &[1]);
    assert_eq!(h.closed, vec!["A"]);
}

#[test]
fn numeric_event_names_are_accepted_and_unknown_ack_ids_ignored() {
    let mut h = Harness::new();
    h.connect("A", "/");
    h.send("A", "2[42,\"x\"]");
    h.send("A", "3123[\"nobody asked\"]");
    let events = h.take_events();
    assert!(matches!(&events[..], [Event::Event { payload, .. }] if payload.data == "[42,\"x\"]"));
    assert!(h.closed.is_empty());
}

#[test]
fn packets_from_one_client_reach_the_app_in_order() {
    let mut h = Harness::new();
    h.layer.add_namespace("/b").unwrap();
    h.connect("A", "/");
    h.connect("A", "/b");
    h.send("A", "2[\"one\"]");
    h.send("A", r#"51-/b,["two",{"_placeholder":true,"num":0}]"#);
    h.send_binary("A", &[2]);
    h.send("A", "2[\"three\"]");
    h.send("A", "2/b,[\"four\"]");
    let names: Vec<String> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Event { payload, .. } => Some(payload.data.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        vec![
            "[\"one\"]",
            r#"["two",{"_placeholder":true,"num":0}]"#,
            "[\"three\"]",
            "[\"four\"]"
        ]
    );
}
