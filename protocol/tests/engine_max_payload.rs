//! maxPayload on polling POSTs: 413 for larger bodies, and the session stays open.

mod support;

use support::*;
use volley_protocol::engine::EngineConfig;
use volley_protocol::testing::PollingClient;

#[test]
fn a_post_over_max_payload_is_413_and_the_session_stays_open() {
    let mut h = harness(EngineConfig::default().max_payload(10));
    let c = PollingClient::connect(&mut h);
    assert_eq!(c.handshake.max_payload, 10);
    let r = c.post_body(&mut h, "4012345678901");
    assert_eq!(r.status, 413);
    assert!(h.server.session(&c.sid).is_some());
    // Exactly maxPayload is fine.
    let r = c.post_body(&mut h, "4123456789");
    assert_eq!((r.status, body(&r)), (200, "ok"));
    assert_eq!(
        events(&mut h),
        vec![opened("s1"), message("s1", "123456789")]
    );
}

#[test]
fn the_limit_counts_the_whole_body_not_each_packet() {
    let mut h = harness(EngineConfig::default().max_payload(10));
    let c = PollingClient::connect(&mut h);
    let r = c.post(&mut h, &[text("abcd"), text("efgh")]);
    assert_eq!(r.status, 413, "11 bytes with the separator");
    assert_eq!(events(&mut h), vec![opened("s1")]);
}
