//! The Engine.IO session state machine fed arbitrary sequences of requests, frames, aborts,
//! application commands and time steps; `run_engine_chaos` checks the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    volley_protocol::testing::run_engine_chaos(data);
});
