//! Through the user API, sans IO (polling clients driving an `Endpoint` by hand), on one node
//! without a cluster adapter: the sockets `fetch_all_sockets` returns are `RemoteSocket`s that
//! act on the live socket — join and leave rooms, receive an emit, answer an emit with an ack
//! (or let it time out), and get disconnected — reaching that client and no other, in the
//! namespace it belongs to (also when fetched through a dynamic parent).

mod api_common;

use api_common::{ready, Client, Clock};
use std::sync::Arc;
use std::time::Duration;
use volley_protocol::api::{AckError, Io, Options, RemoteSocket};

struct Node {
    io: Io,
    clock: Arc<Clock>,
    target: Client,
    bystander: Client,
}

/// A node with two clients on `/`, named `target` and `bystander` in their `data`.
fn node() -> Node {
    let clock = Arc::new(Clock::new());
    let io = Io::new(Options::default(), clock.clone());
    io.of("/").on_connection(|socket| {
        let auth: serde_json::Value =
            serde_json::from_str(socket.handshake().auth()).unwrap_or_default();
        socket.set_data(serde_json::json!({ "name": auth["name"] }));
    });
    let target = Client::connect_with_auth(io.clone().into(), r#"{"name":"target"}"#);
    let bystander = Client::connect_with_auth(io.clone().into(), r#"{"name":"bystander"}"#);
    Node {
        io,
        clock,
        target,
        bystander,
    }
}

impl Node {
    /// The target's socket, as `fetch_all_sockets` finds it.
    fn fetch_target(&self) -> RemoteSocket {
        let mut fetch = self.io.fetch_all_sockets();
        let sockets = ready(&mut fetch).expect("one node answers at once");
        assert_eq!(sockets.len(), 2);
        let target = sockets
            .into_iter()
            .find(|s| s.data["name"] == "target")
            .expect("the target is listed");
        assert_eq!(target.ns(), "/");
        target
    }

    fn advance(&self, by: Duration) {
        *self.clock.now.lock().unwrap() += by;
        self.target.endpoint.handle_timeout();
    }
}

/// The packets of one polling GET, which must not wait.
fn packets(client: &Client) -> Vec<String> {
    let (status, body) = client.get();
    assert_eq!(status, 200, "something was queued");
    body.split('\u{1e}').map(str::to_owned).collect()
}

const MARKER: &str = r#"42["marker"]"#;

impl Node {
    /// What each client received until now: a marker is emitted to all and each client polls
    /// once (a poll with nothing queued would wait).
    fn received(&self) -> (Vec<String>, Vec<String>) {
        self.io.emit("marker", &()).unwrap();
        let until_marker = |client: &Client| {
            let mut got = packets(client);
            assert_eq!(got.pop().as_deref(), Some(MARKER), "{got:?}");
            got
        };
        (until_marker(&self.target), until_marker(&self.bystander))
    }
}

const NOTHING: [&str; 0] = [];

#[test]
fn a_fetched_socket_joins_rooms_gets_emits_and_leaves_on_its_own_node() {
    let n = node();
    let target = n.fetch_target();

    target.join("vip");
    target.join_many(["red", "blue"]);
    n.io.to("vip").emit("vip-news", &1).unwrap();
    n.io.to("blue").emit("blue-news", &2).unwrap();
    let (got, bystander) = n.received();
    assert_eq!(got, [r#"42["vip-news",1]"#, r#"42["blue-news",2]"#]);
    assert_eq!(bystander, NOTHING);

    target.emit("direct", &("hi", 3)).unwrap();
    let (got, bystander) = n.received();
    assert_eq!(got, [r#"42["direct","hi",3]"#]);
    assert_eq!(bystander, NOTHING);

    target.leave("vip");
    n.io.to("vip").emit("vip-news", &4).unwrap();
    n.io.to("red").emit("red-news", &5).unwrap();
    let (got, _) = n.received();
    assert_eq!(got, [r#"42["red-news",5]"#]);

    let refetched = n.fetch_target();
    let mut rooms: Vec<&str> = refetched.rooms().iter().map(|r| r.as_str()).collect();
    rooms.sort_unstable();
    let mut expected = vec![target.id.as_str(), "blue", "red"];
    expected.sort_unstable();
    assert_eq!(rooms, expected);
}

#[test]
fn a_fetched_socket_answers_an_emit_with_ack() {
    let n = node();
    let target = n.fetch_target();

    let mut answer = target.emit_with_ack("confirm?", &"delete").unwrap();
    let (sent, bystander) = n.received();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let id = sent[0]
        .strip_prefix("42")
        .and_then(|rest| rest.strip_suffix(r#"["confirm?","delete"]"#))
        .expect("an event asking for an ack");
    assert!(id.parse::<u64>().is_ok(), "{sent:?}");
    assert_eq!(bystander, NOTHING);
    assert!(ready(&mut answer).is_none(), "waits for the client");

    assert_eq!(n.target.post(&format!("43{id}[true]")), 200);
    let reply = ready(&mut answer)
        .expect("answered")
        .expect("an acknowledgement");
    assert!(reply.arg::<bool>(0).unwrap());
    assert_eq!(reply.socket(), Some(target.id()));
}

#[test]
fn an_unanswered_emit_with_ack_times_out_after_the_remote_sockets_timeout() {
    let n = node();
    let target = n.fetch_target();

    let mut answer = target
        .timeout(Duration::from_secs(2))
        .emit_with_ack("ping", &())
        .unwrap();
    assert_eq!(n.received().0.len(), 1);
    n.advance(Duration::from_secs(1));
    assert!(ready(&mut answer).is_none(), "still within the timeout");
    n.advance(Duration::from_millis(1100));
    let outcome = ready(&mut answer).map(|r| r.map(|_| ()));
    assert_eq!(outcome, Some(Err(AckError::Timeout)));
}

#[test]
fn a_fetched_socket_is_disconnected_and_then_cannot_answer() {
    let n = node();
    let target = n.fetch_target();

    target.disconnect();
    assert_eq!(packets(&n.target), ["41"]);
    let mut fetch = n.io.fetch_all_sockets();
    let left = ready(&mut fetch).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].data["name"], "bystander");

    let mut answer = target.emit_with_ack("still there?", &()).unwrap();
    let outcome = ready(&mut answer).map(|r| r.map(|_| ()));
    assert_eq!(
        outcome,
        Some(Err(AckError::Disconnected)),
        "no node holds the socket"
    );
    n.io.emit("marker", &()).unwrap();
    assert_eq!(packets(&n.bystander), [MARKER]);
}

#[test]
fn disconnect_and_close_closes_the_fetched_sockets_connection() {
    let n = node();
    let target = n.fetch_target();

    target.disconnect_and_close();
    assert_eq!(packets(&n.target), ["41"]);
    n.target
        .assert_closed("the connection closes after the DISCONNECT");
    n.io.emit("marker", &()).unwrap();
    assert_eq!(packets(&n.bystander), [MARKER]);
}

#[test]
fn sockets_fetched_through_a_dynamic_parent_act_in_their_own_child_namespace() {
    let clock = Arc::new(Clock::new());
    let io = Io::new(Options::default(), clock);
    let rooms = io.of_dynamic(|name| name.starts_with("/room-"));
    rooms.on_connection(|socket| {
        let auth: serde_json::Value =
            serde_json::from_str(socket.handshake().auth()).unwrap_or_default();
        socket.set_data(serde_json::json!({ "name": auth["name"] }));
    });
    let one = Client::connect_to(io.clone().into(), "/room-1", r#"{"name":"one"}"#);
    let two = Client::connect_to(io.clone().into(), "/room-2", r#"{"name":"two"}"#);

    let mut fetch = rooms.fetch_all_sockets();
    let mut found = ready(&mut fetch).expect("one node answers at once");
    found.sort_by(|a, b| a.ns().cmp(b.ns()));
    let names: Vec<(&str, &str)> = found
        .iter()
        .map(|s| (s.ns(), s.data["name"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("/room-1", "one"), ("/room-2", "two")]);

    found[1].join("late");
    found[1].emit("only-two", &()).unwrap();
    io.of("/room-2").to("late").emit("late-news", &()).unwrap();
    found[0].disconnect();
    assert_eq!(packets(&one), ["41/room-1,"]);
    assert_eq!(
        packets(&two),
        [r#"42/room-2,["only-two"]"#, r#"42/room-2,["late-news"]"#]
    );
}
