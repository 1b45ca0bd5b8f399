//! Disconnect reasons as the reference names them; `disconnecting` (with rooms) comes before
//! `disconnect`; a client or server namespace disconnect keeps the Engine.IO session.

mod sio_common;

use sio_common::{disconnects, Harness};
use volley_protocol::server::{DisconnectReason, Event, Room};

#[test]
fn client_namespace_disconnect_leaves_only_that_namespace() {
    let mut h = Harness::new();
    let (main, admin) = h.main_and_admin("A");
    h.layer.join(&admin, &[Room::from("ops")]).unwrap();
    h.send("A", "1/admin,");
    let events = h.take_events();
    match &events[..] {
        [Event::Disconnecting {
            socket,
            reason,
            rooms,
            ..
        }, Event::Disconnect {
            socket: s2,
            reason: r2,
            ..
        }] => {
            assert_eq!(*socket, admin);
            assert_eq!(reason.as_str(), "client namespace disconnect");
            assert_eq!(rooms, &vec![admin.room(), Room::from("ops")]);
            assert_eq!((s2, r2), (&admin, reason));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(h.closed.is_empty());
    assert!(h.take("A").is_empty(), "no reply to a client DISCONNECT");
    assert!(h.layer.socket(&admin).is_none());
    assert!(h.layer.sockets_in("/admin", "ops").is_empty());
    h.emit(&main, "[\"still here\"]");
    assert_eq!(h.take("A"), vec!["2[\"still here\"]"]);
}

#[test]
fn server_namespace_disconnect_sends_disconnect_packet_and_keeps_the_session() {
    let mut h = Harness::new();
    let (_main, admin) = h.main_and_admin("A");
    h.layer.disconnect(&admin, false).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec!["1/admin,"]);
    assert_eq!(
        disconnects(&h.take_events()),
        vec![(admin.to_string(), "server namespace disconnect")]
    );
    assert!(h.closed.is_empty());
    assert_eq!(h.layer.socket_count(), 1);
    assert!(h.layer.disconnect(&admin, false).is_err(), "already gone");
}

#[test]
fn disconnect_with_close_disconnects_every_namespace_and_closes_the_session() {
    let mut h = Harness::new();
    let (main, admin) = h.main_and_admin("A");
    h.layer.disconnect(&main, true).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec!["1", "1/admin,"]);
    assert_eq!(
        disconnects(&h.take_events()),
        vec![
            (main.to_string(), "server namespace disconnect"),
            (admin.to_string(), "server namespace disconnect")
        ]
    );
    assert_eq!(h.closed, vec!["A"]);
    assert_eq!(h.layer.client_count(), 0);
}

#[test]
fn engine_close_reasons_reach_every_socket_of_the_client() {
    for reason in [
        DisconnectReason::TransportClose,
        DisconnectReason::TransportError,
        DisconnectReason::PingTimeout,
        DisconnectReason::ParseError,
        DisconnectReason::ServerShuttingDown,
        DisconnectReason::BufferFull,
    ] {
        let mut h = Harness::new();
        h.layer.add_namespace("/x").unwrap();
        let a = h.connect("A", "/");
        let ax = h.connect("A", "/x");
        let b = h.connect("B", "/");
        h.take_events();
        h.engine_closed("A", reason);
        assert_eq!(
            disconnects(&h.take_events()),
            vec![
                (a.to_string(), reason.as_str()),
                (ax.to_string(), reason.as_str())
            ]
        );
        assert!(h.closed.is_empty(), "the engine closed it already");
        assert!(h.layer.socket(&b).is_some());
        h.layer.check_consistency().unwrap();
    }
}

#[test]
fn reason_strings_match_the_reference() {
    let names: Vec<_> = [
        DisconnectReason::TransportClose,
        DisconnectReason::TransportError,
        DisconnectReason::PingTimeout,
        DisconnectReason::ParseError,
        DisconnectReason::ForcedClose,
        DisconnectReason::ForcedServerClose,
        DisconnectReason::ServerNamespaceDisconnect,
        DisconnectReason::ClientNamespaceDisconnect,
        DisconnectReason::ServerShuttingDown,
    ]
    .iter()
    .map(|r| r.as_str())
    .collect();
    assert_eq!(
        names,
        vec![
            "transport close",
            "transport error",
            "ping timeout",
            "parse error",
            "forced close",
            "forced server close",
            "server namespace disconnect",
            "client namespace disconnect",
            "server shutting down"
        ]
    );
}

#[test]
fn shutdown_disconnects_everyone_with_server_shutting_down() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let b = h.connect("B", "/");
    h.take_events();
    h.layer.shutdown();
    h.pump();
    let mut got = disconnects(&h.take_events());
    got.sort();
    assert_eq!(
        got,
        vec![
            (a.to_string(), "server shutting down"),
            (b.to_string(), "server shutting down")
        ]
    );
    h.closed.sort();
    assert_eq!(h.closed, vec!["A", "B"]);
}
