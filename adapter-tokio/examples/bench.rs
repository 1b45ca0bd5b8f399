//! The load-test fixture every server in the benchmark comparison implements:
//!
//! - 127.0.0.1:$PORT (default 3000), path `/socket.io/`, default heartbeat (25000/20000 ms),
//!   maxPayload 1e6.
//! - Namespace `/`: `echo` (any arguments) → ack with the same arguments if the client asked
//!   for an ack, else emit `echo` with them back to the sender; `broadcast` (any arguments) →
//!   emit `broadcast` with them to every socket of `/`, sender included; `join` (room) → join
//!   it, ack `true` if asked; `to` (room, …arguments) → emit `to` with the arguments to that
//!   room.
//! - `TOKIO_FLAVOR`: `current_thread` or `multi_thread` (default).
//! - `REDIS_URL` (e.g. `redis://127.0.0.1:6379`): join a cluster of nodes on that Redis
//!   (volley-redis, wire-compatible with `@socket.io/redis-adapter`), so broadcasts reach the
//!   clients of every node.
//!
//! ```text
//! PORT=3000 TOKIO_FLAVOR=current_thread cargo run --release -p volley-tokio --example bench
//! ```

use volley_tokio::{Options, SocketRef, Value};

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let flavor = std::env::var("TOKIO_FLAVOR").unwrap_or_else(|_| "multi_thread".into());
    let runtime = match flavor.as_str() {
        "current_thread" => tokio::runtime::Builder::new_current_thread(),
        "multi_thread" => tokio::runtime::Builder::new_multi_thread(),
        other => {
            eprintln!("TOKIO_FLAVOR must be current_thread or multi_thread, not {other}");
            std::process::exit(2);
        }
    }
    .enable_all()
    .build()?;
    runtime.block_on(serve(port))
}

async fn serve(port: u16) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let (options, cluster) = volley_redis::options_from_env(Options::default())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let io = volley_tokio::new(options);
    if let Some(inbox) = cluster {
        volley_redis::attach(&io, inbox);
    }
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, mut event| match event.take_ack() {
            Some(ack) => ack.send_forward(event.forward_args()),
            None => {
                let _ = socket.emit_forward("echo", event.forward_args());
            }
        });
        socket.on("broadcast", |socket, event| {
            socket.nsp().emit_forward("broadcast", event.forward_args());
        });
        socket.on("join", |socket, mut event| {
            if let Ok(room) = event.arg::<String>(0) {
                socket.join(room);
            }
            let _ = event.ack(&true);
        });
        socket.on("to", |socket, event| {
            let Ok(mut values) = event.values() else {
                return;
            };
            if values.is_empty() {
                return;
            }
            let Value::String(room) = values.remove(0) else {
                return;
            };
            let payload = volley_tokio::protocol::socket::values_to_event("to", &values);
            // `io.to(room)`, not `socket.to(room)`: the sender gets it too if it is in the room.
            socket.nsp().to(room.as_str()).emit_raw(payload);
        });
    });
    println!("bench listening on 127.0.0.1:{port}");
    volley_tokio::serve(listener, io)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
