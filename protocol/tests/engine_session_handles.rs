//! Sessions found by handle (`EngineServer::session_key`, `send_to`, and the Socket.IO layer's
//! commands): a handle kept after its session is gone never reaches the session that takes
//! over its slot.

mod sio_common;
mod support;

use sio_common::stack::{sio_texts, stack, ws_socket};
use support::*;
use volley_protocol::engine::{EngineConfig, OutMessage, SendOptions, SendOutcome};
use volley_protocol::server::{BroadcastOptions, Payload, ServerError, SocketConfig};
use volley_protocol::testing::WsClient;

#[test]
fn a_handle_kept_after_its_session_closed_reaches_no_later_session() {
    let mut h = default_harness();
    let (a, _) = WsClient::connect(&mut h);
    let old = h.server.session_key(&a.sid).expect("a handle while open");
    a.close(&mut h);
    assert_eq!(h.server.session_count(), 0, "the slot is free again");
    assert_eq!(h.server.session_key(&a.sid), None);

    // The only free slot is the old one: the new session takes it.
    let (b, _) = WsClient::connect(&mut h);
    let new = h.server.session_key(&b.sid).expect("a handle");
    assert_ne!(new, old, "same slot, new generation");
    let stale = [OutMessage::text("for a")];
    assert_eq!(
        h.server.send_to(h.now, old, &stale, SendOptions::default()),
        SendOutcome::NoSession
    );
    assert!(b.recv(&mut h).is_empty(), "nothing of a's reaches b");
    let fresh = [OutMessage::text("for b")];
    assert_eq!(
        h.server.send_to(h.now, new, &fresh, SendOptions::default()),
        SendOutcome::Queued
    );
    assert_eq!(b.recv(&mut h), vec![text("for b")]);
}

#[test]
fn a_socket_whose_session_closed_gets_nothing_and_its_successor_gets_its_own() {
    let mut h = stack(EngineConfig::default(), SocketConfig::new());
    let (a, a_id) = ws_socket(&mut h);
    a.close(&mut h);
    h.take_events();
    let (b, b_id) = ws_socket(&mut h);
    h.take_events();
    assert_eq!(
        h.server.emit(&a_id, Payload::new("[\"for a\"]")),
        Err(ServerError::UnknownSocket)
    );
    h.server.emit(&b_id, Payload::new("[\"for b\"]")).unwrap();
    h.server.ack(&b_id, 3, Payload::new("[\"ok\"]")).unwrap();
    h.server
        .broadcast("/", &BroadcastOptions::new(), Payload::new("[\"all\"]"))
        .unwrap();
    assert_eq!(
        sio_texts(b.recv(&mut h)),
        vec!["2[\"for b\"]", "33[\"ok\"]", "2[\"all\"]"]
    );
    assert!(a.is_closed(&h));
}
