//! Two Volley servers (tokio) joined through a real redis-server: node A fetches a socket
//! connected to node B with `fetch_all_sockets` and acts on it as a `RemoteSocket` — joins
//! rooms, emits, asks for an acknowledgement (answered, then unanswered), leaves a room,
//! disconnects it — and a WebSocket client on node B sees exactly that. Once the socket is
//! gone from every node, an emit with an ack to it ends with `AckError::Disconnected`.

mod common;
#[path = "../../adapter-tokio/tests/common/mod.rs"]
mod ws_client;

use common::{eventually, free_port, two_nodes, RedisServer};
use std::time::Duration;
use volley_tokio::{AckError, Io, RemoteSocket};
use ws_client::{next_sio, send_sio, sid_of, sio_connect, start, Ws, WAIT};

/// The next Socket.IO packet the client gets, within [`WAIT`].
async fn next(ws: &mut Ws) -> String {
    tokio::time::timeout(WAIT, next_sio(ws))
        .await
        .expect("a packet in time")
}

/// The rooms node B itself has the socket in, sorted.
fn rooms_on_b(b: &Io) -> Vec<String> {
    let mut rooms: Vec<String> = b
        .fetch_sockets()
        .iter()
        .flat_map(|s| s.rooms())
        .map(|r| r.to_string())
        .collect();
    rooms.sort();
    rooms
}

/// The socket named `name`, fetched from node `a`.
async fn fetch(a: &Io, name: &str) -> Option<RemoteSocket> {
    let all = a.fetch_all_sockets().await;
    all.into_iter().find(|s| s.data["name"] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_a_acts_on_a_socket_of_node_b_through_redis() {
    let redis = RedisServer::start(free_port());
    let (a, b) = two_nodes(&redis.url(), volley_tokio::new).await;
    b.of("/").on_connection(|socket| {
        let auth: serde_json::Value =
            serde_json::from_str(socket.handshake().auth()).unwrap_or_default();
        socket.set_data(serde_json::json!({ "name": auth["name"] }));
    });
    let addr_b = start(b.clone()).await;
    let (mut client, reply) = sio_connect(addr_b, "/", Some(r#"{"name":"carol"}"#)).await;
    let id = sid_of(&reply[1..]);

    let carol = fetch(&a, "carol")
        .await
        .expect("node a finds carol on node b");
    assert_eq!(carol.id().as_str(), id);
    assert_eq!(carol.ns(), "/");
    let rooms: Vec<&str> = carol.rooms().iter().map(|r| r.as_str()).collect();
    assert_eq!(rooms, [id.as_str()]);
    assert!(a.fetch_sockets().is_empty(), "carol is not on node a");

    carol.join_many(["red", "blue"]);
    let mut expected = vec![id.clone(), "blue".into(), "red".into()];
    expected.sort();
    let joined = eventually(WAIT, || rooms_on_b(&b) == expected).await;
    assert!(
        joined,
        "node b has carol in both rooms: {:?}",
        rooms_on_b(&b)
    );
    a.to("red").emit("news", &1).unwrap();
    assert_eq!(next(&mut client).await, r#"2["news",1]"#);

    carol.emit("direct", &("hi", 2)).unwrap();
    assert_eq!(next(&mut client).await, r#"2["direct","hi",2]"#);

    let answer = carol.emit_with_ack("sure?", &()).unwrap();
    let asked = next(&mut client).await;
    let ack_id = asked
        .strip_prefix('2')
        .and_then(|rest| rest.strip_suffix(r#"["sure?"]"#))
        .unwrap_or_else(|| panic!("an event asking for an ack: {asked}"));
    send_sio(&mut client, &format!(r#"3{ack_id}["yes"]"#)).await;
    let reply = answer.await.expect("carol answered");
    assert_eq!(reply.arg::<String>(0).unwrap(), "yes");
    assert_eq!(reply.socket().map(|s| s.as_str()), Some(id.as_str()));

    let unanswered = carol
        .timeout(Duration::from_millis(300))
        .emit_with_ack("silent?", &())
        .unwrap();
    assert!(next(&mut client).await.ends_with(r#"["silent?"]"#));
    assert_eq!(unanswered.await.unwrap_err(), AckError::Timeout);

    carol.leave("red");
    let left = eventually(WAIT, || !rooms_on_b(&b).contains(&"red".to_owned())).await;
    assert!(left, "node b took carol out of red");
    a.to("red").emit("news", &2).unwrap();
    a.to("blue").emit("marker", &()).unwrap();
    assert_eq!(
        next(&mut client).await,
        r#"2["marker"]"#,
        "nothing for red any more"
    );

    carol.disconnect();
    assert_eq!(next(&mut client).await, "1", "io server disconnect");
    let gone = eventually(WAIT, || b.fetch_sockets().is_empty()).await;
    assert!(gone, "node b let carol go");
    assert!(fetch(&a, "carol").await.is_none());
    let late = carol.emit_with_ack("still there?", &()).unwrap().await;
    assert_eq!(late.unwrap_err(), AckError::Disconnected);
}
