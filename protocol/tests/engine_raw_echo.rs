//! Raw Engine.IO mode: an echo application on `EngineServer` alone, with polling, WebSocket
//! and upgrading clients side by side.

mod support;

use bytes::Bytes;
use std::time::Duration;
use support::*;
use volley_protocol::engine::{EngineEvent, Message, Packet};
use volley_protocol::testing::{PollingClient, WsClient};

fn echo_harness() -> volley_protocol::testing::Harness<volley_protocol::engine::EngineServer> {
    let mut h = harness(fast_config().ping_interval(Duration::from_secs(60)));
    h.set_app(|server, now, ev| {
        if let EngineEvent::Message { sid, msg } = ev {
            let reply = match msg {
                Message::Text(t) => Message::Text(format!("echo:{t}").into()),
                Message::Binary(b) => Message::Binary(b.clone()),
            };
            server.send(now, sid, reply);
        }
    });
    h
}

#[test]
fn each_client_gets_exactly_its_own_echoes() {
    let mut h = echo_harness();
    let p = PollingClient::connect(&mut h);
    let (w, _) = WsClient::connect(&mut h);
    let u = PollingClient::connect(&mut h);

    let get = p.get(&mut h);
    p.post(&mut h, &[text("p1"), binary(&[1, 2, 3])]);
    w.send(&mut h, text("w1"));
    u.post(&mut h, &[text("u1")]);

    assert_eq!(
        PollingClient::packets_of(&mut h, get),
        vec![text("echo:p1"), binary(&[1, 2, 3])]
    );
    assert_eq!(w.recv(&mut h), vec![text("echo:w1")]);

    // `u` upgrades with an echo still queued on polling: it goes out over the WebSocket.
    let uw = u.open_upgrade(&mut h).unwrap();
    uw.send(&mut h, Packet::Ping("probe".into()));
    assert_eq!(uw.recv(&mut h), vec![Packet::Pong("probe".into())]);
    uw.send(&mut h, Packet::Upgrade);
    assert_eq!(uw.recv(&mut h), vec![text("echo:u1")]);
    uw.send(&mut h, text("u2"));
    assert_eq!(uw.recv(&mut h), vec![text("echo:u2")]);

    // Nothing leaked to anyone else.
    assert!(w.recv(&mut h).is_empty());
    let get = p.get(&mut h);
    assert!(h.is_pending(get));
    assert_eq!(h.server.session_count(), 3);
}

#[test]
fn a_thousand_messages_keep_their_order() {
    let mut h = echo_harness();
    let (w, _) = WsClient::connect(&mut h);
    let p = PollingClient::connect(&mut h);
    let batch: Vec<Packet> = (0..1000).map(|i| text(&i.to_string())).collect();
    for pk in &batch {
        w.send(&mut h, pk.clone());
    }
    p.post(&mut h, &batch);
    let expected: Vec<Packet> = (0..1000).map(|i| text(&format!("echo:{i}"))).collect();
    assert_eq!(w.recv(&mut h), expected);
    assert_eq!(p.poll(&mut h), expected);
}

#[test]
fn binary_round_trips_over_polling_as_base64() {
    let mut h = echo_harness();
    let p = PollingClient::connect(&mut h);
    let r = p.post_body(&mut h, Bytes::from_static(b"bAAEC/w=="));
    assert_eq!(body(&r), "ok");
    let get = p.get(&mut h);
    assert_eq!(body(&h.expect_response(get)), "bAAEC/w==");
}
