//! Through the user API (an `Endpoint` driven by hand): the `allow_request` hook (the
//! reference's `allowRequest`) decides on every handshake, plainly or asynchronously, and on
//! the upgrade requests without a sid the reference asks it about (polling transport, `EIO`
//! other than 4), nothing else; a refusal is answered as the reference answers it; a verdict
//! the client did not wait for frees its place; `allow_upgrades(false)` empties the
//! handshake's upgrades.

use bytes::Bytes;
use futures_channel::oneshot;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;
use volley_protocol::api::{
    BoxFuture, Deferred, Endpoint, EngineIo, HttpOutcome, Io, Options, RequestRefused, Runtime,
};
use volley_protocol::engine::{EngineConfig, HttpResponse, Method, RequestHead, WsFrame};

const POLLING: &str = "/socket.io/?EIO=4&transport=polling";
const WEBSOCKET: &str = "/socket.io/?EIO=4&transport=websocket";

/// A fixed clock, and random bytes that differ on every call (several sessions here).
#[derive(Default)]
struct TestRuntime(AtomicUsize);

impl Runtime for TestRuntime {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn spawn(&self, _fut: BoxFuture) {
        unreachable!("nothing here spawns");
    }
    fn wake_timer(&self, _at: Instant) {}
    fn fill_random(&self, buf: &mut [u8]) {
        let n = self.0.fetch_add(1, Ordering::Relaxed).to_le_bytes();
        for (b, n) in buf.iter_mut().zip(n.iter().cycle()) {
            *b = *n;
        }
    }
}

fn endpoint(options: Options) -> Endpoint {
    Io::new(options, Arc::new(TestRuntime::default())).into()
}

fn get(target: &str) -> RequestHead {
    RequestHead::new(Method::Get, target)
}

fn ws(target: &str) -> RequestHead {
    get(target)
        .with_header("Connection", "Upgrade")
        .with_header("Upgrade", "websocket")
}

fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
}

/// The response of a request answered without waiting (at once or through the
/// pending-response path, as a handshake is).
fn answer(outcome: HttpOutcome) -> HttpResponse {
    match outcome {
        HttpOutcome::Respond(r) => r,
        HttpOutcome::Pending(mut pending) => match poll_once(&mut pending) {
            Poll::Ready(r) => r,
            Poll::Pending => panic!("the response is not ready"),
        },
        _ => panic!("not an HTTP answer"),
    }
}

fn text(r: &HttpResponse) -> &str {
    std::str::from_utf8(&r.body).unwrap()
}

fn header<'a>(r: &'a HttpResponse, name: &str) -> Option<&'a str> {
    r.header(name).map(|v| v.as_str())
}

fn deferred(outcome: HttpOutcome) -> Deferred {
    match outcome {
        HttpOutcome::Deferred(d) => d,
        _ => panic!("the verdict is awaited"),
    }
}

/// The outcome of a handshake whose verdict was given.
fn resolved(verdict: &mut Deferred) -> HttpOutcome {
    match poll_once(verdict) {
        Poll::Ready(outcome) => outcome,
        Poll::Pending => panic!("the verdict was given"),
    }
}

/// Status and body of a polling handshake answered without waiting.
fn handshake(endpoint: &Endpoint, target: &str) -> (u16, String) {
    let r = answer(endpoint.handle_request(get(target), Bytes::new()));
    (r.status, text(&r).to_owned())
}

fn sid_of(handshake: &HttpResponse) -> String {
    let body = text(handshake);
    assert!(body.starts_with("0{\"sid\":\""), "{body}");
    body.split('"').nth(3).unwrap().to_owned()
}

/// An async hook whose verdicts the test gives, one per handshake, in order.
type Verdicts = Arc<Mutex<Vec<oneshot::Sender<Result<(), RequestRefused>>>>>;

fn async_hook(options: Options) -> (Options, Verdicts) {
    let verdicts: Verdicts = Arc::default();
    let v = verdicts.clone();
    let options = options.allow_request(move |_head| {
        let (tx, rx) = oneshot::channel();
        v.lock().unwrap().push(tx);
        async move { rx.await.unwrap_or(Err(RequestRefused::forbidden())) }
    });
    (options, verdicts)
}

fn decide(verdicts: &Verdicts, i: usize, verdict: Result<(), RequestRefused>) {
    let tx = std::mem::replace(&mut verdicts.lock().unwrap()[i], oneshot::channel().0);
    tx.send(verdict).unwrap();
}

#[test]
fn a_plain_refusal_answers_polling_403_with_its_message_and_the_cors_headers() {
    let options = Options::default().cors_any_origin().allow_request(|head| {
        match head.query_param("deny").as_deref() {
            Some("quiet") => Err(RequestRefused::forbidden()),
            Some("empty") => Err(RequestRefused::new("")),
            Some(_) => Err(RequestRefused::new("go away")),
            None => Ok(()),
        }
    });
    let endpoint = endpoint(options);
    let head = get(&format!("{POLLING}&deny=1")).with_header("Origin", "https://a.test");
    let r = answer(endpoint.handle_request(head, Bytes::new()));
    assert_eq!(
        (r.status, text(&r)),
        (403, r#"{"code":4,"message":"go away"}"#)
    );
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));

    // An empty message is no message, as with the reference (`message || "Forbidden"`).
    for quiet in ["quiet", "empty"] {
        let r =
            answer(endpoint.handle_request(get(&format!("{POLLING}&deny={quiet}")), Bytes::new()));
        assert_eq!(
            (r.status, text(&r)),
            (403, r#"{"code":4,"message":"Forbidden"}"#),
            "{quiet}"
        );
    }

    // The same CORS headers as the server's own errors (an unknown sid here).
    let head = get(&format!("{POLLING}&sid=nope")).with_header("Origin", "https://a.test");
    let own = answer(endpoint.handle_request(head, Bytes::new()));
    assert_eq!(own.status, 400);
    assert_eq!(header(&own, "access-control-allow-origin"), Some("*"));

    let r = answer(endpoint.handle_request(get(POLLING), Bytes::new()));
    assert_eq!(r.status, 200);
    sid_of(&r);
}

#[test]
fn a_plain_refusal_of_a_websocket_first_handshake_is_the_plain_400_upgrade_refusal() {
    let endpoint =
        endpoint(Options::default().allow_request(
            |head| match head.query_param("deny").as_deref() {
                Some("quiet") => Err(RequestRefused::forbidden()),
                Some("empty") => Err(RequestRefused::new("")),
                Some(_) => Err(RequestRefused::new("go away")),
                None => Ok(()),
            },
        ));
    let r = answer(endpoint.handle_request(ws(&format!("{WEBSOCKET}&deny=1")), Bytes::new()));
    assert_eq!((r.status, text(&r)), (400, "go away"));
    assert_eq!(header(&r, "connection"), Some("close"));
    let r = answer(endpoint.handle_request(ws(&format!("{WEBSOCKET}&deny=quiet")), Bytes::new()));
    assert_eq!((r.status, text(&r)), (400, "Forbidden"));
    // An empty message is no message, as with the reference (`message || "Forbidden"`).
    let r = answer(endpoint.handle_request(ws(&format!("{WEBSOCKET}&deny=empty")), Bytes::new()));
    assert_eq!((r.status, text(&r)), (400, "Forbidden"));

    let HttpOutcome::WebSocket(upgrade) = endpoint.handle_request(ws(WEBSOCKET), Bytes::new())
    else {
        panic!("an allowed WebSocket-first handshake is upgraded");
    };
    let link = endpoint.ws_open(upgrade);
    let mut frames = Vec::new();
    assert!(link.drain(&mut frames));
    assert!(matches!(&frames[0], WsFrame::Text(t) if t.starts_with("0{\"sid\":")));
}

#[test]
fn the_hook_sees_the_query_the_headers_and_the_remote_address() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let endpoint = endpoint(Options::default().allow_request(move |head| {
        s.lock().unwrap().push((
            head.query_param("token").map(|t| t.into_owned()),
            head.header("x-client").map(str::to_owned),
            head.remote(),
        ));
        Ok::<(), RequestRefused>(())
    }));
    let remote = "127.0.0.1:4567".parse().unwrap();
    let head = get(&format!("{POLLING}&token=a%20b"))
        .with_header("X-Client", "tests")
        .with_remote(remote);
    assert_eq!(
        answer(endpoint.handle_request(head, Bytes::new())).status,
        200
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            Some("a b".to_owned()),
            Some("tests".to_owned()),
            Some(remote)
        )]
    );
}

#[test]
fn the_hook_is_not_asked_about_requests_of_an_open_session_nor_its_upgrade() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let endpoint = endpoint(Options::default().allow_request(move |_head| {
        c.fetch_add(1, Ordering::SeqCst);
        // Refuses everything but the first handshake.
        match c.load(Ordering::SeqCst) {
            1 => Ok(()),
            _ => Err(RequestRefused::new("only one")),
        }
    }));
    let r = answer(endpoint.handle_request(get(POLLING), Bytes::new()));
    let sid = sid_of(&r);
    let post = RequestHead::new(Method::Post, &format!("{POLLING}&sid={sid}"));
    assert_eq!(
        answer(endpoint.handle_request(post, Bytes::from_static(b"40"))).status,
        200
    );
    // (Refused as no namespace exists: the session's own answer.)
    let r = answer(endpoint.handle_request(get(&format!("{POLLING}&sid={sid}")), Bytes::new()));
    assert!(text(&r).starts_with("44"), "{}", text(&r));
    let upgrade = ws(&format!("{WEBSOCKET}&sid={sid}"));
    let HttpOutcome::WebSocket(upgrade) = endpoint.handle_request(upgrade, Bytes::new()) else {
        panic!("the upgrade of an open session goes on");
    };
    let link = endpoint.ws_open(upgrade);
    link.handle_message(WsFrame::Text("2probe".into()));
    let mut frames = Vec::new();
    link.drain(&mut frames);
    assert!(frames.contains(&WsFrame::Text("3probe".into())));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A new handshake is asked about (and refused by this hook).
    let r = answer(endpoint.handle_request(get(POLLING), Bytes::new()));
    assert_eq!((r.status, calls.load(Ordering::SeqCst)), (403, 2));
}

/// The requests of `upgrades_that_open_no_session`: (target, what follows when admitted).
const NO_SESSION: [(&str, &str); 2] = [
    (POLLING, "switched, then closed"),
    (
        "/socket.io/?EIO=3&transport=websocket",
        "Unsupported protocol version",
    ),
];

/// What an admitted upgrade request of [`NO_SESSION`] gets: a WebSocket closed at once, or the
/// refusal that replaces the `101`.
fn upgraded_without_session(endpoint: &Endpoint, outcome: HttpOutcome) -> String {
    let HttpOutcome::WebSocket(mut upgrade) = outcome else {
        panic!("an admitted upgrade request goes on to the WebSocket handshake");
    };
    if let Some(refusal) = upgrade.take_refusal() {
        assert_eq!(refusal.status, 400);
        return text(&refusal).to_owned();
    }
    let link = endpoint.ws_open(upgrade);
    let mut frames = Vec::new();
    assert!(!link.drain(&mut frames), "closed at once");
    assert!(frames.is_empty(), "{frames:?}");
    "switched, then closed".to_owned()
}

/// The reference's `verify` asks `allowRequest` about every request without a sid, the
/// upgrades its WebSocket handshake then turns away included; a refusal is its plain `400`.
#[test]
fn upgrade_requests_that_open_no_session_are_asked_about_too() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let endpoint = endpoint(Options::default().allow_request(move |head| {
        c.fetch_add(1, Ordering::SeqCst);
        match head.query_param("deny").as_deref() {
            Some("") => Err(RequestRefused::forbidden()),
            Some(message) => Err(RequestRefused::new(message)),
            None => Ok(()),
        }
    }));
    for (i, (target, admitted)) in NO_SESSION.into_iter().enumerate() {
        let r =
            answer(endpoint.handle_request(ws(&format!("{target}&deny=not+you")), Bytes::new()));
        assert_eq!((r.status, text(&r)), (400, "not you"), "{target}");
        assert_eq!(header(&r, "connection"), Some("close"));
        let r = answer(endpoint.handle_request(ws(&format!("{target}&deny=")), Bytes::new()));
        assert_eq!((r.status, text(&r)), (400, "Forbidden"), "{target}");
        let outcome = endpoint.handle_request(ws(target), Bytes::new());
        assert_eq!(upgraded_without_session(&endpoint, outcome), admitted);
        assert_eq!(calls.load(Ordering::SeqCst), 3 * (i + 1), "asked once each");
    }
    // Without an upgrade the polling handshake is a handshake (asked, as always), and an
    // EIO 3 one is refused before the hook, as in the reference.
    let (status, body) = handshake(&endpoint, "/socket.io/?EIO=3&transport=polling");
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            r#"{"code":5,"message":"Unsupported protocol version"}"#
        )
    );
    assert_eq!(calls.load(Ordering::SeqCst), 6);
}

#[test]
fn an_async_verdict_on_an_upgrade_that_opens_no_session() {
    let (options, verdicts) = async_hook(Options::default());
    let endpoint = endpoint(options);
    for (i, (target, admitted)) in NO_SESSION.into_iter().enumerate() {
        let mut refused = deferred(endpoint.handle_request(ws(target), Bytes::new()));
        let mut allowed = deferred(endpoint.handle_request(ws(target), Bytes::new()));
        let dropped = deferred(endpoint.handle_request(ws(target), Bytes::new()));
        assert!(poll_once(&mut refused).is_pending());
        decide(&verdicts, 3 * i, Err(RequestRefused::new("later no")));
        decide(&verdicts, 3 * i + 1, Ok(()));
        let r = answer(resolved(&mut refused));
        assert_eq!((r.status, text(&r)), (400, "later no"), "{target}");
        let outcome = resolved(&mut allowed);
        assert_eq!(upgraded_without_session(&endpoint, outcome), admitted);
        // The client went away before the verdict: nothing to forget, nothing breaks.
        drop(dropped);
    }
    // The server goes on: the next handshake is asked about and admitted.
    let mut next = deferred(endpoint.handle_request(get(POLLING), Bytes::new()));
    decide(&verdicts, 6, Ok(()));
    sid_of(&answer(resolved(&mut next)));
}

#[test]
fn an_async_verdict_is_awaited_then_admits_or_refuses() {
    let (options, verdicts) = async_hook(Options::default());
    let endpoint = endpoint(options);

    let mut accepted = deferred(endpoint.handle_request(get(POLLING), Bytes::new()));
    let mut refused = deferred(endpoint.handle_request(get(POLLING), Bytes::new()));
    let mut ws_first = deferred(endpoint.handle_request(ws(WEBSOCKET), Bytes::new()));
    assert!(poll_once(&mut accepted).is_pending());
    assert!(poll_once(&mut refused).is_pending());

    decide(&verdicts, 0, Ok(()));
    decide(&verdicts, 1, Err(RequestRefused::new("later no")));
    decide(&verdicts, 2, Ok(()));
    let outcome = resolved(&mut accepted);
    let r = answer(outcome);
    assert_eq!(r.status, 200);
    sid_of(&r);
    let outcome = resolved(&mut refused);
    let r = answer(outcome);
    assert_eq!(
        (r.status, text(&r)),
        (403, r#"{"code":4,"message":"later no"}"#)
    );
    let Poll::Ready(HttpOutcome::WebSocket(upgrade)) = poll_once(&mut ws_first) else {
        panic!("an admitted WebSocket-first handshake is upgraded")
    };
    let link = endpoint.ws_open(upgrade);
    let mut frames = Vec::new();
    link.drain(&mut frames);
    assert!(matches!(&frames[0], WsFrame::Text(t) if t.contains("\"upgrades\":[]")));
}

#[test]
fn an_async_refusal_of_a_websocket_first_handshake_is_the_plain_400() {
    let (options, verdicts) = async_hook(Options::default());
    let endpoint = endpoint(options);
    let mut pending = deferred(endpoint.handle_request(ws(WEBSOCKET), Bytes::new()));
    decide(&verdicts, 0, Err(RequestRefused::forbidden()));
    let outcome = resolved(&mut pending);
    let r = answer(outcome);
    assert_eq!((r.status, text(&r)), (400, "Forbidden"));
}

#[test]
fn a_verdict_the_client_did_not_wait_for_frees_its_place_under_max_sessions() {
    let (options, verdicts) = async_hook(Options::default().max_sessions(Some(1)));
    let endpoint = endpoint(options);
    let waiting = deferred(endpoint.handle_request(get(POLLING), Bytes::new()));
    // The handshake awaiting its verdict holds the only place.
    let r = answer(endpoint.handle_request(get(POLLING), Bytes::new()));
    assert_eq!(r.status, 503);
    assert_eq!(
        verdicts.lock().unwrap().len(),
        1,
        "a 503 is not asked about"
    );

    drop(waiting);
    let mut next = deferred(endpoint.handle_request(get(POLLING), Bytes::new()));
    decide(&verdicts, 1, Ok(()));
    let outcome = resolved(&mut next);
    assert_eq!(answer(outcome).status, 200);
    // Nobody waits for the dropped one's verdict any more.
    assert!(verdicts.lock().unwrap().remove(0).send(Ok(())).is_err());
    assert_eq!(
        answer(endpoint.handle_request(get(POLLING), Bytes::new())).status,
        503
    );
}

#[test]
fn a_panicking_hook_refuses_the_request_and_the_server_goes_on() {
    let endpoint = endpoint(Options::default().allow_request(|head| {
        let boom = head.query_param("boom").is_some();
        async move {
            if boom {
                panic!("hook failed");
            }
            Ok::<(), RequestRefused>(())
        }
    }));
    let mut pending =
        deferred(endpoint.handle_request(get(&format!("{POLLING}&boom")), Bytes::new()));
    let outcome = resolved(&mut pending);
    assert_eq!(answer(outcome).status, 403);

    let plain = self::endpoint(Options::default().allow_request(|head| {
        if head.query_param("boom").is_some() {
            panic!("hook failed");
        }
        Ok::<(), RequestRefused>(())
    }));
    let forbidden = r#"{"code":4,"message":"Forbidden"}"#.to_owned();
    assert_eq!(
        handshake(&plain, &format!("{POLLING}&boom")),
        (403, forbidden)
    );
    assert_eq!(handshake(&plain, POLLING).0, 200);

    let mut ok = deferred(endpoint.handle_request(get(POLLING), Bytes::new()));
    let outcome = resolved(&mut ok);
    assert_eq!(answer(outcome).status, 200);
}

#[test]
fn the_raw_engine_io_handle_takes_the_hook_too() {
    let engine = EngineIo::new(EngineConfig::default(), Arc::new(TestRuntime::default()));
    engine.allow_request(|head| match head.query_param("deny") {
        Some(_) => Err(RequestRefused::new("denied")),
        None => Ok(()),
    });
    let endpoint: Endpoint = engine.into();
    let denied = r#"{"code":4,"message":"denied"}"#.to_owned();
    assert_eq!(
        handshake(&endpoint, &format!("{POLLING}&deny=1")),
        (403, denied)
    );
    assert_eq!(handshake(&endpoint, POLLING).0, 200);
}

#[test]
fn allow_upgrades_false_offers_polling_clients_no_upgrade() {
    let offered = answer(endpoint(Options::default()).handle_request(get(POLLING), Bytes::new()));
    assert!(text(&offered).contains(r#""upgrades":["websocket"]"#));
    let endpoint = endpoint(Options::default().allow_upgrades(false));
    let r = answer(endpoint.handle_request(get(POLLING), Bytes::new()));
    assert!(text(&r).contains(r#""upgrades":[],"#), "{}", text(&r));
}

#[test]
fn a_verdict_that_admits_after_shutdown_opens_no_session_and_is_answered_503() {
    let (options, verdicts) = async_hook(Options::default().cors_any_origin());
    let endpoint = endpoint(options);
    let head = get(POLLING).with_header("Origin", "https://a.test");
    let mut polling = deferred(endpoint.handle_request(head, Bytes::new()));
    let mut ws_first = deferred(endpoint.handle_request(ws(WEBSOCKET), Bytes::new()));
    endpoint.shutdown();

    decide(&verdicts, 0, Ok(()));
    decide(&verdicts, 1, Ok(()));
    let r = answer(resolved(&mut polling));
    assert_eq!(
        (r.status, text(&r)),
        (503, r#"{"code":4,"message":"Server is shutting down"}"#)
    );
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    let r = answer(resolved(&mut ws_first));
    assert_eq!((r.status, text(&r)), (503, "Server is shutting down"));
    assert_eq!(header(&r, "connection"), Some("close"));

    // Nothing is left open, so the server is idle at once.
    let mut idle = endpoint.idle();
    assert!(poll_once(&mut idle).is_ready());
}

#[test]
fn a_handshake_after_shutdown_is_answered_503_without_asking_the_hook() {
    let (options, verdicts) = async_hook(Options::default());
    let endpoint = endpoint(options);
    endpoint.shutdown();
    assert_eq!(
        handshake(&endpoint, POLLING),
        (
            503,
            r#"{"code":4,"message":"Server is shutting down"}"#.to_owned()
        )
    );
    let r = answer(endpoint.handle_request(ws(WEBSOCKET), Bytes::new()));
    assert_eq!((r.status, text(&r)), (503, "Server is shutting down"));
    assert!(verdicts.lock().unwrap().is_empty(), "the hook is not asked");

    // Without a hook too.
    let plain = self::endpoint(Options::default());
    assert_eq!(handshake(&plain, POLLING).0, 200);
    plain.shutdown();
    assert_eq!(handshake(&plain, POLLING).0, 503);
}
