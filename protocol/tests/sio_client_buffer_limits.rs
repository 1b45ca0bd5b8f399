//! What one client can make the server hold is bounded by default: a binary packet whose
//! attachments add up to more than the buffer limit closes that client (the reference's
//! `forced close` for a malformed packet), while a packet within the limit is delivered and
//! other clients are untouched. The default limit is generous enough for large payloads.

mod sio_common;

use bytes::Bytes;
use sio_common::stack::{polling_socket, sio_texts, stack, text, ws_socket};
use volley_protocol::engine::{EngineConfig, Message, Packet};
use volley_protocol::server::{Event, Payload, SocketConfig};

fn binary(len: usize) -> Packet {
    Packet::Message(Message::Binary(Bytes::from(vec![7u8; len])))
}

fn placeholders(n: usize) -> String {
    (0..n)
        .map(|i| format!(r#"{{"_placeholder":true,"num":{i}}}"#))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn attachments_over_the_limit_close_only_that_client() {
    let mut h = stack(
        EngineConfig::default().max_buffer(Some(1000)),
        SocketConfig::new(),
    );
    let (greedy, greedy_id) = ws_socket(&mut h);
    let (other, other_id) = ws_socket(&mut h);
    h.take_events();

    // Within the limit: delivered.
    greedy.send(&mut h, text(&format!(r#"52-["up",{}]"#, placeholders(2))));
    greedy.send(&mut h, binary(400));
    greedy.send(&mut h, binary(600));
    let events = h.take_events();
    assert!(
        matches!(&events[..], [Event::Event { socket, payload, .. }]
            if *socket == greedy_id.as_str() && payload.attachments.len() == 2),
        "{events:?}"
    );

    // Announces three; the second already goes over 1000 bytes.
    greedy.send(&mut h, text(&format!(r#"53-["up",{}]"#, placeholders(3))));
    greedy.send(&mut h, binary(600));
    assert!(h.take_events().is_empty());
    greedy.send(&mut h, binary(401));
    let events = h.take_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Disconnect { socket, reason, .. }
            if *socket == greedy_id.as_str() && reason.as_str() == "forced close")),
        "{events:?}"
    );
    assert!(greedy.is_closed(&h));
    assert!(h.server.socket(&greedy_id).is_none());

    // The other client is untouched.
    h.server
        .emit(&other_id, Payload::new(r#"["still","here"]"#))
        .unwrap();
    h.pump();
    assert_eq!(sio_texts(other.recv(&mut h)), vec![r#"2["still","here"]"#]);
}

#[test]
fn a_bare_layer_setting_wins_over_the_engine_limit() {
    let mut h = stack(
        EngineConfig::default().max_buffer(Some(100)),
        SocketConfig::new().max_attachment_bytes(Some(10_000)),
    );
    let (c, id) = ws_socket(&mut h);
    h.take_events();
    c.send(&mut h, text(&format!(r#"51-["up",{}]"#, placeholders(1))));
    c.send(&mut h, binary(5000));
    let events = h.take_events();
    assert!(
        matches!(&events[..], [Event::Event { socket, .. }] if *socket == id.as_str()),
        "{events:?}"
    );
}

#[test]
fn the_default_limit_carries_payloads_of_several_max_payloads() {
    let config = EngineConfig::default();
    assert_eq!(config.buffer_limit(), Some(4 << 20));
    let mut h = stack(config, SocketConfig::new());
    let (c, id) = ws_socket(&mut h);
    h.take_events();
    // Three attachments of almost maxPayload each (3 MB in one packet) are accepted.
    c.send(&mut h, text(&format!(r#"53-["up",{}]"#, placeholders(3))));
    for _ in 0..3 {
        c.send(&mut h, binary(999_000));
    }
    let events = h.take_events();
    assert!(
        matches!(&events[..], [Event::Event { socket, payload, .. }]
            if *socket == id.as_str() && payload.attachments.len() == 3),
        "{events:?}"
    );
    // Queued toward a polling client that does not poll: 4 MB fit, a fifth megabyte does not.
    let (_slow, slow_id) = polling_socket(&mut h);
    let big = format!(r#"["big","{}"]"#, "x".repeat(1_000_000));
    for _ in 0..4 {
        h.server.emit(&slow_id, Payload::new(big.clone())).unwrap();
    }
    h.pump();
    assert!(h.server.socket(&slow_id).is_some(), "4 MB is within 4 MiB");
    h.server.emit(&slow_id, Payload::new(big)).unwrap();
    h.pump();
    let events = h.take_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Disconnect { socket, reason, .. }
            if *socket == slow_id.as_str() && reason.as_str() == "transport buffer full")),
        "{events:?}"
    );
}
