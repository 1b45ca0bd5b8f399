//! Serving the official browser client (`socket.io.min.js` and friends) with ETag / 304,
//! as the reference server does.

use crate::engine::{named, negotiate, ContentEncoding, HttpResponse, Method, RequestHead};
use crate::Str;
use bytes::Bytes;
use std::sync::{Arc, OnceLock};

/// What the client files are offered in, in the reference's order of preference
/// (`accepts(req).encodings(["br", "gzip", "deflate"])`): between encodings the request
/// rates equally (the same `q`, both named or both by `*`, in the same header entry) brotli
/// wins, so `Accept-Encoding: *` gets brotli; otherwise the header's `q` and order decide.
const ENCODINGS: [ContentEncoding; 3] = [
    ContentEncoding::Brotli,
    ContentEncoding::Gzip,
    ContentEncoding::Deflate,
];

/// One file, with its compressed forms made on first request and kept (so a stream of
/// requests for the bundle costs no compression each). The reference compresses every
/// response anew, brotli at quality 11 (≈0.13 s of CPU for `socket.io.min.js`, ≈1 s for
/// `socket.io.js.map`); here the first request for a file in an encoding pays that once, and
/// requests for it that arrive meanwhile wait for that result.
#[derive(Debug, Clone)]
struct File {
    name: &'static str,
    content: Bytes,
    packed: Arc<[OnceLock<Bytes>; ENCODINGS.len()]>,
}

/// The browser client bundle, loaded once by the adapter from the `socket.io-client` npm
/// package and served under the server's path.
///
/// ```
/// use bytes::Bytes;
/// use volley_protocol::api::ClientFiles;
///
/// let mut files = ClientFiles::new("4.8.1");
/// files.insert("socket.io.min.js", Bytes::from_static(b"/* bundle */"));
/// assert_eq!(files.etag(), "\"4.8.1\"");
/// ```
#[derive(Debug, Clone)]
pub struct ClientFiles {
    etag: Str,
    weak_etag: Str,
    files: Vec<File>,
}

impl ClientFiles {
    /// The file names served, as in the reference: the bundles and their source maps.
    ///
    /// ```
    /// use volley_protocol::api::ClientFiles;
    /// assert!(ClientFiles::NAMES.contains(&"socket.io.min.js"));
    /// ```
    pub const NAMES: [&'static str; 8] = [
        "socket.io.js",
        "socket.io.js.map",
        "socket.io.min.js",
        "socket.io.min.js.map",
        "socket.io.esm.min.js",
        "socket.io.esm.min.js.map",
        "socket.io.msgpack.min.js",
        "socket.io.msgpack.min.js.map",
    ];

    /// An empty set for client `version` (the ETag is the quoted version, like the reference).
    ///
    /// ```
    /// use volley_protocol::api::ClientFiles;
    /// let files = ClientFiles::new("4.8.1");
    /// assert_eq!(files.etag(), "\"4.8.1\"");
    /// ```
    pub fn new(version: &str) -> Self {
        ClientFiles {
            etag: Str::from(format!("\"{version}\"")),
            weak_etag: Str::from(format!("W/\"{version}\"")),
            files: Vec::new(),
        }
    }

    /// Adds a file; names not in [`ClientFiles::NAMES`] are ignored.
    ///
    /// ```
    /// use volley_protocol::api::ClientFiles;
    /// let mut files = ClientFiles::new("4.8.1");
    /// files.insert("socket.io.js", bytes::Bytes::from_static(b"/* bundle */"));
    /// ```
    pub fn insert(&mut self, name: &str, content: Bytes) {
        if let Some(name) = Self::NAMES.iter().find(|n| **n == name) {
            self.files.retain(|f| f.name != *name);
            self.files.push(File {
                name,
                content,
                packed: Arc::default(),
            });
        }
    }

    /// The ETag sent with every file.
    ///
    /// ```
    /// use volley_protocol::api::ClientFiles;
    /// assert_eq!(ClientFiles::new("1.2.3").etag(), "\"1.2.3\"");
    /// ```
    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// Answers a GET (or a HEAD: the server sends its head only) for one of the client files
    /// under `path`; `None` for anything else. A file of at least `compress_from` bytes goes
    /// out compressed when `Accept-Encoding` allows it (`None`: never).
    pub(crate) fn respond(
        &self,
        path: &str,
        head: &RequestHead,
        compress_from: Option<usize>,
    ) -> Option<HttpResponse> {
        if !matches!(head.method(), Method::Get | Method::Head) {
            return None;
        }
        let name = head.path().strip_prefix(path)?;
        if !Self::NAMES.contains(&name) {
            return None;
        }
        let Some(file) = self.files.iter().find(|f| f.name == name) else {
            return Some(HttpResponse {
                status: 404,
                headers: Vec::new(),
                body: Bytes::new(),
                compressible: false,
            });
        };
        let if_none_match = head.header("if-none-match");
        if if_none_match.is_some_and(|t| t == &*self.etag || t == &*self.weak_etag) {
            return Some(HttpResponse {
                status: 304,
                headers: vec![named("ETag", self.etag.clone())],
                body: Bytes::new(),
                compressible: false,
            });
        }
        let content_type = if name.ends_with(".map") {
            "application/json; charset=utf-8"
        } else {
            "application/javascript; charset=utf-8"
        };
        let mut headers = vec![
            named("Cache-Control", Str::from_static("public, max-age=0")),
            named("Content-Type", Str::from_static(content_type)),
            named("ETag", self.etag.clone()),
        ];
        let encoding = compress_from
            .filter(|&t| file.content.len() >= t)
            .and_then(|_| negotiate(head.header("accept-encoding"), &ENCODINGS));
        let body = match encoding {
            Some(e) => {
                headers.push(named("Content-Encoding", Str::from_static(e.as_str())));
                let slot = &file.packed[ENCODINGS.iter().position(|x| *x == e).unwrap_or(0)];
                slot.get_or_init(|| e.compress(&file.content)).clone()
            }
            None => file.content.clone(),
        };
        Some(HttpResponse {
            status: 200,
            headers,
            body,
            compressible: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, etag: Option<&str>) -> RequestHead {
        let head = RequestHead::new(Method::Get, path);
        match etag {
            Some(e) => head.with_header("If-None-Match", e),
            None => head,
        }
    }

    fn files() -> ClientFiles {
        let mut f = ClientFiles::new("4.8.1");
        f.insert("socket.io.min.js", Bytes::from_static(b"min"));
        f.insert("socket.io.min.js.map", Bytes::from_static(b"{}"));
        f
    }

    #[test]
    fn serves_bundle_with_etag_and_javascript_type() {
        let r = files().respond(
            "/socket.io/",
            &get("/socket.io/socket.io.min.js", None),
            Some(1024),
        );
        let r = r.expect("served");
        assert_eq!(r.status, 200);
        assert_eq!(&r.body[..], b"min");
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| *k == "ETag" && v == "\"4.8.1\""));
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| *k == "Content-Type" && v.starts_with("application/javascript")));
    }

    #[test]
    fn source_map_is_json() {
        let r = files().respond(
            "/socket.io/",
            &get("/socket.io/socket.io.min.js.map", None),
            Some(1024),
        );
        let r = r.expect("served");
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| *k == "Content-Type" && v.starts_with("application/json")));
    }

    #[test]
    fn matching_etag_gives_304_strong_or_weak() {
        for tag in ["\"4.8.1\"", "W/\"4.8.1\""] {
            let r = files().respond(
                "/socket.io/",
                &get("/socket.io/socket.io.min.js", Some(tag)),
                Some(1024),
            );
            assert_eq!(r.expect("answered").status, 304);
        }
        let r = files().respond(
            "/socket.io/",
            &get("/socket.io/socket.io.min.js", Some("\"x\"")),
            Some(1024),
        );
        assert_eq!(r.expect("answered").status, 200);
    }

    #[test]
    fn known_name_without_file_is_404_and_other_paths_pass() {
        let r = files().respond(
            "/socket.io/",
            &get("/socket.io/socket.io.js", None),
            Some(1024),
        );
        assert_eq!(r.expect("answered").status, 404);
        assert!(files()
            .respond("/socket.io/", &get("/socket.io/", None), Some(1024))
            .is_none());
        assert!(files()
            .respond(
                "/socket.io/",
                &get("/other/socket.io.min.js", None),
                Some(1024)
            )
            .is_none());
    }

    #[test]
    fn a_large_file_is_compressed_once_and_the_result_kept() {
        let mut f = files();
        let big = Bytes::from("var a = 1;\n".repeat(200));
        f.insert("socket.io.js", big.clone());
        let ask = |accept: &str| {
            let head = get("/socket.io/socket.io.js", None).with_header("Accept-Encoding", accept);
            f.respond("/socket.io/", &head, Some(1024)).expect("served")
        };
        let first = ask("gzip, deflate");
        assert_eq!(first.header("content-encoding").map(|v| &**v), Some("gzip"));
        assert!(first.body.len() < big.len() / 4);
        let again = ask("gzip");
        assert_eq!(
            again.body.as_ptr(),
            first.body.as_ptr(),
            "kept, not compressed again"
        );
        let deflated = ask("deflate");
        assert_eq!(
            deflated.header("content-encoding").map(|v| &**v),
            Some("deflate")
        );
        assert_ne!(deflated.body, first.body);
        let br = ask("br");
        assert_eq!(br.header("content-encoding").map(|v| &**v), Some("br"));
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(
            &mut brotli::Decompressor::new(&br.body[..], 4096),
            &mut unpacked,
        )
        .expect("valid brotli");
        assert_eq!(unpacked, big);
        assert!(br.body.len() < first.body.len(), "brotli beats gzip here");
        assert_eq!(ask("br, gzip").body.as_ptr(), br.body.as_ptr(), "kept");
        // The header's own preference wins; the server's (br, gzip, deflate) breaks ties.
        let browser = ask("gzip, deflate, br, zstd");
        assert_eq!(
            browser.header("content-encoding").map(|v| &**v),
            Some("gzip")
        );
        assert_eq!(
            ask("*").header("content-encoding").map(|v| &**v),
            Some("br")
        );
        let refused = ask("br;q=0, gzip;q=0");
        assert_eq!(
            (refused.header("content-encoding"), &refused.body),
            (None, &big)
        );
        assert_eq!(ask("zstd").body, big);
        let off = get("/socket.io/socket.io.js", None).with_header("Accept-Encoding", "gzip");
        assert_eq!(
            f.respond("/socket.io/", &off, None).expect("served").body,
            big
        );
        // Below the threshold: as it is.
        let small = get("/socket.io/socket.io.min.js", None).with_header("Accept-Encoding", "gzip");
        let small = f
            .respond("/socket.io/", &small, Some(1024))
            .expect("served");
        assert_eq!(
            (small.header("content-encoding"), &small.body[..]),
            (None, &b"min"[..])
        );
    }
}
