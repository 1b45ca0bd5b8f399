//! The Redis task against a real redis-server: delivery between nodes, request/answer
//! matching, node counting, and surviving Redis going away and coming back (on tokio, and on
//! async-std for the reconnection paths, which lean most on the runtime's timers).

mod common;

use common::{eventually, free_port, pause, within, RedisServer};
use std::time::Duration;
use volley_protocol::server::{
    Adapter, BroadcastOptions, ClusterBody, ClusterMessage, Payload, SocketInfo,
};
use volley_protocol::Str;
use volley_redis::{ClusterInbox, RedisAdapter, RedisAdapterFactory, RedisConfig};

struct Node {
    factory: RedisAdapterFactory,
    inbox: ClusterInbox,
    adapter: RedisAdapter,
}

fn node(url: &str) -> Node {
    let config = RedisConfig::new(url)
        .server_count_interval(Duration::from_millis(100))
        .reconnect_backoff(Duration::from_millis(50), Duration::from_millis(400));
    let (factory, inbox) = RedisAdapterFactory::start(config).unwrap();
    let adapter = factory.adapter(&Str::from("/"));
    Node {
        factory,
        inbox,
        adapter,
    }
}

fn broadcast(from: &Node, event: &str) -> ClusterMessage {
    ClusterMessage {
        uid: from.factory.uid().clone(),
        nsp: Str::from("/"),
        to: None,
        body: ClusterBody::Broadcast {
            opts: BroadcastOptions::new().to("room1").except("x"),
            payload: Payload::new(format!(r#"["{event}",1]"#)),
            request: None,
        },
    }
}

async fn recv(inbox: &mut ClusterInbox) -> ClusterMessage {
    within(Duration::from_secs(5), inbox.recv())
        .await
        .expect("a message within 5 s")
        .expect("inbox open")
}

async fn settle(nodes: &[&Node], count: usize) {
    let ok = eventually(Duration::from_secs(5), || {
        nodes.iter().all(|n| n.factory.server_count("/") == count)
    })
    .await;
    assert!(ok, "every node should count {count} nodes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_reach_other_nodes_but_not_their_sender() {
    let redis = RedisServer::start(free_port());
    let mut a = node(&redis.url());
    let mut b = node(&redis.url());
    settle(&[&a, &b], 2).await;

    let sent = broadcast(&a, "hello");
    a.adapter.publish(sent.clone());
    assert_eq!(recv(&mut b.inbox).await, sent);
    pause(Duration::from_millis(200)).await;
    assert!(
        a.inbox.try_recv().is_none(),
        "a node ignores its own messages"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_reach_only_the_asking_node_under_its_own_request_id() {
    let redis = RedisServer::start(free_port());
    let mut a = node(&redis.url());
    let mut b = node(&redis.url());
    let mut c = node(&redis.url());
    settle(&[&a, &b, &c], 3).await;

    a.adapter.publish(ClusterMessage {
        uid: a.factory.uid().clone(),
        nsp: Str::from("/"),
        to: None,
        body: ClusterBody::FetchSockets {
            opts: BroadcastOptions::new().to("r2"),
            request: Str::from("r1"),
        },
    });
    let asked = recv(&mut b.inbox).await;
    assert_eq!(&asked.uid, a.factory.uid());
    let ClusterBody::FetchSockets { opts, request } = asked.body else {
        panic!("{:?}", asked.body)
    };
    assert_eq!(opts, BroadcastOptions::new().to("r2"));
    assert_ne!(request, "r1", "requests travel under cluster-unique ids");
    assert!(matches!(
        recv(&mut c.inbox).await.body,
        ClusterBody::FetchSockets { .. }
    ));

    let info = SocketInfo {
        id: "sock1".into(),
        rooms: vec!["sock1".into(), "r2".into()],
        data: serde_json::json!({"k": 1}),
        headers: vec![("host".into(), "h".into())],
        query: "EIO=4&transport=polling".into(),
        auth: "{}".into(),
        address: Some("127.0.0.1:0".parse().unwrap()),
        url: "/socket.io/?EIO=4&transport=polling".into(),
        age: Duration::from_secs(3),
    };
    b.adapter.publish(ClusterMessage {
        uid: b.factory.uid().clone(),
        nsp: Str::from("/"),
        to: Some(a.factory.uid().clone()),
        body: ClusterBody::FetchSocketsResponse {
            request,
            sockets: vec![info.clone()],
        },
    });
    let answer = recv(&mut a.inbox).await;
    assert_eq!(answer.to.as_ref(), Some(a.factory.uid()));
    let ClusterBody::FetchSocketsResponse { request, sockets } = answer.body else {
        panic!("{:?}", answer.body)
    };
    assert_eq!(request, "r1");
    assert_eq!(sockets.len(), 1);
    let age = sockets[0].age;
    assert!(age >= Duration::from_secs(3) && age < Duration::from_secs(5));
    assert_eq!(
        SocketInfo {
            age: info.age,
            ..sockets[0].clone()
        },
        info
    );

    pause(Duration::from_millis(200)).await;
    assert!(
        c.inbox.try_recv().is_none(),
        "other nodes do not see the answer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_pauses_cluster_delivery_then_it_resumes_on_tokio() {
    redis_restart().await;
}

#[async_std::test]
async fn a_redis_restart_pauses_cluster_delivery_then_it_resumes_on_async_std() {
    redis_restart().await;
}

async fn redis_restart() {
    let port = free_port();
    let mut redis = RedisServer::start(port);
    let mut a = node(&redis.url());
    let mut b = node(&redis.url());
    settle(&[&a, &b], 2).await;

    redis.stop();
    // Publishing while Redis is gone neither blocks nor panics; the node counts itself alone.
    for _ in 0..50 {
        a.adapter.publish(broadcast(&a, "lost"));
    }
    settle(&[&a, &b], 1).await;

    let _redis = RedisServer::start(port);
    settle(&[&a, &b], 2).await;
    let mut delivered = false;
    for _ in 0..50 {
        a.adapter.publish(broadcast(&a, "after"));
        if let Some(Some(m)) = within(Duration::from_millis(200), b.inbox.recv()).await {
            // Nothing from the outage arrives late: only what was sent after reconnecting.
            assert_eq!(m, broadcast(&a, "after"));
            delivered = true;
            break;
        }
    }
    assert!(delivered, "cluster delivery resumes after Redis restarts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_started_before_redis_joins_once_redis_is_up_on_tokio() {
    node_before_redis().await;
}

#[async_std::test]
async fn a_node_started_before_redis_joins_once_redis_is_up_on_async_std() {
    node_before_redis().await;
}

async fn node_before_redis() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let a = node(&url);
    let mut b = node(&url);
    pause(Duration::from_millis(300)).await;
    assert_eq!(a.factory.server_count("/"), 1);

    let _redis = RedisServer::start(port);
    settle(&[&a, &b], 2).await;
    let mut a = a;
    a.adapter.publish(broadcast(&a, "late"));
    assert_eq!(recv(&mut b.inbox).await, broadcast(&a, "late"));
}
