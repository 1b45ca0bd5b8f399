//! Through the user API, sans IO (a polling client driving an `Endpoint` by hand): `on_any`
//! listeners hear every incoming event, before the event middleware and the handler (the
//! reference's `socket.onAny`), `prepend_any` puts one first, `off_any` removes them; the
//! fallback (`on_fallback`) takes only the events without a handler of their own; a listener
//! may answer the acknowledgement, and the first answer wins; `once_args` is a typed `once`.

mod api_common;

use api_common::{Client, TestRuntime};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use volley_protocol::api::{BoxFuture, EventRefused, Io, Options, Runtime, SocketRef};

type Log = Arc<Mutex<Vec<String>>>;

/// A server whose sockets are set up by `register`, and a client connected to `/`.
fn server(register: impl Fn(SocketRef, Log) + Send + Sync + 'static) -> (Client, Log) {
    let io = Io::new(Options::default(), Arc::new(TestRuntime(Instant::now())));
    let log: Log = Arc::default();
    let l = log.clone();
    io.of("/")
        .on_connection(move |socket: SocketRef| register(socket, l.clone()));
    (Client::connect(io.into()), log)
}

fn push(log: &Log, line: String) {
    log.lock().unwrap().push(line);
}

fn logged(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

/// A listener logging `{tag} {name} {raw arguments}`.
fn listener(socket: &SocketRef, log: &Log, tag: &'static str) {
    let log = log.clone();
    socket.on_any(move |_s, event| {
        let raw: Vec<String> = event.raw_args().iter().map(|a| a.to_string()).collect();
        push(&log, format!("{tag} {} {}", event.name(), raw.join(",")));
    });
}

/// A handler for `name` logging `handler {name}`.
fn handler(socket: &SocketRef, log: &Log, name: &'static str) {
    let log = log.clone();
    socket.on(name, move |_s, event| {
        push(&log, format!("handler {}", event.name()))
    });
}

#[test]
fn every_event_is_heard_before_its_handler_and_without_one() {
    let (client, log) = server(|socket, log| {
        handler(&socket, &log, "chat");
        listener(&socket, &log, "any");
    });
    let body = "42[\"chat\",\"hi\",3]\u{1e}42[\"nobody\",{\"a\":1}]\u{1e}42[\"chat\"]";
    assert_eq!(client.post(body), 200);
    assert_eq!(
        logged(&log),
        [
            "any chat \"hi\",3",
            "handler chat",
            "any nobody {\"a\":1}",
            "any chat ",
            "handler chat",
        ]
    );
}

#[test]
fn listeners_run_before_the_middleware_and_hear_refused_events() {
    let (client, log) = server(|socket, log| {
        let l = log.clone();
        socket.middleware(move |_s, event| {
            push(&l, format!("middleware {}", event.name()));
            match event.name() {
                "bad" => Err(EventRefused::new("no")),
                _ => Ok(()),
            }
        });
        let l = log.clone();
        socket.on_error(move |_s, refused| push(&l, format!("refused {}", refused.message)));
        handler(&socket, &log, "bad");
        handler(&socket, &log, "good");
        listener(&socket, &log, "any");
    });
    assert_eq!(client.post("42[\"bad\",1]\u{1e}42[\"good\",2]"), 200);
    assert_eq!(
        logged(&log),
        [
            "any bad 1",
            "middleware bad",
            "refused no",
            "any good 2",
            "middleware good",
            "handler good",
        ]
    );
}

#[test]
fn the_fallback_takes_only_events_without_a_handler() {
    let (client, log) = server(|socket, log| {
        handler(&socket, &log, "known");
        let l = log.clone();
        socket.on_fallback(move |_s, mut event| {
            push(&l, format!("fallback {}", event.name()));
            let _ = event.ack(&"unknown");
        });
    });
    assert_eq!(client.post("42[\"known\"]\u{1e}421[\"other\",5]"), 200);
    assert_eq!(logged(&log), ["handler known", "fallback other"]);
    assert_eq!(client.get(), (200, "431[\"unknown\"]".to_owned()));
}

#[test]
fn listeners_and_the_fallback_both_hear_an_unhandled_event() {
    let (client, log) = server(|socket, log| {
        let l = log.clone();
        socket.on_fallback(move |_s, event| push(&l, format!("fallback {}", event.name())));
        listener(&socket, &log, "any");
    });
    assert_eq!(client.post("42[\"x\",true]"), 200);
    assert_eq!(logged(&log), ["any x true", "fallback x"]);
}

#[test]
fn listeners_run_in_registration_order_and_prepend_any_goes_first() {
    let (client, log) = server(|socket, log| {
        listener(&socket, &log, "first");
        listener(&socket, &log, "second");
        let l = log.clone();
        socket.prepend_any(move |_s, event| push(&l, format!("prepended {}", event.name())));
        handler(&socket, &log, "e");
    });
    assert_eq!(client.post("42[\"e\"]"), 200);
    assert_eq!(
        logged(&log),
        ["prepended e", "first e ", "second e ", "handler e"]
    );
}

#[test]
fn off_any_removes_every_listener_and_keeps_the_fallback() {
    let (client, log) = server(|socket, log| {
        listener(&socket, &log, "one");
        listener(&socket, &log, "two");
        let l = log.clone();
        socket.on_fallback(move |_s, event| push(&l, format!("fallback {}", event.name())));
        socket.on("off", |socket, _event| socket.off_any());
    });
    assert_eq!(client.post("42[\"off\"]\u{1e}42[\"x\"]"), 200);
    assert_eq!(logged(&log), ["one off ", "two off ", "fallback x"]);
    assert_eq!(client.post("42[\"y\"]"), 200);
    assert_eq!(logged(&log), ["fallback y"]);
}

#[test]
fn off_fallback_keeps_the_listeners() {
    let (client, log) = server(|socket, log| {
        listener(&socket, &log, "any");
        let l = log.clone();
        socket.on_fallback(move |_s, event| push(&l, format!("fallback {}", event.name())));
        socket.on("off", |socket, _event| socket.off_fallback());
    });
    assert_eq!(client.post("42[\"off\"]\u{1e}42[\"x\"]"), 200);
    assert_eq!(logged(&log), ["any off ", "any x "]);
}

#[test]
fn a_listener_added_while_an_event_is_heard_hears_the_next_one() {
    let (client, log) = server(|socket, log| {
        let l = log.clone();
        socket.on_any(move |socket, event| {
            push(&l, format!("outer {}", event.name()));
            let l2 = l.clone();
            if event.name() == "arm" {
                socket.on_any(move |_s, event| push(&l2, format!("inner {}", event.name())));
            }
        });
    });
    assert_eq!(client.post("42[\"arm\"]\u{1e}42[\"next\"]"), 200);
    assert_eq!(logged(&log), ["outer arm", "outer next", "inner next"]);
}

#[test]
fn a_listener_reads_binary_arguments() {
    let (client, log) = server(|socket, log| {
        let l = log.clone();
        socket.on_any(move |_s, event| {
            let (name, body): (String, bytes::Bytes) = event.args().unwrap();
            push(&l, format!("{} {name} {:?}", event.name(), &body[..]));
            push(&l, format!("attachments {}", event.binary().len()));
        });
    });
    let body = "451-[\"file\",\"f\",{\"_placeholder\":true,\"num\":0}]\u{1e}bAQI=";
    assert_eq!(client.post(body), 200);
    assert_eq!(logged(&log), ["file f [1, 2]", "attachments 1"]);
}

#[test]
fn a_listener_can_echo_every_event_back() {
    let (client, _log) = server(|socket, _log| {
        socket.on_any(|socket, event| {
            let _ = socket.emit_forward(&format!("heard {}", event.name()), event.forward_args());
        });
        socket.on("chat", |socket, _event| {
            let _ = socket.emit("chat-handled", &());
        });
    });
    assert_eq!(client.post("42[\"chat\",{\"x\":[1]},\"s\"]"), 200);
    assert_eq!(
        client.get(),
        (
            200,
            "42[\"heard chat\",{\"x\":[1]},\"s\"]\u{1e}42[\"chat-handled\"]".to_owned()
        )
    );
}

#[test]
fn the_first_answer_wins_between_a_listener_and_the_handler() {
    let (client, _log) = server(|socket, _log| {
        socket.on_any(|_s, event| {
            if event.name() == "listener-answers" {
                if let Some(ack) = event.shared_ack() {
                    let _ = ack.send(&"from listener");
                }
            }
        });
        for name in ["listener-answers", "handler-answers"] {
            socket.on(name, |_s, mut event| {
                let _ = event.ack(&"from handler");
            });
        }
    });
    assert_eq!(
        client.post("421[\"listener-answers\"]\u{1e}422[\"handler-answers\"]"),
        200
    );
    assert_eq!(
        client.get(),
        (
            200,
            "431[\"from listener\"]\u{1e}432[\"from handler\"]".to_owned()
        )
    );
}

#[test]
fn a_listener_answers_an_event_that_has_no_handler() {
    let (client, _log) = server(|socket, _log| {
        socket.on_any(|_s, event| {
            let n: u32 = event.arg(0).unwrap_or(0);
            if let Some(ack) = event.shared_ack() {
                let _ = ack.send(&(n + 1));
                // A second answer from the same listener is not sent either.
                let _ = event.shared_ack().unwrap().send(&0);
            }
        });
    });
    assert_eq!(client.post("427[\"inc\",41]\u{1e}42[\"no-ack\",1]"), 200);
    assert_eq!(client.get(), (200, "437[42]".to_owned()));
}

#[test]
fn a_typed_handler_still_gets_its_arguments_and_ack_behind_a_listener() {
    let (client, log) = server(|socket, log| {
        listener(&socket, &log, "any");
        let l = log.clone();
        socket.on_args("add", move |_s, (a, b): (i64, i64), ack| {
            push(&l, format!("add {a} {b}"));
            if let Some(ack) = ack {
                let _ = ack.send(&(a + b));
            }
        });
    });
    assert_eq!(client.post("423[\"add\",2,3]"), 200);
    assert_eq!(logged(&log), ["any add 2,3", "add 2 3"]);
    assert_eq!(client.get(), (200, "433[5]".to_owned()));
}

#[test]
fn a_listener_that_disconnects_the_socket_keeps_the_event_from_its_handler() {
    let (client, log) = server(|socket, log| {
        socket.on_any(|socket, event| {
            if event.name() == "kick" {
                socket.disconnect();
            }
        });
        handler(&socket, &log, "kick");
    });
    assert_eq!(client.post("42[\"kick\"]"), 200);
    assert!(logged(&log).is_empty());
    assert_eq!(client.get(), (200, "41".to_owned()));
}

#[test]
fn a_panicking_listener_keeps_neither_the_others_nor_the_handler_from_the_event() {
    let (client, log) = server(|socket, log| {
        socket.on_any(|_s, _event| -> () { panic!("listener bug") });
        listener(&socket, &log, "any");
        handler(&socket, &log, "e");
    });
    assert_eq!(client.post("42[\"e\"]"), 200);
    assert_eq!(logged(&log), ["any e ", "handler e"]);
}

/// [`TestRuntime`], with different ids for every client.
struct TwoClients(TestRuntime, std::sync::atomic::AtomicU8);

impl Runtime for TwoClients {
    fn now(&self) -> Instant {
        self.0.now()
    }
    fn spawn(&self, fut: BoxFuture) {
        self.0.spawn(fut);
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        buf.fill(self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    }
}

#[test]
fn a_socket_without_listeners_is_not_heard_by_another_sockets() {
    let runtime = TwoClients(TestRuntime(Instant::now()), Default::default());
    let io = Io::new(Options::default(), Arc::new(runtime));
    let log: Log = Arc::default();
    let l = log.clone();
    let first = Arc::new(std::sync::atomic::AtomicBool::new(true));
    io.of("/").on_connection(move |socket: SocketRef| {
        if first.swap(false, std::sync::atomic::Ordering::SeqCst) {
            listener(&socket, &l, "any");
        }
        let l = l.clone();
        socket.on_args("n", move |_s, (n,): (u32,), ack| {
            push(&l, format!("n {n}"));
            if let Some(ack) = ack {
                let _ = ack.send(&n);
            }
        });
    });
    let listening = Client::connect(io.clone().into());
    let plain = Client::connect(io.clone().into());
    assert_eq!(plain.post("429[\"n\",1]"), 200);
    assert_eq!(logged(&log), ["n 1"]);
    assert_eq!(plain.get(), (200, "439[1]".to_owned()));
    assert_eq!(listening.post("42[\"n\",2]"), 200);
    assert_eq!(logged(&log), ["any n 2", "n 2"]);
}

#[test]
fn once_args_runs_for_the_first_fitting_event_only() {
    let (client, log) = server(|socket, log| {
        let l = log.clone();
        socket.once_args("hello", move |_s, (name,): (String,), ack| {
            push(&l, format!("hello {name}"));
            if let Some(ack) = ack {
                let _ = ack.send(&"welcome");
            }
        });
        let l = log.clone();
        socket.on_fallback(move |_s, event| push(&l, format!("fallback {}", event.name())));
    });
    // A number does not fit `(String,)`: skipped, and the handler stays armed.
    let body = "42[\"hello\",1]\u{1e}421[\"hello\",\"ann\"]\u{1e}42[\"hello\",\"bob\"]";
    assert_eq!(client.post(body), 200);
    assert_eq!(logged(&log), ["hello ann", "fallback hello"]);
    assert_eq!(client.get(), (200, "431[\"welcome\"]".to_owned()));
}

#[test]
fn responders_from_shared_ack_answer_once_in_a_handler_too() {
    let (client, log) = server(|socket, log| {
        socket.on("q", move |_s, mut event| {
            let early = event.shared_ack();
            let own = event.take_ack();
            push(
                &log,
                format!("after take: {}", event.shared_ack().is_some()),
            );
            if let (Some(early), Some(own)) = (early, own) {
                let _ = own.send(&"own");
                let _ = early.send(&"early");
            }
        });
    });
    assert_eq!(client.post("423[\"q\"]\u{1e}42[\"q\"]"), 200);
    assert_eq!(logged(&log), ["after take: false", "after take: false"]);
    assert_eq!(client.get(), (200, "433[\"own\"]".to_owned()));
}
