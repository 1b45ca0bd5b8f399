//! A polling client that never reads its response loses the connection once the response has
//! made no progress for pingInterval + pingTimeout, under async-std and under smol (the
//! standalone server is shared with volley-tokio).

mod common;

use common::*;
use std::io::{Read, Write};
use std::time::Duration;
use volley_async_std::protocol::engine::EngineConfig;

#[test]
fn a_polling_response_the_client_never_reads_is_dropped_after_the_heartbeat_budget() {
    for rt in runtimes() {
        let engine = rt.engine(
            EngineConfig::default()
                .path("/engine.io/")
                .ping_interval(Duration::from_millis(200))
                .ping_timeout(Duration::from_millis(200))
                .max_buffer(Some(32 << 20)),
        );
        engine.on_message(|engine, sid, message| engine.send(&sid, message));
        let addr = start(&rt, engine);
        let sid = sid_of(&get(addr, "/engine.io/?EIO=4&transport=polling").text());
        let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
        // Ten echoes of 900 KB wait for the next GET: more than the socket buffers take.
        let big = format!("4{}", "y".repeat(900_000));
        for _ in 0..10 {
            assert_eq!(post(addr, &target, big.as_bytes()).status, 200);
        }
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        socket.connect(&addr.into()).expect("connect");
        let mut stream: std::net::TcpStream = socket.into();
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("GET");
        // Nothing read for far longer than pingInterval + pingTimeout (400 ms)...
        std::thread::sleep(Duration::from_secs(2));
        // ...so the server has given up: reading ends early (end of stream or a reset)
        // instead of receiving 9 MB and then waiting on a keep-alive.
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        let mut buf = Vec::new();
        let read = stream.read_to_end(&mut buf);
        assert!(
            !matches!(&read, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
            "the connection is still open after {WAIT:?}"
        );
        assert!(
            buf.len() < 10 * 900_000,
            "{} bytes: the whole response",
            buf.len()
        );
        assert_eq!(get(addr, "/engine.io/?EIO=4&transport=polling").status, 200);
    }
}
