//! The reference's `cookie` option: the polling handshake sets `io=<sid>`, nothing else does.

mod support;

use bytes::Bytes;
use support::*;
use volley_protocol::engine::{CookieConfig, EngineConfig, Method, RequestHead, SameSite};
use volley_protocol::testing::PollingClient;

fn handshake(
    h: &mut volley_protocol::testing::Harness<volley_protocol::engine::EngineServer>,
) -> volley_protocol::engine::HttpResponse {
    let target = format!("{}?EIO=4&transport=polling", h.path);
    let req = h.request(RequestHead::new(Method::Get, &target), Bytes::new());
    h.expect_response(req)
}

#[test]
fn the_polling_handshake_sets_the_session_cookie_and_later_requests_do_not() {
    let mut h = harness(EngineConfig::default().cookie(Some(CookieConfig::new())));
    let response = handshake(&mut h);
    let c = PollingClient::from_handshake_response(&response);
    assert_eq!(
        response.header("set-cookie").map(|v| v.to_string()),
        Some(format!("io={}; Path=/; HttpOnly; SameSite=Lax", c.sid))
    );
    assert_eq!(c.post(&mut h, &[text("x")]).header("set-cookie"), None);
    let get = c.get(&mut h);
    h.server.send(h.now, &c.sid, "y");
    assert_eq!(h.expect_response(get).header("set-cookie"), None);
}

#[test]
fn the_cookie_carries_the_configured_name_and_attributes() {
    let cookie = CookieConfig::new()
        .name("sticky")
        .path(None)
        .max_age(Some(60))
        .domain(Some("example.test".into()))
        .secure(true)
        .same_site(Some(SameSite::Strict));
    let mut h = harness(EngineConfig::default().cookie(Some(cookie)));
    let response = handshake(&mut h);
    let c = PollingClient::from_handshake_response(&response);
    // The reference's serialization of the same options (engine.io 6, cookie 0.7).
    assert_eq!(
        response.header("set-cookie").map(|v| v.to_string()),
        Some(format!(
            "sticky={}; Max-Age=60; Domain=example.test; HttpOnly; Secure; SameSite=Strict",
            c.sid
        ))
    );
}

#[test]
fn no_cookie_by_default() {
    let mut h = default_harness();
    assert_eq!(handshake(&mut h).header("set-cookie"), None);
}
