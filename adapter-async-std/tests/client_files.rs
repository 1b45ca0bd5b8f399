//! The browser client under async-std and under smol: served with its ETag, and in brotli
//! once the server's compression thread has made that form (the file as it is meanwhile,
//! never a request waiting for brotli on an executor thread).

mod common;
#[path = "../../examples/fake_client_package.rs"]
mod fake_client_package;

use common::*;
use fake_client_package::FakeClientPackage;
use std::io::Read;
use std::net::SocketAddr;
use std::time::Instant;
use volley_async_std::Options;

fn ask(addr: SocketAddr, headers: &str) -> Resp {
    let req = format!(
        "GET /socket.io/socket.io.js HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{headers}\r\n"
    );
    raw(addr, req.as_bytes()).expect("a response")
}

fn header<'a>(resp: &'a Resp, name: &str) -> Option<&'a str> {
    resp.head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn client_file_goes_out_as_it_is_until_brotli_is_made_then_in_brotli() {
    let package = FakeClientPackage::new("client-smol");
    let (dist, full) = (&package.dist, &package.full);
    // This test binary has a single test, so no other thread reads the environment.
    std::env::set_var(volley_async_std::CLIENT_DIR_ENV, dist);

    for rt in runtimes() {
        let addr = start(&rt, rt.socketio(Options::default()));
        let deadline = Instant::now() + WAIT;
        let packed = loop {
            let resp = ask(addr, "Accept-Encoding: br\r\n");
            assert_eq!(resp.status, 200, "{}", rt.name());
            assert_eq!(header(&resp, "etag"), Some("\"9.9.9\""), "{}", rt.name());
            match header(&resp, "content-encoding") {
                Some("br") => break resp,
                // Brotli not made yet, and the request accepts nothing else.
                None => assert_eq!(resp.text(), *full, "{}", rt.name()),
                Some(other) => panic!("{}: {other}", rt.name()),
            }
            assert!(
                Instant::now() < deadline,
                "{}: brotli never made",
                rt.name()
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let mut unpacked = String::new();
        brotli::Decompressor::new(&packed.body[..], 4096)
            .read_to_string(&mut unpacked)
            .expect("valid brotli");
        assert_eq!(unpacked, *full, "{}", rt.name());
        assert!(packed.body.len() < full.len() / 4, "{}", rt.name());
        // One ETag for every form: revalidation is 304 whatever is asked for.
        let revalidated = ask(addr, "Accept-Encoding: br\r\nIf-None-Match: \"9.9.9\"\r\n");
        assert_eq!(revalidated.status, 304, "{}", rt.name());
        assert_eq!(header(&revalidated, "content-encoding"), None);
        assert!(revalidated.body.is_empty());
    }
}
