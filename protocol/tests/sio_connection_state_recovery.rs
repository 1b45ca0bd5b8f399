//! Connection state recovery (the reference's `connectionStateRecovery`): pids in CONNECT
//! answers, offsets on kept events, and a reconnecting client getting its socket back with
//! the events it missed — or not, when the reason, the delay or the offset says no.

mod sio_common;

use sio_common::*;
use std::time::Duration;
use volley_protocol::server::{
    BroadcastOptions, DisconnectReason, Payload, RecoveryConfig, SocketConfig, SocketId,
};

fn harness() -> Harness {
    Harness::with_config(SocketConfig::new().connection_state_recovery(Some(
        RecoveryConfig::new().max_disconnection_duration(Duration::from_secs(10)),
    )))
}

/// Connects `sid` to `/` with `auth` (raw JSON, or none); returns the socket id, the pid
/// of the CONNECT answer, and whether the layer saw a recovery.
fn connect(
    h: &mut Harness,
    sid: &str,
    auth: Option<&str>,
) -> (SocketId, String, bool, Vec<String>) {
    if h.opened.insert(sid.to_string()) {
        h.open(sid);
    }
    h.send(sid, &format!("0{}", auth.unwrap_or("")));
    let req = h.take_connect();
    let recovery = req.is_recovery();
    let id = h.layer.accept_connect(h.now, req).expect("accept");
    h.pump();
    let mut got = h.take(sid);
    let answer = got.pop().expect("a CONNECT answer");
    let json: serde_json::Value = serde_json::from_str(&answer[1..]).expect("json");
    assert_eq!(json["sid"], id.as_str(), "{answer}");
    let pid = json["pid"].as_str().expect("a pid").to_owned();
    (id, pid, recovery, got)
}

/// The offset (last argument) of an event packet's text.
fn offset_of(packet: &str) -> String {
    let args: Vec<serde_json::Value> = serde_json::from_str(&packet[1..]).expect("event json");
    args.last()
        .and_then(|v| v.as_str())
        .expect("an offset")
        .to_owned()
}

/// A socket on `e1` that got one kept event and then lost its session for `reason`:
/// its id, its pid, and the CONNECT auth that restores it.
fn dropped(h: &mut Harness, reason: DisconnectReason) -> (SocketId, String, String) {
    let (id, pid, _, _) = connect(h, "e1", None);
    h.emit(&id, r#"["x"]"#);
    let offset = offset_of(&h.take("e1")[0]);
    h.engine_closed("e1", reason);
    let auth = format!(r#"{{"pid":"{pid}","offset":"{offset}"}}"#);
    (id, pid, auth)
}

fn broadcast(h: &mut Harness, opts: BroadcastOptions, json: &str) {
    h.layer
        .broadcast("/", &opts, Payload::new(json))
        .expect("broadcast");
    h.pump();
}

#[test]
fn kept_events_carry_an_offset_and_acks_and_volatile_ones_do_not() {
    let mut h = harness();
    let (id, pid, recovery, _) = connect(&mut h, "e1", None);
    assert!(!recovery);
    assert!(!pid.is_empty() && pid != id.as_str());
    assert_eq!(h.layer.socket_recovered(&id), Some(false));
    h.emit(&id, r#"["a",1]"#);
    broadcast(&mut h, BroadcastOptions::new(), r#"["b"]"#);
    h.layer
        .emit_volatile(&id, Payload::new(r#"["v"]"#))
        .unwrap();
    h.layer
        .emit_with_ack(h.now, &id, Payload::new(r#"["q"]"#), None)
        .unwrap();
    h.pump();
    let got = h.take("e1");
    assert_eq!(got.len(), 4, "{got:?}");
    let (first, second) = (offset_of(&got[0]), offset_of(&got[1]));
    assert_eq!(got[0], format!(r#"2["a",1,"{first}"]"#));
    assert_eq!(got[1], format!(r#"2["b","{second}"]"#));
    assert_ne!(first, second);
    assert_eq!(got[2], r#"2["v"]"#);
    assert_eq!(got[3], r#"20["q"]"#);
}

#[test]
fn a_dropped_client_gets_its_socket_rooms_data_and_missed_events_back() {
    let mut h = harness();
    let (id, pid, _, _) = connect(&mut h, "e1", None);
    let (other, _, _, _) = connect(&mut h, "e2", None);
    h.layer.join(&id, &["r".into()]).unwrap();
    *h.layer.socket_data_mut(&id).unwrap() = serde_json::json!({"user": "ada"});
    broadcast(&mut h, BroadcastOptions::new().to("r"), r#"["seen"]"#);
    let offset = offset_of(&h.take("e1")[0]);

    h.engine_closed("e1", DisconnectReason::TransportClose);
    h.now += Duration::from_secs(3);
    broadcast(&mut h, BroadcastOptions::new().to("r"), r#"["one"]"#);
    broadcast(
        &mut h,
        BroadcastOptions::new().to("elsewhere"),
        r#"["not for it"]"#,
    );
    broadcast(
        &mut h,
        BroadcastOptions::new().except("r"),
        r#"["excluded"]"#,
    );
    broadcast(&mut h, BroadcastOptions::new(), r#"["two"]"#);
    h.layer
        .emit(&other, Payload::new(r#"["for the other"]"#))
        .unwrap();
    h.pump();

    let auth = format!(r#"{{"pid":"{pid}","offset":"{offset}","token":"t"}}"#);
    let (again, pid2, recovery, missed) = connect(&mut h, "e3", Some(&auth));
    assert!(recovery);
    assert_eq!((again.as_str(), pid2.as_str()), (id.as_str(), pid.as_str()));
    let names: Vec<String> = missed
        .iter()
        .map(|p| {
            let v: Vec<serde_json::Value> = serde_json::from_str(&p[1..]).unwrap();
            v[0].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(names, ["one", "two"], "{missed:?}");
    assert_eq!(h.layer.socket_recovered(&id), Some(true));
    assert_eq!(h.layer.socket_data_mut(&id).unwrap()["user"], "ada");
    let mut rooms = h.layer.rooms(&id).unwrap();
    rooms.sort();
    assert_eq!(rooms, vec![volley_protocol::Str::from("r"), id.room()]);
    // The handshake keeps the auth as sent, pid and offset included.
    let socket = h.layer.socket(&id).unwrap();
    assert!(socket.handshake().auth().contains("\"token\""));
    h.layer.check_consistency().unwrap();
    // A session is restored once: the same pid and offset again get a fresh socket.
    let (fresh, _, recovery, missed) = connect(&mut h, "e4", Some(&auth));
    assert!(!recovery);
    assert_ne!(fresh, id);
    assert!(missed.is_empty());
}

#[test]
fn a_missed_binary_event_comes_back_with_its_attachment_and_offset() {
    let mut h = harness();
    let (_, _, auth) = dropped(&mut h, DisconnectReason::TransportClose);
    let payload = Payload {
        data: r#"["file",{"_placeholder":true,"num":0}]"#.into(),
        attachments: vec![bytes::Bytes::from_static(&[1, 2, 3])],
    };
    h.layer
        .broadcast("/", &BroadcastOptions::new(), payload)
        .unwrap();
    h.pump();
    let (_, _, recovery, missed) = connect(&mut h, "e2", Some(&auth));
    assert!(recovery);
    assert_eq!(missed.len(), 2, "{missed:?}");
    let kept = offset_of(&missed[0][2..]);
    assert_eq!(
        missed[0],
        format!(r#"51-["file",{{"_placeholder":true,"num":0}},"{kept}"]"#)
    );
    assert_eq!(missed[1], "<bin:010203>");
}

#[test]
fn a_client_that_left_or_was_removed_is_not_restored() {
    for (how, reason) in [
        ("client namespace disconnect", None),
        ("server namespace disconnect", Some(())),
    ] {
        let mut h = harness();
        let (id, pid, _, _) = connect(&mut h, "e1", None);
        h.emit(&id, r#"["x"]"#);
        let offset = offset_of(&h.take("e1")[0]);
        match reason {
            None => h.send("e1", "1"),
            Some(()) => {
                h.layer.disconnect(&id, false).unwrap();
                h.pump();
            }
        }
        let auth = format!(r#"{{"pid":"{pid}","offset":"{offset}"}}"#);
        let (again, _, recovery, missed) = connect(&mut h, "e2", Some(&auth));
        assert!(!recovery, "{how}");
        assert_ne!(again, id, "{how}");
        assert!(missed.is_empty());
    }
}

#[test]
fn too_late_or_an_unknown_offset_gives_a_fresh_socket() {
    let mut h = harness();
    let (id, pid, good) = dropped(&mut h, DisconnectReason::PingTimeout);

    let bad = format!(r#"{{"pid":"{pid}","offset":"nope"}}"#);
    let (fresh, _, recovery, _) = connect(&mut h, "e2", Some(&bad));
    assert!(!recovery);
    assert_ne!(fresh, id);
    // Numbers are not what the client sends: ignored.
    let (_, _, recovery, _) = connect(
        &mut h,
        "e3",
        Some(&format!(r#"{{"pid":"{pid}","offset":1}}"#)),
    );
    assert!(!recovery);

    h.now += Duration::from_secs(11);
    let (late, _, recovery, _) = connect(&mut h, "e4", Some(&good));
    assert!(!recovery, "past max_disconnection_duration");
    assert_ne!(late, id);
}

#[test]
fn a_refused_recovery_can_be_tried_again() {
    let mut h = harness();
    let (id, _, auth) = dropped(&mut h, DisconnectReason::TransportError);
    h.open("e2");
    h.send("e2", &format!("0{auth}"));
    let req = h.take_connect();
    assert!(req.is_recovery());
    h.layer
        .refuse_connect(req, volley_protocol::socket::ConnectError::new("not now"));
    h.pump();
    let (again, _, recovery, _) = connect(&mut h, "e3", Some(&auth));
    assert!(recovery);
    assert_eq!(again, id);
}

#[test]
fn a_recovery_whose_client_left_before_the_decision_can_be_tried_again() {
    let mut h = harness();
    let (id, _, auth) = dropped(&mut h, DisconnectReason::TransportClose);
    h.open("e2");
    h.send("e2", &format!("0{auth}"));
    let req = h.take_connect();
    h.engine_closed("e2", DisconnectReason::TransportClose);
    assert!(h.layer.accept_connect(h.now, req).is_err());
    let (again, _, recovery, _) = connect(&mut h, "e3", Some(&auth));
    assert!(recovery);
    assert_eq!(again, id);
}

#[test]
fn expired_state_is_purged_and_the_timer_stops() {
    let mut h = harness();
    let (id, _, _, _) = connect(&mut h, "e1", None);
    h.emit(&id, r#"["x"]"#);
    h.engine_closed("e1", DisconnectReason::TransportClose);
    // The connect timer of a closed client is gone; the purge is what remains.
    assert!(h.layer.poll_timeout().is_some());
    h.advance(Duration::from_secs(61));
    assert_eq!(
        h.layer.poll_timeout(),
        None,
        "nothing kept, nothing scheduled"
    );
}

#[test]
fn without_recovery_nothing_changes_on_the_wire() {
    let mut h = Harness::new();
    let id = h.connect("e1", "/");
    h.emit(&id, r#"["a",1]"#);
    assert_eq!(h.take("e1"), vec![r#"2["a",1]"#.to_string()]);
    assert_eq!(h.layer.socket_recovered(&id), Some(false));
}
