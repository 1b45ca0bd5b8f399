//! Through the user API, sans IO: sockets the server disconnects together leave one after
//! the other (each one's disconnecting and disconnect handlers run before the next one
//! starts), in a loop however many there are (a small stack is enough for hundreds), and
//! handlers that disconnect sockets or shut the server down themselves neither deadlock nor
//! leave anyone behind.

mod api_common;

use api_common::Client;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use volley_protocol::api::{BoxFuture, Io, Options, Runtime, SocketRef};

/// A fixed clock, and random bytes that never repeat (ids for hundreds of clients).
struct Counting {
    now: Instant,
    next: AtomicU64,
}

impl Runtime for Counting {
    fn now(&self) -> Instant {
        self.now
    }
    fn spawn(&self, _fut: BoxFuture) {
        panic!("nothing here waits");
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        let n = self.next.fetch_add(1, Ordering::Relaxed).to_le_bytes();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = n[i % n.len()] ^ (i / n.len()) as u8;
        }
    }
}

fn io() -> Io {
    let runtime = Counting {
        now: Instant::now(),
        next: AtomicU64::new(0),
    };
    Io::new(Options::default(), Arc::new(runtime))
}

/// What a polling GET returns (empty when nothing was queued).
fn packets(client: &Client) -> Vec<String> {
    let (status, body) = client.get();
    match status {
        0 => Vec::new(),
        200 => body.split('\u{1e}').map(str::to_owned).collect(),
        other => panic!("GET answered {other}"),
    }
}

/// Runs `f` on a thread with a 256 KiB stack; fails (instead of hanging) if it does not
/// end within the hang guard.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let (done, ended) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            f();
            let _ = done.send(());
        })
        .unwrap();
    match ended.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => thread.join().unwrap(),
        // The thread ended without reporting: it panicked; join shows why.
        Err(mpsc::RecvTimeoutError::Disconnected) => thread.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("still running: a deadlock?"),
    }
}

/// Hundreds of sockets disconnected together, each one's disconnecting and disconnect
/// handlers broadcasting: each client hears the sockets disconnected before it (one after the
/// other), and the group runs in a loop — a recursion per socket would overflow this stack.
#[test]
fn a_namespace_wide_disconnect_of_hundreds_runs_in_a_loop() {
    const N: usize = 300;
    let io = io();
    let order: Arc<Mutex<Vec<String>>> = Arc::default();
    let o = order.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        socket.join("r");
        let o1 = o.clone();
        socket.on_disconnecting(move |s, _| {
            o1.lock().unwrap().push(format!("disconnecting {}", s.id()));
            s.nsp().to("r").emit("left", &()).unwrap();
        });
        let o2 = o.clone();
        socket.on_disconnect(move |s, _| {
            o2.lock().unwrap().push(format!("disconnect {}", s.id()));
            // A broadcast from here must not start the next socket inside this handler.
            s.nsp().to("r").emit("gone", &()).unwrap();
        });
    });
    let clients: Vec<Client> = (0..N).map(|_| Client::connect(io.clone().into())).collect();
    let io2 = io.clone();
    on_small_stack(move || io2.disconnect_sockets());

    let order = order.lock().unwrap();
    assert_eq!(order.len(), 2 * N);
    for pair in order.chunks(2) {
        let id = pair[0].strip_prefix("disconnecting ").unwrap();
        assert_eq!(pair[1], format!("disconnect {id}"), "not interleaved");
    }
    // The k-th one heard k - 1 sockets leave (a `left` and a `gone` each) before its
    // DISCONNECT; nothing after it.
    let mut heard: Vec<usize> = (clients.iter())
        .map(|c| {
            let got = packets(c);
            assert_eq!(got.last().map(String::as_str), Some("41"), "{got:?}");
            let before = &got[..got.len() - 1];
            let (left, gone) = (r#"42["left"]"#, r#"42["gone"]"#);
            let pairs: Vec<&[String]> = before.chunks(2).collect();
            assert!(pairs.iter().all(|p| p == &[left, gone]), "{got:?}");
            pairs.len()
        })
        .collect();
    heard.sort_unstable();
    assert_eq!(heard, (0..N).collect::<Vec<_>>());
    assert!(io.fetch_sockets().is_empty());
}

/// An event handler's `disconnect_sockets` returns once every socket has left, even when
/// each disconnecting handler disconnects its own socket again (nothing happens), closes
/// its client (its connection closes) and disconnects every socket itself: that nested group
/// runs to its end first (the leaving sockets still counted, and not disconnected twice),
/// as the reference's nested calls do.
#[test]
fn handlers_that_disconnect_sockets_themselves() {
    let io = io();
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let l = log.clone();
    let io2 = io.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let (l1, l2, io3) = (l.clone(), l.clone(), io2.clone());
        socket.on_disconnecting(move |s, reason| {
            let alive = io3.fetch_sockets().len();
            l1.lock()
                .unwrap()
                .push(format!("disconnecting {reason} {alive}"));
            s.disconnect();
            s.disconnect_and_close();
            io3.disconnect_sockets();
        });
        socket.on_disconnect(move |s, reason| {
            s.disconnect();
            l2.lock().unwrap().push(format!("disconnect {reason}"));
        });
        let io4 = io2.clone();
        socket.on("kick-all", move |_s, _e| {
            io4.disconnect_sockets();
            assert!(io4.fetch_sockets().is_empty(), "all gone on return");
        });
    });
    let clients: Vec<Client> = (0..3).map(|_| Client::connect(io.clone().into())).collect();
    let kicker = Client {
        endpoint: clients[0].endpoint.clone(),
        sid: clients[0].sid.clone(),
    };
    on_small_stack(move || assert_eq!(kicker.post(r#"42["kick-all"]"#), 200));
    let reason = "server namespace disconnect";
    let mut expected = vec![format!("disconnecting {reason} 3"); 3];
    expected.extend(vec![format!("disconnect {reason}"); 3]);
    assert_eq!(*log.lock().unwrap(), expected);
    for c in &clients {
        assert_eq!(packets(c), ["41"], "one DISCONNECT each");
        c.assert_closed("its own handler closed it");
    }
    assert!(io.fetch_sockets().is_empty());
}

/// `io.close()` from a disconnecting handler while `disconnect_sockets` goes through the
/// room: the shutdown runs to its end in that call (every other socket leaves with `server
/// shutting down`, every session closes), then the first group finds nobody left.
#[test]
fn a_shutdown_from_a_disconnecting_handler() {
    let io = io();
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let l = log.clone();
    let io2 = io.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let (l1, io3) = (l.clone(), io2.clone());
        socket.on_disconnecting(move |_s, reason| {
            l1.lock().unwrap().push(reason.to_string());
            io3.close();
        });
    });
    let clients: Vec<Client> = (0..3).map(|_| Client::connect(io.clone().into())).collect();
    let io2 = io.clone();
    on_small_stack(move || io2.disconnect_sockets());
    assert_eq!(
        *log.lock().unwrap(),
        [
            "server namespace disconnect",
            "server shutting down",
            "server shutting down"
        ]
    );
    // The first one got its DISCONNECT; then every session was closed.
    let mut first = 0;
    for c in &clients {
        let (status, body) = c.get();
        assert_eq!(status, 200);
        if body == "41" {
            first += 1;
            c.assert_closed("after its DISCONNECT");
        } else {
            assert_eq!(body, "6\u{1e}1", "closed");
            assert_eq!(c.get().0, 400);
        }
    }
    assert_eq!(first, 1);
}
