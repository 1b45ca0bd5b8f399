//! The bare-WebSocket floor: the least work any server can do to fan a message out.
//!
//! It answers just enough of the Engine.IO / Socket.IO handshake for the load generator to
//! drive it (open packet, CONNECT to `/`, `echo` with or without an ack) and fans every
//! `broadcast` out by handing the very frame it received — already the exact text every
//! receiver gets — to each connection: encoded once, one shared buffer, no parsing beyond the
//! event name. It never pings and keeps no session state, so no Socket.IO server can beat it.

/// What the floor does with one text frame from a client.
#[derive(Debug, PartialEq, Eq)]
pub enum FloorReply {
    /// Send this text to the sender only.
    Sender(String),
    /// Send the received frame, unchanged, to every connection.
    Everyone,
    /// Nothing.
    Nothing,
}

/// The handshake sent on every new connection (no pings: `pingInterval` is the largest the
/// client accepts, the load generator answers pings anyway).
pub fn open_packet(sid: u64) -> String {
    format!(
        r#"0{{"sid":"f{sid}","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}}"#
    )
}

/// Decides the reply to a text frame from connection `sid`.
pub fn reply(sid: u64, text: &str) -> FloorReply {
    if text == "40" || text.starts_with("40{") {
        return FloorReply::Sender(format!(r#"40{{"sid":"s{sid}"}}"#));
    }
    let Some(event) = text.strip_prefix("42") else {
        return FloorReply::Nothing;
    };
    if event.starts_with("[\"broadcast\"") {
        return FloorReply::Everyone;
    }
    let digits = event.bytes().take_while(u8::is_ascii_digit).count();
    let (id, args) = event.split_at(digits);
    let Some(rest) = args.strip_prefix("[\"echo\"") else {
        return FloorReply::Nothing;
    };
    if id.is_empty() {
        FloorReply::Sender(text.to_string())
    } else {
        // `["echo",a,b]` → ack `[a,b]`; `["echo"]` → `[]`.
        let rest = rest.strip_prefix(',').unwrap_or(rest);
        FloorReply::Sender(format!("43{id}[{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_broadcast_and_echo_replies() {
        assert_eq!(
            reply(3, "40"),
            FloorReply::Sender(r#"40{"sid":"s3"}"#.into())
        );
        assert_eq!(reply(3, r#"42["broadcast","x"]"#), FloorReply::Everyone);
        assert_eq!(
            reply(3, r#"42["echo","x"]"#),
            FloorReply::Sender(r#"42["echo","x"]"#.into())
        );
        assert_eq!(
            reply(3, r#"4217["echo","x",1]"#),
            FloorReply::Sender(r#"4317["x",1]"#.into())
        );
        assert_eq!(
            reply(3, r#"429["echo"]"#),
            FloorReply::Sender("439[]".into())
        );
        assert_eq!(reply(3, "3"), FloorReply::Nothing);
        assert_eq!(reply(3, r#"42["other"]"#), FloorReply::Nothing);
    }

    #[test]
    fn open_packet_is_a_handshake_the_client_reads() {
        let text = open_packet(9);
        let json = text.strip_prefix('0').unwrap();
        let h = volley_protocol::engine::Handshake::from_json(json).unwrap();
        assert_eq!(h.sid, "f9");
    }
}
