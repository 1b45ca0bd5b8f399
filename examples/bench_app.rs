//! The application side of every adapter's `bench` example (the load-test fixture every server
//! in the benchmark comparison implements); each example adds only its runtime. Included with
//! `#[path]`.
//!
//! - 127.0.0.1:$PORT (default 3000), path `/socket.io/`, default heartbeat (25000/20000 ms),
//!   maxPayload 1e6.
//! - Namespace `/`: `echo` (any arguments) → ack with the same arguments if the client asked
//!   for an ack, else emit `echo` with them back to the sender; `broadcast` (any arguments) →
//!   emit `broadcast` with them to every socket of `/`, sender included; `join` (room) → join
//!   it, ack `true` if asked; `to` (room, …arguments) → emit `to` with the arguments to that
//!   room.

use volley_protocol::api::{Io, Options, SocketRef, Value};

/// `$PORT`, default 3000.
pub fn port() -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000)
}

/// The server's options: the reference defaults.
pub fn options() -> Options {
    Options::default()
}

/// The handlers of `/`.
pub fn bench_app(io: &Io) {
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
            let payload = volley_protocol::socket::values_to_event("to", &values);
            // `io.to(room)`, not `socket.to(room)`: the sender gets it too if it is in the room.
            socket.nsp().to(room.as_str()).emit_raw(payload);
        });
    });
}
