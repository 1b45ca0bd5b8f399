//! The composed server end to end: Socket.IO over polling and WebSocket sessions of the
//! engine, heartbeat failures reaching the sockets, and shutdown.

mod sio_common;

use sio_common::stack::{polling_socket, short_heartbeat, sio_texts, stack, text, ws_socket};
use std::time::Duration;
use volley_protocol::engine::EngineConfig;
use volley_protocol::server::{BroadcastOptions, Event, Payload, SocketConfig};

#[test]
fn events_and_acks_round_trip_over_websocket_and_polling() {
    let mut h = stack(EngineConfig::default(), SocketConfig::new());
    let (ws, ws_id) = ws_socket(&mut h);
    let (poll, poll_id) = polling_socket(&mut h);
    assert_ne!(
        ws_id,
        ws.sid.as_str(),
        "socket id differs from the engine sid"
    );
    h.take_events();

    ws.send(&mut h, text("27[\"hello\",1]"));
    let events = h.take_events();
    match &events[..] {
        [Event::Event {
            socket,
            payload,
            ack: Some(7),
            ..
        }] => {
            assert_eq!(*socket, ws_id.as_str());
            assert_eq!(payload.data, "[\"hello\",1]");
        }
        other => panic!("unexpected {other:?}"),
    }
    h.server.ack(&ws_id, 7, Payload::new("[\"back\"]")).unwrap();
    assert_eq!(sio_texts(ws.recv(&mut h)), vec!["37[\"back\"]"]);

    h.server
        .broadcast("/", &BroadcastOptions::new(), Payload::new("[\"all\"]"))
        .unwrap();
    assert_eq!(sio_texts(ws.recv(&mut h)), vec!["2[\"all\"]"]);
    assert_eq!(sio_texts(poll.poll(&mut h)), vec!["2[\"all\"]"]);

    let now = h.now;
    let id = h
        .server
        .emit_with_ack(
            now,
            &poll_id,
            Payload::new("[\"q\"]"),
            Some(Duration::from_secs(1)),
        )
        .unwrap();
    assert_eq!(sio_texts(poll.poll(&mut h)), vec![format!("2{id}[\"q\"]")]);
    h.advance(Duration::from_secs(1));
    assert!(h.take_events().iter().any(|e| matches!(
        e,
        Event::Ack {
            outcome: volley_protocol::server::AckOutcome::Timeout,
            ..
        }
    )));
}

#[test]
fn a_client_that_stops_answering_pings_disconnects_with_ping_timeout() {
    let mut h = stack(short_heartbeat(), SocketConfig::new());
    let (_ws, id) = ws_socket(&mut h);
    h.take_events();
    h.advance(Duration::from_millis(600));
    let events = h.take_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Disconnect { socket, reason, .. }
            if *socket == id.as_str() && reason.as_str() == "ping timeout")),
        "{events:?}"
    );
    assert_eq!(h.server.socket_count(), 0);
}

#[test]
fn connect_timeout_closes_the_engine_session_of_a_silent_client() {
    let mut h = stack(
        EngineConfig::default(),
        SocketConfig::new().connect_timeout(Duration::from_secs(1)),
    );
    let (ws, _) = volley_protocol::testing::WsClient::connect(&mut h);
    h.advance(Duration::from_secs(1));
    assert!(ws.is_closed(&h));
    assert_eq!(h.server.engine().session_count(), 0);
}

#[test]
fn a_protocol_violation_closes_only_that_engine_session() {
    let mut h = stack(EngineConfig::default(), SocketConfig::new());
    let (bad, bad_id) = ws_socket(&mut h);
    let (good, _) = ws_socket(&mut h);
    h.take_events();
    bad.send(&mut h, text("2[\"disconnect\"]"));
    assert!(bad.is_closed(&h));
    assert!(!good.is_closed(&h));
    let events = h.take_events();
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Disconnect { socket, reason, .. }
        if *socket == bad_id.as_str() && reason.as_str() == "forced close")));
    h.server
        .broadcast("/", &BroadcastOptions::new(), Payload::new("[\"x\"]"))
        .unwrap();
    assert_eq!(sio_texts(good.recv(&mut h)), vec!["2[\"x\"]"]);
}

#[test]
fn shutdown_disconnects_every_socket_with_server_shutting_down() {
    let mut h = stack(EngineConfig::default(), SocketConfig::new());
    let (a, _) = ws_socket(&mut h);
    let (_b, _) = polling_socket(&mut h);
    h.take_events();
    let now = h.now;
    h.server.shutdown(now);
    h.pump();
    let reasons: Vec<_> = h
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Disconnect { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, vec!["server shutting down"; 2]);
    assert!(a.is_closed(&h));
}

#[test]
fn binary_events_travel_as_a_text_packet_then_its_attachments_both_ways() {
    let mut h = stack(EngineConfig::default(), SocketConfig::new());
    let (ws, ws_id) = ws_socket(&mut h);
    let (poll, poll_id) = polling_socket(&mut h);
    h.take_events();
    let payload = Payload::with_attachments(
        r#"["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
        vec![
            bytes::Bytes::from_static(&[1, 2, 3]),
            bytes::Bytes::from_static(&[4]),
        ],
    );
    h.server.emit(&ws_id, payload.clone()).unwrap();
    h.server.emit(&poll_id, payload).unwrap();
    let want = vec![
        r#"52-["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#.to_string(),
        "<bin:3>".to_string(),
        "<bin:1>".to_string(),
    ];
    assert_eq!(sio_texts(ws.recv(&mut h)), want);
    assert_eq!(sio_texts(poll.poll(&mut h)), want);

    ws.send(&mut h, text(r#"51-["up",{"_placeholder":true,"num":0}]"#));
    assert!(h.take_events().is_empty(), "waiting for the attachment");
    ws.send(
        &mut h,
        volley_protocol::engine::Packet::Message(volley_protocol::engine::Message::Binary(
            bytes::Bytes::from_static(&[7, 7]),
        )),
    );
    match &h.take_events()[..] {
        [Event::Event { payload, .. }] => {
            assert_eq!(
                payload.attachments,
                vec![bytes::Bytes::from_static(&[7, 7])]
            )
        }
        other => panic!("unexpected {other:?}"),
    }
}
