//! The Engine.IO handshake (the data of the `open` packet).

use crate::json::{write_str, write_u64};
use crate::Str;
use serde::Deserialize;
use std::time::Duration;

/// The handshake a server sends in its `open` packet.
///
/// [`Handshake::to_json`] writes exactly the five keys of the reference server, in its order:
/// `{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The Engine.IO session id.
    pub sid: Str,
    /// Transports the client may upgrade to: `["websocket"]` for a polling session, `[]` when
    /// the session started on WebSocket.
    pub upgrades: Vec<Str>,
    /// How often the server pings.
    pub ping_interval: Duration,
    /// How long the server waits for a pong.
    pub ping_timeout: Duration,
    /// The largest message or polling body the server accepts, in bytes.
    pub max_payload: u64,
}

/// Why a handshake JSON could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// Not the JSON object of a handshake.
    #[error("invalid handshake JSON: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    sid: String,
    upgrades: Vec<String>,
    ping_interval: u64,
    ping_timeout: u64,
    max_payload: u64,
}

impl Handshake {
    /// The handshake JSON text, compact, keys in the reference order.
    pub fn to_json(&self) -> Str {
        let mut out = Vec::with_capacity(96 + self.sid.len());
        out.extend_from_slice(b"{\"sid\":");
        write_str(&mut out, &self.sid);
        out.extend_from_slice(b",\"upgrades\":[");
        for (i, u) in self.upgrades.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(&mut out, u);
        }
        out.extend_from_slice(b"],\"pingInterval\":");
        write_u64(&mut out, millis(self.ping_interval));
        out.extend_from_slice(b",\"pingTimeout\":");
        write_u64(&mut out, millis(self.ping_timeout));
        out.extend_from_slice(b",\"maxPayload\":");
        write_u64(&mut out, self.max_payload);
        out.push(b'}');
        Str::from_trusted_utf8(out.into())
    }

    /// Reads a handshake JSON (as a client does; used by test clients).
    pub fn from_json(json: &str) -> Result<Handshake, HandshakeError> {
        let w: Wire = serde_json::from_str(json)?;
        Ok(Handshake {
            sid: w.sid.into(),
            upgrades: w.upgrades.into_iter().map(Str::from).collect(),
            ping_interval: Duration::from_millis(w.ping_interval),
            ping_timeout: Duration::from_millis(w.ping_timeout),
            max_payload: w.max_payload,
        })
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Handshake {
        Handshake {
            sid: Str::from("lv_VI97HAXpY6yYWAAAC"),
            upgrades: vec![Str::from("websocket")],
            ping_interval: Duration::from_millis(25000),
            ping_timeout: Duration::from_millis(20000),
            max_payload: 1_000_000,
        }
    }

    #[test]
    fn writes_exactly_the_five_keys_in_reference_order() {
        assert_eq!(
            reference().to_json(),
            "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\
             \"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}"
        );
    }

    #[test]
    fn websocket_first_handshake_has_no_upgrades() {
        let h = Handshake {
            upgrades: vec![],
            ..reference()
        };
        assert!(h.to_json().contains("\"upgrades\":[],"));
    }

    #[test]
    fn round_trips_through_from_json() {
        let h = reference();
        assert_eq!(Handshake::from_json(&h.to_json()).unwrap(), h);
        assert!(Handshake::from_json("{\"sid\":1}").is_err());
    }
}
