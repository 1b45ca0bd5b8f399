//! Through the user API, sans IO: while a socket's disconnecting handlers run it is still
//! connected, in its namespace and in its rooms, as in the reference (`Socket._onclose` emits
//! `disconnecting` before `_cleanup`): `fetch_sockets` (namespace, room, cluster-wide) lists
//! it, it may still join rooms, its client takes nothing more (its own emit is `Ok` and sends
//! nothing, a room broadcast passes it by but reaches the others). Its disconnect handlers then
//! see it gone. For every reason: client and server namespace disconnect, transport close,
//! ping timeout, a client of several namespaces closing, a namespace-wide
//! `disconnect_sockets`, `disconnect_and_close`, shutdown; and with connection state recovery
//! the session keeps what the disconnecting handlers changed.

mod api_common;

use api_common::{ready, Client, Clock};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use volley_protocol::api::{Io, Options, SocketRef};
use volley_protocol::server::RecoveryConfig;

type Log = Arc<Mutex<Vec<String>>>;

/// What a handler sees of socket `s`: connected, listed by `fetch_sockets` in its namespace,
/// in room `r` and cluster-wide, in room `r` by `rooms()`, and whether its own emit is `Ok`.
fn observe(s: &SocketRef) -> String {
    let id = s.id().clone();
    let in_nsp = s.nsp().fetch_sockets().iter().any(|x| *x.id() == id);
    let in_room = s
        .nsp()
        .to("r")
        .fetch_sockets()
        .iter()
        .any(|x| *x.id() == id);
    let mut all = s.nsp().fetch_all_sockets();
    let all = ready(&mut all).expect("one node answers at once");
    let in_all = all.iter().any(|x| *x.id() == id);
    let rooms = s.rooms().iter().any(|r| r == "r");
    let emit = match s.emit("bye", &()) {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.to_string(),
    };
    format!(
        "connected={} listed={in_nsp}/{in_room}/{in_all} in_r={rooms} emit={emit}",
        s.connected()
    )
}

struct Node {
    io: Io,
    clock: Arc<Clock>,
    log: Log,
}

/// A node whose sockets on `/` and `/admin` join room `r`, log what their disconnecting and
/// disconnect handlers see, and broadcast `left` to room `r` from their disconnecting
/// handlers. `kick` disconnects the sender, `ban` with `disconnect_and_close`.
fn node(options: Options) -> Node {
    let clock = Arc::new(Clock::new());
    let io = Io::new(options, clock.clone());
    let log: Log = Arc::default();
    for nsp in ["/", "/admin"] {
        let log = log.clone();
        io.of(nsp).on_connection(move |socket: SocketRef| {
            socket.join("r");
            let log1 = log.clone();
            socket.on_disconnecting(move |s, reason| {
                let seen = observe(&s);
                s.nsp().to("r").emit("left", &reason.as_str()).unwrap();
                log1.lock()
                    .unwrap()
                    .push(format!("{} disconnecting {reason}: {seen}", s.ns()));
            });
            let log2 = log.clone();
            socket.on_disconnect(move |s, reason| {
                let seen = observe(&s);
                log2.lock()
                    .unwrap()
                    .push(format!("{} disconnect {reason}: {seen}", s.ns()));
            });
            socket.on("kick", |s, _e| s.disconnect());
            socket.on("ban", |s, _e| s.disconnect_and_close());
        });
    }
    Node { io, clock, log }
}

impl Node {
    fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut self.log.lock().unwrap())
    }

    fn client(&self) -> Client {
        Client::connect(self.io.clone().into())
    }
}

/// What a polling GET returns, which must not wait.
fn packets(client: &Client) -> Vec<String> {
    let (status, body) = client.get();
    assert_eq!(status, 200, "something was queued");
    body.split('\u{1e}').map(str::to_owned).collect()
}

/// The two lines one socket of `nsp` leaving for `reason` logs: counted and connected in the
/// disconnecting handlers (its emit sends nothing), gone in the disconnect handlers.
fn leaving(nsp: &str, reason: &str) -> [String; 2] {
    [
        format!(
            "{nsp} disconnecting {reason}: connected=true listed=true/true/true in_r=true emit=ok"
        ),
        format!(
            "{nsp} disconnect {reason}: connected=false listed=false/false/false in_r=false \
             emit=the socket is disconnected"
        ),
    ]
}

fn left(reason: &str) -> String {
    format!(r#"42["left","{reason}"]"#)
}

#[test]
fn client_namespace_disconnect() {
    let n = node(Options::default());
    let leaver = n.client();
    let bystander = n.client();
    assert_eq!(leaver.post("41"), 200);
    assert_eq!(n.take_log(), leaving("/", "client namespace disconnect"));
    assert_eq!(packets(&bystander), [left("client namespace disconnect")]);
    // Nothing from the handlers went to the client that left: its next CONNECT is answered
    // first thing.
    assert_eq!(leaver.post("40"), 200);
    let got = packets(&leaver);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with(r#"40{"sid":"#), "{got:?}");
}

#[test]
fn server_namespace_disconnect() {
    let n = node(Options::default());
    let leaver = n.client();
    let bystander = n.client();
    assert_eq!(leaver.post(r#"42["kick"]"#), 200);
    assert_eq!(n.take_log(), leaving("/", "server namespace disconnect"));
    assert_eq!(packets(&bystander), [left("server namespace disconnect")]);
    // The DISCONNECT went first (as in the reference); nothing follows it.
    assert_eq!(packets(&leaver), ["41"]);
}

#[test]
fn transport_close() {
    let n = node(Options::default());
    let leaver = n.client();
    let bystander = n.client();
    assert_eq!(leaver.post("1"), 200);
    assert_eq!(n.take_log(), leaving("/", "transport close"));
    assert_eq!(packets(&bystander), [left("transport close")]);
    assert_eq!(leaver.get().0, 400, "the session is gone");
}

#[test]
fn ping_timeout() {
    let n = node(Options::default());
    let leaver = n.client();
    let bystander = n.client();
    let advance = |by: Duration| {
        *n.clock.now.lock().unwrap() += by;
        bystander.endpoint.handle_timeout();
    };
    advance(Duration::from_secs(25));
    assert_eq!(packets(&bystander), ["2"]);
    assert_eq!(bystander.post("3"), 200);
    advance(Duration::from_secs(20));
    assert_eq!(n.take_log(), leaving("/", "ping timeout"));
    assert_eq!(packets(&bystander), [left("ping timeout")]);
    let _ = leaver;
}

/// A client of `/` and `/admin` leaves both through `body`: one socket after the other, as
/// the reference's `Client.onclose` / `Client._disconnect` go, the second still counted while
/// the first leaves; a bystander hears the first one's broadcast.
fn two_namespaces(body: &str, reason: &str) {
    let n = node(Options::default());
    let leaver = n.client();
    assert_eq!(leaver.post("40/admin,"), 200);
    assert!(packets(&leaver)[0].starts_with(r#"40/admin,{"sid":"#));
    let bystander = n.client();
    assert_eq!(leaver.post(body), 200);
    let log = n.take_log();
    assert_eq!(log[..2], leaving("/", reason));
    assert_eq!(log[2..], leaving("/admin", reason));
    assert_eq!(packets(&bystander), [left(reason)]);
}

#[test]
fn a_client_of_two_namespaces_closing() {
    two_namespaces("1", "transport close");
}

#[test]
fn disconnect_and_close_of_a_client_of_two_namespaces() {
    two_namespaces(r#"42["ban"]"#, "server namespace disconnect");
}

/// A namespace-wide `disconnect_sockets`: each socket's disconnecting handlers count it and
/// those not disconnected yet (3, 2, 1, as the reference's one-after-the-other
/// `disconnectSockets` counts them), its disconnect handlers one fewer.
#[test]
fn namespace_wide_disconnect_sockets() {
    let n = node(Options::default());
    let counts: Log = Arc::default();
    let c = counts.clone();
    n.io.of("/").on_connection(move |socket: SocketRef| {
        let c1 = c.clone();
        socket.on_disconnecting(move |s, _| {
            let in_room = s.nsp().to("r").fetch_sockets().len();
            c1.lock().unwrap().push(format!("disconnecting {in_room}"));
        });
        let c2 = c.clone();
        socket.on_disconnect(move |s, _| {
            let in_room = s.nsp().to("r").fetch_sockets().len();
            c2.lock().unwrap().push(format!("disconnect {in_room}"));
        });
    });
    let clients: Vec<Client> = (0..3).map(|_| n.client()).collect();
    n.io.disconnect_sockets();
    assert_eq!(
        *counts.lock().unwrap(),
        [
            "disconnecting 3",
            "disconnect 2",
            "disconnecting 2",
            "disconnect 1",
            "disconnecting 1",
            "disconnect 0"
        ]
    );
    let log = n.take_log();
    assert_eq!(log.len(), 6, "{log:?}");
    for pair in log.chunks(2) {
        assert_eq!(pair, leaving("/", "server namespace disconnect"));
    }
    // One after the other, as the reference goes: each client heard the broadcasts of the
    // sockets disconnected before its own, then its DISCONNECT.
    let mut got: Vec<Vec<String>> = clients.iter().map(packets).collect();
    got.sort_by_key(|p| p.len());
    let left = left("server namespace disconnect");
    assert_eq!(
        got,
        [
            vec!["41".to_owned()],
            vec![left.clone(), "41".to_owned()],
            vec![left.clone(), left, "41".to_owned()],
        ]
    );
    assert!(n.io.fetch_sockets().is_empty());
}

/// Shutdown, as the reference's `io.close()`: one socket after the other while the
/// connections are still open, so what the handlers send still goes out (the socket's own
/// emit, its broadcast to the room it and the sockets not gone yet are in); then the
/// connections close.
#[test]
fn shutdown() {
    let n = node(Options::default());
    let clients: Vec<Client> = (0..2).map(|_| n.client()).collect();
    n.io.close();
    let log = n.take_log();
    assert_eq!(log.len(), 4, "{log:?}");
    for pair in log.chunks(2) {
        assert_eq!(pair, leaving("/", "server shutting down"));
    }
    assert!(n.io.fetch_sockets().is_empty());
    let (bye, left) = (r#"42["bye"]"#.to_owned(), left("server shutting down"));
    let mut got: Vec<Vec<String>> = clients.iter().map(packets).collect();
    got.sort_by_key(|p| p.len());
    assert_eq!(
        got,
        [
            vec![bye.clone(), left.clone()],
            vec![left.clone(), bye, left],
        ]
    );
    for c in &clients {
        // Then the Engine.IO close, and the session is gone.
        assert_eq!(packets(c), ["6", "1"]);
        assert_eq!(c.get().0, 400);
    }
}

/// With connection state recovery, the session is kept once the disconnecting handlers
/// returned, as in the reference: a room joined and `data` set there come back, and what
/// they emitted to the socket (or to a room it is in) is among the missed events the client
/// gets back.
#[test]
fn recovery_keeps_what_the_disconnecting_handlers_did() {
    let n = node(Options::default().connection_state_recovery(Some(RecoveryConfig::new())));
    n.io.of("/").on_connection(|socket: SocketRef| {
        if socket.recovered() {
            return;
        }
        socket.on_disconnecting(|s, _| {
            s.join("late");
            s.set_data(serde_json::json!({ "left": true }));
            s.emit("missed", &1).unwrap();
        });
    });
    let (leaver, answer) = Client::connect_answered(n.io.clone().into(), "/", "");
    let answer: serde_json::Value = serde_json::from_str(&answer[2..]).unwrap();
    let (id, pid) = (
        answer["sid"].as_str().unwrap(),
        answer["pid"].as_str().unwrap(),
    );
    n.io.emit("seen", &()).unwrap();
    let got = packets(&leaver);
    let offset = got[0].rsplit('"').nth(1).expect("an offset, last");
    assert_eq!(leaver.post("1"), 200);
    assert_eq!(n.take_log(), leaving("/", "transport close"));

    let auth = format!(r#"{{"pid":"{pid}","offset":"{offset}"}}"#);
    let (back, got) = Client::connect_answered(n.io.clone().into(), "/", &auth);
    let got: Vec<&str> = got.split('\u{1e}').collect();
    let names: Vec<&str> = got.iter().map(|p| p.split('"').nth(1).unwrap()).collect();
    // `bye` and `left` from the node's handlers (`left` went to room `r`), then `missed`.
    assert_eq!(names, ["bye", "left", "missed", "sid"], "{got:?}");
    assert!(
        got[3].starts_with(&format!(r#"40{{"sid":"{id}","pid":"#)),
        "{got:?}"
    );
    let restored = n.io.fetch_sockets();
    let [s] = &restored[..] else {
        panic!("one socket")
    };
    assert!(s.recovered());
    assert_eq!(s.data(), Some(serde_json::json!({ "left": true })));
    let mut rooms: Vec<String> = s.rooms().iter().map(|r| r.to_string()).collect();
    rooms.sort();
    let mut expected = vec![id.to_owned(), "late".to_owned(), "r".to_owned()];
    expected.sort();
    assert_eq!(rooms, expected);
    let _ = back;
}
