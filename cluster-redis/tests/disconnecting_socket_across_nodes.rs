//! Two Volley servers (tokio) joined through a real redis-server, while a socket of node B is
//! in its disconnecting handler (held there by the test): node A's `fetch_all_sockets` still
//! lists it (namespace and room), as the reference's `disconnecting` listeners run while the
//! socket is still in its namespace and rooms; A's remote operations on it (join, emit,
//! disconnect) are taken without harm. Once the handler returned, it is gone everywhere.

mod common;
#[path = "../../adapter-tokio/tests/common/mod.rs"]
mod ws_client;

use common::{eventually, free_port, two_nodes, RedisServer};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use volley_tokio::RemoteSocket;
use ws_client::{send_sio, sid_of, sio_connect, start, WAIT};

fn ids(sockets: &[RemoteSocket]) -> Vec<String> {
    sockets.iter().map(|s| s.id().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_disconnecting_socket_is_still_listed_cluster_wide() {
    let redis = RedisServer::start(free_port());
    let (a, b) = two_nodes(&redis.url(), volley_tokio::new).await;

    // The handler tells the test it runs, then waits until the test lets it return.
    let (entered_tx, entered) = mpsc::channel::<String>();
    let (release, released) = mpsc::channel::<()>();
    let hooks = Arc::new(Mutex::new((entered_tx, released)));
    b.of("/").on_connection(move |socket| {
        socket.join("r");
        let hooks = hooks.clone();
        socket.on_disconnecting(move |s, reason| {
            let hooks = hooks.lock().unwrap();
            let _ = hooks.0.send(format!("{} {reason}", s.id()));
            let _ = hooks.1.recv_timeout(Duration::from_secs(20));
        });
    });
    let addr_b = start(b.clone()).await;
    let (mut client, reply) = sio_connect(addr_b, "/", None).await;
    let id = sid_of(&reply[1..]);
    assert_eq!(ids(&a.fetch_all_sockets().await), [id.as_str()]);

    send_sio(&mut client, "1").await;
    let seen = tokio::task::spawn_blocking(move || entered.recv_timeout(WAIT))
        .await
        .unwrap()
        .expect("the disconnecting handler runs");
    assert_eq!(seen, format!("{id} client namespace disconnect"));

    let listed = a.fetch_all_sockets().await;
    assert_eq!(ids(&listed), [id.as_str()], "still in its namespace");
    assert_eq!(ids(&a.to("r").fetch_all_sockets().await), [id.as_str()]);
    let dave = &listed[0];
    dave.join("late");
    dave.emit("nobody-gets-this", &()).unwrap();
    dave.disconnect();
    let joined = eventually(WAIT, || {
        b.fetch_sockets()
            .iter()
            .any(|s| s.rooms().iter().any(|r| r == "late"))
    })
    .await;
    assert!(joined, "a remote join of a disconnecting socket is applied");

    release.send(()).unwrap();
    let gone = eventually(WAIT, || b.fetch_sockets().is_empty()).await;
    assert!(gone, "node b let it go once the handler returned");
    assert!(a.fetch_all_sockets().await.is_empty());
    assert!(a.to("late").fetch_all_sockets().await.is_empty());
}
