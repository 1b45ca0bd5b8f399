//! connectTimeout: a client that joins no namespace in time is closed; one that joined is not.

mod sio_common;

use sio_common::Harness;
use std::time::Duration;
use volley_protocol::server::SocketConfig;

#[test]
fn a_client_that_never_connects_is_closed_after_connect_timeout() {
    let mut h = Harness::new();
    h.open("A");
    assert_eq!(
        h.layer.poll_timeout(),
        Some(h.now + Duration::from_secs(45))
    );
    h.advance(Duration::from_millis(44_999));
    assert!(h.closed.is_empty());
    h.advance(Duration::from_millis(1));
    assert_eq!(h.closed, vec!["A"]);
    assert_eq!(h.layer.client_count(), 0);
}

#[test]
fn a_pending_admission_does_not_count_as_connected() {
    let mut h = Harness::with_config(SocketConfig::new().connect_timeout(Duration::from_secs(1)));
    h.open("A");
    h.send("A", "0");
    let req = h.take_connect();
    h.advance(Duration::from_secs(1));
    assert_eq!(h.closed, vec!["A"]);
    assert!(h.layer.accept_connect(h.now, req).is_err());
}

#[test]
fn a_connected_client_is_not_closed_even_after_leaving() {
    let mut h = Harness::with_config(SocketConfig::new().connect_timeout(Duration::from_secs(1)));
    h.connect("A", "/");
    assert_eq!(h.layer.poll_timeout(), None, "the timer was cancelled");
    h.send("A", "1");
    h.advance(Duration::from_secs(5));
    assert!(h.closed.is_empty());
}
