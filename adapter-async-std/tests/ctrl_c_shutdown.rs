//! Ctrl-C (SIGINT) shuts a server down gracefully with [`volley_async_std::ctrl_c`], as the
//! chat example does, under async-std and under smol: clients are disconnected with
//! `server shutting down`, `serve` returns, nothing is accepted any more, and the process
//! lives on. Its own test binary: the test sends SIGINT to its own process.
#![cfg(unix)]

mod common;

use common::*;
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;
use volley_async_std::Options;

fn send_sigint_to_self() {
    let status = std::process::Command::new("kill")
        .args(["-INT", &std::process::id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -INT failed");
}

#[test]
fn ctrl_c_disconnects_every_client_and_ends_serve() {
    for rt in runtimes() {
        let io = rt.socketio(Options::default().serve_client(false));
        let (reason_tx, reasons) = mpsc::channel();
        io.of("/").on_connection(move |socket| {
            let reason_tx = reason_tx.clone();
            socket.on_disconnect(move |_, reason| {
                let _ = reason_tx.send(reason.as_str().to_owned());
            });
        });
        let listener = smol::block_on(async_net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let serve = volley_async_std::serve(listener, io)
            .with_graceful_shutdown(async {
                volley_async_std::ctrl_c().await.expect("SIGINT handler");
            })
            .shutdown_deadline(Duration::from_secs(5));
        let (done_tx, done) = mpsc::channel();
        rt.spawn(async move {
            let _ = done_tx.send(serve.await.is_ok());
        });
        // Once a client is served, `serve` has polled its signal: the handler is installed
        // before its first accept.
        let (mut client, reply) = sio_connect(addr);
        assert!(reply.starts_with("40{"), "{reply}");
        send_sigint_to_self();
        closed(&mut client);
        assert_eq!(
            reasons.recv_timeout(WAIT).as_deref(),
            Ok("server shutting down")
        );
        assert_eq!(done.recv_timeout(WAIT), Ok(true), "serve returned Ok");
        assert!(TcpStream::connect(addr).is_err(), "no longer accepting");
    }
}
