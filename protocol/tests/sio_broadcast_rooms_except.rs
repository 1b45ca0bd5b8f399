//! Broadcast to two rooms except a third: each target gets the packet exactly once, the
//! same encoded bytes go to everyone, and nobody else receives anything.

mod sio_common;

use sio_common::Harness;
use std::sync::Arc;
use volley_protocol::server::{BroadcastOptions, EngineCommand, Messages, Payload, Room};

fn r(s: &str) -> Room {
    Room::from(s)
}

#[test]
fn two_rooms_except_a_third_reach_exactly_the_right_clients_once() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let b = h.connect("B", "/");
    let c = h.connect("C", "/");
    let _d = h.connect("D", "/");
    h.layer.join(&a, &[r("r1")]).unwrap();
    h.layer.join(&b, &[r("r2")]).unwrap();
    h.layer.join(&c, &[r("r1"), r("r2"), r("r3")]).unwrap();
    h.layer.join(&a, &[r("r2")]).unwrap(); // in both target rooms: still once

    let opts = BroadcastOptions::new().to("r1").to("r2").except("r3");
    let n = h
        .layer
        .broadcast("/", &opts, Payload::new(r#"["news",1]"#))
        .unwrap();
    h.pump();
    assert_eq!(n, 2);
    assert_eq!(h.take("A"), vec![r#"2["news",1]"#]);
    assert_eq!(h.take("B"), vec![r#"2["news",1]"#]);
    assert!(h.take("C").is_empty());
    assert!(h.take("D").is_empty());
    h.layer.check_consistency().unwrap();
}

#[test]
fn broadcast_except_the_sender_and_to_the_whole_namespace() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let _b = h.connect("B", "/");
    let _c = h.connect("C", "/");
    let opts = BroadcastOptions::new().except_socket(&a);
    h.layer
        .broadcast("/", &opts, Payload::new(r#"["hi"]"#))
        .unwrap();
    h.pump();
    assert!(h.take("A").is_empty());
    assert_eq!(h.take("B"), vec![r#"2["hi"]"#]);
    assert_eq!(h.take("C"), vec![r#"2["hi"]"#]);
}

#[test]
fn other_namespaces_do_not_receive_a_namespace_broadcast() {
    let mut h = Harness::new();
    h.layer.add_namespace("/admin").unwrap();
    let _a = h.connect("A", "/");
    let _b = h.connect("B", "/admin");
    h.layer
        .broadcast("/admin", &BroadcastOptions::new(), Payload::new(r#"["x"]"#))
        .unwrap();
    h.pump();
    assert!(h.take("A").is_empty());
    assert_eq!(h.take("B"), vec![r#"2/admin,["x"]"#]);
}

#[test]
fn a_binary_broadcast_is_encoded_once_and_shared_by_every_target() {
    let mut h = Harness::new();
    for sid in ["A", "B", "C"] {
        h.connect(sid, "/");
    }
    let payload = Payload::with_attachments(
        r#"["blob",{"_placeholder":true,"num":0}]"#,
        vec![bytes::Bytes::from_static(&[1, 2, 3])],
    );
    h.layer
        .broadcast("/", &BroadcastOptions::new(), payload)
        .unwrap();
    let mut shared = Vec::new();
    while let Some(cmd) = h.layer.poll_command() {
        if let EngineCommand::Send {
            messages: Messages::Shared(messages),
            ..
        } = cmd
        {
            shared.push(messages);
        }
    }
    assert_eq!(shared.len(), 3);
    assert!(shared.iter().all(|m| Arc::ptr_eq(m, &shared[0])));
    let texts: Vec<_> = shared[0]
        .iter()
        .map(|m| format!("{:?}", m.to_message()))
        .collect();
    assert_eq!(texts.len(), 2, "text then one attachment: {texts:?}");
}

#[test]
fn volatile_flag_is_passed_to_the_engine_for_every_target() {
    let mut h = Harness::new();
    h.connect("A", "/");
    h.connect("B", "/");
    h.layer
        .broadcast(
            "/",
            &BroadcastOptions::new().volatile(),
            Payload::new("[\"v\"]"),
        )
        .unwrap();
    let mut flags = Vec::new();
    while let Some(cmd) = h.layer.poll_command() {
        if let EngineCommand::Send { volatile, .. } = cmd {
            flags.push(volatile);
        }
    }
    assert_eq!(flags, vec![true, true]);
}

#[test]
fn rooms_of_a_socket_and_sockets_of_a_room_follow_join_and_leave() {
    let mut h = Harness::new();
    let a = h.connect("A", "/");
    let b = h.connect("B", "/");
    assert_eq!(h.layer.rooms(&a).unwrap(), vec![a.room()]);
    h.layer.join(&a, &[r("x"), r("y")]).unwrap();
    h.layer.join(&b, &[r("x")]).unwrap();
    let mut in_x: Vec<String> = h
        .layer
        .sockets_in("/", "x")
        .iter()
        .map(|s| s.to_string())
        .collect();
    in_x.sort();
    assert_eq!(in_x, vec![a.to_string(), b.to_string()]);
    h.layer.leave(&a, "x").unwrap();
    assert_eq!(h.layer.rooms(&a).unwrap(), vec![a.room(), r("y")]);
    h.layer.leave_all(&a).unwrap();
    assert!(h.layer.rooms(&a).unwrap().is_empty());
    // Own-id room: a broadcast to a socket id reaches only that socket.
    h.layer
        .broadcast(
            "/",
            &BroadcastOptions::new().to(b.room()),
            Payload::new("[\"dm\"]"),
        )
        .unwrap();
    h.pump();
    assert_eq!(h.take("B"), vec!["2[\"dm\"]"]);
    assert!(h.take("A").is_empty());
    h.layer.check_consistency().unwrap();
}
