//! Sans IO, on the Engine.IO server alone: what a polling round trip (a POST carrying one
//! message, the app's reply, the GET that takes it) costs in heap allocations once the session
//! is warm, and what building a request head costs. Both are paid for every request a polling
//! client makes.

mod counting_alloc;

use bytes::Bytes;
use counting_alloc::allocations;
use std::time::Instant;
use volley_protocol::engine::{
    EngineConfig, EngineEvent, EngineServer, Method, ReqId, RequestHead, RequestOutcome, Transmit,
};
use volley_protocol::CounterIds;

fn head(method: Method, target: &str) -> RequestHead {
    let headers = [
        ("host", &b"127.0.0.1:3000"[..]),
        ("content-type", &b"text/plain;charset=UTF-8"[..]),
        ("content-length", &b"6"[..]),
    ];
    let (path, query) = target.split_once('?').expect("a query");
    RequestHead::from_header_bytes(method, path, Some(query), || headers.iter().copied(), None)
}

/// Runs `n` warm round trips; returns the allocations counted while the server handled them
/// (not counting the building of the request heads and bodies).
fn round_trip_allocations(n: usize) -> usize {
    let config = EngineConfig::default();
    let path = config.path.to_string();
    let mut server = EngineServer::new(config, CounterIds::new("s"));
    let now = Instant::now();
    let open = head(Method::Get, &format!("{path}?EIO=4&transport=polling"));
    let RequestOutcome::Handshake(incoming) = server.handle_request_head(now, ReqId(0), open)
    else {
        panic!("a handshake");
    };
    let sid = server.accept(now, incoming).expect("admitted").to_string();
    while server.poll_transmit().is_some() {}
    while server.poll_event().is_some() {}

    let target = format!("{path}?EIO=4&transport=polling&sid={sid}");
    let mut counted = 0;
    for i in 0..=n {
        let (post, get) = (head(Method::Post, &target), head(Method::Get, &target));
        let body = Bytes::from(format!("4m{i:04}"));
        let (post_id, get_id) = (ReqId(2 * i as u64 + 1), ReqId(2 * i as u64 + 2));
        let before = allocations();
        assert!(matches!(
            server.handle_request_head(now, post_id, post),
            RequestOutcome::ReadBody
        ));
        let ok = server.handle_request_body(now, post_id, Some(body));
        let reply = match server.poll_event() {
            Some(EngineEvent::Message { msg, .. }) => msg,
            other => panic!("a message, not {other:?}"),
        };
        let _ = server.send(now, &sid, reply);
        // The GET finds the reply queued; its answer comes out of `poll_transmit`.
        let answer = match server.handle_request_head(now, get_id, get) {
            RequestOutcome::Respond(r) => r,
            RequestOutcome::Pending => match server.poll_transmit() {
                Some(Transmit::Http { req, response }) if req == get_id => response,
                other => panic!("the GET's answer, not {other:?}"),
            },
            other => panic!("an answer, not {other:?}"),
        };
        let after = allocations();
        assert_eq!(ok.map(|r| r.body), Some(Bytes::from_static(b"ok")));
        assert_eq!(answer.body, format!("4m{i:04}"));
        assert!(server.poll_event().is_none());
        assert!(server.poll_transmit().is_none());
        // The first one warms the session (its queue, lazily built tables).
        if i > 0 {
            counted += after - before;
        }
    }
    counted
}

#[test]
fn a_warm_polling_round_trip_allocates_a_few_times() {
    let n = 200;
    let per_round_trip = round_trip_allocations(n) as f64 / n as f64;
    eprintln!("{per_round_trip:.2} allocations per polling round trip");
    // The two answers' header lists, the POST's packet list, the message and the GET's body;
    // looking the session up by the request's sid copies nothing.
    assert!(
        per_round_trip <= 5.0,
        "{per_round_trip:.2} allocations per round trip"
    );
}

#[test]
fn a_request_head_from_header_bytes_is_allocated_once_at_its_size() {
    let headers = [
        ("host", &b"example.test"[..]),
        ("User-Agent", &b"test"[..]),
        ("x-custom", &b"caf\xe9"[..]),
        ("X-Other", &b"1"[..]),
        ("cookie", &b"a=1"[..]),
        ("cookie", &b"b=2"[..]),
    ];
    let before = allocations();
    let head = RequestHead::from_header_bytes(
        Method::Get,
        "/socket.io/",
        Some("EIO=4&transport=polling"),
        || headers.iter().copied(),
        None,
    );
    let after = allocations();
    // The text block and the offset table: nothing grown, nothing given back.
    assert_eq!(after - before, 2);
    assert_eq!(head.target(), "/socket.io/?EIO=4&transport=polling");
    let all: Vec<_> = head.headers().collect();
    assert_eq!(
        all,
        [
            ("host", "example.test"),
            ("user-agent", "test"),
            ("x-custom", "café"),
            ("x-other", "1"),
            ("cookie", "a=1"),
            ("cookie", "b=2"),
        ]
    );
    // The same head as one built header by header.
    let mut builder =
        RequestHead::builder(Method::Get, "/socket.io/", Some("EIO=4&transport=polling"));
    for (name, value) in headers {
        builder.header_bytes(name, value);
    }
    assert_eq!(builder.build(), head);
}
