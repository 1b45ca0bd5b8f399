//! HTTP compression of polling responses, as the reference's `httpCompression` does it: a
//! polling body of at least the threshold (default 1024 bytes) goes out gzip- or
//! deflate-encoded when the request's `Accept-Encoding` allows one, chosen the way the
//! reference's `accepts(req).encodings(["gzip", "deflate"])` chooses. The client files
//! (`api::ClientFiles`) also offer brotli, first, as the reference serves them.
//!
//! The core only marks which responses may be compressed
//! ([`HttpResponse::compressible`]); the adapter calls [`HttpResponse::compress_for`] with
//! the request's `Accept-Encoding` outside the core's lock, so the CPU this takes is spent on
//! the request's own task.

use super::response::{named, HttpResponse};
use crate::Str;
use bytes::Bytes;
use std::io::Write;

/// A `Content-Encoding` Volley can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentEncoding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `deflate`: the zlib format (RFC 1950), which is what HTTP's `deflate` means.
    Deflate,
    /// `br`: brotli (RFC 7932). Offered for the client files only, as by the reference.
    Brotli,
}

impl ContentEncoding {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentEncoding::Gzip => "gzip",
            ContentEncoding::Deflate => "deflate",
            ContentEncoding::Brotli => "br",
        }
    }

    /// `body` compressed at Node's zlib defaults: level 6 for gzip and deflate; quality 11 and
    /// a 4 MiB window (`lgwin` 22) for brotli, which costs far more CPU (the client files,
    /// which use it, are compressed once and kept).
    pub fn compress(self, body: &[u8]) -> Bytes {
        let level = flate2::Compression::default();
        let out = Vec::with_capacity(body.len() / 2 + 64);
        // Writing into a `Vec` cannot fail.
        let out = match self {
            ContentEncoding::Gzip => {
                let mut e = flate2::write::GzEncoder::new(out, level);
                e.write_all(body).and_then(|()| e.finish())
            }
            ContentEncoding::Deflate => {
                let mut e = flate2::write::ZlibEncoder::new(out, level);
                e.write_all(body).and_then(|()| e.finish())
            }
            ContentEncoding::Brotli => {
                let mut e = brotli::CompressorWriter::new(out, 4096, 11, 22);
                e.write_all(body).map(|()| e.into_inner())
            }
        };
        Bytes::from(out.unwrap_or_default())
    }
}

/// One entry of an `Accept-Encoding` header: the name, its `q`, and its position.
struct Accepted<'a> {
    name: &'a str,
    q: f64,
    pos: usize,
}

/// How well one offered encoding matches: quality, specificity (1 exact, 0 `*`), the
/// position of the entry it matched, and its own position among those offered.
#[derive(Clone, Copy)]
struct Priority {
    q: f64,
    s: u8,
    o: f64,
    i: usize,
}

/// JavaScript's `a || b` on numbers: `b` when `a` is 0 or NaN.
fn or(a: f64, b: f64) -> f64 {
    if a == 0.0 || a.is_nan() {
        b
    } else {
        a
    }
}

/// `parseFloat`: the longest leading decimal number, NaN when there is none.
fn parse_float(s: &str) -> f64 {
    let s = s.trim_start();
    let b = s.as_bytes();
    let mut end = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        end = 1;
    }
    let digits = |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int_end = digits(end);
    let mut num_end = int_end;
    if b.get(int_end) == Some(&b'.') {
        num_end = digits(int_end + 1);
    }
    if num_end == end || (num_end == end + 1 && b.get(end) == Some(&b'.')) {
        return f64::NAN;
    }
    let mut last = num_end;
    if matches!(b.get(num_end), Some(b'e' | b'E')) {
        let mut exp = num_end + 1;
        if matches!(b.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        let exp_end = digits(exp);
        if exp_end > exp {
            last = exp_end;
        }
    }
    s[..last].parse().unwrap_or(f64::NAN)
}

/// One comma-separated part: `name` then optional `;params`, nothing else (the reference's
/// `/^\s*([^\s;]+)\s*(?:;(.*))?$/`).
fn parse_part(part: &str, pos: usize) -> Option<Accepted<'_>> {
    let part = part.trim();
    let end = part
        .find(|c: char| c.is_whitespace() || c == ';')
        .unwrap_or(part.len());
    let name = &part[..end];
    if name.is_empty() {
        return None;
    }
    let rest = part[end..].trim_start();
    let mut q = 1.0;
    if !rest.is_empty() {
        let params = rest.strip_prefix(';')?;
        for param in params.split(';') {
            let mut kv = param.trim().split('=');
            if kv.next() == Some("q") {
                q = kv.next().map_or(f64::NAN, parse_float);
                break;
            }
        }
    }
    Some(Accepted { name, q, pos })
}

/// The encoding the reference would pick among `offered` (in the server's order of
/// preference) for a request with this `Accept-Encoding` header, if any: the highest `q`,
/// then an exact name over `*`, then the header's order, then `offered`'s order. No header,
/// or only `identity`, means none.
pub fn negotiate(
    accept_encoding: Option<&str>,
    offered: &[ContentEncoding],
) -> Option<ContentEncoding> {
    let header = accept_encoding.unwrap_or("");
    let parts: Vec<&str> = header.split(',').collect();
    let accepted: Vec<Accepted<'_>> = parts
        .iter()
        .enumerate()
        .filter_map(|(i, p)| parse_part(p, i))
        .collect();
    let mut best: Option<(Priority, ContentEncoding)> = None;
    for (i, &enc) in offered.iter().enumerate() {
        let mut prio = Priority {
            q: 0.0,
            s: 0,
            o: -1.0,
            i,
        };
        for a in &accepted {
            let s = if a.name.eq_ignore_ascii_case(enc.as_str()) {
                1
            } else if a.name == "*" {
                0
            } else {
                continue;
            };
            let spec = Priority {
                q: a.q,
                s,
                o: a.pos as f64,
                i,
            };
            let d = or(
                f64::from(prio.s) - f64::from(spec.s),
                or(prio.q - spec.q, prio.o - spec.o),
            );
            if d < 0.0 {
                prio = spec;
            }
        }
        if prio.q.is_nan() || prio.q <= 0.0 {
            continue;
        }
        // Sorted as the reference sorts: (b.q - a.q) || (b.s - a.s) || (a.o - b.o) || (a.i - b.i).
        let better = best.is_none_or(|(b, _)| {
            let c = or(
                prio.q - b.q,
                or(
                    f64::from(prio.s) - f64::from(b.s),
                    or(b.o - prio.o, b.i as f64 - prio.i as f64),
                ),
            );
            c > 0.0
        });
        if better {
            best = Some((prio, enc));
        }
    }
    best.map(|(_, enc)| enc)
}

/// What polling responses offer, in the reference's order.
const OFFERED: [ContentEncoding; 2] = [ContentEncoding::Gzip, ContentEncoding::Deflate];

impl HttpResponse {
    /// Compresses this response's body in place when it is
    /// [`compressible`](HttpResponse::compressible), its status is 200, the body is at least
    /// `threshold` bytes (`None`: compression off) and `accept_encoding` (the request's
    /// header) allows gzip or deflate; adds `Content-Encoding`. Returns the encoding used.
    ///
    /// ```
    /// # use volley_protocol::engine::*;
    /// # use volley_protocol::CounterIds;
    /// # use std::time::Instant;
    /// let mut server = EngineServer::new(EngineConfig::default(), CounterIds::new("s"));
    /// let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling");
    /// let RequestOutcome::Handshake(incoming) = server.handle_request_head(Instant::now(), ReqId(1), head)
    ///     else { unreachable!() };
    /// server.accept(Instant::now(), incoming);
    /// let Some(Transmit::Http { mut response, .. }) = server.poll_transmit() else { unreachable!() };
    /// // The handshake is shorter than the default threshold of 1024 bytes.
    /// assert_eq!(response.compress_for(Some("gzip"), Some(1024)), None);
    /// assert_eq!(response.compress_for(Some("gzip"), Some(10)), Some(ContentEncoding::Gzip));
    /// assert_eq!(response.header("content-encoding").map(|v| &**v), Some("gzip"));
    /// ```
    pub fn compress_for(
        &mut self,
        accept_encoding: Option<&str>,
        threshold: Option<usize>,
    ) -> Option<ContentEncoding> {
        if !self.compressible || self.status != 200 {
            return None;
        }
        if threshold.is_none_or(|t| self.body.len() < t) {
            return None;
        }
        let encoding = negotiate(accept_encoding, &OFFERED)?;
        self.body = encoding.compress(&self.body);
        self.compressible = false;
        self.headers.push(named(
            "Content-Encoding",
            Str::from_static(encoding.as_str()),
        ));
        Some(encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::response::ReplyHeaders;
    use std::io::Read;

    use ContentEncoding::{Deflate, Gzip};

    fn pick(header: &str) -> Option<ContentEncoding> {
        negotiate(Some(header), &OFFERED)
    }

    #[test]
    fn negotiation_follows_the_reference() {
        // Browsers: the header's order decides between equals.
        assert_eq!(pick("gzip, deflate, br, zstd"), Some(Gzip));
        assert_eq!(pick("deflate, gzip"), Some(Deflate));
        assert_eq!(pick("br"), None);
        assert_eq!(negotiate(None, &OFFERED), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("identity"), None);
        // q decides first; q=0 refuses.
        assert_eq!(pick("gzip;q=0.5, deflate"), Some(Deflate));
        assert_eq!(pick("gzip;q=0, deflate;q=0"), None);
        assert_eq!(pick("gzip;q=0"), None);
        // `*` matches what is not named; an exact name beats it at equal q.
        assert_eq!(pick("*"), Some(Gzip));
        assert_eq!(pick("*, deflate"), Some(Deflate));
        assert_eq!(pick("gzip;q=0, *"), Some(Deflate));
        // Names are case-insensitive; malformed parts are skipped.
        assert_eq!(pick("GZIP"), Some(Gzip));
        assert_eq!(pick("gzip x, deflate"), Some(Deflate));
        assert_eq!(pick("gzip;q=abc, deflate"), Some(Deflate));
        assert_eq!(pick(" , ;q=1, deflate"), Some(Deflate));
        // parseFloat reads the leading number.
        assert_eq!(pick("gzip;q=0.1x, deflate;q=0.05"), Some(Gzip));
        assert_eq!(pick("gzip;q=1e-1, deflate;q=.09"), Some(Gzip));
        // More cases checked against `accepts(req).encodings(["gzip", "deflate"])` (accepts
        // 1.3.8, negotiator 0.6.3).
        assert_eq!(pick("deflate;q=0.5, *;q=0.5"), Some(Deflate));
        assert_eq!(pick("*;q=0.5, gzip;q=0.5"), Some(Gzip));
        assert_eq!(pick("deflate, *;q=0.9"), Some(Deflate));
        assert_eq!(pick("deflate;q=0.5, gzip;q=0.5"), Some(Deflate));
        assert_eq!(pick("gzip ; q=0.2 , deflate ; q=0.3"), Some(Deflate));
        assert_eq!(
            pick("gzip;Q=0, deflate"),
            Some(Gzip),
            "only a lowercase q counts"
        );
        assert_eq!(pick("x-gzip"), None);
        assert_eq!(pick("*;q=0"), None);
    }

    #[test]
    fn parse_float_reads_like_javascript() {
        assert_eq!(parse_float("0.5"), 0.5);
        assert_eq!(parse_float(" 1"), 1.0);
        assert_eq!(parse_float(".5"), 0.5);
        assert_eq!(parse_float("1e-1x"), 0.1);
        assert_eq!(parse_float("2e"), 2.0);
        assert_eq!(parse_float("-0"), 0.0);
        assert!(parse_float("").is_nan());
        assert!(parse_float(".").is_nan());
        assert!(parse_float("-").is_nan());
        assert!(parse_float("x1").is_nan());
    }

    #[test]
    fn both_encodings_decompress_to_the_body() {
        let body: Vec<u8> = (0..5000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&Gzip.compress(&body)[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
        out.clear();
        flate2::read::ZlibDecoder::new(&Deflate.compress(&body)[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
        out.clear();
        let packed = ContentEncoding::Brotli.compress(&body);
        assert!(packed.len() < body.len() / 10, "{} bytes", packed.len());
        brotli::Decompressor::new(&packed[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, body);
        // An empty body is a valid (tiny) brotli stream too.
        out.clear();
        brotli::Decompressor::new(&ContentEncoding::Brotli.compress(b"")[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn brotli_is_offered_as_the_client_files_offer_it() {
        use ContentEncoding::Brotli;
        // `accepts(req).encodings(["br", "gzip", "deflate"])` (accepts 1.3.8, negotiator
        // 0.6.3), as the reference serves its client files.
        let offered = [Brotli, Gzip, Deflate];
        let pick = |h: &str| negotiate(Some(h), &offered);
        // Browsers name gzip first, and the header's order decides between equals.
        assert_eq!(pick("gzip, deflate, br, zstd"), Some(Gzip));
        assert_eq!(pick("br, gzip"), Some(Brotli));
        assert_eq!(pick("br"), Some(Brotli));
        assert_eq!(pick("BR"), Some(Brotli));
        // The server's order decides only what the header rates alike.
        assert_eq!(pick("*"), Some(Brotli));
        assert_eq!(pick("gzip;q=0.5, *;q=0.5"), Some(Gzip));
        assert_eq!(pick("gzip, br;q=0.9"), Some(Gzip));
        assert_eq!(pick("gzip;q=0.8, br;q=0.9"), Some(Brotli));
        assert_eq!(pick("br;q=0, gzip;q=0.1"), Some(Gzip));
        assert_eq!(pick("br;q=0, *"), Some(Gzip));
        assert_eq!(pick("br;q=0"), None);
        assert_eq!(pick("identity, br;q=0"), None);
        assert_eq!(negotiate(None, &offered), None);
    }

    fn payload(len: usize) -> HttpResponse {
        HttpResponse::payload(
            ReplyHeaders::plain(Vec::new()),
            Bytes::from(vec![b'4'; len]),
        )
    }

    #[test]
    fn only_large_enough_compressible_200s_are_compressed() {
        let mut small = payload(1023);
        assert_eq!(small.compress_for(Some("gzip"), Some(1024)), None);
        assert_eq!(small.body.len(), 1023);
        let mut big = payload(1024);
        assert_eq!(big.compress_for(Some("gzip"), Some(1024)), Some(Gzip));
        assert!(big.body.len() < 100);
        assert_eq!(big.header("content-encoding").map(|v| &**v), Some("gzip"));
        // Once only.
        assert_eq!(big.compress_for(Some("gzip"), Some(1024)), None);
        let mut off = payload(5000);
        assert_eq!(off.compress_for(Some("gzip"), None), None);
        let mut refused = payload(5000);
        assert_eq!(refused.compress_for(Some("br"), Some(1024)), None);
        assert_eq!(refused.header("content-encoding"), None);
        let mut ok = HttpResponse::ok(ReplyHeaders::plain(Vec::new()));
        assert_eq!(
            ok.compress_for(Some("gzip"), Some(0)),
            None,
            "not a payload"
        );
    }
}
