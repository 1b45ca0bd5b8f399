//! The head timeout (`Serve::head_timeout`) under async-std and under smol: a connection that
//! trickles a request head, or sits idle between keep-alive requests, for longer is dropped;
//! one that keeps making requests, waits on a parked long-poll or has switched to WebSocket is
//! not (see volley-tokio's `head_timeout`).

mod common;
/// The same probes as volley-tokio's (the standalone server is shared).
#[path = "../../adapter-tokio/tests/common/head_probes.rs"]
mod head_probes;

use common::*;
use head_probes::*;
use std::net::SocketAddr;
use std::time::Duration;
use volley_async_std::protocol::engine::EngineConfig;

const PING_INTERVAL: Duration = Duration::from_millis(1800);

/// An Engine.IO echo on `/engine.io/` under `rt` with the head timeout [`HEAD_TIMEOUT`].
fn server(rt: &Rt) -> SocketAddr {
    let engine = rt.engine(
        EngineConfig::default()
            .path("/engine.io/")
            .ping_interval(PING_INTERVAL)
            .ping_timeout(Duration::from_secs(60)),
    );
    engine.on_message(|engine, sid, message| engine.send(&sid, message));
    let listener = smol::block_on(async_net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = volley_async_std::serve(listener, engine).head_timeout(HEAD_TIMEOUT);
    rt.spawn(async move {
        let _ = serve.await;
    });
    addr
}

#[test]
fn heads_trickled_or_awaited_for_longer_than_the_head_timeout_are_dropped() {
    for rt in runtimes() {
        let addr = server(&rt);
        a_trickled_head_is_dropped(addr);
        an_idle_keep_alive_connection_is_dropped(addr);
    }
}

#[test]
fn requests_long_polls_and_websockets_outlive_the_head_timeout() {
    for rt in runtimes() {
        let addr = server(&rt);
        a_connection_making_requests_stays_open(addr);
        a_parked_poll_outlives_the_head_timeout(addr, PING_INTERVAL);
        a_websocket_outlives_the_head_timeout(addr);
    }
}
