//! `SocketRef::update_data`, `once`, `off_fallback` and `off_any_outgoing`, through the real server
//! and a raw Socket.IO client.

mod common;

use common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use volley_tokio::{Options, SocketRef};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_update_data_increments_lose_no_update() {
    const TASKS: u64 = 64;
    const EACH: u64 = 50;
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("bump", |socket, _event| async move {
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let socket = socket.clone();
                    tokio::spawn(async move {
                        for _ in 0..EACH {
                            let done = socket.update_data(|data| {
                                let n = data["n"].as_u64().unwrap_or(0);
                                data["n"] = (n + 1).into();
                            });
                            assert!(done.is_some());
                            tokio::task::yield_now().await;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.expect("task");
            }
            let _ = socket.emit("count", &socket.data());
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["bump"]"#).await;
    assert_eq!(
        next_sio(&mut ws).await,
        format!(r#"2["count",{{"n":{}}}]"#, TASKS * EACH)
    );
}

#[tokio::test]
async fn update_data_returns_none_once_the_socket_left() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = std::sync::Mutex::new(Some(tx));
    io.of("/").on_connection(move |socket: SocketRef| {
        let first = socket.update_data(|data| {
            data["x"] = 1.into();
            7
        });
        assert_eq!(first, Some(7));
        if let Some(tx) = tx.lock().unwrap().take() {
            let _ = tx.send(socket);
        }
    });
    let addr = start(io).await;
    let (ws, _) = sio_connect(addr, "/", None).await;
    let socket = tokio::time::timeout(WAIT, rx).await.unwrap().unwrap();
    assert_eq!(socket.data(), Some(serde_json::json!({ "x": 1 })));
    drop(ws);
    tokio::time::timeout(WAIT, async {
        while socket.connected() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the socket leaves");
    let mut called = false;
    assert_eq!(socket.update_data(|_| called = true), None);
    assert!(!called);
}

#[tokio::test]
async fn once_handler_runs_for_the_first_event_only_and_a_later_on_still_works() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.once("hi", |socket, event| {
            let n: u32 = event.arg(0).unwrap_or(0);
            let _ = socket.emit("first", &n);
        });
        socket.on_fallback(|socket, event| {
            let _ = socket.emit("any", &event.name());
        });
        socket.on("rearm", |socket, _event| {
            socket.on("hi", |socket, event| {
                let n: u32 = event.arg(0).unwrap_or(0);
                let _ = socket.emit("again", &n);
            });
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["hi",1]"#).await;
    send_sio(&mut ws, r#"2["hi",2]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["first",1]"#);
    // The second `hi` found no handler of its own: the fallback took it.
    assert_eq!(next_sio(&mut ws).await, r#"2["any","hi"]"#);
    send_sio(&mut ws, r#"2["rearm"]"#).await;
    send_sio(&mut ws, r#"2["hi",3]"#).await;
    send_sio(&mut ws, r#"2["hi",4]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["again",3]"#);
    assert_eq!(next_sio(&mut ws).await, r#"2["again",4]"#);
}

#[tokio::test]
async fn an_async_once_handler_replaced_before_firing_leaves_the_new_handler() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.once("hi", |socket, _event| async move {
            let _ = socket.emit("once", &());
        });
        socket.on("hi", |socket, _event| {
            let _ = socket.emit("on", &());
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["hi"]"#).await;
    send_sio(&mut ws, r#"2["hi"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["on"]"#);
    assert_eq!(next_sio(&mut ws).await, r#"2["on"]"#);
}

#[tokio::test]
async fn off_fallback_removes_the_fallback_handler() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on_fallback(|socket, event| {
            let _ = socket.emit("any", &event.name());
        });
        socket.on("off", |socket, _event| socket.off_fallback());
        socket.on("probe", |socket, _event| {
            let _ = socket.emit("probed", &());
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["x"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["any","x"]"#);
    send_sio(&mut ws, r#"2["off"]"#).await;
    send_sio(&mut ws, r#"2["x"]"#).await;
    send_sio(&mut ws, r#"2["probe"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["probed"]"#);
}

#[tokio::test]
async fn off_any_outgoing_stops_the_outgoing_listeners() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let counter = counter.clone();
        socket.on_any_outgoing(move |_socket, _event| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        socket.on("ping", |socket, _event| {
            let _ = socket.emit("pong", &());
        });
        socket.on("off", |socket, _event| {
            socket.off_any_outgoing();
            let _ = socket.emit("offed", &());
        });
    });
    let addr = start(io.clone()).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["ping"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["pong"]"#);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    send_sio(&mut ws, r#"2["off"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["offed"]"#);
    let _ = io.emit("news", &());
    assert_eq!(next_sio(&mut ws).await, r#"2["news"]"#);
    send_sio(&mut ws, r#"2["ping"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["pong"]"#);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}
