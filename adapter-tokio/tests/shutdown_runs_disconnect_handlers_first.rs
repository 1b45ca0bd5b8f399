//! The graceful shutdown runs every socket's disconnecting and disconnect handlers (reason
//! `server shutting down`) one socket after the other before it closes the connections, as the
//! reference's `io.close()`: what a handler emits still reaches its client and the clients not
//! disconnected yet. A handler that never returns holds the shutdown up only until its
//! deadline; then every connection closes and `serve` returns.

mod common;

use common::*;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use volley_tokio::{Options, SocketRef};

/// Every Socket.IO packet until the connection ends (answering pings on the way).
async fn until_closed(ws: &mut Ws) -> Vec<String> {
    let mut got = Vec::new();
    loop {
        match next(ws).await {
            None | Some(Message::Close(_)) => return got,
            Some(Message::Text(t)) if t.as_str() == "2" => send_text(ws, "3").await,
            Some(Message::Text(t)) => got.push(t.strip_prefix('4').unwrap_or(&t).to_owned()),
            Some(_) => {}
        }
    }
}

#[tokio::test]
async fn what_the_handlers_send_at_shutdown_still_goes_out() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        socket.join("r");
        let (l1, l2) = (l.clone(), l.clone());
        socket.on_disconnecting(move |s, reason| {
            let count = s.nsp().to("r").fetch_sockets().len();
            l1.lock()
                .unwrap()
                .push(format!("disconnecting {reason} {count}"));
            s.emit("bye", &()).expect("still connected");
            s.nsp().to("r").emit("left", &count).unwrap();
        });
        socket.on_disconnect(move |_s, reason| {
            l2.lock().unwrap().push(format!("disconnect {reason}"));
        });
    });
    let (addr, stop, server) = serve_until_stopped(io, Duration::from_secs(5)).await;
    let (mut first, _) = sio_connect(addr, "/", None).await;
    let (mut second, _) = sio_connect(addr, "/", None).await;
    stop.send(()).expect("signal");

    let mut got = vec![
        until_closed(&mut first).await,
        until_closed(&mut second).await,
    ];
    got.sort_by_key(|g| g.len());
    // The first to leave heard its own handler; the second heard the first one's broadcast
    // (it was not disconnected yet), then its own handler.
    assert_eq!(
        got,
        [
            vec![r#"2["bye"]"#, r#"2["left",2]"#],
            vec![r#"2["left",2]"#, r#"2["bye"]"#, r#"2["left",1]"#],
        ]
    );
    let result = tokio::time::timeout(WAIT, server).await.expect("returned");
    result.expect("task").expect("serve ok");
    let reason = "server shutting down";
    assert_eq!(
        *log.lock().unwrap(),
        [
            format!("disconnecting {reason} 2"),
            format!("disconnect {reason}"),
            format!("disconnecting {reason} 1"),
            format!("disconnect {reason}"),
        ]
    );
}

// Two workers: a handler blocking the thread it runs on must not be what stops the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_never_returns_holds_the_shutdown_only_until_its_deadline() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let (release, blocked) = mpsc::channel::<()>();
    let blocked = Arc::new(Mutex::new(blocked));
    let left = Arc::new(Mutex::new(Vec::new()));
    let l = left.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let stuck = socket.handshake().auth_field("stuck").is_some();
        let (blocked, l) = (blocked.clone(), l.clone());
        socket.on_disconnecting(move |_s, reason| {
            if stuck {
                // Blocks until the test ends (it never returns while the server shuts down).
                let _ = blocked.lock().unwrap().recv();
            } else {
                l.lock().unwrap().push(reason.to_string());
            }
        });
    });
    let (addr, stop, server) = serve_until_stopped(io, Duration::from_millis(300)).await;
    let (mut stuck, _) = sio_connect(addr, "/", Some(r#"{"stuck":true}"#)).await;
    let (mut other, _) = sio_connect(addr, "/", None).await;
    stop.send(()).expect("signal");

    let result = tokio::time::timeout(WAIT, server).await.expect("returned");
    result.expect("task").expect("serve ok");
    // Every connection was closed anyway, the other socket's handler ran.
    assert!(closes_within_5s(&mut stuck).await);
    assert!(closes_within_5s(&mut other).await);
    assert_eq!(*left.lock().unwrap(), ["server shutting down"]);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    release.send(()).expect("the handler still waits");
}
