//! `SocketConfig::hold_disconnecting`: after `Disconnecting` the socket stays in its namespace
//! and rooms (selections list it, it may join rooms) but nothing more is sent to it, until
//! `finish_disconnect`; then it leaves, `Disconnect` follows and its pending acks settle.
//! Without the flag, `Disconnect` follows at once (the other `sio_*` tests).

mod sio_common;

use sio_common::{disconnects, Harness};
use std::time::Duration;
use volley_protocol::server::{
    AckOutcome, BroadcastOptions, DisconnectReason, Event, Payload, Room, ServerError, SocketConfig,
};

fn held() -> Harness {
    Harness::with_config(SocketConfig::new().hold_disconnecting(true))
}

#[test]
fn a_leaving_socket_is_counted_but_reached_no_more_until_finished() {
    let mut h = held();
    let a = h.connect("A", "/");
    let b = h.connect("B", "/");
    for s in [&a, &b] {
        h.layer.join(s, &[Room::from("r")]).unwrap();
    }
    let ack = h
        .layer
        .emit_with_ack(h.now, &a, Payload::new(r#"["q"]"#), None)
        .unwrap();
    h.pump();
    h.take("A");
    h.take_events();

    h.send("A", "1");
    match &h.take_events()[..] {
        [Event::Disconnecting {
            socket,
            reason,
            rooms,
            ..
        }] => {
            assert_eq!(socket, &a);
            assert_eq!(*reason, DisconnectReason::ClientNamespaceDisconnect);
            assert_eq!(rooms, &vec![a.room(), Room::from("r")]);
        }
        other => panic!("only Disconnecting: {other:?}"),
    }
    let s = h.layer.socket(&a).expect("still known");
    assert_eq!(
        s.leaving(),
        Some(DisconnectReason::ClientNamespaceDisconnect)
    );
    assert_eq!(h.layer.sockets_in("/", "r"), vec![a.clone(), b.clone()]);
    assert_eq!(h.layer.socket_count(), 2);
    h.layer.join(&a, &[Room::from("late")]).unwrap();
    assert_eq!(h.layer.sockets_in("/", "late"), vec![a.clone()]);

    // Nothing reaches it: a broadcast counts only the other socket, an emit or an ack
    // answer is accepted and sends nothing, a disconnect sends no DISCONNECT.
    let to_r = BroadcastOptions::new().to("r");
    let n = h
        .layer
        .broadcast("/", &to_r, Payload::new(r#"["x"]"#))
        .unwrap();
    assert_eq!(n, 1);
    h.layer.emit(&a, Payload::new(r#"["y"]"#)).unwrap();
    h.layer.ack(&a, 7, Payload::new("[]")).unwrap();
    h.layer.disconnect(&a, false).unwrap();
    h.pump();
    assert!(h.take("A").is_empty());
    assert_eq!(h.take("B"), vec![r#"2["x"]"#]);
    assert!(h.take_events().is_empty(), "no second Disconnecting");

    // Its client may join the namespace again meanwhile: a fresh socket.
    h.send("A", "0");
    let req = h.take_connect();
    let again = h.layer.accept_connect(h.now, req).unwrap();
    assert_ne!(again, a);
    h.pump();
    h.take("A");

    let data = h.layer.finish_disconnect(&a).unwrap();
    assert_eq!(data, serde_json::json!({}));
    h.pump();
    let events = h.take_events();
    assert_eq!(
        disconnects(&events),
        vec![(a.to_string(), "client namespace disconnect")]
    );
    assert!(events.iter().any(|e| matches!(e,
        Event::Ack { socket, id, outcome: AckOutcome::Disconnected } if *socket == a && *id == ack)));
    assert!(h.layer.socket(&a).is_none());
    assert_eq!(h.layer.sockets_in("/", "r"), vec![b.clone()]);
    assert!(h.layer.sockets_in("/", "late").is_empty());
    assert_eq!(h.layer.socket_count(), 2, "b and the new socket");
    assert!(matches!(
        h.layer.finish_disconnect(&a),
        Err(ServerError::UnknownSocket)
    ));
    assert!(matches!(
        h.layer.finish_disconnect(&b),
        Err(ServerError::UnknownSocket)
    ));
}

/// `disconnect(…, close)` of a client in two namespaces: one socket after the other (its
/// DISCONNECT, then it leaves), the second still reached while the first one's handlers run,
/// and the session closes once both have left (the reference's `Client._disconnect`).
#[test]
fn a_closing_client_disconnects_its_sockets_one_after_the_other_then_closes() {
    let mut h = held();
    let (main, admin) = h.main_and_admin("A");
    h.layer.disconnect(&main, true).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec!["1"]);
    let reason = DisconnectReason::ServerNamespaceDisconnect;
    assert_eq!(leaving(&h.take_events()), vec![(main.clone(), reason)]);
    assert_eq!(h.layer.socket(&admin).unwrap().leaving(), None);
    // What the first one's handlers send still reaches the second.
    let all = BroadcastOptions::new();
    let n = (h.layer)
        .broadcast("/admin", &all, Payload::new(r#"["x"]"#))
        .unwrap();
    assert_eq!(n, 1);
    h.pump();
    assert_eq!(h.take("A"), vec![r#"2/admin,["x"]"#]);
    assert!(h.closed.is_empty());

    h.layer.finish_disconnect(&main).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec!["1/admin,"]);
    let events = h.take_events();
    assert_eq!(
        disconnects(&events),
        vec![(main.to_string(), "server namespace disconnect")]
    );
    assert_eq!(leaving(&events), vec![(admin.clone(), reason)]);
    assert!(h.closed.is_empty(), "not before its last socket left");

    h.layer.finish_disconnect(&admin).unwrap();
    h.pump();
    assert_eq!(
        disconnects(&h.take_events()),
        vec![(admin.to_string(), "server namespace disconnect")]
    );
    assert_eq!(h.closed, vec!["A"]);
    assert_eq!(h.layer.socket_count(), 0);
}

/// The connection closing while the first socket's handlers run: the second socket leaves
/// for that reason (without a DISCONNECT), and nothing is disconnected twice.
#[test]
fn a_closing_client_whose_connection_ends_meanwhile() {
    let mut h = held();
    let (main, admin) = h.main_and_admin("A");
    h.layer.disconnect(&main, true).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec!["1"]);
    h.take_events();
    h.engine_closed("A", DisconnectReason::TransportClose);
    assert_eq!(
        leaving(&h.take_events()),
        vec![(admin.clone(), DisconnectReason::TransportClose)]
    );
    for s in [&main, &admin] {
        h.layer.finish_disconnect(s).unwrap();
    }
    h.pump();
    assert_eq!(
        disconnects(&h.take_events()),
        vec![
            (main.to_string(), "server namespace disconnect"),
            (admin.to_string(), "transport close")
        ]
    );
    assert!(h.take("A").is_empty());
    assert!(h.closed.is_empty(), "the session is gone already");
    assert_eq!(h.layer.socket_count(), 0);
}

/// `(socket, reason)` of every Disconnecting event, in order.
fn leaving(events: &[Event]) -> Vec<(volley_protocol::server::SocketId, DisconnectReason)> {
    (events.iter())
        .filter_map(|e| match e {
            Event::Disconnecting { socket, reason, .. } => Some((socket.clone(), *reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn an_ack_timer_of_a_leaving_socket_still_fires() {
    let mut h = held();
    let a = h.connect("A", "/");
    let id = h
        .layer
        .emit_with_ack(
            h.now,
            &a,
            Payload::new(r#"["q"]"#),
            Some(Duration::from_secs(1)),
        )
        .unwrap();
    h.pump();
    h.take_events();
    h.engine_closed("A", DisconnectReason::PingTimeout);
    h.take_events();
    h.advance(Duration::from_secs(2));
    assert!(h.take_events().iter().any(|e| matches!(e,
        Event::Ack { id: x, outcome: AckOutcome::Timeout, .. } if *x == id)));
    h.layer.finish_disconnect(&a).unwrap();
    h.pump();
    let events = h.take_events();
    assert_eq!(disconnects(&events), vec![(a.to_string(), "ping timeout")]);
    assert!(
        !events.iter().any(|e| matches!(e, Event::Ack { .. })),
        "settled once"
    );
}
