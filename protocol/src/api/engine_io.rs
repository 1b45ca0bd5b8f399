//! Raw Engine.IO mode: the Engine.IO server alone, with message callbacks and no Socket.IO
//! layer (what the reference's `engine.io` package offers).

use super::admission::RequestRefused;
use super::endpoint::{CoreOutcome, Shared};
use super::endpoint_handle::Endpoint;
use super::middleware::MiddlewareOutput;
use super::runtime::Runtime;
use crate::engine::{
    CloseReason, EngineConfig, EngineEvent, EngineServer, HeadersHook, Incoming, Message, ReqId,
    RequestHead, RequestOutcome, ResponseHeaders, TransportKind,
};
use crate::Driver;
use crate::Str;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, RwLock};
use std::time::Instant;

type OnOpen = Arc<dyn Fn(&EngineIo, &Str) + Send + Sync>;
type OnMessage = Arc<dyn Fn(&EngineIo, Str, Message) + Send + Sync>;
type OnClose = Arc<dyn Fn(&EngineIo, &Str, CloseReason) + Send + Sync>;

#[derive(Default)]
pub(crate) struct EngineApp {
    on_open: RwLock<Option<OnOpen>>,
    on_message: RwLock<Option<OnMessage>>,
    on_close: RwLock<Option<OnClose>>,
}

/// A raw Engine.IO server handle (cloneable). Serve it with an adapter like an
/// [`Io`](super::Io).
///
/// ```
/// use std::time::Instant;
/// use std::sync::Arc;
/// use volley_protocol::api::{BoxFuture, EngineIo, Runtime};
/// use volley_protocol::engine::EngineConfig;
///
/// # struct Inert;
/// # impl Runtime for Inert {
/// #     fn now(&self) -> Instant { Instant::now() }
/// #     fn spawn(&self, _f: BoxFuture) {}
/// #     fn wake_timer(&self, _at: Instant) {}
/// #     fn fill_random(&self, buf: &mut [u8]) { buf.fill(7) }
/// # }
/// let engine = EngineIo::new(EngineConfig::default().path("/engine.io/"), Arc::new(Inert));
/// // Echo every message back, text as text and binary as binary.
/// engine.on_message(|engine, sid, message| engine.send(&sid, message));
/// ```
#[derive(Clone)]
pub struct EngineIo(Arc<Shared<EngineServer>>);

impl EngineIo {
    /// A server with `config`, using `runtime` for time, randomness and spawning.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use std::time::Instant;
    /// # use volley_protocol::api::{BoxFuture, EngineIo, Runtime};
    /// # struct Inert;
    /// # impl Runtime for Inert {
    /// #     fn now(&self) -> Instant { Instant::now() }
    /// #     fn spawn(&self, _f: BoxFuture) {}
    /// #     fn wake_timer(&self, _at: Instant) {}
    /// #     fn fill_random(&self, buf: &mut [u8]) { buf.fill(7) }
    /// # }
    /// use volley_protocol::engine::EngineConfig;
    /// let engine = EngineIo::new(EngineConfig::default(), Arc::new(Inert));
    /// # let _ = engine;
    /// ```
    pub fn new(config: EngineConfig, runtime: Arc<dyn Runtime>) -> Self {
        let ids = super::ids::RuntimeIds::new(runtime.clone());
        let core = EngineServer::new(config, ids);
        EngineIo(Shared::new(core, EngineApp::default(), runtime, None))
    }

    /// Called when a session opens, with its sid.
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo) {
    /// engine.on_open(|_engine, sid| println!("session {sid} opened"));
    /// # }
    /// ```
    pub fn on_open(&self, f: impl Fn(&EngineIo, &Str) + Send + Sync + 'static) {
        *write(&self.0.app.on_open) = Some(Arc::new(f));
    }

    /// Called for every message a client sends.
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo) {
    /// engine.on_message(|engine, sid, message| engine.send(&sid, message));
    /// # }
    /// ```
    pub fn on_message(&self, f: impl Fn(&EngineIo, Str, Message) + Send + Sync + 'static) {
        *write(&self.0.app.on_message) = Some(Arc::new(f));
    }

    /// Called when a session closes, with the reason.
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo) {
    /// engine.on_close(|_engine, sid, reason| println!("session {sid} closed: {reason}"));
    /// # }
    /// ```
    pub fn on_close(&self, f: impl Fn(&EngineIo, &Str, CloseReason) + Send + Sync + 'static) {
        *write(&self.0.app.on_close) = Some(Arc::new(f));
    }

    /// `allowRequest`: a check run on every handshake before its session exists (see
    /// [`Options::allow_request`](super::Options::allow_request)), returning
    /// `Result<(), RequestRefused>` or a future of one. Replaces the previous hook.
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo) {
    /// use volley_protocol::api::RequestRefused;
    /// engine.allow_request(|head| match head.query_param("deny") {
    ///     Some(_) => Err(RequestRefused::new("denied")),
    ///     None => Ok(()),
    /// });
    /// # }
    /// ```
    pub fn allow_request<F, R, M>(&self, f: F)
    where
        F: Fn(&RequestHead) -> R + Send + Sync + 'static,
        R: MiddlewareOutput<M, RequestRefused>,
    {
        self.0.set_allow_request(Some(super::admission::erase(f)));
    }

    /// The reference's `engine.on("initial_headers", …)`: edits the headers of the response
    /// that opens a session (see
    /// [`EngineConfig::on_initial_headers`](crate::engine::EngineConfig::on_initial_headers)).
    /// Replaces the previous hook.
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo) {
    /// engine.on_initial_headers(|headers, _request| {
    ///     headers.append("Set-Cookie", "greeting=hello; Path=/");
    /// });
    /// # }
    /// ```
    pub fn on_initial_headers(
        &self,
        hook: impl Fn(&mut ResponseHeaders, &RequestHead) + Send + Sync + 'static,
    ) {
        let hook: HeadersHook = Arc::new(hook);
        self.0
            .with_core(|st, _| st.core.header_hooks_mut().initial = Some(hook));
    }

    /// The reference's `engine.on("headers", …)`: edits the headers of every successful
    /// response (see [`EngineConfig::on_headers`](crate::engine::EngineConfig::on_headers)).
    /// Replaces the previous hook.
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo) {
    /// engine.on_headers(|headers, _request| {
    ///     headers.insert("X-Served-By", "volley");
    /// });
    /// # }
    /// ```
    pub fn on_headers(
        &self,
        hook: impl Fn(&mut ResponseHeaders, &RequestHead) + Send + Sync + 'static,
    ) {
        let hook: HeadersHook = Arc::new(hook);
        self.0
            .with_core(|st, _| st.core.header_hooks_mut().every = Some(hook));
    }

    /// Queues a message to session `sid` (ignored if it is gone).
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo, sid: volley_protocol::Str) {
    /// use volley_protocol::engine::Message;
    /// engine.send(&sid, Message::Text("hello".into()));
    /// # }
    /// ```
    pub fn send(&self, sid: &Str, message: Message) {
        self.0.with_core(|st, now| {
            let _ = st.core.send(now, sid, message);
        });
    }

    /// Closes session `sid`.
    ///
    /// ```
    /// # fn f(engine: volley_protocol::api::EngineIo, sid: volley_protocol::Str) {
    /// engine.close(&sid);
    /// # }
    /// ```
    pub fn close(&self, sid: &Str) {
        self.0.with_core(|st, now| {
            st.core.close(now, sid);
        });
    }
}

impl From<EngineIo> for Endpoint {
    fn from(e: EngineIo) -> Endpoint {
        Endpoint(e.0)
    }
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

fn read<T: Clone>(l: &RwLock<Option<T>>) -> Option<T> {
    l.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// What became of a request head: an outcome, or a handshake for the `allow_request` hook.
pub(crate) enum HeadStep {
    Done(CoreOutcome),
    Ask(Incoming),
}

/// Handles one request head and maps its outcome. A handshake is admitted at once unless
/// `ask` (an `allow_request` hook is set): then it is handed back for the hook's verdict.
pub(crate) fn handle_request_head<D: Driver>(
    core: &mut D,
    now: Instant,
    id: ReqId,
    head: RequestHead,
    ask: bool,
) -> HeadStep {
    HeadStep::Done(match core.handle_request_head(now, id, head) {
        RequestOutcome::Respond(resp) => CoreOutcome::Respond(resp),
        RequestOutcome::Pending => CoreOutcome::Pending,
        RequestOutcome::Handshake(incoming) if ask => return HeadStep::Ask(incoming),
        RequestOutcome::Handshake(incoming) => admit(core, now, incoming, Ok(())),
        RequestOutcome::UpgradeWebSocket => CoreOutcome::WebSocket(id),
        RequestOutcome::RefuseUpgrade(resp) => CoreOutcome::RefuseUpgrade(resp),
        RequestOutcome::NotMine => CoreOutcome::NotMine,
        RequestOutcome::ReadBody => CoreOutcome::ReadBody,
    })
}

/// Accepts or refuses a handshake. A refusal is answered through the pending-response path,
/// like an accepted polling handshake.
pub(crate) fn admit<D: Driver>(
    core: &mut D,
    now: Instant,
    incoming: Incoming,
    verdict: Result<(), RequestRefused>,
) -> CoreOutcome {
    if let Err(refused) = verdict {
        core.refuse(now, incoming, refused.message.as_deref());
        return CoreOutcome::Pending;
    }
    let req = incoming.req();
    let websocket = incoming.transport() == TransportKind::WebSocket;
    // `None` only if the request was aborted meanwhile, which cannot happen under the lock
    // nor while its verdict is awaited (dropping that aborts it); answer it anyway.
    match core.accept(now, incoming) {
        Some(_) if websocket => CoreOutcome::WebSocket(req),
        Some(_) => CoreOutcome::Pending,
        // Shut down while the verdict was awaited: answered `503` through `poll_transmit`.
        None if core.is_shut_down() => CoreOutcome::Pending,
        None => CoreOutcome::Respond(super::outcome::bad_request()),
    }
}

impl super::endpoint::Core for EngineServer {
    type App = EngineApp;

    fn dispatch(shared: &Arc<Shared<Self>>, event: &mut Option<EngineEvent>) {
        let io = EngineIo(shared.clone());
        // As for Socket.IO handlers: a panicking callback must not kill the task running it.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            if let Some(event) = event.take() {
                dispatch_one(&io, event);
            }
        }));
    }
}

fn dispatch_one(io: &EngineIo, event: EngineEvent) {
    let app = &io.0.app;
    match event {
        EngineEvent::Opened { sid, .. } => {
            if let Some(f) = read(&app.on_open) {
                f(io, &sid)
            }
        }
        EngineEvent::Message { sid, msg } => {
            if let Some(f) = read(&app.on_message) {
                f(io, sid, msg)
            }
        }
        EngineEvent::Closed { sid, reason } => {
            if let Some(f) = read(&app.on_close) {
                f(io, &sid, reason)
            }
        }
        EngineEvent::Upgraded { .. } => {}
    }
}
