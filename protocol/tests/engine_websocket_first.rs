//! Sessions that start on WebSocket: handshake frame, messages, closes and bad frames.

mod support;

use bytes::Bytes;
use support::*;
use volley_protocol::engine::{CloseReason, EngineConfig, OutMessage, Packet, WsFrame};
use volley_protocol::testing::WsClient;
use volley_protocol::Str;

#[test]
fn text_and_binary_messages_flow_both_ways_one_per_frame() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    ws.send(&mut h, text("hi"));
    ws.send_frame(&mut h, WsFrame::Binary(Bytes::from_static(&[1, 2])));
    h.server.send(h.now, &ws.sid, "a");
    h.server
        .send(h.now, &ws.sid, OutMessage::binary(Bytes::from_static(&[7])));
    assert_eq!(
        ws.recv_frames(&mut h),
        vec![
            WsFrame::Text(Str::from_static("4a")),
            WsFrame::Binary(Bytes::from_static(&[7]))
        ]
    );
    let evs = events(&mut h);
    assert_eq!(evs[..2], [opened("s1"), message("s1", "hi")]);
    assert_eq!(
        evs[2],
        EventSummary::Message(
            "s1".into(),
            volley_protocol::engine::Message::Binary(Bytes::from_static(&[1, 2]))
        )
    );
}

#[test]
fn a_close_packet_ends_the_session_and_the_socket() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    ws.send(&mut h, Packet::Close);
    assert!(ws.is_closed(&h));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportClose)]
    );
    assert_eq!(h.server.session_count(), 0);
}

#[test]
fn the_client_closing_its_socket_is_a_transport_close() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    ws.close(&mut h);
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::TransportClose)]
    );
    assert_eq!(h.server.session_count(), 0);
    assert_eq!(h.server.poll_timeout(), None);
}

#[test]
fn an_undecodable_frame_is_a_parse_error() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    ws.send_frame(&mut h, WsFrame::Text(Str::from_static("abc")));
    assert!(ws.is_closed(&h));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ParseError)]
    );
}

#[test]
fn an_empty_text_frame_is_a_parse_error() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    ws.send_frame(&mut h, WsFrame::Text(Str::new()));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), closed("s1", CloseReason::ParseError)]
    );
}

#[test]
fn a_frame_over_max_payload_is_a_transport_error() {
    let mut h = harness(EngineConfig::default().max_payload(8));
    let (ws, _) = WsClient::connect(&mut h);
    ws.send(&mut h, text("1234567"));
    ws.send(&mut h, text("12345678"));
    assert_eq!(
        events(&mut h),
        vec![
            opened("s1"),
            message("s1", "1234567"),
            closed("s1", CloseReason::TransportError)
        ]
    );
}

#[test]
fn a_websocket_session_cannot_be_upgraded_again() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    let c = volley_protocol::testing::PollingClient {
        sid: ws.sid.clone(),
        handshake: volley_protocol::engine::Handshake {
            sid: ws.sid.clone(),
            upgrades: vec![],
            ping_interval: std::time::Duration::ZERO,
            ping_timeout: std::time::Duration::ZERO,
            max_payload: 0,
        },
        first: vec![],
    };
    let second = c.open_upgrade(&mut h).unwrap();
    assert!(second.is_closed(&h));
    assert!(!ws.is_closed(&h));
}

#[test]
fn the_handshake_request_going_away_before_the_upgrade_closes_the_session() {
    let mut h = default_harness();
    h.admission = volley_protocol::testing::Admission::Manual;
    let head = volley_protocol::engine::RequestHead::new(
        volley_protocol::engine::Method::Get,
        "/socket.io/?EIO=4&transport=websocket",
    )
    .with_header("Connection", "Upgrade")
    .with_header("Upgrade", "websocket");
    let req = h.request(head, Bytes::new());
    let incoming = h.incoming.pop_front().unwrap();
    let sid = h.server.accept(h.now, incoming).unwrap();
    h.abort(req);
    assert_eq!(
        events(&mut h),
        vec![opened(&sid), closed(&sid, CloseReason::TransportError)]
    );
    assert_eq!(h.server.session_count(), 0);
}
