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

/// The longest known name.
const MAX_LEN: usize = 24;
/// Room per length in [`BY_LEN`].
const PER_LEN: usize = 4;

/// Per name length, the codes of the known names of that length, `u8::MAX` after the last:
/// a lookup compares at most [`PER_LEN`] names instead of scanning all of them (every request
/// looks up each of its header names). Built at compile time; a name longer than
/// [`MAX_LEN`] or more than [`PER_LEN`] names of one length fail the build.
const BY_LEN: [[u8; PER_LEN]; MAX_LEN + 1] = by_len();

const fn by_len() -> [[u8; PER_LEN]; MAX_LEN + 1] {
    let mut table = [[u8::MAX; PER_LEN]; MAX_LEN + 1];
    let mut code = 0;
    while code < KNOWN.len() {
        let row = &mut table[KNOWN[code].len()];
        let mut slot = 0;
        while row[slot] != u8::MAX {
            slot += 1;
        }
        row[slot] = code as u8;
        code += 1;
    }
    table
}

/// The code of a lowercase `name`, if it is a known one.
pub(crate) fn code(name: &str) -> Option<u32> {
    BY_LEN
        .get(name.len())?
        .iter()
        .take_while(|&&code| code != u8::MAX)
        .map(|&code| u32::from(code))
        .find(|&code| KNOWN[code as usize] == name)
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
        assert_eq!(code(""), None);
        assert_eq!(code(&"x".repeat(MAX_LEN + 1)), None);
        // Same length as known names, none of them.
        assert_eq!(code("sec-fetch-user"), None);
        assert_eq!(code("Host"), None, "callers lowercase first");
    }
}
