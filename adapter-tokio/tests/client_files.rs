//! The browser client is served from the npm package directory with ETag / 304.

mod common;

use common::*;
use volley_tokio::Options;

#[tokio::test]
async fn client_bundle_served_with_etag_and_304_on_revalidation() {
    let dir = std::env::temp_dir().join(format!("volley-client-{}", std::process::id()));
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).expect("mkdir");
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"socket.io-client","version":"9.9.9"}"#,
    )
    .expect("package.json");
    std::fs::write(dist.join("socket.io.min.js"), "/* min */").expect("min");
    std::fs::write(dist.join("socket.io.js"), "/* full */").expect("js");
    std::fs::write(dist.join("socket.io.esm.min.js"), "/* esm */").expect("esm");
    std::fs::write(dist.join("socket.io.min.js.map"), "{}").expect("map");
    // This test binary has a single test, so no other thread reads the environment.
    std::env::set_var(volley_tokio::CLIENT_DIR_ENV, &dist);

    let io = volley_tokio::new(Options::default());
    let addr = start(io).await;

    for (file, body, kind) in [
        ("socket.io.min.js", "/* min */", "application/javascript"),
        ("socket.io.js", "/* full */", "application/javascript"),
        (
            "socket.io.esm.min.js",
            "/* esm */",
            "application/javascript",
        ),
        ("socket.io.min.js.map", "{}", "application/json"),
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
    let _ = std::fs::remove_dir_all(&dir);
}
