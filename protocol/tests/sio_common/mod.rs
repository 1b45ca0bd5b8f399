//! Deterministic harness for the Socket.IO layer: in-memory clients (by Engine.IO sid), a
//! simulated clock, and a record of what every client received.
#![allow(dead_code)]

pub mod stack;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use volley_protocol::engine::{Message, Method, RequestHead};
use volley_protocol::server::{
    DisconnectReason, EngineCommand, Event, Payload, SessionRef, SocketConfig, SocketId,
    SocketLayer,
};
use volley_protocol::{CounterIds, Str};

pub struct Harness {
    pub layer: SocketLayer,
    pub now: Instant,
    /// Everything each client received, as Socket.IO packet text without the Engine.IO `4` (`<bin:0102>` for binary messages).
    pub received: HashMap<String, Vec<String>>,
    /// Sessions the layer asked to close, in order.
    pub closed: Vec<String>,
    pub events: Vec<Event>,
    pub opened: std::collections::HashSet<String>,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(SocketConfig::new())
    }

    pub fn with_config(config: SocketConfig) -> Self {
        Self::with_layer(SocketLayer::new(config, Box::new(CounterIds::new("sock"))))
    }

    pub fn with_layer(layer: SocketLayer) -> Self {
        Harness {
            layer,
            now: Instant::now(),
            received: HashMap::new(),
            closed: Vec::new(),
            events: Vec::new(),
            opened: Default::default(),
        }
    }

    pub fn head() -> RequestHead {
        RequestHead::new(
            Method::Get,
            "/socket.io/?EIO=4&transport=polling&user=al%20ice",
        )
        .with_header("origin", "http://example.test")
        .with_header("cookie", "k=v")
    }

    pub fn open(&mut self, sid: &str) {
        self.opened.insert(sid.to_string());
        self.layer
            .handle_open(self.now, Str::from(sid), Arc::new(Self::head()));
        self.pump();
    }

    pub fn send(&mut self, sid: &str, text: &str) {
        self.layer
            .handle_message(self.now, sid, Message::Text(Str::from(text)));
        self.pump();
    }

    pub fn send_binary(&mut self, sid: &str, bytes: &'static [u8]) {
        self.layer.handle_message(
            self.now,
            sid,
            Message::Binary(bytes::Bytes::from_static(bytes)),
        );
        self.pump();
    }

    pub fn engine_closed(&mut self, sid: &str, reason: DisconnectReason) {
        self.layer.handle_close(self.now, sid, reason);
        self.pump();
    }

    /// Drains commands, then events, until neither has anything left (`poll_event` may move a
    /// group of sockets leaving together on, which queues commands again).
    pub fn pump(&mut self) {
        loop {
            self.pump_commands();
            let Some(e) = self.layer.poll_event() else {
                break;
            };
            self.events.push(e);
            while let Some(e) = self.layer.poll_event() {
                self.events.push(e);
            }
        }
    }

    fn pump_commands(&mut self) {
        while let Some(cmd) = self.layer.poll_command() {
            match cmd {
                EngineCommand::Send { to, messages, .. } => {
                    let SessionRef::Sid(sid) = to else {
                        panic!("a layer driven on its own names sessions by id");
                    };
                    let out = self.received.entry(sid.to_string()).or_default();
                    for m in messages.iter() {
                        out.push(match m.to_message() {
                            Message::Text(t) => t.to_string(),
                            Message::Binary(b) => format!(
                                "<bin:{}>",
                                b.iter().map(|x| format!("{x:02x}")).collect::<String>()
                            ),
                        });
                    }
                }
                EngineCommand::Close { sid } => self.closed.push(sid.to_string()),
            }
        }
    }

    /// Everything `sid` received since the last call.
    pub fn take(&mut self, sid: &str) -> Vec<String> {
        self.received.remove(sid).unwrap_or_default()
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Opens `sid` if needed, sends CONNECT for `nsp`, accepts it; returns the socket id and
    /// checks the client got `CONNECT {"sid":…}`.
    pub fn connect(&mut self, sid: &str, nsp: &str) -> SocketId {
        if self.opened.insert(sid.to_string()) {
            self.open(sid);
        }
        let packet = if nsp == "/" {
            "0".to_string()
        } else {
            format!("0{nsp},")
        };
        self.send(sid, &packet);
        let req = self.take_connect();
        let id = self.layer.accept_connect(self.now, req).expect("accept");
        self.pump();
        let prefix = if nsp == "/" {
            String::new()
        } else {
            format!("{nsp},")
        };
        assert_eq!(
            self.take(sid),
            vec![format!("0{prefix}{{\"sid\":\"{id}\"}}")]
        );
        id
    }

    /// Adds namespace `/admin` and connects client `sid` to `/` and to `/admin`; returns the
    /// two sockets (main, admin) with the connect events taken.
    pub fn main_and_admin(&mut self, sid: &str) -> (SocketId, SocketId) {
        self.layer.add_namespace("/admin").unwrap();
        let main = self.connect(sid, "/");
        let admin = self.connect(sid, "/admin");
        self.take_events();
        (main, admin)
    }

    pub fn take_connect(&mut self) -> volley_protocol::server::ConnectRequest {
        let pos = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Connect(_)))
            .expect("a Connect event");
        match self.events.remove(pos) {
            Event::Connect(req) => req,
            _ => unreachable!(),
        }
    }

    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        self.layer.handle_timeout(self.now);
        self.pump();
    }

    pub fn emit(&mut self, socket: &SocketId, json: &str) {
        self.layer.emit(socket, Payload::new(json)).unwrap();
        self.pump();
    }
}

/// `(socket, reason)` of every Disconnect event, in order.
pub fn disconnects(events: &[Event]) -> Vec<(String, &'static str)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Disconnect { socket, reason, .. } => Some((socket.to_string(), reason.as_str())),
            _ => None,
        })
        .collect()
}
