//! The `bench` fixture on socketioxide 0.18 (the Rust server users would pick instead),
//! written the way its documentation shows: `SocketIo::builder()` as a hyper service.
//! Reads `PORT` and `TOKIO_FLAVOR` like Volley's `bench` example.
//!
//! socketioxide handlers take typed arguments; this fixture takes one JSON argument per event
//! (what the load generator sends) and, for `to`, a room and one argument.

use hyper_util::rt::TokioIo;
use serde_json::Value;
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::handler::FromMessageParts;
use socketioxide::socket::Socket;
use socketioxide::SocketIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Whether the client asked for an acknowledgement (socketioxide's `AckSender` does not say).
struct WantsAck(bool);

impl<A: socketioxide::adapter::Adapter> FromMessageParts<A> for WantsAck {
    type Error = Infallible;
    fn from_message_parts(
        _: &Arc<Socket<A>>,
        _: &mut socketioxide::handler::Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(WantsAck(ack_id.is_some()))
    }
}

async fn on_echo(s: SocketRef, WantsAck(wants): WantsAck, ack: AckSender, Data(arg): Data<Value>) {
    let _ = if wants {
        ack.send(&arg)
    } else {
        s.emit("echo", &arg)
    };
}

async fn on_broadcast(io: SocketIo, Data(arg): Data<Value>) {
    let _ = io.emit("broadcast", &arg).await;
}

async fn on_join(s: SocketRef, ack: AckSender, Data(room): Data<String>) {
    s.join(room);
    let _ = ack.send(&true);
}

async fn on_to(io: SocketIo, Data((room, arg)): Data<(String, Value)>) {
    let _ = io.to(room).emit("to", &arg).await;
}

async fn on_connect(socket: SocketRef) {
    socket.on("echo", on_echo);
    socket.on("broadcast", on_broadcast);
    socket.on("join", on_join);
    socket.on("to", on_to);
}

fn main() {
    volley_benches::fixture::run("socketioxide_bench", serve)
}

async fn serve(addr: std::net::SocketAddr) -> std::io::Result<()> {
    let (svc, io) = SocketIo::builder()
        .ping_interval(Duration::from_millis(25_000))
        .ping_timeout(Duration::from_millis(20_000))
        .max_payload(1_000_000)
        .build_svc();
    io.ns("/", on_connect);
    let listener = TcpListener::bind(addr).await?;
    println!("socketioxide_bench on {addr}");
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(_) => continue,
        };
        let _ = stream.set_nodelay(true);
        let svc = svc.clone();
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .with_upgrades()
                .await;
        });
    }
}
