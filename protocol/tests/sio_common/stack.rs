//! Full-stack helpers: a [`Server`] (Engine.IO + Socket.IO) in the engine's test harness,
//! with Socket.IO clients speaking over in-memory WebSocket or polling sessions.

use std::time::{Duration, Instant};
use volley_protocol::engine::{EngineConfig, Message, Method, Packet};
use volley_protocol::server::{Event, Server, SocketConfig};
use volley_protocol::testing::{Harness, PollingClient, WsClient};
use volley_protocol::{CounterIds, Str};

pub type Stack = Harness<Server>;

/// A stack whose app accepts every namespace CONNECT.
pub fn stack(engine: EngineConfig, socket: SocketConfig) -> Stack {
    let server = Server::new(
        engine,
        socket,
        CounterIds::new("eio"),
        CounterIds::new("sock"),
    );
    let mut h = Harness::new(server);
    h.set_app(|server: &mut Server, now: Instant, ev: &Event| {
        if let Event::Connect(req) = ev {
            server.accept_connect(now, req.clone()).expect("accept");
        }
    });
    h
}

/// Socket.IO text of every message packet in `packets` (binary shown as `<bin:n>`).
pub fn sio_texts(packets: Vec<Packet>) -> Vec<String> {
    packets
        .into_iter()
        .filter_map(|p| match p {
            Packet::Message(Message::Text(t)) => Some(t.to_string()),
            Packet::Message(Message::Binary(b)) => Some(format!("<bin:{}>", b.len())),
            _ => None,
        })
        .collect()
}

/// A WebSocket client that has joined `/`; returns it and its socket id.
pub fn ws_socket(h: &mut Stack) -> (WsClient, String) {
    let (c, _) = WsClient::connect(h);
    c.send(h, Packet::Message(Message::Text(Str::from("0"))));
    let id = socket_id_of(sio_texts(c.recv(h)));
    (c, id)
}

/// A polling client that has joined `/`; returns it and its socket id.
pub fn polling_socket(h: &mut Stack) -> (PollingClient, String) {
    let c = PollingClient::connect(h);
    let ok = c.post(h, &[Packet::Message(Message::Text(Str::from("0")))]);
    assert_eq!(ok.status, 200);
    let id = socket_id_of(sio_texts(c.poll(h)));
    (c, id)
}

/// The socket id in the only packet of `got`, which must be `0{"sid":…}`.
#[track_caller]
fn socket_id_of(got: Vec<String>) -> String {
    assert_eq!(got.len(), 1, "{got:?}");
    got[0]
        .strip_prefix("0{\"sid\":\"")
        .and_then(|s| s.strip_suffix("\"}"))
        .unwrap_or_else(|| panic!("CONNECT reply {got:?}"))
        .to_string()
}

pub fn text(s: &str) -> Packet {
    Packet::Message(Message::Text(Str::from(s)))
}

pub fn short_heartbeat() -> EngineConfig {
    EngineConfig::default()
        .ping_interval(Duration::from_millis(300))
        .ping_timeout(Duration::from_millis(200))
}

pub fn get_method() -> Method {
    Method::Get
}
