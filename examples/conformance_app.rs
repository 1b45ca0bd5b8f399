//! The application side of every adapter's `conformance` example (the reference's
//! protocol-test fixture); each example adds only its runtime. Included with `#[path]`.
//!
//! - 127.0.0.1:$PORT (default 3000), path `/socket.io/`, pingInterval 300 ms, pingTimeout
//!   200 ms (`PING_INTERVAL` / `PING_TIMEOUT` override them, in ms), maxPayload 1000000,
//!   connectTimeout 1000 ms (`CONNECT_TIMEOUT` overrides it), CORS origin `*`.
//! - Namespaces `/` and `/custom`: on connect each emits `auth` with the CONNECT auth (`{}` if
//!   none). On `/`: `message` (any arguments) → `message-back` with the same arguments to the
//!   sender; `message-with-ack` (any arguments) → ack with the same arguments. Any other
//!   namespace is refused with `Invalid namespace`.
//! - Also on `/`, for the connection state recovery suite: on connect, only when recovery is
//!   on, `hello` with `{"id": socket id, "recovered": bool}`; `join` (room, ack) → joins, acks with nothing;
//!   `to-room` (room, value, ack) → `room-message` with `value` (binary included) to that room, then acks;
//!   `set-data` (value, ack) → `data.value = value`, acks; `get-data` (ack) → acks with
//!   `data.value` (`null` if unset); `server-disconnect` → the server disconnects the socket;
//!   `watch-leaving` (ack) → adds a disconnecting handler, acks: when the socket leaves, for
//!   each room it is in but its own (sorted), `leaving` with `{"reason", "room", "count",
//!   "connected"}` to that room, `count` being how many sockets are in it right then;
//!   `disconnect-room` (room, ack) → disconnects the sockets in that room, then acks.
//!   `CONNECTION_STATE_RECOVERY=<ms>` turns recovery on with that maxDisconnectionDuration.
//! - On `/custom`, an event middleware: `refused` is refused ("refused by middleware"; the
//!   server then emits `middleware-error` with that message), `slow-with-ack` is let through
//!   after 20 ms (an async middleware), anything else at once. `refused`, `slow-with-ack` and
//!   `message-with-ack` ack with their arguments (so a refused event that got through would
//!   be seen).
//! - On `/any`, for the `on_any` suite: an `on_any` listener emits `heard` with the event's
//!   name and its arguments as one array to the sender, for every event; when the event is
//!   `ack-by-any` or `both-ack` it also acks with `"any"` and the arguments. An event middleware
//!   refuses `refused` (whose handler would emit `refused-handled`); `echo` → `echo-back` with
//!   the same arguments; `both-ack` → the handler acks with `"handler"` (the listener answered
//!   first, so the client gets `"any"`).
//! - `allow_request` (Socket.IO mode), from the handshake's query: `deny=<message>` → refused
//!   at once with that message; `deny-later=<message>` → refused with it after 20 ms;
//!   `allow-later` → allowed after 20 ms; `deny-websocket` → refused ("no websocket") when the
//!   handshake's transport is websocket; anything else → allowed.
//! - `ask` (value, ack) on `/` → emits `question` with `value` asking for an ack, then acks
//!   `ask` with the client's answer (an acknowledgement from the client to the server).
//! - Namespace `/refused`: its connect middleware refuses every client with the message
//!   "refused by namespace middleware" and data `{"code": 42, "auth": <the CONNECT auth>}`.
//! - `PARSER=msgpack`: the reference's `socket.io-msgpack-parser` instead of the JSON parser.
//! - With `--engine`: a raw Engine.IO server on `/engine.io/` with the same timing that echoes
//!   every message back, text as text and binary as binary.
//! - Headers hooks, in both modes: `x-initial: 1` on the response that opens a session,
//!   `x-every: 1` on every successful one, and the request's `Cookie` echoed as `x-cookie`
//!   (several joined with `; `, as Node joins them).

use std::borrow::Cow;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;
use volley_protocol::api::{
    Connecting, EngineIo, EventRefused, EventVerdict, Io, Options, Parser, RawArgs, RequestRefused,
    SocketRef, Verdict,
};
use volley_protocol::engine::{Cors, CorsOrigin, EngineConfig, RequestHead, ResponseHeaders};
use volley_protocol::server::RecoveryConfig;
use volley_protocol::socket::ConnectError;
use volley_protocol::socket::{values_to_ack, Value};
use volley_protocol::Str;

const PING_INTERVAL_MS: u64 = 300;
const PING_TIMEOUT_MS: u64 = 200;
const CONNECT_TIMEOUT_MS: u64 = 1000;
const MAX_PAYLOAD: usize = 1_000_000;

/// `$PORT`, default 3000.
pub fn port() -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000)
}

/// How many connections may wait to be accepted. The OS default the runtimes use (128) is
/// too small for the interop suites' bursts (hundreds of clients opening a connection per
/// polling request at once, on a machine that runs the accept loop late): the kernel then
/// drops connection attempts, which clients retry only after a second or more. Node's HTTP
/// server listens with 511.
const LISTEN_BACKLOG: i32 = 1024;

/// A listener on 127.0.0.1:`port` with [`LISTEN_BACKLOG`], non-blocking, for the runtime to
/// wrap.
pub fn listener(port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(LISTEN_BACKLOG)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// True when started with `--engine` (raw Engine.IO mode).
pub fn engine_mode() -> bool {
    std::env::args().any(|a| a == "--engine")
}

// The interop runner's servers for tests that are not about timing set the reference defaults
// through the environment, so that a busy machine's scheduling delays are not read as ping or
// connect timeouts (interop/run.mjs).
fn heartbeat() -> (Duration, Duration) {
    (
        millis_from_env("PING_INTERVAL", PING_INTERVAL_MS),
        millis_from_env("PING_TIMEOUT", PING_TIMEOUT_MS),
    )
}

/// The raw Engine.IO server's configuration.
pub fn engine_config() -> EngineConfig {
    let (ping_interval, ping_timeout) = heartbeat();
    EngineConfig::default()
        .path("/engine.io/")
        .ping_interval(ping_interval)
        .ping_timeout(ping_timeout)
        .max_payload(MAX_PAYLOAD)
        .cors(Cors::new(CorsOrigin::Any))
        .on_initial_headers(initial_headers)
        .on_headers(every_headers)
}

/// The contract's `initial_headers` hook.
fn initial_headers(headers: &mut ResponseHeaders, _request: &RequestHead) {
    headers.insert("x-initial", "1");
}

/// The contract's `headers` hook. Several `Cookie` headers are echoed joined with `; `, as
/// Node joins them into `req.headers.cookie`.
fn every_headers(headers: &mut ResponseHeaders, request: &RequestHead) {
    headers.insert("x-every", "1");
    let cookie = request.header_all("cookie").collect::<Vec<_>>().join("; ");
    if !cookie.is_empty() {
        headers.insert("x-cookie", cookie);
    }
}

/// Echoes every message back, text as text and binary as binary.
pub fn engine_app(engine: &EngineIo) {
    engine.on_message(|engine, sid, message| engine.send(&sid, message));
}

/// The Socket.IO server's options.
pub fn options() -> Options {
    let (ping_interval, ping_timeout) = heartbeat();
    Options::default()
        .ping_interval(ping_interval)
        .ping_timeout(ping_timeout)
        .max_payload(MAX_PAYLOAD)
        .connect_timeout(millis_from_env("CONNECT_TIMEOUT", CONNECT_TIMEOUT_MS))
        .cors_any_origin()
        .on_initial_headers(initial_headers)
        .on_headers(every_headers)
        .connection_state_recovery(std::env::var("CONNECTION_STATE_RECOVERY").ok().map(|_| {
            let keep = millis_from_env("CONNECTION_STATE_RECOVERY", 120_000);
            RecoveryConfig::new().max_disconnection_duration(keep)
        }))
        .allow_request(allow_request)
        .parser(match std::env::var("PARSER").as_deref() {
            Ok("msgpack") => Parser::MsgPack,
            _ => Parser::Json,
        })
}

/// How long the async verdicts of [`allow_request`] take.
const LATER: Duration = Duration::from_millis(20);

/// The contract's `allowRequest`, decided from the handshake's query.
fn allow_request(head: &RequestHead) -> Verdict<RequestRefused> {
    let refuse = |message: Cow<'_, str>| Err(RequestRefused::new(message));
    let later = |verdict| {
        Verdict::Later(Box::pin(async move {
            after(LATER).await;
            verdict
        }))
    };
    if let Some(message) = head.query_param("deny") {
        return Verdict::Now(refuse(message));
    }
    if let Some(message) = head.query_param("deny-later") {
        return later(refuse(message));
    }
    if head.query_param("allow-later").is_some() {
        return later(Ok(()));
    }
    let websocket = head.query_param("transport").as_deref() == Some("websocket");
    if websocket && head.query_param("deny-websocket").is_some() {
        return Verdict::Now(refuse("no websocket".into()));
    }
    Verdict::Now(Ok(()))
}

/// The handlers of `/` and `/custom`.
pub fn socketio_app(io: &Io) {
    io.of("/").on_connection(|socket: SocketRef| {
        emit_auth(&socket);
        // With RUST_LOG=debug the log shows why each client went away (ping timeout,
        // transport close …), next to the adapter's request log.
        socket.on_disconnect(|socket, reason| {
            tracing::debug!(socket = %socket.id(), %reason, "disconnect");
        });
        socket.on("message", |socket, event| {
            let _ = socket.emit_forward("message-back", event.forward_args());
        });
        socket.on("message-with-ack", |_socket, mut event| {
            if let Some(ack) = event.take_ack() {
                ack.send_forward(event.forward_args());
            }
        });
        recovery_handlers(&socket);
        ask_handler(&socket);
    });
    io.of("/custom").on_connection(|socket: SocketRef| {
        emit_auth(&socket);
        middleware_handlers(&socket);
    });
    io.of("/any").on_connection(any_handlers);
    io.of("/refused").middleware(|connecting: Connecting| {
        let data = format!("{{\"code\":42,\"auth\":{}}}", connecting.auth());
        Err::<(), _>(
            ConnectError::new("refused by namespace middleware").with_data(Str::from(data)),
        )
    });
}

/// `ask`: the server asks the client in turn and acks with its answer.
fn ask_handler(socket: &SocketRef) {
    socket.on("ask", |socket, mut event| {
        let value = event.arg::<Value>(0).unwrap_or_default();
        let ack = event.take_ack();
        async move {
            let Ok(answer) = socket.emit_with_ack("question", &(value,)) else {
                return;
            };
            if let (Some(ack), Ok(reply)) = (ack, answer.await) {
                ack.send_forward(reply.raw());
            }
        }
    });
}

/// The `/any` namespace (see the module comment).
fn any_handlers(socket: SocketRef) {
    socket.on_any(|socket, event| {
        let args = event.values().unwrap_or_default();
        if matches!(event.name(), "ack-by-any" | "both-ack") {
            if let Some(ack) = event.shared_ack() {
                let answer: Vec<Value> = std::iter::once(Value::String("any".into()))
                    .chain(args.iter().cloned())
                    .collect();
                ack.send_raw(values_to_ack(&answer));
            }
        }
        let _ = socket.emit("heard", &(event.name(), args));
    });
    socket.middleware(|_socket, event| match event.name() {
        "refused" => Err(EventRefused::new("refused by middleware")),
        _ => Ok(()),
    });
    socket.on("refused", |socket, _event| {
        let _ = socket.emit("refused-handled", &());
    });
    socket.on("echo", |socket, event| {
        let _ = socket.emit_forward("echo-back", event.forward_args());
    });
    socket.on("both-ack", |_socket, mut event| {
        let _ = event.ack(&"handler");
    });
}

/// The event middleware of `/custom` and what it guards (see the module comment).
fn middleware_handlers(socket: &SocketRef) {
    socket.middleware(|_socket, event| -> EventVerdict {
        match event.name() {
            "refused" => Verdict::Now(Err(EventRefused::new("refused by middleware"))),
            "slow-with-ack" => Verdict::Later(Box::pin(async {
                after(LATER).await;
                Ok(())
            })),
            _ => Verdict::Now(Ok(())),
        }
    });
    socket.on_error(|socket, refused| {
        let _ = socket.emit("middleware-error", &refused.message);
    });
    for name in ["refused", "slow-with-ack", "message-with-ack"] {
        socket.on(name, |_socket, mut event| {
            if let Some(ack) = event.take_ack() {
                ack.send_forward(event.forward_args());
            }
        });
    }
}

/// The handlers the connection state recovery suite drives (see the module comment).
fn recovery_handlers(socket: &SocketRef) {
    if std::env::var_os("CONNECTION_STATE_RECOVERY").is_some() {
        let hello =
            serde_json::json!({ "id": socket.id().as_str(), "recovered": socket.recovered() });
        let _ = socket.emit("hello", &hello);
    }
    socket.on("join", |socket, mut event| {
        if let Ok(room) = event.arg::<String>(0) {
            socket.join(room);
        }
        let _ = event.ack(&());
    });
    socket.on("to-room", |socket, mut event| {
        if let (Ok(room), Ok(value)) = (event.arg::<String>(0), event.arg::<Value>(1)) {
            let _ = socket.nsp().to(room).emit("room-message", &value);
        }
        let _ = event.ack(&());
    });
    socket.on("set-data", |socket, mut event| {
        let value = event.arg::<serde_json::Value>(0).unwrap_or_default();
        let mut data = socket.data().unwrap_or_default();
        if !data.is_object() {
            data = serde_json::json!({});
        }
        data["value"] = value;
        socket.set_data(data);
        let _ = event.ack(&());
    });
    socket.on("get-data", |socket, mut event| {
        let value = socket
            .data()
            .and_then(|d| d.get("value").cloned())
            .unwrap_or_default();
        // A null value is one `null` argument, as the reference's `ack(null)`.
        let _ = event.ack(&value);
    });
    socket.on("server-disconnect", |socket, _event| {
        socket.disconnect_and_close()
    });
    socket.on("disconnect-room", |socket, mut event| {
        if let Ok(room) = event.arg::<String>(0) {
            socket.nsp().to(room).disconnect_sockets();
        }
        let _ = event.ack(&());
    });
    socket.on("watch-leaving", |socket, mut event| {
        socket.on_disconnecting(|socket, reason| {
            let own = socket.id().as_str();
            let mut rooms: Vec<String> = (socket.rooms().iter())
                .filter(|r| r.as_str() != own)
                .map(|r| r.to_string())
                .collect();
            rooms.sort();
            for room in rooms {
                let count = socket.nsp().to(room.as_str()).fetch_sockets().len();
                let leaving = serde_json::json!({
                    "reason": reason.as_str(),
                    "room": room,
                    "count": count,
                    "connected": socket.connected(),
                });
                let _ = socket.nsp().to(room.as_str()).emit("leaving", &leaving);
            }
        });
        let _ = event.ack(&());
    });
}

/// Emits `auth` with the CONNECT auth object exactly as received (raw JSON, `{}` if none).
fn emit_auth(socket: &SocketRef) {
    let auth = socket.handshake().auth();
    let _ = socket.emit_raw(RawArgs {
        json: Str::from(format!("[\"auth\",{auth}]")),
        attachments: Vec::new(),
    });
}

/// A duration in milliseconds from the environment variable `name`, or `default`.
fn millis_from_env(name: &str, default: u64) -> Duration {
    let ms = std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Duration::from_millis(ms)
}

/// Completes `d` from now, timed by a thread of its own: this file serves adapters on
/// different runtimes.
fn after(d: Duration) -> impl Future<Output = ()> + Send {
    let state = Arc::new(Mutex::new((false, None::<Waker>)));
    let timer = state.clone();
    std::thread::spawn(move || {
        std::thread::sleep(d);
        let mut st = timer.lock().unwrap_or_else(|e| e.into_inner());
        st.0 = true;
        if let Some(waker) = st.1.take() {
            waker.wake();
        }
    });
    std::future::poll_fn(move |cx| {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        if st.0 {
            return Poll::Ready(());
        }
        st.1 = Some(cx.waker().clone());
        Poll::Pending
    })
}
