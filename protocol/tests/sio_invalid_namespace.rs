//! Unknown namespace: `44/name,{"message":"Invalid namespace"}`, the session stays.

mod sio_common;

use sio_common::Harness;

#[test]
fn unknown_namespace_is_refused_and_the_session_is_kept() {
    let mut h = Harness::new();
    h.open("A");
    h.send("A", "0/nope,");
    assert_eq!(
        h.take("A"),
        vec![r#"4/nope,{"message":"Invalid namespace"}"#]
    );
    assert!(h.take_events().is_empty());
    assert!(h.closed.is_empty());
    // The comma may be missing when nothing follows.
    h.send("A", "0/nope");
    assert_eq!(
        h.take("A"),
        vec![r#"4/nope,{"message":"Invalid namespace"}"#]
    );
    // The same client then joins a real namespace.
    let id = h.connect("A", "/");
    h.emit(&id, "[\"ok\"]");
    assert_eq!(h.take("A"), vec!["2[\"ok\"]"]);
}
