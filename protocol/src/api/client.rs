//! Serving the official browser client (`socket.io.min.js` and friends) with ETag / 304,
//! as the reference server does.

use crate::engine::{named, negotiate, ContentEncoding, HttpResponse, Method, RequestHead};
use crate::Str;
use bytes::Bytes;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// The order a [`CompressJob`] makes a file's forms in: the cheap ones first, so a request
/// waiting on brotli (≈1 s for a source map) can have gzip or deflate meanwhile.
const MAKE_ORDER: [ContentEncoding; 3] = [
    ContentEncoding::Gzip,
    ContentEncoding::Deflate,
    ContentEncoding::Brotli,
];

/// A file's compressed forms (indexed as [`ENCODINGS`]), made once and kept, and whether
/// their making has been handed to the compressor.
#[derive(Debug, Default)]
struct Forms {
    packed: [OnceLock<Bytes>; ENCODINGS.len()],
    started: AtomicBool,
}

impl Forms {
    fn slot(&self, encoding: ContentEncoding) -> &OnceLock<Bytes> {
        &self.packed[ENCODINGS.iter().position(|x| *x == encoding).unwrap_or(0)]
    }

    fn get(&self, encoding: ContentEncoding) -> Option<Bytes> {
        self.slot(encoding).get().cloned()
    }
}

/// One file, with its compressed forms. The reference compresses every response anew, brotli
/// at quality 11 (≈0.13 s of CPU for `socket.io.min.js`, ≈1 s for `socket.io.js.map`); here
/// each form is made once, off the request's thread when a compressor is set.
#[derive(Debug, Clone)]
struct File {
    name: &'static str,
    content: Bytes,
    forms: Arc<Forms>,
}

/// The making of one client file's compressed forms (gzip, then deflate, then brotli), handed
/// to the compressor (see [`ClientFiles::compress_with`]) on the first request that asks for a form not made yet. Run it on a
/// thread where a second of CPU stalls nobody; the forms are served as each one is done.
pub struct CompressJob {
    name: &'static str,
    content: Bytes,
    forms: Arc<Forms>,
}

impl CompressJob {
    /// The file whose forms this makes (`socket.io.min.js`, …).
    pub fn file(&self) -> &'static str {
        self.name
    }

    /// Makes every form not made yet (a CPU-heavy, blocking call: up to about a second for a
    /// source map in brotli).
    pub fn run(self) {
        while self.step() {}
    }

    /// Makes the next missing form, in [`MAKE_ORDER`]; false when all are made.
    fn step(&self) -> bool {
        let Some(&encoding) = MAKE_ORDER
            .iter()
            .find(|&&e| self.forms.slot(e).get().is_none())
        else {
            return false;
        };
        self.forms
            .slot(encoding)
            .get_or_init(|| encoding.compress(&self.content));
        true
    }
}

impl fmt::Debug for CompressJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompressJob")
            .field("file", &self.name)
            .finish_non_exhaustive()
    }
}

/// Where the client files' compression runs (see [`ClientFiles::compress_with`]).
#[derive(Clone)]
struct Compressor(Arc<dyn Fn(CompressJob) + Send + Sync>);

impl fmt::Debug for Compressor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Compressor")
    }
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
    compressor: Option<Compressor>,
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
            compressor: None,
        }
    }

    /// Makes the compressed forms of the files off the request's thread: the first request
    /// for a form not made yet hands the file's [`CompressJob`] to `compressor` (once per
    /// file) and gets, meanwhile, the best form it accepts that is made (or the file as it
    /// is), with the same headers and ETag. Without a compressor each form is made by the
    /// first request that asks for it, on that request's thread. The adapters set one that
    /// runs the jobs on a thread of their own.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use volley_protocol::api::ClientFiles;
    ///
    /// let queue = Arc::new(Mutex::new(Vec::new()));
    /// let jobs = queue.clone();
    /// let files = ClientFiles::new("4.8.1").compress_with(move |job| jobs.lock().unwrap().push(job));
    /// # let _ = (files, queue);
    /// ```
    pub fn compress_with(
        mut self,
        compressor: impl Fn(CompressJob) + Send + Sync + 'static,
    ) -> Self {
        self.compressor = Some(Compressor(Arc::new(compressor)));
        self
    }

    /// Whether `name`'s form in `encoding` is made (false for a file not loaded).
    ///
    /// ```
    /// use volley_protocol::api::ClientFiles;
    /// use volley_protocol::engine::ContentEncoding;
    ///
    /// let mut files = ClientFiles::new("4.8.1");
    /// files.insert("socket.io.js", bytes::Bytes::from_static(b"/* bundle */"));
    /// assert!(!files.is_compressed("socket.io.js", ContentEncoding::Brotli));
    /// ```
    pub fn is_compressed(&self, name: &str, encoding: ContentEncoding) -> bool {
        self.files
            .iter()
            .any(|f| f.name == name && f.forms.get(encoding).is_some())
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
                forms: Arc::default(),
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
        let packed = compress_from
            .filter(|&t| file.content.len() >= t)
            .and_then(|_| self.packed(file, head.header("accept-encoding")));
        let body = match packed {
            Some((e, body)) => {
                headers.push(named("Content-Encoding", Str::from_static(e.as_str())));
                body
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

    /// The form of `file` to send for this `Accept-Encoding`, if any: the one the reference
    /// would pick when it is made; otherwise the best made one the request accepts, the
    /// missing ones handed to the compressor (once per file).
    fn packed(&self, file: &File, accept: Option<&str>) -> Option<(ContentEncoding, Bytes)> {
        let wanted = negotiate(accept, &ENCODINGS)?;
        let Some(compressor) = &self.compressor else {
            let body = file
                .forms
                .slot(wanted)
                .get_or_init(|| wanted.compress(&file.content));
            return Some((wanted, body.clone()));
        };
        if let Some(body) = file.forms.get(wanted) {
            return Some((wanted, body));
        }
        if !file.forms.started.swap(true, Ordering::AcqRel) {
            (compressor.0)(CompressJob {
                name: file.name,
                content: file.content.clone(),
                forms: file.forms.clone(),
            });
        }
        let made: Vec<ContentEncoding> = ENCODINGS
            .into_iter()
            .filter(|&e| file.forms.slot(e).get().is_some())
            .collect();
        let fallback = negotiate(accept, &made)?;
        Some((fallback, file.forms.get(fallback)?))
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
    /// A compressor that queues the jobs, for the test to run when it chooses.
    fn queued(files: ClientFiles) -> (ClientFiles, Arc<std::sync::Mutex<Vec<CompressJob>>>) {
        let queue = Arc::new(std::sync::Mutex::new(Vec::new()));
        let jobs = queue.clone();
        let files = files.compress_with(move |job| jobs.lock().unwrap().push(job));
        (files, queue)
    }

    fn unbrotli(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(body, 4096), &mut out)
            .expect("valid brotli");
        out
    }

    #[test]
    fn with_a_compressor_no_request_compresses_and_each_gets_the_best_form_made() {
        use ContentEncoding::{Brotli, Deflate, Gzip};
        let big = Bytes::from("var a = 1;\n".repeat(200));
        let mut f = files();
        f.insert("socket.io.js", big.clone());
        f.insert("socket.io.js.map", Bytes::from("[0],".repeat(400)));
        let (f, queue) = queued(f);
        let ask = |name: &str, accept: &str, etag: Option<&str>| {
            let head =
                get(&format!("/socket.io/{name}"), etag).with_header("Accept-Encoding", accept);
            f.respond("/socket.io/", &head, Some(1024)).expect("served")
        };
        let encoding = |r: &HttpResponse| r.header("content-encoding").map(|v| v.to_string());
        let etag = |r: &HttpResponse| r.header("etag").map(|v| v.to_string());

        // Nothing made: the file as it is, with its usual headers, and one job for the file.
        let first = ask("socket.io.js", "br, gzip", None);
        assert_eq!((first.status, encoding(&first)), (200, None));
        assert_eq!(first.body, big);
        assert_eq!(etag(&first).as_deref(), Some("\"4.8.1\""));
        assert!(first
            .headers
            .iter()
            .any(|(k, v)| *k == "Content-Type" && v.starts_with("application/javascript")));
        assert_eq!(ask("socket.io.js", "gzip", None).body, big);
        assert_eq!(
            queue.lock().unwrap().len(),
            1,
            "one job per file, whatever is asked"
        );
        assert_eq!(queue.lock().unwrap()[0].file(), "socket.io.js");
        // Revalidation needs no form: 304 with the same ETag.
        let revalidated = ask("socket.io.js", "br", Some("W/\"4.8.1\""));
        assert_eq!((revalidated.status, encoding(&revalidated)), (304, None));
        assert_eq!(etag(&revalidated).as_deref(), Some("\"4.8.1\""));
        // Another file has a job of its own; the small one (below the threshold) none.
        ask("socket.io.js.map", "br", None);
        ask("socket.io.min.js", "br", None);
        assert_eq!(queue.lock().unwrap().len(), 2);
        assert!(!f.is_compressed("socket.io.js", Gzip));

        // The job makes gzip first: a brotli request falls back to it if it accepts it.
        let job = queue.lock().unwrap().remove(0);
        assert!(job.step());
        assert!(f.is_compressed("socket.io.js", Gzip));
        assert!(!f.is_compressed("socket.io.js", Brotli));
        let fallback = ask("socket.io.js", "br, gzip", None);
        assert_eq!(encoding(&fallback).as_deref(), Some("gzip"));
        assert_eq!(etag(&fallback).as_deref(), Some("\"4.8.1\""));
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&fallback.body[..]),
            &mut unpacked,
        )
        .expect("valid gzip");
        assert_eq!(unpacked, big);
        // ... and gets the file as it is if it does not.
        let br_only = ask("socket.io.js", "br, deflate;q=0.5", None);
        assert_eq!((encoding(&br_only), &br_only.body), (None, &big));
        assert!(job.step());
        assert_eq!(
            encoding(&ask("socket.io.js", "br, deflate;q=0.5", None)).as_deref(),
            Some("deflate")
        );

        // Once brotli is made it is what the reference would send.
        assert!(job.step());
        assert!(!job.step(), "all made");
        assert!(f.is_compressed("socket.io.js", Brotli));
        let br = ask("socket.io.js", "br, gzip", None);
        assert_eq!(encoding(&br).as_deref(), Some("br"));
        assert_eq!(etag(&br).as_deref(), Some("\"4.8.1\""));
        assert_eq!(unbrotli(&br.body), big);
        assert_eq!(
            br.body,
            Brotli.compress(&big),
            "the same bytes as made on request"
        );
        assert_eq!(
            ask("socket.io.js", "*", None).body.as_ptr(),
            br.body.as_ptr(),
            "kept"
        );
        assert_eq!(
            encoding(&ask("socket.io.js", "gzip, br", None)).as_deref(),
            Some("gzip")
        );
        assert_eq!(
            encoding(&ask("socket.io.js", "deflate", None)).as_deref(),
            Some("deflate")
        );
        assert!(
            !f.is_compressed("socket.io.js.map", Deflate),
            "its own job, not run"
        );
        assert_eq!(queue.lock().unwrap().len(), 1, "no new job once made");
        // A whole run makes the other file's forms.
        queue.lock().unwrap().remove(0).run();
        assert!(ENCODINGS
            .iter()
            .all(|&e| f.is_compressed("socket.io.js.map", e)));
        assert_eq!(
            encoding(&ask("socket.io.js.map", "br", None)).as_deref(),
            Some("br")
        );
    }
}
