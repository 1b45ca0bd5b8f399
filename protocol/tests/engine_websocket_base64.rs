//! `b64` on a WebSocket request (engine.io-client's `forceBase64`): as with the reference,
//! whose transport then does not "support binary", binary messages go out as `b<base64>`
//! text frames; `b<base64>` text frames coming in are binary messages either way.

mod support;

use bytes::Bytes;
use support::*;
use volley_protocol::engine::{
    EngineServer, Message, Method, OutMessage, Packet, RequestHead, WsFrame,
};
use volley_protocol::testing::{Harness, PollingClient, WsClient};
use volley_protocol::Str;

fn frames_for_text_and_binary(ws: &WsClient, h: &mut Harness<EngineServer>) -> Vec<WsFrame> {
    h.server.send(h.now, &ws.sid, "a");
    h.server.send(
        h.now,
        &ws.sid,
        OutMessage::binary(Bytes::from_static(&[1, 2, 3])),
    );
    ws.recv_frames(h)
}

#[test]
fn a_websocket_first_session_with_b64_sends_binary_as_base64_text() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect_with(&mut h, "&b64=1");
    assert_eq!(
        frames_for_text_and_binary(&ws, &mut h),
        vec![
            WsFrame::Text(Str::from_static("4a")),
            WsFrame::Text(Str::from_static("bAQID")),
        ]
    );
}

#[test]
fn without_b64_or_with_an_empty_one_binary_stays_a_binary_frame() {
    for extra in ["", "&b64=", "&b64=1&b64="] {
        let mut h = default_harness();
        let (ws, _) = WsClient::connect_with(&mut h, extra);
        assert_eq!(
            frames_for_text_and_binary(&ws, &mut h),
            vec![
                WsFrame::Text(Str::from_static("4a")),
                WsFrame::Binary(Bytes::from_static(&[1, 2, 3])),
            ],
            "query {extra:?}"
        );
    }
}

#[test]
fn any_non_empty_b64_value_counts_and_the_last_one_wins() {
    for extra in ["&b64=0", "&b64=true", "&b64=&b64=1"] {
        let mut h = default_harness();
        let (ws, _) = WsClient::connect_with(&mut h, extra);
        assert_eq!(
            frames_for_text_and_binary(&ws, &mut h)[1],
            WsFrame::Text(Str::from_static("bAQID")),
            "query {extra:?}"
        );
    }
}

#[test]
fn an_upgrade_with_b64_sends_binary_as_base64_text_once_upgraded() {
    let mut h = default_harness();
    let c = PollingClient::connect(&mut h);
    let ws = c
        .open_upgrade_with(&mut h, "&b64=1")
        .expect("upgrade accepted");
    ws.send(&mut h, Packet::Ping(Str::from_static("probe")));
    assert_eq!(
        ws.recv_frames(&mut h),
        vec![WsFrame::Text(Str::from_static("3probe"))]
    );
    ws.send(&mut h, Packet::Upgrade);
    assert_eq!(
        frames_for_text_and_binary(&ws, &mut h),
        vec![
            WsFrame::Text(Str::from_static("4a")),
            WsFrame::Text(Str::from_static("bAQID")),
        ]
    );
}

#[test]
fn b64_on_the_polling_handshake_does_not_carry_over_to_the_websocket() {
    // Each transport follows its own request, as the reference's do.
    let mut h = default_harness();
    let target = format!("{}?EIO=4&transport=polling&b64=1", h.path);
    let head = RequestHead::new(Method::Get, &target);
    let req = h.request(head, Bytes::new());
    let response = h.expect_response(req);
    let c = PollingClient::from_handshake_response(&response);
    let ws = c.upgrade(&mut h);
    assert_eq!(
        frames_for_text_and_binary(&ws, &mut h),
        vec![
            WsFrame::Text(Str::from_static("4a")),
            WsFrame::Binary(Bytes::from_static(&[1, 2, 3])),
        ]
    );
}

#[test]
fn base64_text_frames_from_the_client_are_binary_messages() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect_with(&mut h, "&b64=1");
    ws.send_frame(&mut h, WsFrame::Text(Str::from_static("bAQID")));
    let evs = events(&mut h);
    assert_eq!(
        evs[1],
        EventSummary::Message("s1".into(), Message::Binary(Bytes::from_static(&[1, 2, 3])))
    );
}
