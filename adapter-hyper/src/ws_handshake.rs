//! The WebSocket opening handshake's checks, as the reference's `ws` makes them, and its
//! refusals (`abortHandshake`): plain text with `Connection: close`, and the connection closes.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};

/// Why the reference's `ws` refuses a WebSocket opening handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not a GET (RFC 6455 §4.1).
    Method,
    /// `Upgrade` is not `websocket`.
    Upgrade,
    /// No `Sec-WebSocket-Key`, or not the base64 form of 16 bytes.
    Key,
    /// `Sec-WebSocket-Version` is neither 13 nor 8.
    Version,
    /// `Sec-WebSocket-Protocol` breaks its syntax.
    Protocol,
}

impl Refused {
    /// The reference's answer (its `abortHandshake`): the status, `Connection: close`,
    /// `Content-Type: text/html` and its message; the connection closes after it (a body, if
    /// any, is not read).
    pub(crate) fn response(self) -> Response<Full<Bytes>> {
        let (status, message) = match self {
            Refused::Method => (StatusCode::METHOD_NOT_ALLOWED, "Invalid HTTP method"),
            Refused::Upgrade => (StatusCode::BAD_REQUEST, "Invalid Upgrade header"),
            Refused::Key => (
                StatusCode::BAD_REQUEST,
                "Missing or invalid Sec-WebSocket-Key header",
            ),
            Refused::Version => (
                StatusCode::BAD_REQUEST,
                "Missing or invalid Sec-WebSocket-Version header",
            ),
            Refused::Protocol => (
                StatusCode::BAD_REQUEST,
                "Invalid Sec-WebSocket-Protocol header",
            ),
        };
        let mut resp = Response::new(Full::new(Bytes::from_static(message.as_bytes())));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        match self {
            // RFC 9110 wants `Allow` with a 405 (the reference sends none).
            Refused::Method => {
                h.insert(header::ALLOW, HeaderValue::from_static("GET"));
            }
            // RFC 6455 §4.4: name the versions this server speaks.
            Refused::Version => {
                h.insert(
                    header::SEC_WEBSOCKET_VERSION,
                    HeaderValue::from_static("13, 8"),
                );
            }
            _ => {}
        }
        crate::http::refuse_body(resp)
    }
}

/// The checks of the reference's `ws` (`handleUpgrade`), in its order: the method, the
/// `Upgrade` header, the key, the version, the subprotocol list. Each header counts as Node
/// reads it: repeated, its values are joined with `, ` (which no valid value survives).
/// Returns the subprotocol to confirm in the `101`: the first offered, as the reference's
/// `ws` picks without a `handleProtocols`.
pub(crate) fn check_handshake(parts: &Parts) -> Result<Option<HeaderValue>, Refused> {
    if parts.method != hyper::Method::GET {
        return Err(Refused::Method);
    }
    let headers = &parts.headers;
    let single = |name: header::HeaderName| {
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (Some(value), None) => Some(value.as_bytes()),
            _ => None,
        }
    };
    if !single(header::UPGRADE).is_some_and(|v| v.eq_ignore_ascii_case(b"websocket")) {
        return Err(Refused::Upgrade);
    }
    if !single(header::SEC_WEBSOCKET_KEY).is_some_and(is_valid_key) {
        return Err(Refused::Key);
    }
    // 13 is RFC 6455; 8 (hybi-08) frames the same way, and the reference's `ws` takes both.
    let version = single(header::SEC_WEBSOCKET_VERSION).and_then(js_number);
    if !matches!(version, Some(13.0 | 8.0)) {
        return Err(Refused::Version);
    }
    let protocols = headers.get_all(header::SEC_WEBSOCKET_PROTOCOL);
    if protocols.iter().next().is_none() {
        return Ok(None);
    }
    let joined: Vec<&[u8]> = protocols.iter().map(|v| v.as_bytes()).collect();
    match first_protocol(&joined.join(&b", "[..])) {
        Some(first) => Ok(HeaderValue::from_bytes(first).ok()),
        None => Err(Refused::Protocol),
    }
}

/// A `Sec-WebSocket-Key` is the base64 form of 16 bytes: 22 characters and `==` (RFC 6455
/// §4.1), which is what the reference's `ws` checks too.
fn is_valid_key(key: &[u8]) -> bool {
    key.len() == 24
        && key.ends_with(b"==")
        && key[..22]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// A header value as JavaScript's `+value` reads it, for the version check: surrounding
/// whitespace ignored, decimal (`13`, `13.0`, `1.3e1`, `+13`) or `0x`/`0o`/`0b` integers;
/// empty is 0; anything else is NaN (`None`).
fn js_number(value: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if text.is_empty() {
        return Some(0.0);
    }
    let radix = match text.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => 16,
        Some("0o") => 8,
        Some("0b") => 2,
        _ => 10,
    };
    if radix != 10 {
        return u128::from_str_radix(&text[2..], radix)
            .ok()
            .map(|n| n as f64);
    }
    // Rust's float syntax but for its words (`inf`, `nan`), which JavaScript spells otherwise,
    // and a trailing or leading `_`, which neither takes.
    let numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !numeric {
        return None;
    }
    text.parse().ok()
}

/// The first subprotocol of a `Sec-WebSocket-Protocol` list, `None` when the list breaks the
/// reference's syntax (its `subprotocol.parse`): tokens (RFC 9110 `tchar`s) separated by
/// commas, spaces and tabs around them allowed, none empty and none twice.
fn first_protocol(value: &[u8]) -> Option<&[u8]> {
    let is_tchar = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    let mut seen: Vec<&[u8]> = Vec::new();
    for item in value.split(|&c| c == b',') {
        let item = trim_start_blanks(item);
        let token_end = item
            .iter()
            .position(|&c| !is_tchar(c))
            .unwrap_or(item.len());
        let (token, rest) = item.split_at(token_end);
        if token.is_empty() || !rest.iter().all(|&c| c == b' ' || c == b'\t') {
            return None;
        }
        if seen.contains(&token) {
            return None;
        }
        seen.push(token);
    }
    seen.first().copied()
}

/// `bytes` without its leading spaces and tabs (HTTP's optional whitespace).
fn trim_start_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut req = hyper::Request::get("/socket.io/?EIO=4&transport=websocket");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.body(()).unwrap().into_parts().0
    }

    const GOOD: [(&str, &str); 4] = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ];

    /// The refusal's status, body and extra header for `GOOD` with `change` applied (a
    /// header replaced or, with an empty value, removed; `+` appends a second one).
    fn refusal(change: (&str, &str)) -> Option<(u16, String, Option<String>)> {
        let mut headers: Vec<(&str, &str)> = GOOD
            .iter()
            .filter(|(n, _)| change.0.strip_prefix('+').is_some() || *n != change.0)
            .copied()
            .collect();
        let name = change.0.trim_start_matches('+');
        if !change.1.is_empty() || change.0.starts_with('+') {
            headers.push((name, change.1));
        }
        let resp = check_handshake(&parts(&headers)).err()?.response();
        assert_eq!(resp.headers()["connection"], "close");
        assert_eq!(resp.headers()["content-type"], "text/html");
        let version = resp
            .headers()
            .get("sec-websocket-version")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = format!("{:?}", resp.body());
        Some((resp.status().as_u16(), body, version))
    }

    #[test]
    fn a_valid_handshake_passes_and_confirms_the_first_subprotocol() {
        assert_eq!(check_handshake(&parts(&GOOD)).ok(), Some(None));
        let mut with = GOOD.to_vec();
        with.push(("Sec-WebSocket-Protocol", "chat, superchat"));
        let chosen = check_handshake(&parts(&with)).ok().flatten();
        assert_eq!(chosen.as_ref().map(|v| v.as_bytes()), Some(&b"chat"[..]));
    }

    #[test]
    fn each_failed_check_gets_the_reference_status_and_message() {
        let cases = [
            (("Upgrade", "foo"), 400, "Invalid Upgrade header"),
            (("+Upgrade", "websocket"), 400, "Invalid Upgrade header"),
            (
                ("Sec-WebSocket-Key", ""),
                400,
                "Missing or invalid Sec-WebSocket-Key header",
            ),
            (
                ("Sec-WebSocket-Key", "abc"),
                400,
                "Missing or invalid Sec-WebSocket-Key header",
            ),
            (
                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=A"),
                400,
                "Missing or invalid Sec-WebSocket-Key header",
            ),
            (
                ("Sec-WebSocket-Version", ""),
                400,
                "Missing or invalid Sec-WebSocket-Version header",
            ),
            (
                ("Sec-WebSocket-Version", "7"),
                400,
                "Missing or invalid Sec-WebSocket-Version header",
            ),
            (
                ("+Sec-WebSocket-Version", "13"),
                400,
                "Missing or invalid Sec-WebSocket-Version header",
            ),
            (
                ("+Sec-WebSocket-Protocol", "a, a"),
                400,
                "Invalid Sec-WebSocket-Protocol header",
            ),
            (
                ("+Sec-WebSocket-Protocol", "a b"),
                400,
                "Invalid Sec-WebSocket-Protocol header",
            ),
            (
                ("+Sec-WebSocket-Protocol", "a,"),
                400,
                "Invalid Sec-WebSocket-Protocol header",
            ),
        ];
        for (change, status, message) in cases {
            let (got_status, body, version) = refusal(change).expect("refused");
            assert_eq!(got_status, status, "{change:?}");
            assert!(body.contains(message), "{change:?}: {body}");
            let names_versions = message.contains("Version");
            assert_eq!(
                version.as_deref(),
                names_versions.then_some("13, 8"),
                "{change:?}"
            );
        }
        let mut post = parts(&GOOD);
        post.method = hyper::Method::POST;
        let resp = check_handshake(&post).expect_err("refused").response();
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(resp.headers()["connection"], "close");
    }

    #[test]
    fn versions_are_read_as_javascript_numbers() {
        for ok in [
            "13", "8", "13.0", "1.3e1", "+13", "013", " 13 ", "0x0D", "0o15", "0b1101",
        ] {
            assert!(matches!(js_number(ok.as_bytes()), Some(13.0 | 8.0)), "{ok}");
        }
        for bad in ["", "7", "13a", "-0x0d", "0x", "1_3", "inf", "13, 13"] {
            assert!(
                !matches!(js_number(bad.as_bytes()), Some(13.0 | 8.0)),
                "{bad}"
            );
        }
    }

    #[test]
    fn subprotocol_lists_follow_the_reference_syntax() {
        assert_eq!(first_protocol(b"a"), Some(&b"a"[..]));
        assert_eq!(first_protocol(b"a, b ,c"), Some(&b"a"[..]));
        assert_eq!(first_protocol(b"a,\tb"), Some(&b"a"[..]));
        for bad in [
            &b""[..],
            b"a,,b",
            b"a,",
            b",a",
            b"a b",
            b"a, A, a",
            b"a;b",
            b"a\x01",
        ] {
            assert_eq!(
                first_protocol(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            first_protocol(b"a, A"),
            Some(&b"a"[..]),
            "names are case-sensitive"
        );
    }
}
