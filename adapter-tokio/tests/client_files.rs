//! The browser client is served from the npm package directory with ETag / 304, compressed
//! when the request's `Accept-Encoding` allows it (as the reference serves it).

mod common;
#[path = "../../examples/fake_client_package.rs"]
mod fake_client_package;

use common::*;
use fake_client_package::{FakeClientPackage, ESM, MAP, MIN};
use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use volley_tokio::Options;

/// `body` decoded from `encoding` (`None`: as it is).
fn unpack(encoding: Option<&str>, body: &[u8]) -> String {
    let mut unpacked = String::new();
    let read = match encoding {
        None => return String::from_utf8_lossy(body).into_owned(),
        Some("gzip") => flate2::read::GzDecoder::new(body).read_to_string(&mut unpacked),
        Some("deflate") => flate2::read::ZlibDecoder::new(body).read_to_string(&mut unpacked),
        Some("br") => brotli::Decompressor::new(body, 4096).read_to_string(&mut unpacked),
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    };
    read.expect("decompresses");
    unpacked
}

/// Asks for `socket.io.js` with `accept` until it comes in `encoding` (made on the server's
/// compression thread), checking that every answer meanwhile is the file, in a form the
/// request accepts, with the ETag.
async fn settled(addr: SocketAddr, accept: &str, encoding: &str, full: &str) -> Resp {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let packed = request(
            addr,
            "GET",
            "/socket.io/socket.io.js",
            &[("Accept-Encoding", accept)],
            b"",
        )
        .await;
        assert_eq!(packed.status, 200);
        assert_eq!(packed.header("etag"), Some("\"9.9.9\""));
        let got = packed.header("content-encoding");
        assert_eq!(unpack(got, &packed.body), full, "{accept}: {got:?}");
        if got == Some(encoding) {
            return packed;
        }
        // Meanwhile only a form the header rates at least as high as the file as it is.
        assert!(
            got.is_none_or(|g| accept.contains(g) || accept.contains('*')),
            "{accept}: {got:?}"
        );
        assert!(Instant::now() < deadline, "{accept}: {encoding} never made");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn client_bundle_served_with_etag_and_304_on_revalidation() {
    let package = FakeClientPackage::new("client");
    let (dist, full) = (&package.dist, &package.full);
    // This test binary has a single test, so no other thread reads the environment.
    std::env::set_var(volley_tokio::CLIENT_DIR_ENV, dist);

    let io = volley_tokio::new(Options::default());
    let addr = start(io).await;

    for (file, body, kind) in [
        ("socket.io.min.js", MIN, "application/javascript"),
        ("socket.io.js", full.as_str(), "application/javascript"),
        ("socket.io.esm.min.js", ESM, "application/javascript"),
        ("socket.io.min.js.map", MAP, "application/json"),
    ] {
        let resp = get(addr, &format!("/socket.io/{file}")).await;
        assert_eq!(resp.status, 200, "{file}");
        assert_eq!(resp.text(), body);
        assert!(
            resp.header("content-type").unwrap_or("").starts_with(kind),
            "{file}"
        );
        assert_eq!(resp.header("etag"), Some("\"9.9.9\""));
    }
    let again = request(
        addr,
        "GET",
        "/socket.io/socket.io.min.js",
        &[("If-None-Match", "\"9.9.9\"")],
        b"",
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // HEAD (a proxy or health check probing the file) gets the GET's head, no body.
    let probe = request(addr, "HEAD", "/socket.io/socket.io.js", &[], b"").await;
    assert_eq!(probe.status, 200);
    assert_eq!(probe.header("etag"), Some("\"9.9.9\""));
    assert!(probe
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/javascript")));
    let length = full.len().to_string();
    assert_eq!(probe.header("content-length"), Some(length.as_str()));
    assert!(probe.body.is_empty());

    // The reference's `accepts(req).encodings(["br", "gzip", "deflate"])`: the header's q and
    // order first (browsers name gzip first), the server's order between equals. The forms
    // are made on a thread of their own from the first request on; until then a request gets
    // the best form it accepts that is made, or the file as it is.
    for (accept, encoding) in [
        ("gzip, deflate, br", "gzip"),
        ("deflate", "deflate"),
        ("br, gzip", "br"),
        ("*", "br"),
        ("br;q=0, *", "gzip"),
        ("gzip;q=0.5, br;q=0.8", "br"),
    ] {
        let packed = settled(addr, accept, encoding, full).await;
        assert!(packed.body.len() < full.len() / 4);
    }
    // Refusing every offered encoding (q=0) gets the file as it is.
    let plain = request(
        addr,
        "GET",
        "/socket.io/socket.io.js",
        &[("Accept-Encoding", "br;q=0, gzip;q=0, deflate;q=0, identity")],
        b"",
    )
    .await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.text(), *full);
    // Revalidation is answered 304 whatever the encoding asked for: one ETag for all forms,
    // as in the reference (which sends no Vary either).
    let revalidated = request(
        addr,
        "GET",
        "/socket.io/socket.io.js",
        &[("Accept-Encoding", "br"), ("If-None-Match", "W/\"9.9.9\"")],
        b"",
    )
    .await;
    assert_eq!(revalidated.status, 304);
    assert_eq!(revalidated.header("content-encoding"), None);
    assert_eq!(revalidated.header("etag"), Some("\"9.9.9\""));
    assert!(revalidated.body.is_empty());
    // Below the threshold (1024 bytes) a file goes out as it is.
    let small = request(
        addr,
        "GET",
        "/socket.io/socket.io.min.js",
        &[("Accept-Encoding", "gzip")],
        b"",
    )
    .await;
    assert_eq!(small.header("content-encoding"), None);
    assert_eq!(small.text(), MIN);
}
