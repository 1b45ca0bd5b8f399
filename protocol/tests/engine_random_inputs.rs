//! Random sequences of client inputs, application commands and time steps against one server
//! with several clients (the interpreter in `testing::run_engine_chaos`, also the
//! `engine_session` fuzz target). Invariants: no panic, every request answered exactly once
//! (or aborted), one `Opened` then at most one `Closed` per session and nothing after it,
//! buffers within their bound, and once clients go quiet every session and timer is gone.

use proptest::prelude::*;
use volley_protocol::testing::run_engine_chaos;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn random_inputs_keep_the_server_consistent(data in prop::collection::vec(any::<u8>(), 0..300)) {
        run_engine_chaos(&data);
    }
}

#[test]
fn a_scripted_mix_of_everything_keeps_the_invariants() {
    // polling connect, ws connect, GET, POST "4hi", upgrade, probe text, send, advance, close…
    let script: &[u8] = &[
        0, 0, 1, 0, 2, 0, 3, 0, 1, 0, 5, 0, 6, 0, 1, 4, 9, 1, 10, 10, 2, 9, 0, 39, 11, 1, 200, 7,
        1, 2, 5, 5, 3, 1, 2, 12, 4, 0, 8, 1, 11, 0, 0, 255, 255,
    ];
    run_engine_chaos(script);
}
