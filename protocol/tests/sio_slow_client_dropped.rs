//! A client that stops reading: its volatile packets are dropped first, then it is
//! disconnected with `transport buffer full`; its buffer never exceeds the bound and other
//! clients keep being served.

mod sio_common;

use sio_common::stack::{polling_socket, sio_texts, stack, ws_socket};
use volley_protocol::engine::EngineConfig;
use volley_protocol::server::{BroadcastOptions, Event, Payload, SocketConfig};

const LIMIT: usize = 200;

#[test]
fn slow_polling_client_loses_volatile_packets_then_is_disconnected() {
    let mut h = stack(
        EngineConfig::default().max_buffer(Some(LIMIT)),
        SocketConfig::new(),
    );
    let (slow, slow_id) = polling_socket(&mut h);
    let (fast, _fast_id) = ws_socket(&mut h);
    h.take_events();

    // 10 volatile packets of ~30 bytes each: only what fits is kept for the slow client.
    for i in 0..10 {
        let data = format!("[\"tick\",\"{i:020}\"]");
        h.server
            .broadcast("/", &BroadcastOptions::new().volatile(), Payload::new(data))
            .unwrap();
        h.pump();
        let buffered = h
            .server
            .engine()
            .session(&slow.sid)
            .unwrap()
            .buffered_bytes();
        assert!(buffered <= LIMIT, "buffer {buffered} over {LIMIT}");
    }
    assert_eq!(
        sio_texts(fast.recv(&mut h)).len(),
        10,
        "the fast client gets all"
    );
    assert!(
        h.take_events().is_empty(),
        "volatile drops do not disconnect"
    );

    // Regular packets push the volatile ones out, then overflow: disconnect.
    let mut sent = 0;
    while h.server.socket(&slow_id).is_some() {
        h.server
            .broadcast(
                "/",
                &BroadcastOptions::new(),
                Payload::new("[\"news\",\"0123456789\"]"),
            )
            .unwrap();
        h.pump();
        sent += 1;
        if let Some(s) = h.server.engine().session(&slow.sid) {
            assert!(s.buffered_bytes() <= LIMIT);
        }
        assert!(sent < 100, "never disconnected");
    }
    let events = h.take_events();
    assert!(
        events.iter().any(|e| matches!(e,
            Event::Disconnect { socket, reason, .. }
                if *socket == slow_id.as_str() && reason.as_str() == "transport buffer full")),
        "{events:?}"
    );
    assert_eq!(
        sio_texts(fast.recv(&mut h)).len(),
        sent,
        "the fast client is unaffected"
    );
}

#[test]
fn a_client_that_reads_is_never_dropped() {
    let mut h = stack(
        EngineConfig::default().max_buffer(Some(LIMIT)),
        SocketConfig::new(),
    );
    let (c, id) = polling_socket(&mut h);
    for round in 0..20 {
        h.server
            .emit(&id, Payload::new(format!("[\"n\",{round}]")))
            .unwrap();
        h.pump();
        assert_eq!(sio_texts(c.poll(&mut h)), vec![format!("2[\"n\",{round}]")]);
    }
    assert!(h.server.socket(&id).is_some());
}
