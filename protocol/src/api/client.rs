//! Serving the official browser client (`socket.io.min.js` and friends) with ETag / 304,
//! as the reference server does.

use crate::engine::{HttpResponse, Method, RequestHead};
use crate::Str;
use bytes::Bytes;

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
    files: Vec<(&'static str, Bytes)>,
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
            self.files.retain(|(n, _)| n != name);
            self.files.push((name, content));
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

    /// Answers a GET for one of the client files under `path`; `None` for anything else.
    pub(crate) fn respond(&self, path: &str, head: &RequestHead) -> Option<HttpResponse> {
        if head.method() != Method::Get {
            return None;
        }
        let name = head.path().strip_prefix(path)?;
        if !Self::NAMES.contains(&name) {
            return None;
        }
        let Some((_, content)) = self.files.iter().find(|(n, _)| *n == name) else {
            return Some(HttpResponse {
                status: 404,
                headers: Vec::new(),
                body: Bytes::new(),
            });
        };
        let if_none_match = head.header("if-none-match");
        if if_none_match.is_some_and(|t| t == &*self.etag || t == &*self.weak_etag) {
            return Some(HttpResponse {
                status: 304,
                headers: vec![("ETag", self.etag.clone())],
                body: Bytes::new(),
            });
        }
        let content_type = if name.ends_with(".map") {
            "application/json; charset=utf-8"
        } else {
            "application/javascript; charset=utf-8"
        };
        Some(HttpResponse {
            status: 200,
            headers: vec![
                ("Cache-Control", Str::from_static("public, max-age=0")),
                ("Content-Type", Str::from_static(content_type)),
                ("ETag", self.etag.clone()),
            ],
            body: content.clone(),
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
        let r = files().respond("/socket.io/", &get("/socket.io/socket.io.min.js", None));
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
        let r = files().respond("/socket.io/", &get("/socket.io/socket.io.min.js.map", None));
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
            );
            assert_eq!(r.expect("answered").status, 304);
        }
        let r = files().respond(
            "/socket.io/",
            &get("/socket.io/socket.io.min.js", Some("\"x\"")),
        );
        assert_eq!(r.expect("answered").status, 200);
    }

    #[test]
    fn known_name_without_file_is_404_and_other_paths_pass() {
        let r = files().respond("/socket.io/", &get("/socket.io/socket.io.js", None));
        assert_eq!(r.expect("answered").status, 404);
        assert!(files()
            .respond("/socket.io/", &get("/socket.io/", None))
            .is_none());
        assert!(files()
            .respond("/socket.io/", &get("/other/socket.io.min.js", None))
            .is_none());
    }
}
