//! Through the user API, sans IO (a polling client driving an `Endpoint` by hand): typed
//! handlers (`on_args`), untyped ones (`on`, `on_fallback`) and `on_any` listeners never run
//! for a malformed packet,
//! nor for anything the same client sent after it, and the client is closed as the decoder
//! closes it; a well-formed event of the wrong types only skips a typed handler.
//!
//! Like the reference (whose Engine.IO socket stops taking packets once the client is closed
//! for a malformed one), nothing after the malformed packet in the same polling body or
//! WebSocket batch has any effect: no ack reply is read, no DISCONNECT or CONNECT happens,
//! and the sockets leave with `forced close`.

mod api_common;

use api_common::{Client, SteppedRuntime, TestRuntime};
use bytes::Bytes;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use volley_protocol::api::{Endpoint, HttpOutcome, Io, Options, Runtime, SocketRef, WsLink};
use volley_protocol::engine::{Method, RequestHead, WsFrame};
use volley_protocol::Str;

type Log = Arc<Mutex<Vec<String>>>;
/// Sets up a socket's handlers, logging what they see.
type Register = fn(SocketRef, Log);

/// A server whose sockets log what their handlers see; `register` sets them up.
fn server(register: impl Fn(SocketRef, Log) + Send + Sync + 'static) -> (Client, Log) {
    let (io, log) = logging_io(Arc::new(TestRuntime(Instant::now())), register);
    (Client::connect(io.into()), log)
}

/// The app of [`server`], on `runtime`, before any client; `/admin` logs its connections.
fn logging_io(
    runtime: Arc<dyn Runtime>,
    register: impl Fn(SocketRef, Log) + Send + Sync + 'static,
) -> (Io, Log) {
    let io = Io::new(Options::default(), runtime);
    let log: Log = Arc::default();
    let l = log.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let l2 = l.clone();
        socket.on_disconnect(move |_s, reason| l2.lock().unwrap().push(format!("left: {reason}")));
        register(socket, l.clone());
    });
    let l = log.clone();
    io.of("/admin")
        .on_connection(move |_s| l.lock().unwrap().push("admin".into()));
    (io, log)
}

fn typed(socket: SocketRef, log: Log) {
    socket.on_args("chat", move |_s, (text, n): (String, u32), ack| {
        log.lock().unwrap().push(format!("chat {text} {n}"));
        if let Some(ack) = ack {
            let _ = ack.send(&n);
        }
    });
}

fn untyped(socket: SocketRef, log: Log) {
    socket.on("chat", move |_s, event| {
        let raw: Vec<String> = event.raw_args().iter().map(|a| a.to_string()).collect();
        log.lock().unwrap().push(format!("chat {}", raw.join(" ")));
    });
}

fn fallback(socket: SocketRef, log: Log) {
    socket.on_fallback(move |_s, event| log.lock().unwrap().push(format!("any {}", event.name())));
}

fn any_listener(socket: SocketRef, log: Log) {
    socket.on_any(move |_s, event| log.lock().unwrap().push(format!("heard {}", event.name())));
}

fn logged(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

#[test]
fn typed_handler_gets_its_arguments_and_acks() {
    let (client, log) = server(typed);
    assert_eq!(
        client.post("42[\"chat\",\"hi\",3,\"extra\"]\u{1e}421[\"chat\",\"yo\",4]"),
        200
    );
    assert_eq!(logged(&log), ["chat hi 3", "chat yo 4"]);
    assert_eq!(client.get(), (200, "431[4]".to_owned()));
}

#[test]
fn a_type_mismatch_skips_a_typed_handler_and_keeps_the_client() {
    let (client, log) = server(typed);
    assert_eq!(
        client.post("42[\"chat\",3,\"hi\"]\u{1e}42[\"chat\",\"ok\",1]"),
        200
    );
    assert_eq!(logged(&log), ["chat ok 1"]);
    assert_eq!(client.post("42[\"chat\",\"still\",2]"), 200);
    assert_eq!(logged(&log), ["chat ok 1", "chat still 2"]);
}

/// `valid, malformed, valid` in one polling body: the first is handled, then the client is
/// closed and the third never reaches a handler.
fn malformed_after_a_valid_one(register: Register, first: &str) {
    let (client, log) = server(register);
    let body = "42[\"chat\",\"a\",1]\u{1e}42[\"chat\",\"b\",]\u{1e}42[\"chat\",\"c\",2]";
    assert_eq!(client.post(body), 200);
    assert_eq!(logged(&log), [first, "left: forced close"]);
    client.assert_closed("");
}

#[test]
fn typed_malformed_after_a_valid_one_closes_the_client() {
    malformed_after_a_valid_one(typed, "chat a 1");
}

#[test]
fn untyped_malformed_after_a_valid_one_closes_the_client() {
    malformed_after_a_valid_one(untyped, "chat \"a\" 1");
}

#[test]
fn fallback_malformed_after_a_valid_one_closes_the_client() {
    malformed_after_a_valid_one(fallback, "any chat");
}

#[test]
fn any_listener_malformed_after_a_valid_one_closes_the_client() {
    malformed_after_a_valid_one(any_listener, "heard chat");
}

#[test]
fn every_malformed_event_closes_the_client_whatever_the_handler() {
    let malformed = [
        "42[\"chat\",\"a\",1,]",
        "42[\"chat\",\"a\",01]",
        "42[\"chat\",\"a\"",
        "42[\"chat\" \"a\"]",
        "42[\"chat\",{\"k\":1]]",
        "42[\"chat\",\"\u{1}\"]",
        "42[\"chat\",\"a\\x\"]",
        "42[\"chat\",1] x",
        "42[\"chat\",nul]",
        "42[]",
        "42{\"chat\":1}",
        "42\"chat\"",
        "42[{}]",
        "42[\"disconnect\",1]",
        "42[\"conn\\u0065ct\"]",
        "451-[\"chat\",{\"_placeholder\":true,\"num\":1}]",
        // An event to a namespace the client has not joined (the server's own close reason).
        "42/other,[\"chat\",1]",
    ];
    let handlers: [(&str, Register); 5] = [
        ("typed", typed),
        ("untyped", untyped),
        ("fallback", fallback),
        ("any listener", any_listener),
        ("none", |_s, _l| {}),
    ];
    for (kind, register) in handlers {
        for packet in malformed {
            let (client, log) = server(register);
            // A valid event of another name first: nothing else may be handled.
            assert_eq!(
                client.post(&format!("{packet}\u{1e}42[\"chat\",\"x\",9]")),
                200
            );
            let reason = if packet.contains("/other") {
                "left: forced server close"
            } else {
                "left: forced close"
            };
            assert_eq!(logged(&log), [reason], "{kind}: {packet}");
            client.assert_closed(&format!("{kind}: {packet}"));
        }
    }
}

#[test]
fn binary_events_reach_typed_handlers() {
    let (client, log) = server(|socket, log| {
        socket.on_args("file", move |_s, (name, body): (String, Bytes), _ack| {
            log.lock().unwrap().push(format!("{name} {body:?}"));
        });
    });
    let body = "451-[\"file\",\"f\",{\"_placeholder\":true,\"num\":0}]\u{1e}bAQI=";
    assert_eq!(client.post(body), 200);
    assert_eq!(logged(&log), ["f b\"\\x01\\x02\""]);
}

#[test]
fn untyped_handlers_can_forward_what_they_got() {
    let (client, log) = server(|socket, log| {
        socket.on("echo", move |socket, event| {
            log.lock().unwrap().push(event.name().to_owned());
            let _ = socket.emit_forward("echo", event.forward_args());
        });
    });
    assert_eq!(client.post("42[\"echo\", {\"a\" : [1, 2]} ,\"s\"]"), 200);
    assert_eq!(logged(&log), ["echo"]);
    assert_eq!(
        client.get(),
        (200, "42[\"echo\",{\"a\" : [1, 2]},\"s\"]".to_owned())
    );
}

/// Malformed, but only in its arguments: the name check lets it through, so it is found
/// malformed when its arguments are read — after the server took in the rest of the batch.
const MALFORMED: &str = "42[\"chat\",\"b\",]";

fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(fut).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn nothing_after_a_malformed_event_in_a_polling_body_has_an_effect() {
    let after = [
        // DISCONNECT: not a `client namespace disconnect`.
        "41",
        // CONNECT to another namespace, or to an unknown one: no connection, no answer.
        "40/admin,",
        "40/nope,",
        // A second CONNECT to `/` and an event to an unjoined namespace: protocol
        // violations, but the client is gone already (not `forced server close`).
        "40",
        "42/admin,[\"chat\",\"c\",3]",
        // A binary event, an undecodable packet, an Engine.IO close.
        "451-[\"chat\",\"c\",{\"_placeholder\":true,\"num\":0}]\u{1e}bAQI=",
        "9",
        "1",
        // An event, then a DISCONNECT.
        "42[\"chat\",\"c\",3]\u{1e}41",
    ];
    for rest in after {
        let (client, log) = server(typed);
        let body = format!("42[\"chat\",\"a\",1]\u{1e}{MALFORMED}\u{1e}{rest}");
        assert_eq!(client.post(&body), 200, "{rest:?}");
        assert_eq!(logged(&log), ["chat a 1", "left: forced close"], "{rest:?}");
        // The engine ended the session at once (the client's close, an undecodable packet);
        // else the next poll gets `1`.
        if rest == "1" || rest == "9" {
            assert_eq!(client.get().0, 400);
        } else {
            client.assert_closed(rest);
        }
    }
}

#[test]
fn an_ack_reply_after_a_malformed_event_is_not_read() {
    let answer: Arc<Mutex<Option<volley_protocol::api::AckFuture>>> = Arc::default();
    let slot = answer.clone();
    let (client, _log) = server(move |socket, _log| {
        *slot.lock().unwrap() = socket.emit_with_ack("q", &1).ok();
    });
    // The question went out with the CONNECT answer.
    assert_eq!(client.post(&format!("{MALFORMED}\u{1e}430[2]")), 200);
    let mut answer = answer.lock().unwrap().take().unwrap();
    match poll_once(&mut answer) {
        Poll::Ready(Err(volley_protocol::api::AckError::Disconnected)) => {}
        other => panic!("{:?}", other.map(|r| r.map(|a| a.arg::<u32>(0).ok()))),
    }
}

/// A broadcast with acks to the one client, which answers `reply_body` (`{id}` is the ack
/// id); after the timeout, how many replies were counted.
fn broadcast_replies_counted(reply_body: &str) -> usize {
    let runtime = Arc::new(SteppedRuntime::new());
    let (io, _log) = logging_io(runtime.clone(), |_s, _l| {});
    let client = Client::connect(io.clone().into());
    let mut acks = io
        .timeout(Duration::from_secs(5))
        .emit_with_ack("q", &1)
        .unwrap();
    let (status, question) = client.get();
    assert_eq!(status, 200);
    let id = question
        .strip_prefix("42")
        .and_then(|q| q.strip_suffix("[\"q\",1]"))
        .unwrap();
    assert_eq!(client.post(&reply_body.replace("{id}", id)), 200);
    runtime.advance(Duration::from_secs(6));
    client.endpoint.handle_timeout();
    let Poll::Ready(acks) = poll_once(&mut acks) else {
        panic!("the broadcast timed out")
    };
    assert_eq!(acks.expected, 1);
    acks.replies.len()
}

#[test]
fn a_broadcast_ack_reply_after_a_malformed_event_is_not_counted() {
    assert_eq!(broadcast_replies_counted("43{id}[2]"), 1);
    // A well-formed event before the reply holds nothing up.
    assert_eq!(
        broadcast_replies_counted("42[\"chat\",\"a\",1]\u{1e}43{id}[2]"),
        1
    );
    assert_eq!(
        broadcast_replies_counted(&format!("{MALFORMED}\u{1e}43{{id}}[2]")),
        0
    );
}

fn text(frame: &WsFrame) -> &str {
    match frame {
        WsFrame::Text(t) => t,
        WsFrame::Binary(_) => panic!("a text frame"),
    }
}

/// A WebSocket client joined to `/`.
fn ws_client(endpoint: &Endpoint) -> WsLink {
    let head = RequestHead::new(Method::Get, "/socket.io/?EIO=4&transport=websocket")
        .with_header("Connection", "Upgrade")
        .with_header("Upgrade", "websocket");
    let HttpOutcome::WebSocket(upgrade) = endpoint.handle_request(head, Bytes::new()) else {
        panic!("a WebSocket upgrade");
    };
    let link = endpoint.ws_open(upgrade);
    link.handle_message(WsFrame::Text(Str::from("40")));
    let mut out = Vec::new();
    link.drain(&mut out);
    assert!(text(&out[1]).starts_with("40{\"sid\":"));
    link
}

#[test]
fn nothing_after_a_malformed_event_in_a_websocket_batch_has_an_effect() {
    for rest in [
        "41",
        "40/admin,",
        "42[\"chat\",\"c\",3]",
        "42/admin,[\"x\"]",
    ] {
        let (io, log) = logging_io(Arc::new(TestRuntime(Instant::now())), typed);
        let link = ws_client(&io.into());
        for frame in ["42[\"chat\",\"a\",1]", MALFORMED, rest] {
            link.handle_message(WsFrame::Text(Str::from(frame)));
        }
        assert_eq!(logged(&log), ["chat a 1", "left: forced close"], "{rest:?}");
        let mut out = Vec::new();
        assert!(!link.drain(&mut out), "closed");
        assert!(
            out.is_empty(),
            "{rest:?}: {:?}",
            out.iter().map(text).collect::<Vec<_>>()
        );
    }
}
