//! Names of common request headers, stored in a [`RequestHead`](super::RequestHead) as a number
//! instead of text: in a browser's handshake they are about half of the head's bytes, and a
//! session keeps that head as long as it lives.

/// Marks a header's name entry as an index into [`KNOWN`] rather than a length.
pub(crate) const KNOWN_FLAG: u32 = 1 << 31;

/// Lowercase names, as stored; the index is the code.
pub(crate) const KNOWN: [&str; 36] = [
    "host",
    "connection",
    "upgrade",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "cache-control",
    "pragma",
    "origin",
    "referer",
    "cookie",
    "authorization",
    "content-type",
    "content-length",
    "transfer-encoding",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
    "sec-fetch-dest",
    "sec-fetch-mode",
    "sec-fetch-site",
    "sec-ch-ua",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-real-ip",
    "forwarded",
    "if-none-match",
    "dnt",
    "priority",
    "te",
    "via",
];

/// The code of a lowercase `name`, if it is a known one.
pub(crate) fn code(name: &str) -> Option<u32> {
    KNOWN.iter().position(|k| *k == name).map(|i| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_is_lowercase_unique_and_found() {
        for (i, name) in KNOWN.iter().enumerate() {
            assert_eq!(*name, name.to_ascii_lowercase());
            assert_eq!(code(name), Some(i as u32), "{name}");
        }
        assert_eq!(code("x-custom"), None);
        assert_eq!(code("Host"), None, "callers lowercase first");
    }
}
