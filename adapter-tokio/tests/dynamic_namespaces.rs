//! Dynamic namespaces (`io.of_dynamic`) with the official socket.io-client: the client side is
//! `interop/js/api/dynamic-namespaces.mjs`, run with node against the app below, over
//! WebSocket, polling, and polling then upgrade. Plus the cleanup of empty children, checked
//! over raw WebSocket frames.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use volley_tokio::{ConnectError, Io, Options, SocketRef};

fn is_room(name: &str) -> bool {
    name.strip_prefix("/room-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The app the JS client drives: dynamic `/room-<digits>` children behind a token check, and
/// control events on `/` that act through the parent handle and `io.of(child)`.
fn app(options: Options) -> Io {
    let io = volley_tokio::new(options.serve_client(false));
    let rooms = io.of_dynamic(is_room);
    rooms.middleware(|handshake| match handshake.auth_field("token").as_deref() {
        Some("ok") => Ok(()),
        _ => Err(ConnectError::new("bad token")),
    });
    rooms.on_connection(|socket: SocketRef| {
        let _ = socket.emit("welcome", &socket.ns());
        socket.on("shout", |socket, event| {
            let text: String = event.arg(0).unwrap_or_default();
            let _ = socket.broadcast().emit("shout", &text);
        });
        socket.on("join", |socket, mut event| {
            let room: String = event.arg(0).unwrap_or_default();
            socket.join(room);
            let id = socket.id().to_string();
            let rooms: Vec<String> = socket
                .rooms()
                .into_iter()
                .map(|r| r.to_string())
                .filter(|r| *r != id)
                .collect();
            let _ = event.ack(&rooms);
        });
        socket.on("ping", |_socket, mut event| {
            let _ = event.ack(&"pong");
        });
    });
    let control_io = io.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let (io, parent) = (control_io.clone(), rooms.clone());
        let p = parent.clone();
        socket.on("announce", move |_socket, mut event| {
            let _ = p.emit("announce", &"to every child");
            let _ = event.ack(&"sent");
        });
        let p = parent.clone();
        socket.on("vip", move |_socket, mut event| {
            let _ = p.to("vip").emit("vip", &"for vip rooms of every child");
            let _ = event.ack(&"sent");
        });
        let p = parent.clone();
        socket.on("children", move |_socket, mut event| {
            let mut names: Vec<String> = p.children().iter().map(|c| c.name().to_owned()).collect();
            names.sort();
            let _ = event.ack(&names);
        });
        let i = io.clone();
        socket.on("only", move |_socket, mut event| {
            let name: String = event.arg(0).unwrap_or_default();
            let child = i.of(name.as_str());
            let _ = child.emit("only", &child.name());
            let _ = event.ack(&"sent");
        });
        socket.on("count", move |_socket, mut event| {
            let name: String = event.arg(0).unwrap_or_default();
            let _ = event.ack(&io.of(name.as_str()).fetch_sockets().len());
        });
        let p = parent.clone();
        socket.on("poll", move |_socket, mut event| {
            let p = p.clone();
            async move {
                let acks = p
                    .timeout(Duration::from_secs(5))
                    .emit_with_ack("poll", &())
                    .expect("emit")
                    .await;
                assert!(
                    acks.complete(),
                    "{} of {}",
                    acks.replies.len(),
                    acks.expected
                );
                let mut names: Vec<String> = acks
                    .replies
                    .iter()
                    .map(|r| r.arg::<String>(0).unwrap_or_default())
                    .collect();
                names.sort();
                let _ = event.ack(&names);
            }
        });
        socket.on("kick", move |_socket, mut event| {
            parent.disconnect_sockets();
            let _ = event.ack(&"sent");
        });
    });
    io
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_client_joins_dynamic_children_and_the_parent_reaches_them_all() {
    let root = repo_root();
    assert!(
        root.join("node_modules/socket.io-client").is_dir(),
        "socket.io-client is not installed: run `npm ci` (scripts/setup.sh does)"
    );
    let addr = start(app(Options::default())).await;
    let script = root.join("interop/js/api/dynamic-namespaces.mjs");
    // The script bounds each of its waits, so it ends on its own even against a broken server.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(&script)
            .arg(format!("http://{addr}"))
            .current_dir(&root)
            .stdin(Stdio::null())
            .output()
    })
    .await
    .expect("join")
    .expect("node must be installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["ok websocket", "ok polling", "ok upgrade"]
    );
}

#[tokio::test]
async fn empty_children_are_removed_with_cleanup_and_come_back_on_connect() {
    let io = app(Options::default().cleanup_empty_child_namespaces(true));
    let parent = io.of_dynamic(|name| name.starts_with("/t-"));
    parent.on_connection(|socket: SocketRef| {
        let _ = socket.emit("hi", &socket.ns());
    });
    let addr = start(io.clone()).await;
    let (mut ws, reply) = sio_connect(addr, "/t-1", None).await;
    assert!(reply.starts_with("40/t-1,{\"sid\""), "{reply}");
    assert_eq!(next_sio(&mut ws).await, r#"2/t-1,["hi","/t-1"]"#);
    assert_eq!(parent.children().len(), 1);
    let child = io.of("/t-1");
    assert!(!child.is_dynamic_parent());
    assert_eq!(child.fetch_sockets().len(), 1);

    // Leaving the namespace removes the empty child; joining `/` next orders the check.
    send_sio(&mut ws, "1/t-1,").await;
    send_sio(&mut ws, "0").await;
    assert!(next_sio(&mut ws).await.starts_with("0{\"sid\""));
    assert!(parent.children().is_empty());

    // The next CONNECT creates it again, with the parent's handlers.
    send_sio(&mut ws, "0/t-1,").await;
    assert!(next_sio(&mut ws).await.starts_with("0/t-1,{\"sid\""));
    assert_eq!(next_sio(&mut ws).await, r#"2/t-1,["hi","/t-1"]"#);
    assert_eq!(parent.children().len(), 1);
}
