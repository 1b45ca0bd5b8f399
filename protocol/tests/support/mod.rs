//! Helpers shared by the Engine.IO scenario tests.
#![allow(dead_code)]

use bytes::Bytes;
use std::time::Duration;
use volley_protocol::engine::{
    CloseReason, EngineConfig, EngineEvent, EngineServer, HttpResponse, Message, Packet,
};
use volley_protocol::testing::Harness;
use volley_protocol::{CounterIds, Str};

/// A harness around an `EngineServer` with `config` and sids `s1`, `s2`, …
pub fn harness(config: EngineConfig) -> Harness<EngineServer> {
    Harness::new(EngineServer::new(config, CounterIds::new("s")))
}

/// The default configuration.
pub fn default_harness() -> Harness<EngineServer> {
    harness(EngineConfig::default())
}

/// Short heartbeat settings for timing scenarios: ping every 300 ms, 200 ms to answer.
pub fn fast_config() -> EngineConfig {
    EngineConfig::default()
        .ping_interval(Duration::from_millis(300))
        .ping_timeout(Duration::from_millis(200))
        .upgrade_timeout(Duration::from_millis(1000))
}

pub fn text(s: &str) -> Packet {
    Packet::Message(Message::Text(Str::from(s)))
}

pub fn binary(b: &'static [u8]) -> Packet {
    Packet::Message(Message::Binary(Bytes::from_static(b)))
}

pub fn ping() -> Packet {
    Packet::Ping(Str::new())
}

pub fn pong() -> Packet {
    Packet::Pong(Str::new())
}

pub fn body(r: &HttpResponse) -> &str {
    std::str::from_utf8(&r.body).expect("utf-8 body")
}

pub fn opened(sid: &str) -> EventSummary {
    EventSummary::Opened(sid.to_owned())
}

pub fn message(sid: &str, m: &str) -> EventSummary {
    EventSummary::Message(sid.to_owned(), Message::Text(Str::from(m)))
}

pub fn closed(sid: &str, reason: CloseReason) -> EventSummary {
    EventSummary::Closed(sid.to_owned(), reason)
}

/// Events without the request heads, for exact comparisons (upgrades left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventSummary {
    Opened(String),
    Message(String, Message),
    Closed(String, CloseReason),
}

pub fn events(h: &mut Harness<EngineServer>) -> Vec<EventSummary> {
    h.take_events()
        .into_iter()
        .filter_map(|e| match e {
            EngineEvent::Opened { sid, .. } => Some(EventSummary::Opened(sid.to_string())),
            EngineEvent::Message { sid, msg } => Some(EventSummary::Message(sid.to_string(), msg)),
            EngineEvent::Closed { sid, reason } => {
                Some(EventSummary::Closed(sid.to_string(), reason))
            }
            // Upgrades, and whatever a later version adds (the enum is non-exhaustive).
            _ => None,
        })
        .collect()
}

/// The reference's answer to a request for a sid it does not know (any more).
pub const UNKNOWN_SID: &str = r#"{"code":1,"message":"Session ID unknown"}"#;

/// True once `c`'s session is gone: a GET for it gets 400 `Session ID unknown`.
pub fn session_is_gone(
    h: &mut Harness<EngineServer>,
    c: &volley_protocol::testing::PollingClient,
) -> bool {
    let req = c.get(h);
    h.response(req)
        .is_some_and(|r| r.status == 400 && body(&r) == UNKNOWN_SID)
}
