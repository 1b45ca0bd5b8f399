//! Server-wide operations: select/fetch sockets, make them join or leave rooms, disconnect them.

mod sio_common;

use sio_common::{disconnects, Harness};
use volley_protocol::server::{BroadcastOptions, Event, RequestResult, Room};

fn setup() -> (Harness, Vec<volley_protocol::server::SocketId>) {
    let mut h = Harness::new();
    let ids: Vec<_> = ["A", "B", "C"].iter().map(|s| h.connect(s, "/")).collect();
    h.layer.join(&ids[0], &[Room::from("red")]).unwrap();
    h.layer
        .join(&ids[1], &[Room::from("red"), Room::from("blue")])
        .unwrap();
    h.take_events();
    (h, ids)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn fetch_sockets_describes_the_selected_sockets() {
    let (mut h, ids) = setup();
    let opts = BroadcastOptions::new().to("red").except("blue");
    let request = h.layer.fetch_sockets(h.now, "/", &opts);
    h.pump();
    match &h.take_events()[..] {
        [Event::RequestDone {
            id,
            result: RequestResult::FetchSockets(sockets),
            timed_out: false,
        }] => {
            assert_eq!(*id, request);
            assert_eq!(sockets.len(), 1);
            assert_eq!(sockets[0].id, ids[0]);
            assert_eq!(sockets[0].rooms, vec![ids[0].room(), Room::from("red")]);
            assert_eq!(sockets[0].auth, "{}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let all = h.layer.select("/", &BroadcastOptions::new());
    assert_eq!(all.len(), 3);
}

#[test]
fn sockets_join_and_leave_apply_to_the_selection() {
    let (mut h, ids) = setup();
    h.layer.sockets_join(
        "/",
        &BroadcastOptions::new().to("red"),
        &[Room::from("green")],
    );
    assert_eq!(
        sorted(
            h.layer
                .sockets_in("/", "green")
                .iter()
                .map(|s| s.to_string())
                .collect()
        ),
        sorted(vec![ids[0].to_string(), ids[1].to_string()])
    );
    h.layer.sockets_leave(
        "/",
        &BroadcastOptions::new().except("blue"),
        &[Room::from("green")],
    );
    assert_eq!(h.layer.sockets_in("/", "green"), vec![ids[1].clone()]);
    h.layer.check_consistency().unwrap();
}

#[test]
fn disconnect_sockets_disconnects_the_selection_only() {
    let (mut h, ids) = setup();
    h.layer
        .disconnect_sockets("/", &BroadcastOptions::new().to("red"), false);
    h.pump();
    assert_eq!(
        sorted(
            disconnects(&h.take_events())
                .into_iter()
                .map(|(s, r)| format!("{s} {r}"))
                .collect()
        ),
        sorted(vec![
            format!("{} server namespace disconnect", ids[0]),
            format!("{} server namespace disconnect", ids[1])
        ])
    );
    assert_eq!(h.take("A"), vec!["1"]);
    assert_eq!(h.take("B"), vec!["1"]);
    assert!(h.take("C").is_empty());
    assert!(h.closed.is_empty());
    h.layer
        .disconnect_sockets("/", &BroadcastOptions::new(), true);
    h.pump();
    assert_eq!(h.closed, vec!["C"]);
    assert_eq!(h.layer.socket_count(), 0);
}

#[test]
fn all_rooms_lists_every_room_of_the_namespace() {
    let (mut h, ids) = setup();
    h.layer.all_rooms(h.now, "/");
    h.pump();
    match &h.take_events()[..] {
        [Event::RequestDone {
            result: RequestResult::AllRooms(rooms),
            ..
        }] => {
            let mut got: Vec<String> = rooms.iter().map(|r| r.to_string()).collect();
            got.sort();
            let mut want: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            want.extend(["blue".to_string(), "red".to_string()]);
            want.sort();
            assert_eq!(got, want);
        }
        other => panic!("unexpected {other:?}"),
    }
}
