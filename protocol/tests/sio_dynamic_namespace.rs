//! Dynamic namespaces: a pattern admits matching names, the child is created on first match,
//! and (optionally) removed when its last socket leaves.

mod sio_common;

use sio_common::Harness;
use volley_protocol::server::{DisconnectReason, Event, NamespacePattern, SocketConfig};
use volley_protocol::socket::ConnectError;

fn room_pattern() -> NamespacePattern {
    NamespacePattern::new(|name| {
        name.strip_prefix("/room-")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[test]
fn a_matching_name_creates_the_child_namespace_on_first_connect() {
    let mut h = Harness::new();
    let pattern = h.layer.add_dynamic_namespace(room_pattern());
    assert!(!h.layer.namespaces().any(|n| n == "/room-12"));
    h.open("A");
    h.send("A", "0/room-12,");
    let req = h.take_connect();
    assert_eq!(req.pattern(), Some(pattern));
    assert_eq!(req.nsp(), "/room-12");
    assert!(h.layer.namespaces().any(|n| n == "/room-12"));
    let id = h.layer.accept_connect(h.now, req).unwrap();
    h.pump();
    assert_eq!(h.take("A"), vec![format!("0/room-12,{{\"sid\":\"{id}\"}}")]);
    assert_eq!(h.layer.namespace_pattern("/room-12"), Some(pattern));
    // A second client goes straight to the existing child.
    let _b = h.connect("B", "/room-12");
    h.emit(&id, "[\"in-room\"]");
    assert_eq!(h.take("A"), vec!["2/room-12,[\"in-room\"]"]);
}

#[test]
fn a_name_matching_no_pattern_is_an_invalid_namespace() {
    let mut h = Harness::new();
    h.layer.add_dynamic_namespace(room_pattern());
    h.open("A");
    h.send("A", "0/room-x,");
    assert_eq!(
        h.take("A"),
        vec![r#"4/room-x,{"message":"Invalid namespace"}"#]
    );
    assert!(h.take_events().is_empty());
    assert!(h.closed.is_empty());
}

#[test]
fn a_pattern_can_look_at_the_auth_object() {
    let mut h = Harness::new();
    h.layer
        .add_dynamic_namespace(NamespacePattern::with_auth(|name, auth| {
            name.starts_with("/t-") && auth.contains("\"ok\":true")
        }));
    h.open("A");
    h.send("A", r#"0/t-1,{"ok":false}"#);
    assert_eq!(
        h.take("A"),
        vec![r#"4/t-1,{"message":"Invalid namespace"}"#]
    );
    h.send("A", r#"0/t-1,{"ok":true}"#);
    assert!(matches!(&h.take_events()[..], [Event::Connect(_)]));
}

#[test]
fn empty_children_are_cleaned_up_when_configured() {
    let mut h = Harness::with_config(SocketConfig::new().cleanup_empty_child_namespaces(true));
    h.layer.add_dynamic_namespace(room_pattern());
    let _a = h.connect("A", "/room-1");
    assert!(h.layer.namespaces().any(|n| n == "/room-1"));
    h.send("A", "1/room-1,");
    assert!(!h.layer.namespaces().any(|n| n == "/room-1"));
    // Reconnecting creates it again.
    let _a2 = h.connect("A", "/room-1");
    assert!(h.layer.namespaces().any(|n| n == "/room-1"));
    h.layer.check_consistency().unwrap();
}

#[test]
fn refused_connects_do_not_leave_children_behind_when_cleaning_up() {
    let mut h = Harness::with_config(SocketConfig::new().cleanup_empty_child_namespaces(true));
    h.layer.add_dynamic_namespace(room_pattern());
    h.open("A");
    // A client trying name after name, each refused by the app: nothing accumulates.
    for n in 0..50 {
        h.send("A", &format!("0/room-{n},"));
        let req = h.take_connect();
        h.layer
            .refuse_connect(req, ConnectError::new("not authorized"));
        h.pump();
    }
    assert_eq!(h.layer.namespaces().count(), 1, "only `/` is left");
    h.layer.check_consistency().unwrap();
}

#[test]
fn a_pending_connect_keeps_its_child_until_decided_and_a_client_leaving_settles_it() {
    let mut h = Harness::with_config(SocketConfig::new().cleanup_empty_child_namespaces(true));
    let pattern = h.layer.add_dynamic_namespace(room_pattern());
    let a = h.connect("A", "/room-1");
    h.open("B");
    h.send("B", "0/room-1,");
    let pending = h.take_connect();
    // The only socket leaves while B's CONNECT awaits the app: the child stays.
    h.send("A", "1/room-1,");
    assert!(h.layer.socket(&a).is_none());
    assert_eq!(
        h.layer.namespace_children(pattern).collect::<Vec<_>>(),
        ["/room-1"]
    );
    h.layer.accept_connect(h.now, pending).unwrap();
    h.pump();
    // A third client asks, then its session closes before any decision.
    h.open("C");
    h.send("C", "0/room-2,");
    let _undecided = h.take_connect();
    assert_eq!(h.layer.namespace_children(pattern).count(), 2);
    h.engine_closed("C", DisconnectReason::TransportClose);
    assert_eq!(
        h.layer.namespace_children(pattern).collect::<Vec<_>>(),
        ["/room-1"]
    );
    h.layer.check_consistency().unwrap();
}

#[test]
fn without_cleanup_children_stay_like_the_reference() {
    let mut h = Harness::new();
    let pattern = h.layer.add_dynamic_namespace(room_pattern());
    let _a = h.connect("A", "/room-7");
    h.send("A", "1/room-7,");
    h.open("B");
    h.send("B", "0/room-8,");
    let req = h.take_connect();
    h.layer.refuse_connect(req, ConnectError::new("no"));
    let mut children: Vec<_> = h.layer.namespace_children(pattern).cloned().collect();
    children.sort();
    assert_eq!(children, ["/room-7", "/room-8"]);
}

#[test]
fn a_client_cannot_join_more_namespaces_than_the_bound() {
    let mut h = Harness::with_config(SocketConfig::new().max_namespaces_per_client(3));
    h.layer.add_dynamic_namespace(room_pattern());
    let _a = h.connect("A", "/room-1");
    let _b = h.connect("A", "/room-2");
    // A third CONNECT awaiting the app's decision counts too.
    h.send("A", "0/room-3,");
    let pending = h.take_connect();
    h.send("A", "0/room-4,");
    assert_eq!(
        h.take("A"),
        vec![r#"4/room-4,{"message":"Too many namespaces"}"#]
    );
    assert!(h.take_events().is_empty());
    assert!(h.closed.is_empty(), "the session stays open");
    assert!(!h.layer.namespaces().any(|n| n == "/room-4"));
    // Leaving one makes room again.
    h.layer.accept_connect(h.now, pending).unwrap();
    h.pump();
    h.take("A");
    h.send("A", "1/room-1,");
    let _d = h.connect("A", "/room-4");
    assert_eq!(h.layer.client_sockets("A").len(), 3);
    // Another client has its own allowance.
    let _other = h.connect("B", "/room-1");
}
