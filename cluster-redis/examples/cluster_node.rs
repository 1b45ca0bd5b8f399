//! A Volley cluster node on Redis, speaking the cluster test protocol of
//! `interop/redis/node-node.mjs` (its Node.js twin), used by `interop/redis/cluster.test.mjs`:
//!
//! ```text
//! PORT=3000 REDIS_URL=redis://127.0.0.1:6379 NODE_NAME=volley1 \
//!     cargo run -p volley-redis --example cluster_node [-- --async-std]
//! ```
//!
//! It runs on tokio, or on async-std with `--async-std`.
//!
//! A socket joins the rooms of its CONNECT auth (`auth.rooms`) and keeps `{name: auth.name}`
//! as its data. Commands (events with an ack): `do-broadcast {to, except, event, args}`,
//! `do-broadcast-ack {to, event, timeout}`, `do-fetch {to, except}`, `do-sse {event, args}`,
//! `do-sse-ack {event, args}`, `do-join {to, room}`, `do-leave {to, room}`,
//! `do-disconnect {to}`, `do-count`, and `do-remote {name, action, ...}` (the socket whose data
//! name is `name`, found with `fetch_all_sockets` on any node, acted on as a `RemoteSocket`:
//! `join {rooms}`, `leave {room}`, `emit {event, args}`, `ack {event, timeout}` →
//! `{id, response}` or `{id, error: "timeout"}`, `disconnect {close}`). Server-side events: `sse-hello` → local emit `sse-got`
//! `[NODE_NAME, data]`; `sse-ping` → answers `pong-NODE_NAME`.

use serde_json::json;
use std::time::Duration;
use volley_redis::{RedisAdapterFactory, RedisConfig};
use volley_tokio::protocol::socket::{values_to_event, Value};
use volley_tokio::{AckError, BroadcastOperator, Event, Io, Options, SocketRef};

const SSE_TIMEOUT: Duration = Duration::from_secs(3);

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The command object (first argument) of a test command.
fn command(event: &Event) -> Value {
    event.arg::<Value>(0).unwrap_or(Value::Null)
}

/// `socket.nsp()` narrowed by the command's `to` and `except` rooms.
fn select(socket: &SocketRef, cmd: &Value) -> BroadcastOperator {
    let mut op = socket.nsp();
    for room in strings(cmd.get("to")) {
        op = op.to(room);
    }
    for room in strings(cmd.get("except")) {
        op = op.except(room);
    }
    op
}

fn args(cmd: &Value) -> Vec<Value> {
    cmd.get("args")
        .and_then(Value::as_array)
        .map(<[Value]>::to_vec)
        .unwrap_or_default()
}

fn reply<T: serde::Serialize>(event: &mut Event, data: &T) {
    let _ = event.ack(data);
}

fn on_connection(io: &Io, factory: &RedisAdapterFactory, socket: SocketRef) {
    let auth: serde_json::Value =
        serde_json::from_str(socket.handshake().auth()).unwrap_or_default();
    if let Some(rooms) = auth.get("rooms").and_then(|r| r.as_array()) {
        for room in rooms.iter().filter_map(|r| r.as_str()) {
            socket.join(room.to_owned());
        }
    }
    socket.set_data(json!({ "name": auth.get("name").cloned().unwrap_or_default() }));

    socket.on("do-broadcast", |socket, mut event| {
        let cmd = command(&event);
        let name = cmd.get("event").and_then(Value::as_str).unwrap_or("none");
        select(&socket, &cmd).emit_raw(values_to_event(name, &args(&cmd)));
        reply(&mut event, &"ok");
    });
    socket.on("do-broadcast-ack", |socket, mut event| async move {
        let cmd = command(&event);
        let name = cmd
            .get("event")
            .and_then(Value::as_str)
            .unwrap_or("none")
            .to_owned();
        let ms = cmd
            .get("timeout")
            .and_then(|t| t.clone().deserialize_into::<u64>().ok());
        let op = select(&socket, &cmd).timeout(Duration::from_millis(ms.unwrap_or(2000)));
        let Ok(pending) = op.emit_with_ack(&name, &()) else {
            return reply(&mut event, &json!({ "error": "emit failed" }));
        };
        let acks = pending.await;
        let mut responses: Vec<String> =
            acks.replies.iter().filter_map(|r| r.arg(0).ok()).collect();
        responses.sort();
        reply(
            &mut event,
            &json!({ "timedOut": !acks.complete(), "responses": responses }),
        );
    });
    socket.on("do-fetch", |socket, mut event| async move {
        let cmd = command(&event);
        let sockets = select(&socket, &cmd).fetch_all_sockets().await;
        let mut list: Vec<serde_json::Value> = sockets
            .into_iter()
            .map(|s| {
                let mut rooms: Vec<String> = s.rooms.iter().map(|r| r.to_string()).collect();
                rooms.sort();
                json!({ "id": s.id.as_str(), "rooms": rooms, "data": s.data })
            })
            .collect();
        list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        reply(&mut event, &list);
    });
    let io2 = io.clone();
    socket.on("do-sse", move |_socket, mut event| {
        let cmd = command(&event);
        let name = cmd.get("event").and_then(Value::as_str).unwrap_or("none");
        let first = args(&cmd).into_iter().next();
        let ns = io2.of("/");
        let _ = match first {
            Some(arg) => ns.server_side_emit(name, &arg),
            None => ns.server_side_emit(name, &()),
        };
        reply(&mut event, &"ok");
    });
    let io2 = io.clone();
    socket.on("do-sse-ack", move |_socket, mut event| {
        let io = io2.clone();
        async move {
            let cmd = command(&event);
            let name = cmd
                .get("event")
                .and_then(Value::as_str)
                .unwrap_or("none")
                .to_owned();
            let arg = args(&cmd).into_iter().next().unwrap_or(Value::Null);
            let result = match io
                .of("/")
                .server_side_emit_with_ack(&name, &arg, SSE_TIMEOUT)
            {
                Ok(pending) => pending.await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok(replies) => {
                    let mut replies: Vec<String> =
                        replies.iter().filter_map(|r| r.arg(0).ok()).collect();
                    replies.sort();
                    reply(&mut event, &json!({ "replies": replies }));
                }
                Err(e) => reply(&mut event, &json!({ "error": e })),
            }
        }
    });
    socket.on("do-join", |socket, mut event| {
        let cmd = command(&event);
        if let Some(room) = cmd.get("room").and_then(Value::as_str) {
            select(&socket, &cmd).sockets_join(room.to_owned());
        }
        reply(&mut event, &"ok");
    });
    socket.on("do-leave", |socket, mut event| {
        let cmd = command(&event);
        if let Some(room) = cmd.get("room").and_then(Value::as_str) {
            select(&socket, &cmd).sockets_leave(room);
        }
        reply(&mut event, &"ok");
    });
    socket.on("do-disconnect", |socket, mut event| {
        let cmd = command(&event);
        select(&socket, &cmd).disconnect_sockets();
        reply(&mut event, &"ok");
    });
    socket.on("do-remote", |socket, mut event| async move {
        let cmd = command(&event);
        let answer = remote_action(&socket, &cmd).await;
        reply(&mut event, &answer);
    });
    let factory = factory.clone();
    socket.on("do-count", move |_socket, mut event| {
        reply(&mut event, &factory.server_count("/"));
    });
}

/// `do-remote`: finds the socket named `cmd.name` anywhere in the cluster with
/// `fetch_all_sockets` and acts on it through its `RemoteSocket`.
async fn remote_action(socket: &SocketRef, cmd: &Value) -> serde_json::Value {
    let name = cmd.get("name").and_then(Value::as_str).unwrap_or_default();
    let found = socket.nsp().fetch_all_sockets().await;
    let Some(target) = found.into_iter().find(|s| s.data["name"] == name) else {
        return json!({ "error": "not found" });
    };
    let text = |key: &str| cmd.get(key).and_then(Value::as_str).unwrap_or("none");
    let id = target.id().to_string();
    match text("action") {
        "join" => target.join_many(strings(cmd.get("rooms"))),
        "leave" => target.leave(text("room")),
        "emit" => target.emit_raw(values_to_event(text("event"), &args(cmd))),
        "ack" => {
            let ms = cmd
                .get("timeout")
                .and_then(|t| t.clone().deserialize_into::<u64>().ok());
            let pending = target
                .timeout(Duration::from_millis(ms.unwrap_or(2000)))
                .emit_with_ack(text("event"), &());
            return match pending {
                Ok(pending) => match pending.await {
                    Ok(reply) => {
                        json!({ "id": id, "response": reply.arg::<serde_json::Value>(0).ok() })
                    }
                    Err(AckError::Timeout) => json!({ "id": id, "error": "timeout" }),
                    Err(AckError::Disconnected) => json!({ "id": id, "response": null }),
                    Err(e) => json!({ "id": id, "error": e.to_string() }),
                },
                Err(e) => json!({ "id": id, "error": e.to_string() }),
            };
        }
        "disconnect" if cmd.get("close") == Some(&Value::Bool(true)) => {
            target.disconnect_and_close()
        }
        "disconnect" => target.disconnect(),
        other => return json!({ "error": format!("unknown action {other}") }),
    }
    json!({ "id": id })
}

/// The node's server, created by `new` (the adapter's constructor) with the Redis adapter.
fn node(name: &str, new: impl FnOnce(Options) -> Io) -> Result<Io, Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let (factory, inbox) = RedisAdapterFactory::start(RedisConfig::new(url))?;
    let io = new(Options::default()
        .adapters(factory.clone())
        .cluster_request_timeout(SSE_TIMEOUT));
    volley_redis::attach(&io, inbox);

    let (local, me) = (io.clone(), name.to_owned());
    io.of("/")
        .on_server_side_emit(move |mut event| match event.name() {
            "sse-hello" => {
                let data: Value = event.arg(0).unwrap_or(Value::Null);
                let _ = local.local().emit("sse-got", &(me.as_str(), data));
            }
            "sse-ping" => {
                let _ = event.ack(&format!("pong-{me}"));
            }
            _ => {}
        });
    let io2 = io.clone();
    io.of("/")
        .on_connection(move |socket| on_connection(&io2, &factory, socket));
    Ok(io)
}

/// Runs on tokio, or on async-std with `--async-std` (the suite runs one node of each).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let name = std::env::var("NODE_NAME").unwrap_or_else(|_| "volley".into());

    if std::env::args().any(|a| a == "--async-std") {
        return async_std::task::block_on(async {
            let io = node(&name, volley_async_std::new)?;
            let listener = async_net::TcpListener::bind(("127.0.0.1", port)).await?;
            println!("{name} (async-std) listening on 127.0.0.1:{port}");
            volley_async_std::serve(listener, io).await?;
            Ok(())
        });
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let io = node(&name, volley_tokio::new)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("{name} (tokio) listening on 127.0.0.1:{port}");
        volley_tokio::serve(listener, io)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}
