//! A broadcast to 1,000 sockets allocates a handful of times in total (encoding, the shared
//! message list), never once per target: each target costs refcount clones only.

mod counting_alloc;
mod sio_common;

use counting_alloc::allocations;

use sio_common::Harness;
use volley_protocol::server::{BroadcastOptions, EngineCommand, Payload};

fn broadcast_and_count(h: &mut Harness, opts: &BroadcastOptions) -> (usize, usize) {
    let payload = Payload::new("[\"tick\",{\"n\":1}]");
    let before = allocations();
    let n = h.layer.broadcast("/", opts, payload).unwrap();
    let after = allocations();
    let mut sends = 0;
    while let Some(cmd) = h.layer.poll_command() {
        if matches!(cmd, EngineCommand::Send { .. }) {
            sends += 1;
        }
    }
    assert_eq!(sends, n);
    (n, after - before)
}

#[test]
fn broadcast_to_a_thousand_sockets_does_not_allocate_per_target() {
    let mut h = Harness::new();
    let mut ids = Vec::new();
    for i in 0..1000 {
        ids.push(h.connect(&format!("c{i}"), "/"));
    }
    h.layer.join(&ids[0], &["vip".into()]).unwrap();
    let everyone = BroadcastOptions::new();
    let except = BroadcastOptions::new().except("vip");
    // Warm-up: queues and scratch buffers reach their steady-state capacity.
    broadcast_and_count(&mut h, &everyone);
    let (n, allocs) = broadcast_and_count(&mut h, &everyone);
    assert_eq!(n, 1000);
    assert!(allocs < 16, "{allocs} allocations for 1000 targets");
    let (n, allocs) = broadcast_and_count(&mut h, &except);
    assert_eq!(n, 999);
    assert!(allocs < 16, "{allocs} allocations for 999 targets");
}
