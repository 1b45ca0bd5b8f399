//! The accept loop and the graceful shutdown, under async-std and under smol.

mod common;

use async_tungstenite::tungstenite::Message;
use common::*;
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use volley_async_std::protocol::engine::{BufferLimit, EngineConfig};
use volley_async_std::{Options, SocketRef};

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

/// Serves `io` under `rt` until a message on the returned sender, with a graceful shutdown
/// of `deadline`; the receiver gets whether `serve` returned `Ok`.
fn serve_until_stopped(
    rt: &Rt,
    io: volley_async_std::Io,
    deadline: Duration,
) -> (SocketAddr, Sender<()>, Receiver<bool>) {
    let listener = smol::block_on(async_net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = channel::<()>();
    let (done_tx, done) = channel();
    let signal = async move {
        // The signal fires once the test sends on `stop`.
        while stopped.try_recv().is_err() {
            async_io::Timer::after(Duration::from_millis(10)).await;
        }
    };
    let serve = volley_async_std::serve(listener, io)
        .with_graceful_shutdown(signal)
        .shutdown_deadline(deadline);
    rt.spawn(async move {
        let _ = done_tx.send(serve.await.is_ok());
    });
    (addr, stop, done)
}

#[test]
fn graceful_shutdown_disconnects_clients_and_returns() {
    for rt in runtimes() {
        let io = rt.socketio(Options::default().serve_client(false));
        io.of("/").on_connection(|_socket| {});
        let (addr, stop, done) = serve_until_stopped(&rt, io, Duration::from_secs(5));
        let (mut client, reply) = sio_connect(addr);
        assert!(reply.starts_with("40{"), "{reply}");
        stop.send(()).expect("stop");
        // The server closes the session; the Engine.IO close packet or the socket end follows.
        closed(&mut client);
        assert_eq!(done.recv_timeout(WAIT), Ok(true), "serve returned Ok");
        assert!(TcpStream::connect(addr).is_err(), "no longer accepting");
    }
}

/// Every Socket.IO packet until the connection ends (answering pings on the way).
fn until_closed(ws: &mut Ws) -> Vec<String> {
    let mut got = Vec::new();
    loop {
        match next(ws) {
            None | Some(Message::Close(_)) => return got,
            Some(Message::Text(t)) if t.as_str() == "2" => send_text(ws, "3"),
            Some(Message::Text(t)) => got.push(t.strip_prefix('4').unwrap_or(&t).to_owned()),
            Some(_) => {}
        }
    }
}

/// As the reference's `io.close()`: every socket's disconnecting handlers run (one socket
/// after the other) before the connections close, so what they send still arrives; a
/// handler blocking past the deadline does not keep `serve` from returning.
#[test]
fn graceful_shutdown_runs_the_handlers_before_it_closes_the_connections() {
    for rt in runtimes() {
        let io = rt.socketio(Options::default().serve_client(false));
        let (release, blocked) = channel::<()>();
        let blocked = Arc::new(Mutex::new(blocked));
        io.of("/").on_connection(move |socket: SocketRef| {
            socket.join("r");
            let blocked = blocked.clone();
            socket.on_disconnecting(move |s, _reason| {
                let count = s.nsp().to("r").fetch_sockets().len();
                s.emit("bye", &()).expect("still connected");
                s.nsp().to("r").emit("left", &count).unwrap();
                if count == 1 {
                    // The last one blocks until the test ends: past the deadline.
                    let _ = blocked.lock().unwrap().recv();
                }
            });
        });
        let (addr, stop, done) = serve_until_stopped(&rt, io, Duration::from_millis(500));
        let (mut first, _) = sio_connect(addr);
        let (mut second, _) = sio_connect(addr);
        stop.send(()).expect("stop");
        let mut got = vec![until_closed(&mut first), until_closed(&mut second)];
        got.sort_by_key(|g| g.len());
        assert_eq!(
            got,
            [
                vec![r#"2["bye"]"#, r#"2["left",2]"#],
                vec![r#"2["left",2]"#, r#"2["bye"]"#, r#"2["left",1]"#],
            ]
        );
        assert_eq!(done.recv_timeout(WAIT), Ok(true), "serve returned Ok");
        release.send(()).expect("the last handler still waits");
    }
}

/// `serve` returns only once the frames a server-closed WebSocket still had to write (here
/// what a disconnecting handler sent, more than the socket buffers hold) and its close frame
/// are out: returning while they are on their way would let the process exit and cut them
/// off. The client does not read for a while; `serve` waits for it (well within the 2 s a
/// closing peer gets to take some of them).
#[test]
fn graceful_shutdown_returns_after_the_last_frames_are_written() {
    const CHUNK: usize = 1 << 20;
    const CHUNKS: usize = 16;
    for rt in runtimes() {
        // The chunks are queued at once; the session's buffer must hold them all.
        let options = Options::default()
            .serve_client(false)
            .max_buffer(BufferLimit::Unbounded);
        let io = rt.socketio(options);
        io.of("/").on_connection(|socket: SocketRef| {
            socket.on_disconnecting(|s, _reason| {
                // `i`: one hex digit.
                for i in 0..CHUNKS {
                    let chunk = format!("{i:x}").repeat(CHUNK);
                    s.emit("chunk", &chunk).expect("still connected");
                }
            });
        });
        let (addr, stop, done) = serve_until_stopped(&rt, io, Duration::from_secs(5));
        let (mut client, reply) = sio_connect(addr);
        assert!(reply.starts_with("40{"), "{reply}");
        stop.send(()).expect("stop");
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            done.try_recv().is_err(),
            "serve returned while the client had not taken its last frames"
        );
        let mut got = Vec::new();
        let close = loop {
            match next(&mut client) {
                Some(Message::Text(t)) if t.as_str() == "2" => send_text(&mut client, "3"),
                Some(Message::Text(t)) => got.push(t),
                Some(Message::Close(frame)) => break frame.map(|f| u16::from(f.code)),
                Some(_) => {}
                None => break None,
            }
        };
        // Every chunk arrived whole and in order, then the normal close.
        assert_eq!(got.len(), CHUNKS);
        for (i, text) in got.iter().enumerate() {
            let chunk = format!("{i:x}").repeat(CHUNK);
            assert!(*text == format!(r#"42["chunk","{chunk}"]"#), "chunk {i}");
        }
        assert_eq!(close, Some(1000));
        assert_eq!(done.recv_timeout(WAIT), Ok(true), "serve returned Ok");
    }
}
