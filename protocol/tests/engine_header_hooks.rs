//! The reference's `initial_headers` and `headers` hooks: which responses run them, in which
//! order, what they see, and what they may not do.

mod support;

use bytes::Bytes;
use std::sync::{Arc, Mutex};
use support::*;
use volley_protocol::engine::{
    CookieConfig, Cors, CorsOrigin, EngineConfig, EngineServer, HttpResponse, Method, RequestHead,
};
use volley_protocol::testing::{Harness, PollingClient, WsClient};
use volley_protocol::Str;

/// Sets `x-initial: 1` on initial headers and `x-every: 1` on every response, and records
/// which hook ran for which request (`initial <query>` / `every <query>`).
fn hooked(config: EngineConfig) -> (Harness<EngineServer>, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (l1, l2) = (log.clone(), log.clone());
    let config = config
        .on_initial_headers(move |headers, req| {
            headers.insert("X-Initial", "1");
            l1.lock().unwrap().push(format!("initial {}", kind(req)));
        })
        .on_headers(move |headers, req| {
            headers.insert("X-Every", "1");
            l2.lock().unwrap().push(format!("every {}", kind(req)));
        });
    (harness(config), log)
}

/// `handshake`, `get`, `post` or `ws` (with a sid: `upgrade`).
fn kind(req: &RequestHead) -> &'static str {
    let sid = req.query_param("sid").is_some();
    match (req.method(), req.query_param("transport").as_deref(), sid) {
        (_, Some("websocket"), false) => "ws",
        (_, Some("websocket"), true) => "upgrade",
        (Method::Get, _, false) => "handshake",
        (Method::Get, _, true) => "get",
        _ => "post",
    }
}

fn take(log: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

fn names(headers: &[(Str, Str)]) -> Vec<String> {
    headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect()
}

fn polling_handshake(h: &mut Harness<EngineServer>, head: RequestHead) -> HttpResponse {
    let req = h.request(head, Bytes::new());
    h.expect_response(req)
}

fn handshake_head(h: &Harness<EngineServer>) -> RequestHead {
    RequestHead::new(Method::Get, &format!("{}?EIO=4&transport=polling", h.path))
}

#[test]
fn the_polling_handshake_runs_initial_headers_then_headers_after_cors_and_cookie() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let config = EngineConfig::default()
        .cors(Cors::new(CorsOrigin::Any))
        .cookie(Some(CookieConfig::new()))
        .on_initial_headers(move |headers, _| {
            // Everything Engine.IO set is there already.
            let all: Vec<String> = headers.iter().map(|(n, _)| n.to_owned()).collect();
            s.lock().unwrap().push(all);
            headers.append("Set-Cookie", "app=1; Path=/");
            headers.insert("X-Order", "initial");
        })
        .on_headers(|headers, _| {
            let order = format!("{},every", headers.get("x-order").unwrap_or(""));
            headers.insert("x-order", order);
        });
    let mut h = harness(config);
    let head = handshake_head(&h);
    let r = polling_handshake(&mut h, head);
    assert_eq!(r.status, 200);
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![vec![
            "Access-Control-Allow-Origin",
            "Set-Cookie",
            "Content-Type",
            "Cache-Control"
        ]]
    );
    assert_eq!(
        r.header("X-Order").map(|v| v.as_str()),
        Some("initial,every")
    );
    let cookies: Vec<&str> = r
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.as_str())
        .collect();
    let c = PollingClient::from_handshake_response(&r);
    let engine_cookie = format!("io={}; Path=/; HttpOnly; SameSite=Lax", c.sid);
    assert_eq!(cookies, [engine_cookie.as_str(), "app=1; Path=/"]);
    assert_eq!(
        r.header("content-type").map(|v| v.as_str()),
        Some("text/plain; charset=UTF-8")
    );
}

#[test]
fn later_polling_gets_and_posts_run_headers_only() {
    let (mut h, log) = hooked(EngineConfig::default());
    let c = PollingClient::connect(&mut h);
    assert_eq!(take(&log), ["initial handshake", "every handshake"]);

    let post = c.post(&mut h, &[text("hi")]);
    assert_eq!((post.status, body(&post)), (200, "ok"));
    assert_eq!(post.header("x-every").map(|v| v.as_str()), Some("1"));
    assert_eq!(post.header("x-initial"), None);
    assert_eq!(
        post.header("content-type").map(|v| v.as_str()),
        Some("text/html")
    );

    // A parked GET, answered later: the hook ran for it, once.
    let get = c.get(&mut h);
    h.server.send(h.now, &c.sid, "back");
    let r = h.expect_response(get);
    assert_eq!(body(&r), "4back");
    assert_eq!(r.header("x-every").map(|v| v.as_str()), Some("1"));
    assert_eq!(r.header("x-initial"), None);
    assert_eq!(take(&log), ["every post", "every get"]);
}

#[test]
fn a_hook_replaces_what_engine_io_set() {
    let config = EngineConfig::default()
        .cors(Cors::new(CorsOrigin::Any))
        .on_headers(|headers, _| {
            headers.insert("cache-control", "private");
            headers.insert("access-control-allow-origin", "https://only.example");
            headers.remove("Content-Type");
        });
    let mut h = harness(config);
    let head = handshake_head(&h);
    let r = polling_handshake(&mut h, head);
    assert_eq!(
        names(&r.headers),
        ["access-control-allow-origin", "cache-control"]
    );
    assert_eq!(
        r.header("Access-Control-Allow-Origin").map(|v| v.as_str()),
        Some("https://only.example")
    );
    assert_eq!(
        r.header("Cache-Control").map(|v| v.as_str()),
        Some("private")
    );
}

#[test]
fn the_hooks_see_the_request_they_answer() {
    let config = EngineConfig::default().on_headers(|headers, req| {
        if let Some(cookie) = req.header("cookie") {
            headers.insert("X-Seen-Cookie", cookie.to_owned());
        }
    });
    let mut h = harness(config);
    let head = handshake_head(&h).with_header("Cookie", "user=42");
    let r = polling_handshake(&mut h, head);
    assert_eq!(
        r.header("x-seen-cookie").map(|v| v.as_str()),
        Some("user=42")
    );
    let c = PollingClient::from_handshake_response(&r);
    // Without the cookie, nothing.
    assert_eq!(c.post(&mut h, &[text("x")]).header("x-seen-cookie"), None);
}

#[test]
fn errors_preflights_and_refusals_get_no_hook_headers_but_keep_cors() {
    let (mut h, log) = hooked(
        EngineConfig::default()
            .cors(Cors::new(CorsOrigin::Any))
            .max_payload(10),
    );
    let c = PollingClient::connect(&mut h);
    take(&log);
    let no_hook = |r: &HttpResponse| {
        assert_eq!(r.header("x-every"), None, "{r:?}");
        assert_eq!(r.header("x-initial"), None, "{r:?}");
    };

    // 413: the session stays open.
    let post = c.post_body(&mut h, "4".repeat(50));
    assert_eq!(post.status, 413);
    no_hook(&post);
    assert_eq!(
        post.header("access-control-allow-origin")
            .map(|v| v.as_str()),
        Some("*")
    );

    // 400: unknown sid, an unknown transport, a POST handshake.
    for (method, query) in [
        (Method::Get, "EIO=4&transport=polling&sid=nope"),
        (Method::Get, "EIO=4&transport=flash"),
        (Method::Post, "EIO=4&transport=polling"),
    ] {
        let req = h.request_to(method, query, Bytes::new());
        let r = h.expect_response(req);
        assert_eq!(r.status, 400);
        no_hook(&r);
        assert!(r.header("access-control-allow-origin").is_some());
    }

    // The CORS preflight.
    let req = h.request_to(Method::Options, "EIO=4&transport=polling", Bytes::new());
    let r = h.expect_response(req);
    assert_eq!(r.status, 204);
    no_hook(&r);

    // Two GETs at once: the first is answered (a 200 with the close packet, hooked as any
    // payload), the second refused with a bare 400.
    let first = c.get(&mut h);
    let second = c.get(&mut h);
    let r = h.expect_response(second);
    assert_eq!(r.status, 400);
    no_hook(&r);
    let r = h.expect_response(first);
    assert_eq!((r.status, body(&r)), (200, "1"));
    assert_eq!(r.header("x-every").map(|v| v.as_str()), Some("1"));
    assert_eq!(take(&log), ["every get"]);

    // A refused handshake: 403, no hooks.
    h.admission = volley_protocol::testing::Admission::Manual;
    let head = handshake_head(&h);
    let req = h.request(head, Bytes::new());
    let incoming = h.incoming.pop_front().unwrap();
    h.refuse_incoming(incoming, None);
    let r = h.expect_response(req);
    assert_eq!(r.status, 403);
    no_hook(&r);
    assert!(take(&log).is_empty());
}

#[test]
fn a_websocket_first_101_gets_cors_and_both_hooks_but_no_session_cookie() {
    let (mut h, log) = hooked(
        EngineConfig::default()
            .cors(Cors::new(CorsOrigin::Any))
            .cookie(Some(CookieConfig::new())),
    );
    let (ws, _) = WsClient::connect(&mut h);
    assert_eq!(
        names(h.upgrade_headers(ws.conn)),
        ["access-control-allow-origin", "x-initial", "x-every"]
    );
    assert_eq!(take(&log), ["initial ws", "every ws"]);
}

#[test]
fn an_upgrade_101_gets_headers_only() {
    let (mut h, log) = hooked(EngineConfig::default());
    let c = PollingClient::connect(&mut h);
    take(&log);
    let ws = c.upgrade(&mut h);
    assert_eq!(names(h.upgrade_headers(ws.conn)), ["x-every"]);
    assert_eq!(take(&log), ["every upgrade"]);
}

#[test]
fn a_refused_upgrade_runs_no_hook() {
    let (mut h, log) = hooked(EngineConfig::default());
    let head = RequestHead::new(
        Method::Get,
        &format!("{}?EIO=4&transport=websocket&sid=nope", h.path),
    )
    .with_header("Connection", "Upgrade")
    .with_header("Upgrade", "websocket");
    let req = h.request(head, Bytes::new());
    let r = h.expect_response(req);
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-every"), None);
    assert!(take(&log).is_empty());
}

#[test]
fn without_hooks_or_cors_a_101_has_no_extra_headers() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    assert!(h.upgrade_headers(ws.conn).is_empty());
    let mut h = harness(EngineConfig::default().cors(Cors::new(CorsOrigin::Any)));
    let (ws, _) = WsClient::connect(&mut h);
    assert_eq!(
        names(h.upgrade_headers(ws.conn)),
        ["access-control-allow-origin"]
    );
}

#[test]
fn invalid_or_framing_headers_never_reach_the_response() {
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let a = accepted.clone();
    let config = EngineConfig::default().on_headers(move |headers, _| {
        let cases = [
            ("X-Split", "a\r\nSet-Cookie: evil=1"),
            ("X-Nul", "a\0b"),
            ("X-Wide", "snow \u{2603}"),
            ("Bad Name", "1"),
            ("", "1"),
            ("X-Colon:", "1"),
            ("Content-Length", "0"),
            ("Connection", "close"),
            ("Upgrade", "h2c"),
            ("Sec-WebSocket-Accept", "x"),
            ("X-Latin1", "caf\u{e9}"),
            ("X-Ok", "fine\tvalue"),
        ];
        let mut results: Vec<bool> = cases.iter().map(|(n, v)| headers.insert(*n, *v)).collect();
        results.push(headers.append("transfer-encoding", "chunked"));
        *a.lock().unwrap() = results;
    });
    let mut h = harness(config);
    let head = handshake_head(&h);
    let r = polling_handshake(&mut h, head);
    assert_eq!(
        *accepted.lock().unwrap(),
        [false, false, false, false, false, false, false, false, false, false, true, true, false]
    );
    assert_eq!(
        names(&r.headers),
        ["content-type", "cache-control", "x-latin1", "x-ok"]
    );
    let (ws, _) = WsClient::connect(&mut h);
    assert_eq!(names(h.upgrade_headers(ws.conn)), ["x-latin1", "x-ok"]);
}

#[test]
fn a_panicking_hook_leaves_the_response_intact() {
    let config = EngineConfig::default().on_headers(|headers, _| {
        headers.insert("X-Before", "1");
        panic!("hook bug");
    });
    let mut h = harness(config);
    let head = handshake_head(&h);
    let r = polling_handshake(&mut h, head);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-before").map(|v| v.as_str()), Some("1"));
    let c = PollingClient::from_handshake_response(&r);
    assert_eq!(c.post(&mut h, &[text("x")]).status, 200);
}
