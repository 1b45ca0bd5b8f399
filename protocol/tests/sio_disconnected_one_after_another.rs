//! Sockets the server disconnects together (`disconnect_sockets`, `disconnect(…, close)`,
//! `shutdown`) leave one after the other, as the reference's `disconnectSockets`,
//! `disconnect(true)` and `io.close()` go: one socket's DISCONNECT (none at shutdown), its
//! `Disconnecting`, and — with `hold_disconnecting` — nothing of the next one until the app
//! finished the first, so what the first one's handlers broadcast still reaches the others.
//! At shutdown the connections stay open until every socket has left, and a leaving socket's
//! client still takes what is sent to it.

mod sio_common;

use sio_common::stack::{polling_socket, sio_texts, stack, ws_socket};
use sio_common::{disconnects, Harness};
use volley_protocol::engine::{EngineConfig, Method, RequestHead};
use volley_protocol::server::{
    BroadcastOptions, DisconnectReason, Event, Payload, Room, Server, SocketConfig, SocketId,
};
use volley_protocol::testing::PollingClient;

fn held() -> Harness {
    Harness::with_config(SocketConfig::new().hold_disconnecting(true))
}

/// `(socket, reason)` of every Disconnecting event, in order.
fn leaving(events: &[Event]) -> Vec<(SocketId, DisconnectReason)> {
    (events.iter())
        .filter_map(|e| match e {
            Event::Disconnecting { socket, reason, .. } => Some((socket.clone(), *reason)),
            _ => None,
        })
        .collect()
}

/// Three clients A, B, C on `/`, each in room `r`.
fn three_in_r(h: &mut Harness) -> Vec<SocketId> {
    let ids: Vec<SocketId> = ["A", "B", "C"].iter().map(|c| h.connect(c, "/")).collect();
    for id in &ids {
        h.layer.join(id, &[Room::from("r")]).unwrap();
    }
    h.take_events();
    ids
}

/// What a disconnecting handler does here: a broadcast to room `r`.
fn broadcast_left(h: &mut Harness, who: &SocketId) -> usize {
    let json = format!(r#"["left","{who}"]"#);
    let to_r = BroadcastOptions::new().to("r");
    let n = h.layer.broadcast("/", &to_r, Payload::new(json)).unwrap();
    h.pump();
    n
}

#[test]
fn disconnect_sockets_goes_one_socket_after_the_other() {
    let mut h = held();
    let ids = three_in_r(&mut h);
    h.layer
        .disconnect_sockets("/", &BroadcastOptions::new(), false);
    h.pump();
    let reason = DisconnectReason::ServerNamespaceDisconnect;
    let clients = ["A", "B", "C"];
    for (i, id) in ids.iter().enumerate() {
        // Only this socket is leaving: its DISCONNECT went out, the others got nothing.
        assert_eq!(leaving(&h.take_events()), vec![(id.clone(), reason)], "{i}");
        assert_eq!(h.take(clients[i]), vec!["1"]);
        for later in &ids[i + 1..] {
            assert_eq!(h.layer.socket(later).unwrap().leaving(), None);
        }
        // Its handler's broadcast reaches the sockets not disconnected yet, only them.
        assert_eq!(broadcast_left(&mut h, id), ids.len() - i - 1);
        let left = format!(r#"2["left","{id}"]"#);
        for c in &clients[i + 1..] {
            assert_eq!(h.take(c), vec![left.clone()]);
        }
        h.layer.finish_disconnect(id).unwrap();
        h.pump();
        let events = h.take_events();
        assert_eq!(
            disconnects(&events),
            vec![(id.to_string(), "server namespace disconnect")]
        );
        // The next one's Disconnecting is handed out together with this Disconnect.
        h.events = events
            .into_iter()
            .filter(|e| !matches!(e, Event::Disconnect { .. }))
            .collect();
    }
    assert!(h.take_events().is_empty());
    assert_eq!(h.layer.socket_count(), 0);
    assert!(h.closed.is_empty(), "the sessions stay open");
}

#[test]
fn without_hold_a_group_runs_to_its_end_at_once_in_order() {
    let mut h = Harness::new();
    let ids = three_in_r(&mut h);
    h.layer
        .disconnect_sockets("/", &BroadcastOptions::new(), false);
    h.pump();
    let order: Vec<String> = (h.take_events().iter())
        .map(|e| match e {
            Event::Disconnecting { socket, .. } => format!("disconnecting {socket}"),
            Event::Disconnect { socket, .. } => format!("disconnect {socket}"),
            other => panic!("{other:?}"),
        })
        .collect();
    let expected: Vec<String> = (ids.iter())
        .flat_map(|id| [format!("disconnecting {id}"), format!("disconnect {id}")])
        .collect();
    assert_eq!(order, expected);
    for c in ["A", "B", "C"] {
        assert_eq!(h.take(c), vec!["1"]);
    }
}

/// A disconnecting handler that disconnects sockets itself: that group runs to its end
/// first (as the reference's nested call does), then the first one goes on.
#[test]
fn a_group_started_while_another_waits_runs_to_its_end_first() {
    let mut h = held();
    let ids = three_in_r(&mut h);
    h.layer
        .disconnect_sockets("/", &BroadcastOptions::new(), false);
    h.pump();
    let reason = DisconnectReason::ServerNamespaceDisconnect;
    assert_eq!(leaving(&h.take_events()), vec![(ids[0].clone(), reason)]);
    // From the first one's handler: the whole room again (the first one is leaving already
    // and is not disconnected twice).
    h.layer
        .disconnect_sockets("/", &BroadcastOptions::new().to("r"), false);
    h.pump();
    assert_eq!(leaving(&h.take_events()), vec![(ids[1].clone(), reason)]);
    h.layer.finish_disconnect(&ids[1]).unwrap();
    h.pump();
    assert_eq!(leaving(&h.take_events()), vec![(ids[2].clone(), reason)]);
    h.layer.finish_disconnect(&ids[2]).unwrap();
    h.pump();
    assert_eq!(
        disconnects(&h.take_events()),
        vec![(ids[2].to_string(), "server namespace disconnect")]
    );
    // The first group still waits for its first socket; it then finds the others gone.
    assert_eq!(h.layer.socket_count(), 1);
    h.layer.finish_disconnect(&ids[0]).unwrap();
    h.pump();
    assert_eq!(
        disconnects(&h.take_events()),
        vec![(ids[0].to_string(), "server namespace disconnect")]
    );
    assert_eq!(h.layer.socket_count(), 0);
    for c in ["A", "B", "C"] {
        assert_eq!(h.take(c), vec!["1"], "one DISCONNECT each");
    }
}

/// `disconnect_sockets` with `close`: each selected socket's client is taken whole (its
/// sockets one after the other, then its session), then the next client.
#[test]
fn disconnect_sockets_with_close_takes_each_client_whole_in_turn() {
    let mut h = held();
    let (a_main, a_admin) = h.main_and_admin("A");
    let b_main = h.connect("B", "/");
    h.take_events();
    h.layer
        .disconnect_sockets("/", &BroadcastOptions::new(), true);
    h.pump();
    let steps = [
        (&a_main, "A", "1"),
        (&a_admin, "A", "1/admin,"),
        (&b_main, "B", "1"),
    ];
    let mut closed = Vec::new();
    for (id, client, packet) in steps {
        let reason = DisconnectReason::ServerNamespaceDisconnect;
        assert_eq!(leaving(&h.take_events()), vec![(id.clone(), reason)]);
        assert_eq!(h.take(client), vec![packet]);
        assert_eq!(h.closed, closed);
        h.layer.finish_disconnect(id).unwrap();
        h.pump();
        h.events.retain(|e| !matches!(e, Event::Disconnect { .. }));
        if id == &a_admin {
            closed.push("A".to_owned());
        }
    }
    closed.push("B".to_owned());
    assert_eq!(h.closed, closed);
    assert_eq!(h.layer.socket_count(), 0);
}

/// Shutdown: one socket after the other with `server shutting down`; the leaving socket's
/// client still takes its emits and the broadcasts to its rooms (no DISCONNECT: its
/// connection closes), the sockets that left take nothing; the sessions close at the end.
#[test]
fn shutdown_goes_one_socket_after_the_other_and_closes_the_sessions_last() {
    let mut h = held();
    let ids = three_in_r(&mut h);
    h.layer.shutdown();
    h.pump();
    let clients = ["A", "B", "C"];
    for (i, id) in ids.iter().enumerate() {
        let reason = DisconnectReason::ServerShuttingDown;
        assert_eq!(leaving(&h.take_events()), vec![(id.clone(), reason)], "{i}");
        h.layer.emit(id, Payload::new(r#"["bye"]"#)).unwrap();
        assert_eq!(broadcast_left(&mut h, id), ids.len() - i);
        let left = format!(r#"2["left","{id}"]"#);
        assert_eq!(
            h.take(clients[i]),
            vec![r#"2["bye"]"#.to_owned(), left.clone()]
        );
        for c in &clients[i + 1..] {
            assert_eq!(h.take(c), vec![left.clone()]);
        }
        assert!(h.closed.is_empty(), "not before the last socket left");
        h.layer.finish_disconnect(id).unwrap();
        h.pump();
        h.events.retain(|e| !matches!(e, Event::Disconnect { .. }));
    }
    h.closed.sort();
    assert_eq!(h.closed, clients);
    assert_eq!(h.layer.socket_count(), 0);
}

/// The full stack: while the disconnecting handlers run, later handshakes are refused
/// already, the connections are still open and take what the handlers send; then they close.
#[test]
fn server_shutdown_runs_the_handlers_before_it_closes_the_connections() {
    let mut h = stack(
        EngineConfig::default(),
        SocketConfig::new().hold_disconnecting(true),
    );
    let (ws, _) = ws_socket(&mut h);
    let (polling, _) = polling_socket(&mut h);
    let parked = polling.get(&mut h);
    h.set_app(|server: &mut Server, _now, ev: &Event| {
        if let Event::Disconnecting { socket, .. } = ev {
            let _ = server.emit(socket, Payload::new(r#"["bye"]"#));
            let json = format!(r#"["left","{socket}"]"#);
            let n = server
                .broadcast("/", &BroadcastOptions::new(), Payload::new(json))
                .unwrap();
            assert!(n >= 1, "it reaches itself at least");
            server.finish_disconnect(socket).unwrap();
        }
    });
    // The app's handler runs within `shutdown`'s drain; a handshake meanwhile is refused.
    h.server.shutdown(h.now);
    let refused = h.request(
        RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling"),
        "",
    );
    assert_eq!(h.expect_response(refused).status, 503);
    h.pump();
    let ws_got = sio_texts(ws.recv(&mut h));
    assert!(ws_got.contains(&r#"2["bye"]"#.to_owned()), "{ws_got:?}");
    assert!(ws.is_closed(&h), "closed after its handlers ran");
    let polled = PollingClient::packets_of(&mut h, parked);
    let polled = sio_texts(polled);
    assert!(polled.contains(&r#"2["bye"]"#.to_owned()), "{polled:?}");
    let events = h.take_events();
    assert_eq!(
        disconnects(&events).len(),
        2,
        "both sockets left: {events:?}"
    );
}
