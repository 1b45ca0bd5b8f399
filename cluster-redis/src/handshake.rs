//! Sockets described the way a Node.js node describes them in a `fetchSockets` response:
//! `{id, handshake: {headers, time, address, xdomain, secure, issued, url, query, auth}, rooms,
//! data}`, with `query` and `headers` as objects and `issued` in milliseconds since the epoch.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use volley_protocol::server::{SocketId, SocketInfo};
use volley_protocol::socket::msgpack::civil_from_days;
use volley_protocol::socket::Value;
use volley_protocol::Str;

/// The Node-shaped description of `info`, as of `now` (wall clock).
pub fn to_node(info: &SocketInfo, now: SystemTime) -> Value {
    let issued = now.checked_sub(info.age).unwrap_or(UNIX_EPOCH);
    let issued_ms = issued
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let origin = info
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("origin"));
    let auth =
        serde_json::from_str::<Value>(&info.auth).unwrap_or_else(|_| Value::Object(Vec::new()));
    let handshake = Value::Object(vec![
        ("headers".into(), headers_object(&info.headers)),
        ("time".into(), Value::String(js_date_string(issued_ms))),
        (
            "address".into(),
            Value::String(info.address.map(|a| a.ip().to_string()).unwrap_or_default()),
        ),
        ("xdomain".into(), Value::Bool(origin)),
        ("secure".into(), Value::Bool(false)),
        ("issued".into(), Value::from(issued_ms)),
        ("url".into(), Value::String(info.url.to_string())),
        ("query".into(), query_object(&info.query)),
        ("auth".into(), auth),
    ]);
    Value::Object(vec![
        ("id".into(), Value::String(info.id.to_string())),
        ("handshake".into(), handshake),
        (
            "rooms".into(),
            Value::Array(info.rooms.iter().map(|r| Value::from(r.as_str())).collect()),
        ),
        ("data".into(), Value::from(info.data.clone())),
    ])
}

/// A socket from a Node-shaped description (`None` when it has no string `id`). Missing
/// parts become empty; the address keeps only the IP (port 0).
pub fn from_node(v: &Value, now: SystemTime) -> Option<SocketInfo> {
    let id = v.get("id")?.as_str()?;
    let empty = Value::Object(Vec::new());
    let hs = v.get("handshake").unwrap_or(&empty);
    let headers = match hs.get("headers") {
        Some(Value::Object(entries)) => entries
            .iter()
            .filter_map(|(k, v)| header_value(v).map(|v| (Str::from(k.as_str()), Str::from(v))))
            .collect(),
        _ => Vec::new(),
    };
    let issued_ms = match hs.get("issued") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0).max(0.0) as u64,
        _ => 0,
    };
    let issued = UNIX_EPOCH + Duration::from_millis(issued_ms);
    let address = hs
        .get("address")
        .and_then(Value::as_str)
        .and_then(parse_ip)
        .map(|ip| SocketAddr::new(ip, 0));
    let rooms = match v.get("rooms") {
        Some(Value::Array(items)) => items.iter().filter_map(room_name).collect(),
        _ => Vec::new(),
    };
    Some(SocketInfo {
        id: SocketId::from(id),
        rooms,
        data: v.get("data").map_or(serde_json::Value::Null, to_json_value),
        headers,
        query: Str::from(query_string(hs.get("query"))),
        auth: Str::from(json_text(hs.get("auth").unwrap_or(&empty))),
        address,
        url: Str::from(hs.get("url").and_then(Value::as_str).unwrap_or_default()),
        age: now.duration_since(issued).unwrap_or_default(),
    })
}

/// A room name from a JSON value (Node rooms may be numbers).
pub fn room_name(v: &Value) -> Option<Str> {
    match v {
        Value::String(s) => Some(Str::from(s.as_str())),
        Value::Number(n) => Some(Str::from(n.to_string())),
        _ => None,
    }
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    let ip: IpAddr = s.parse().ok()?;
    // Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`.
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

fn header_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// Headers as Node's `IncomingMessage.headers`: lower-case names, repeated ones joined by
/// `", "` (`set-cookie` stays a list).
fn headers_object(headers: &[(Str, Str)]) -> Value {
    let mut entries: Vec<(String, Value)> = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        match entries.iter_mut().find(|(k, _)| *k == name) {
            Some((_, Value::Array(list))) => list.push(Value::from(value.as_str())),
            Some((_, Value::String(s))) => {
                s.push_str(", ");
                s.push_str(value);
            }
            Some(_) => {}
            None if name == "set-cookie" => {
                entries.push((name, Value::Array(vec![Value::from(value.as_str())])))
            }
            None => entries.push((name, Value::from(value.as_str()))),
        }
    }
    Value::Object(entries)
}

/// A query string as Node's `querystring.parse`: decoded keys and values, a repeated key
/// becomes a list.
fn query_object(query: &str) -> Value {
    let mut entries: Vec<(String, Value)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (percent_decode(k), Value::String(percent_decode(v)));
        match entries.iter_mut().find(|(key, _)| *key == k) {
            Some((_, Value::Array(list))) => list.push(v),
            Some((_, old)) => *old = Value::Array(vec![std::mem::take(old), v]),
            None => entries.push((k, v)),
        }
    }
    Value::Object(entries)
}

/// The inverse of [`query_object`]: `k=v&k2=v2`, percent-encoded.
fn query_string(query: Option<&Value>) -> String {
    let mut out = String::new();
    let Some(Value::Object(entries)) = query else {
        return out;
    };
    let mut push = |k: &str, v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode(k, &mut out);
        out.push('=');
        percent_encode(&text, &mut out);
    };
    for (k, v) in entries {
        match v {
            Value::Array(items) => items.iter().for_each(|item| push(k, item)),
            other => push(k, other),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str, out: &mut String) {
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
}

fn json_text(v: &Value) -> String {
    let mut out = Vec::new();
    v.write_json(&mut out, &mut Vec::new());
    String::from_utf8(out).unwrap_or_default()
}

fn to_json_value(v: &Value) -> serde_json::Value {
    serde_json::from_str(&json_text(v)).unwrap_or(serde_json::Value::Null)
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Date.prototype.toString()` of `ms` in UTC, e.g.
/// `Wed Nov 25 2026 21:42:22 GMT+0000 (Coordinated Universal Time)`.
pub fn js_date_string(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{} {} {:02} {:04} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        DAYS[(days % 7) as usize],
        MONTHS[(m - 1) as usize],
        d,
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_like_javascript_in_utc() {
        assert_eq!(
            js_date_string(1_795_642_942_109),
            "Wed Nov 25 2026 21:42:22 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(
            js_date_string(0),
            "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
        assert_eq!(
            js_date_string(951_782_400_000),
            "Tue Feb 29 2000 00:00:00 GMT+0000 (Coordinated Universal Time)"
        );
    }

    #[test]
    fn query_strings_become_objects_and_back() {
        let q = query_object("foo=bar&EIO=4&a=1&a=2&sp=a+b%26c");
        assert_eq!(
            json_text(&q),
            r#"{"foo":"bar","EIO":"4","a":["1","2"],"sp":"a b&c"}"#
        );
        assert_eq!(query_string(Some(&q)), "foo=bar&EIO=4&a=1&a=2&sp=a%20b%26c");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn headers_are_lower_cased_and_repeats_joined() {
        let h = headers_object(&[
            ("Host".into(), "x".into()),
            ("Accept".into(), "a".into()),
            ("accept".into(), "b".into()),
            ("Set-Cookie".into(), "c=1".into()),
            ("set-cookie".into(), "d=2".into()),
        ]);
        assert_eq!(
            json_text(&h),
            r#"{"host":"x","accept":"a, b","set-cookie":["c=1","d=2"]}"#
        );
    }

    #[test]
    fn a_socket_survives_the_node_shape() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let info = SocketInfo {
            id: SocketId::from("abc"),
            rooms: vec!["abc".into(), "r1".into()],
            data: serde_json::json!({"user": "u1", "n": 2}),
            headers: vec![("host".into(), "127.0.0.1:3000".into())],
            query: "EIO=4&transport=websocket".into(),
            auth: r#"{"token":"t"}"#.into(),
            address: Some("127.0.0.1:5555".parse().unwrap()),
            url: "/socket.io/?EIO=4&transport=websocket".into(),
            age: Duration::from_millis(1500),
        };
        let node = to_node(&info, now);
        let back = from_node(&node, now).unwrap();
        assert_eq!(back.address, Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(back.age, Duration::from_millis(1500));
        assert_eq!(
            SocketInfo {
                address: info.address,
                ..back
            },
            info
        );
        assert_eq!(
            parse_ip("::ffff:10.0.0.1"),
            Some("10.0.0.1".parse().unwrap())
        );
    }
}
