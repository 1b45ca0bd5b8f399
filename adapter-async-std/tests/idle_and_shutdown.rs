//! The accept loop and the graceful shutdown, under async-std and under smol.

mod common;

use common::*;
use std::net::TcpStream;
use std::time::Duration;
use volley_async_std::protocol::engine::EngineConfig;
use volley_async_std::Options;

#[test]
fn a_thousand_silent_connections_do_not_block_a_new_handshake() {
    for rt in runtimes() {
        let addr = start(&rt, rt.engine(EngineConfig::default().path("/engine.io/")));
        let idle: Vec<_> = (0..1000)
            .map(|_| TcpStream::connect(addr).expect("connect"))
            .collect();
        // `get` gives up after WAIT; a stalled accept loop would fail here.
        let open = get(addr, "/engine.io/?EIO=4&transport=polling");
        assert!(open.text().starts_with("0{\"sid\":"), "{}", open.text());
        drop(idle);
    }
}

#[test]
fn graceful_shutdown_disconnects_clients_and_returns() {
    for rt in runtimes() {
        let io = rt.socketio(Options::default().serve_client(false));
        io.of("/").on_connection(|_socket| {});
        let listener = smol::block_on(async_net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let (done_tx, done) = std::sync::mpsc::channel();
        let signal = async move {
            // The signal fires once the test sends on `stop`.
            while stopped.try_recv().is_err() {
                async_io::Timer::after(Duration::from_millis(10)).await;
            }
        };
        let serve = volley_async_std::serve(listener, io)
            .with_graceful_shutdown(signal)
            .shutdown_deadline(Duration::from_secs(5));
        rt.spawn(async move {
            let _ = done_tx.send(serve.await.is_ok());
        });
        let (mut client, reply) = sio_connect(addr);
        assert!(reply.starts_with("40{"), "{reply}");
        stop.send(()).expect("stop");
        // The server closes the session; the Engine.IO close packet or the socket end follows.
        closed(&mut client);
        assert_eq!(done.recv_timeout(WAIT), Ok(true), "serve returned Ok");
        assert!(TcpStream::connect(addr).is_err(), "no longer accepting");
    }
}
