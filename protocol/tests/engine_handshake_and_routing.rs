//! Handshakes (polling and WebSocket-first), admission, and the reference's routing errors.

mod support;

use bytes::Bytes;
use support::*;
use volley_protocol::engine::{
    Cors, CorsOrigin, EngineConfig, Method, Packet, RequestHead, Transports,
};
use volley_protocol::testing::{decode_payload, Admission, PollingClient, WsClient};
use volley_protocol::Str;

const HANDSHAKE: &str = r#"0{"sid":"s1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;

#[test]
fn polling_handshake_sends_the_open_packet_with_five_keys() {
    let mut h = default_harness();
    let req = h.request_to(Method::Get, "EIO=4&transport=polling&t=Nabc", Bytes::new());
    let r = h.expect_response(req);
    assert_eq!(r.status, 200);
    assert_eq!(body(&r), HANDSHAKE);
    assert_eq!(
        r.header("content-type").unwrap(),
        "text/plain; charset=UTF-8"
    );
    assert_eq!(events(&mut h), vec![opened("s1")]);
    assert_eq!(h.server.session_count(), 1);
}

#[test]
fn websocket_first_handshake_is_the_first_text_frame_with_no_upgrades() {
    let mut h = default_harness();
    let (ws, hs) = WsClient::connect(&mut h);
    assert_eq!(ws.sid, "s1");
    assert!(hs.upgrades.is_empty());
    assert_eq!(hs.ping_interval.as_millis(), 25000);
    assert_eq!(events(&mut h), vec![opened("s1")]);
}

#[test]
fn routing_errors_carry_the_reference_codes_and_messages() {
    let mut h = default_harness();
    let cases: &[(Method, &str, u16, &str)] = &[
        (
            Method::Get,
            "EIO=4",
            400,
            r#"{"code":0,"message":"Transport unknown"}"#,
        ),
        (
            Method::Get,
            "EIO=4&transport=flash",
            400,
            r#"{"code":0,"message":"Transport unknown"}"#,
        ),
        (
            Method::Get,
            "EIO=4&transport=polling&sid=nope",
            400,
            r#"{"code":1,"message":"Session ID unknown"}"#,
        ),
        (
            Method::Post,
            "EIO=4&transport=polling",
            400,
            r#"{"code":2,"message":"Bad handshake method"}"#,
        ),
        (
            Method::Put,
            "EIO=4&transport=polling",
            400,
            r#"{"code":2,"message":"Bad handshake method"}"#,
        ),
        (
            Method::Get,
            "EIO=4&transport=websocket",
            400,
            r#"{"code":3,"message":"Bad request"}"#,
        ),
        (
            Method::Get,
            "transport=polling",
            400,
            r#"{"code":5,"message":"Unsupported protocol version"}"#,
        ),
        (
            Method::Get,
            "EIO=3&transport=polling",
            400,
            r#"{"code":5,"message":"Unsupported protocol version"}"#,
        ),
        (
            Method::Get,
            "EIO=5&transport=polling",
            400,
            r#"{"code":5,"message":"Unsupported protocol version"}"#,
        ),
    ];
    for (method, query, status, expected) in cases {
        let req = h.request_to(*method, query, Bytes::new());
        let r = h.expect_response(req);
        assert_eq!(
            (r.status, body(&r)),
            (*status, *expected),
            "{method:?} {query}"
        );
        assert_eq!(r.header("content-type").unwrap(), "application/json");
    }
    assert_eq!(h.server.session_count(), 0);
    assert!(events(&mut h).is_empty());
}

#[test]
fn requests_outside_the_path_are_not_engine_io() {
    let mut h = default_harness();
    let req = h.request(
        RequestHead::new(Method::Get, "/other?EIO=4&transport=polling"),
        Bytes::new(),
    );
    assert_eq!(
        h.expect_response(req).status,
        404,
        "the harness answers NotMine with 404"
    );
    let mut h = harness(EngineConfig::default().path("/engine"));
    h.path = "/engine/".into();
    let c = PollingClient::connect(&mut h);
    assert_eq!(c.sid, "s1");
}

#[test]
fn an_invalid_origin_header_is_a_bad_request() {
    let mut h = default_harness();
    let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=polling")
        .with_header("Origin", "http://a\u{7f}b");
    let req = h.request(head, Bytes::new());
    assert_eq!(
        body(&h.expect_response(req)),
        r#"{"code":3,"message":"Bad request"}"#
    );
}

#[test]
fn disabled_transports_are_unknown() {
    let mut h = harness(EngineConfig::default().transports(Transports {
        polling: false,
        websocket: true,
    }));
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    assert_eq!(
        body(&h.expect_response(req)),
        r#"{"code":0,"message":"Transport unknown"}"#
    );
    // Without websocket, polling handshakes advertise no upgrade.
    let mut h = harness(EngineConfig::default().transports(Transports {
        polling: true,
        websocket: false,
    }));
    let c = PollingClient::connect(&mut h);
    assert!(c.handshake.upgrades.is_empty());
}

#[test]
fn refused_handshake_is_403_forbidden_and_creates_nothing() {
    let mut h = default_harness();
    h.admission = Admission::Manual;
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    assert!(h.is_pending(req));
    let incoming = h.incoming.pop_front().expect("an incoming handshake");
    assert_eq!(
        incoming.head().query_param("transport").as_deref(),
        Some("polling")
    );
    h.refuse_incoming(incoming, None);
    let r = h.expect_response(req);
    assert_eq!(
        (r.status, body(&r)),
        (403, r#"{"code":4,"message":"Forbidden"}"#)
    );

    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    let incoming = h.incoming.pop_front().unwrap();
    h.refuse_incoming(incoming, Some("bad token"));
    assert_eq!(
        body(&h.expect_response(req)),
        r#"{"code":4,"message":"bad token"}"#
    );
    assert_eq!(h.server.session_count(), 0);
    assert!(events(&mut h).is_empty());
}

#[test]
fn refused_websocket_handshake_gets_the_plain_upgrade_refusal() {
    let mut h = default_harness();
    h.admission = Admission::Manual;
    let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket")
        .with_header("Connection", "Upgrade")
        .with_header("Upgrade", "websocket");
    let req = h.request(head, Bytes::new());
    let incoming = h.incoming.pop_front().unwrap();
    h.refuse_incoming(incoming, None);
    let r = h.expect_response(req);
    assert_eq!((r.status, body(&r)), (400, "Forbidden"));
    assert_eq!(r.header("connection").unwrap(), "close");
    assert!(h.ws_conn(req).is_none());
}

#[test]
fn accepting_after_the_client_left_creates_nothing() {
    let mut h = default_harness();
    h.admission = Admission::Manual;
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    h.abort(req);
    let incoming = h.incoming.pop_front().unwrap();
    assert_eq!(h.server.accept(h.now, incoming), None);
    assert_eq!(h.server.session_count(), 0);
    assert!(events(&mut h).is_empty());
}

#[test]
fn manual_accept_answers_the_parked_handshake() {
    let mut h = default_harness();
    h.admission = Admission::Manual;
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    let incoming = h.incoming.pop_front().unwrap();
    h.accept_incoming(incoming);
    let r = h.expect_response(req);
    assert_eq!(body(&r), HANDSHAKE);
}

#[test]
fn options_preflight_is_204_with_cors_headers() {
    let mut h = harness(EngineConfig::default().cors(
        Cors::new(CorsOrigin::List(vec![Str::from("https://app.example")])).credentials(true),
    ));
    let head = RequestHead::new(Method::Options, "/socket.io/?EIO=4&transport=polling")
        .with_header("Origin", "https://app.example")
        .with_header("Access-Control-Request-Headers", "content-type");
    let req = h.request(head, Bytes::new());
    let r = h.expect_response(req);
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert_eq!(
        r.header("access-control-allow-origin").unwrap(),
        "https://app.example"
    );
    assert_eq!(
        r.header("access-control-allow-credentials").unwrap(),
        "true"
    );
    assert_eq!(
        r.header("access-control-allow-methods").unwrap(),
        "GET,HEAD,PUT,PATCH,POST,DELETE"
    );
    assert_eq!(
        r.header("access-control-allow-headers").unwrap(),
        "content-type"
    );

    // Without CORS configured, a preflight is still 204, with no CORS headers.
    let mut h = default_harness();
    let req = h.request_to(Method::Options, "EIO=4&transport=polling", Bytes::new());
    let r = h.expect_response(req);
    assert_eq!((r.status, r.headers.len()), (204, 0));
}

#[test]
fn cors_headers_are_on_handshake_polls_and_errors() {
    let mut h = harness(EngineConfig::default().cors(Cors::new(CorsOrigin::Any)));
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    let r = h.expect_response(req);
    assert_eq!(r.header("access-control-allow-origin").unwrap(), "*");
    let c = PollingClient::from_handshake_response(&r);
    let post = c.post(&mut h, &[text("x")]);
    assert_eq!(post.header("access-control-allow-origin").unwrap(), "*");
    let req = h.request_to(Method::Get, "EIO=4&transport=polling&sid=zz", Bytes::new());
    assert_eq!(
        h.expect_response(req)
            .header("access-control-allow-origin")
            .unwrap(),
        "*"
    );
}

#[test]
fn polling_request_for_a_websocket_session_is_a_bad_request() {
    let mut h = default_harness();
    let (ws, _) = WsClient::connect(&mut h);
    let req = h.request_to(
        Method::Get,
        &format!("EIO=4&transport=polling&sid={}", ws.sid),
        Bytes::new(),
    );
    assert_eq!(
        body(&h.expect_response(req)),
        r#"{"code":3,"message":"Bad request"}"#
    );
    // The session is unaffected.
    ws.send(&mut h, text("still here"));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), message("s1", "still here")]
    );
}

#[test]
fn websocket_upgrade_with_unknown_sid_is_refused_plainly() {
    let mut h = default_harness();
    let head = RequestHead::new(
        Method::Get,
        "/socket.io/?EIO=4&transport=websocket&sid=nope",
    )
    .with_header("Connection", "Upgrade")
    .with_header("Upgrade", "websocket");
    let req = h.request(head, Bytes::new());
    let r = h.expect_response(req);
    assert_eq!((r.status, body(&r)), (400, "Session ID unknown"));
}

#[test]
fn app_messages_sent_on_open_ride_with_the_handshake() {
    let mut h = default_harness();
    h.set_app(|server, now, ev| {
        if let volley_protocol::engine::EngineEvent::Opened { sid, .. } = ev {
            server.send(now, sid, "welcome");
        }
    });
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    let r = h.expect_response(req);
    let packets = decode_payload(&r);
    assert_eq!(packets.len(), 2);
    assert!(matches!(packets[0], Packet::Open(_)));
    assert_eq!(packets[1], text("welcome"));
}

#[test]
fn cors_mirror_echoes_any_origin_and_preflight_carries_max_age() {
    let mut cors = Cors::new(CorsOrigin::Mirror);
    cors.max_age = Some(std::time::Duration::from_secs(600));
    cors.allowed_headers = Some(Str::from("x-token"));
    let mut h = harness(EngineConfig::default().cors(cors));
    let head = RequestHead::new(Method::Options, "/socket.io/?EIO=4&transport=polling")
        .with_header("Origin", "https://anywhere.example");
    let req = h.request(head, Bytes::new());
    let r = h.expect_response(req);
    assert_eq!(
        r.header("access-control-allow-origin").unwrap(),
        "https://anywhere.example"
    );
    assert_eq!(r.header("access-control-allow-headers").unwrap(), "x-token");
    assert_eq!(r.header("access-control-max-age").unwrap(), "600");
    assert!(r.header("access-control-allow-credentials").is_none());
    // No Origin header: nothing to mirror.
    let req = h.request_to(Method::Get, "EIO=4&transport=polling", Bytes::new());
    assert!(h
        .expect_response(req)
        .header("access-control-allow-origin")
        .is_none());
}
