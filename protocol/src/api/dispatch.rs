//! The Socket.IO core behind the endpoint, and the dispatch of its events (connections,
//! events, acks, disconnects) to the user's handlers and middleware.

use super::ack::{AckError, AckReply, BroadcastAcks};
use super::connecting::{Connecting, Init};
use super::event::{AckResponder, Event};
use super::handler::DynEvent;
use super::incoming::{Delivery, Gate, Incoming};
use super::io::{IoShared, NsEntry, SioApp};
use super::middleware::{run_middleware, EventRefused, EventVerdict, Later};
use super::ops::args_of;
use super::socket::{lock, read, write, DynEventMiddleware, SocketEntry, SocketRef, SocketState};
use crate::server::{
    AckId, AckOutcome, ConnectRequest, DisconnectReason, Event as ServerEvent, Handshake, Payload,
    RequestResult, Server, SocketId,
};
use crate::socket::{ConnectError, UncheckedEvent};
use crate::Str;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

impl super::endpoint::Core for Server {
    type App = SioApp;

    fn dispatch(shared: &Arc<IoShared>, event: &mut Option<ServerEvent>) {
        // A panicking handler must not take down the task that happened to run it (a
        // connection's, or the server's timer): the panic hook has reported it already.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            if let Some(event) = event.take() {
                dispatch_one(shared, event);
            }
        }));
    }

    fn departure_depth(&self) -> usize {
        self.layer().departure_depth()
    }

    fn poll_event_above(&mut self, floor: usize) -> Option<ServerEvent> {
        Server::poll_event_above(self, floor)
    }

    fn close_sessions(&mut self, now: std::time::Instant) {
        Server::close_sessions(self, now)
    }
}

fn dispatch_one(io: &Arc<IoShared>, event: ServerEvent) {
    match event {
        ServerEvent::Connect(req) => on_connect(io, req),
        ServerEvent::Event {
            socket,
            nsp,
            payload,
            ack,
        } => on_event(io, socket, &nsp, payload, ack),
        ServerEvent::Unchecked { socket, event } => on_unchecked(io, socket, event),
        ServerEvent::Ack {
            socket,
            id,
            outcome,
        } => on_ack(io, socket, id, outcome),
        ServerEvent::BroadcastAck {
            id,
            replies,
            expected,
            timed_out,
        } => {
            if let Some(tx) = lock(&io.app.broadcast_acks).remove(&id) {
                let replies = replies
                    .into_iter()
                    .filter_map(|p| args_of(&Str::new(), p, false))
                    .map(|args| AckReply { socket: None, args })
                    .collect();
                let _ = tx.send(BroadcastAcks {
                    replies,
                    expected,
                    timed_out,
                });
            }
        }
        ServerEvent::Disconnecting { socket, reason, .. } => on_disconnecting(io, &socket, reason),
        ServerEvent::Disconnect { socket, reason, .. } => on_disconnect(io, &socket, reason),
        ServerEvent::Upgraded { socket } => {
            if let Some(entry) = entry(io, &socket) {
                super::transport::on_upgraded(io, entry);
            }
        }
        ServerEvent::RequestDone {
            id,
            result: RequestResult::FetchSockets(sockets),
            ..
        } => {
            if let Some(tx) = lock(&io.app.fetches).remove(&id) {
                tx.send(io, sockets);
            }
        }
        ServerEvent::ServerSideEmit {
            nsp,
            payload,
            reply_to,
        } => {
            let ns = read(&io.app.namespaces).get(&nsp).cloned();
            let handler = ns.and_then(|ns| read(&ns.server_side).clone());
            let args = args_of(&nsp, payload, true);
            if let (Some(handler), Some(args)) = (handler, args) {
                if let Some(name) = args.name().map(Str::from) {
                    // `serverSideEmitWithAck`: the event's ack answers the asking node.
                    let ack = reply_to.map(|to| AckResponder::cluster(io.clone(), nsp, to));
                    handler(Event::new(name, args, ack));
                }
            }
        }
        ServerEvent::RequestDone {
            id,
            result,
            timed_out,
        } => super::cluster::on_request_done(io, id, result, timed_out),
    }
}

fn entry(io: &IoShared, id: &SocketId) -> Option<Arc<SocketEntry>> {
    read(&io.app.sockets).get(id).cloned()
}

fn refuse(io: &IoShared, req: ConnectRequest, error: ConnectError) {
    io.with_core(|st, _| st.core.refuse_connect(req, error));
}

fn on_connect(io: &Arc<IoShared>, req: ConnectRequest) {
    let ns = read(&io.app.namespaces).get(req.nsp()).cloned();
    let ns = ns.or_else(|| super::dynamic::create_child(io, &req));
    let Some(ns) = ns else {
        refuse(io, req, ConnectError::new("Invalid namespace"));
        return;
    };
    let middleware = read(&ns.middleware).clone();
    let skip = req.is_recovery() && io.app.skip_middlewares_on_recovery;
    if middleware.is_empty() || skip {
        admit(io, &ns, req, None);
        return;
    }
    let connecting = Connecting::new(Arc::new(Handshake::new(
        req.head.clone(),
        io.runtime.now(),
        req.auth().clone(),
    )));
    // A panicking middleware refuses the client (the panic hook reported it); unanswered,
    // the client would wait for its CONNECT until it gave up.
    let panicked = || ConnectError::new(MIDDLEWARE_PANICKED);
    match contained(|| run_middleware(&middleware, &connecting)) {
        Some(Ok(None)) => admit(io, &ns, req, Some(connecting.into_init())),
        Some(Ok(Some(rest))) => {
            let io2 = io.clone();
            io.runtime.spawn(Box::pin(async move {
                match Contained(Box::pin(rest)).await {
                    Some(Ok(())) => admit(&io2, &ns, req, Some(connecting.into_init())),
                    Some(Err(e)) => refuse(&io2, req, e),
                    None => refuse(&io2, req, panicked()),
                }
            }));
        }
        Some(Err(e)) => refuse(io, req, e),
        None => refuse(io, req, panicked()),
    }
}

/// The `connect_error` message of a client whose connect middleware panicked.
const MIDDLEWARE_PANICKED: &str = "Internal server error";

/// Accepts the CONNECT, registers the socket (under the core lock, so no event of it can be
/// dispatched before), runs the connection handlers, then replays events that raced them.
/// `init` is what the connect middleware left for the socket.
fn admit(io: &Arc<IoShared>, ns: &Arc<NsEntry>, req: ConnectRequest, init: Option<Init>) {
    let nsp = ns.name.clone();
    let entry = io.with_core(|st, now| {
        let id = st.core.accept_connect(now, req).ok()?;
        super::dynamic::keep_child(io, ns);
        let socket = st.core.socket(&id)?;
        let (key, handshake) = (socket.key(), socket.shared_handshake().clone());
        let entry = Arc::new(SocketEntry::new(id.clone(), key, nsp, handshake));
        if let Some(init) = init {
            init.apply(&mut st.core, &entry);
        }
        write(&io.app.sockets).insert(id, entry.clone());
        Some(entry)
    });
    let Some(entry) = entry else { return };
    let socket = SocketRef {
        io: io.clone(),
        entry: entry.clone(),
    };
    let handlers = read(&ns.on_connection).clone();
    for h in handlers {
        // A panicking handler must not leave the gate closed: the client's events would then
        // pile up in it, unhandled, for as long as it stays connected.
        contained(|| h(socket.clone()));
    }
    entry.state().handlers.share(&mut lock(&ns.handler_lists));
    // Events that raced the connection handlers, in order (an async event middleware may
    // hold the rest back again).
    drain_gate(&socket);
}

fn responder(io: &Arc<IoShared>, socket: &SocketEntry, ack: Option<AckId>) -> Option<AckResponder> {
    ack.map(|ack| AckResponder {
        io: io.clone(),
        socket: socket.key,
        id: ack,
        reply_to: None,
        answered: Default::default(),
    })
}

fn on_event(io: &Arc<IoShared>, id: SocketId, nsp: &Str, payload: Payload, ack: Option<AckId>) {
    let Some(entry) = entry(io, &id) else { return };
    let Some(args) = args_of(nsp, payload, true) else {
        return;
    };
    let Some(name) = args.name().map(Str::from) else {
        return;
    };
    let ack = responder(io, &entry, ack);
    deliver(io, entry, Incoming::Checked(Event::new(name, args, ack)));
}

fn on_unchecked(io: &Arc<IoShared>, id: SocketId, event: UncheckedEvent) {
    // A socket already gone (its client closed, e.g. for an earlier malformed event of the
    // same batch) gets nothing more.
    let Some(entry) = entry(io, &id) else { return };
    let ack = responder(io, &entry, event.id());
    deliver(io, entry, Incoming::Unchecked { event, ack });
}

/// Hands the event to the socket's handler, or buffers it while its connection handlers or an
/// async event middleware run (a client that makes that buffer overflow is closed).
fn deliver(io: &Arc<IoShared>, entry: Arc<SocketEntry>, incoming: Incoming) {
    let incoming = {
        let mut state = entry.state();
        match state.gate.as_mut() {
            Some(gate) => {
                let fits = gate.push(incoming, io.app.gate_limit);
                drop(state);
                if !fits {
                    // Past the per-client buffer bound: closed as an outgoing overflow is.
                    super::ops::close_overflowed(io, &entry.id);
                }
                return;
            }
            None => incoming,
        }
    };
    let socket = SocketRef {
        io: io.clone(),
        entry,
    };
    let _ = process(&socket, incoming);
}

/// Where an event stands after [`process`].
enum Step {
    /// Handled (or refused); false: the client was closed for it, nothing more of it goes.
    Done(bool),
    /// An async middleware holds it; the socket's later events wait in its gate.
    Pending,
}

/// Lets the socket's `on_any` listeners hear the event, then runs its event middleware, then
/// the handler (the reference's order). Listeners and middleware see the event validated (as
/// the reference's see its decoded array), all of them the one [`Event`]; from the first
/// async middleware on, the rest runs in a spawned task and the socket's next events wait
/// for it. A socket with neither hands the event to its handler as it came.
fn process(socket: &SocketRef, incoming: Incoming) -> Step {
    let (middleware, any) = {
        let state = socket.entry.state();
        match state.rare.as_deref() {
            Some(rare) if !rare.middleware.is_empty() || rare.any.is_some() => {
                (rare.middleware.clone(), rare.any.clone())
            }
            // Neither: the handler is found under the same lock.
            _ => {
                let handler = handler_for(&state, incoming.name());
                drop(state);
                return Step::Done(run_handler(socket, handler, incoming));
            }
        }
    };
    let event = match incoming.into_event() {
        Ok(event) => event,
        Err(_) => {
            super::ops::close_malformed(&socket.io, socket.id());
            return Step::Done(false);
        }
    };
    if let Some(any) = any {
        super::any::hear(socket, &event, &any);
    }
    for (i, m) in middleware.iter().enumerate() {
        // A panicking middleware drops the event (the panic hook reported it).
        let Some(verdict) = contained(|| m(socket, &event)) else {
            return Step::Done(true);
        };
        match verdict {
            EventVerdict::Now(Ok(())) => continue,
            EventVerdict::Now(Err(refused)) => {
                report_refusal(socket, refused);
                return Step::Done(true);
            }
            EventVerdict::Later(first) => {
                {
                    let mut state = socket.entry.state();
                    state.gate.get_or_insert_with(Gate::default);
                }
                let rest = middleware[i + 1..].to_vec();
                let socket = socket.clone();
                let runtime = socket.io.runtime.clone();
                runtime.spawn(Box::pin(async move {
                    let decided =
                        Contained(Box::pin(later_stage(socket.clone(), first, rest, event)));
                    // A panic on the way (a middleware, the handler) drops that event; the
                    // socket's next events still go through.
                    if decided.await.unwrap_or(true) {
                        drain_gate(&socket);
                    } else {
                        socket.entry.state().gate = None;
                    }
                }));
                return Step::Pending;
            }
        }
    }
    // A listener or a middleware may have disconnected the socket: then, as with the
    // reference, the event goes nowhere.
    if !socket.connected() {
        return Step::Done(true);
    }
    Step::Done(call_handler(socket, Incoming::Checked(event)))
}

/// The rest of an event's way once a middleware answered with a future: the later
/// middlewares, then the handler. False when the client was closed for the event.
async fn later_stage(
    socket: SocketRef,
    first: Later<EventRefused>,
    rest: Vec<DynEventMiddleware>,
    event: Event,
) -> bool {
    let mut verdict = first.await;
    for m in rest {
        if verdict.is_err() {
            break;
        }
        verdict = match m(&socket, &event) {
            EventVerdict::Now(r) => r,
            EventVerdict::Later(f) => f.await,
        };
    }
    match verdict {
        Err(refused) => {
            report_refusal(&socket, refused);
            true
        }
        Ok(()) => !socket.connected() || call_handler(&socket, Incoming::Checked(event)),
    }
}

/// Delivers the events that waited in the socket's gate, in order, then opens it; stops (the
/// gate still closed) when one waits for an async middleware, which drains the rest later.
fn drain_gate(socket: &SocketRef) {
    loop {
        let next = {
            let mut state = socket.entry.state();
            match state.gate.as_mut().and_then(Gate::pop) {
                Some(next) => next,
                None => {
                    state.gate = None;
                    return;
                }
            }
        };
        match process(socket, next) {
            Step::Pending => return,
            Step::Done(true) => {}
            Step::Done(false) => {
                socket.entry.state().gate = None;
                return;
            }
        }
    }
}

/// Runs `f`, containing a panic (`None`); the panic hook has reported it already.
pub(crate) fn contained<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

/// A future whose panic is contained: `None` instead of unwinding into the task.
struct Contained<F>(Pin<Box<F>>);

impl<F: Future> Future for Contained<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match contained(|| self.0.as_mut().poll(cx)) {
            Some(Poll::Pending) => Poll::Pending,
            Some(Poll::Ready(out)) => Poll::Ready(Some(out)),
            None => Poll::Ready(None),
        }
    }
}

/// The socket's `on_error` handlers hear an event middleware's refusal.
fn report_refusal(socket: &SocketRef, refused: EventRefused) {
    let handlers = (socket.entry.state().rare.as_ref())
        .map(|r| r.error.clone())
        .unwrap_or_default();
    for h in handlers {
        contained(|| h(socket.clone(), refused.clone()));
    }
}

/// Calls the handler for the event (its own, else the fallback). A malformed event closes
/// the client, as the decoder would have: then false, and the caller delivers nothing more of
/// that socket. Without any handler, the event is still validated for that.
fn call_handler(socket: &SocketRef, incoming: Incoming) -> bool {
    let handler = handler_for(&socket.entry.state(), incoming.name());
    run_handler(socket, handler, incoming)
}

/// The handler of event `name`, else the socket's fallback.
fn handler_for(state: &SocketState, name: &str) -> Option<DynEvent> {
    state
        .handlers
        .get(name)
        .cloned()
        .or_else(|| state.rare.as_ref().and_then(|r| r.fallback.clone()))
}

fn run_handler(socket: &SocketRef, handler: Option<DynEvent>, incoming: Incoming) -> bool {
    let delivery = match handler {
        // A panicking handler counts as handled (the panic hook reported it): the socket's
        // later events still reach their handlers.
        Some(h) => contained(|| h(socket.clone(), incoming)).unwrap_or(Delivery::Handled),
        None => incoming.unhandled(),
    };
    if delivery == Delivery::Malformed {
        super::ops::close_malformed(&socket.io, socket.id());
        return false;
    }
    true
}

fn on_ack(io: &IoShared, socket: SocketId, id: AckId, outcome: AckOutcome) {
    let Some(tx) = lock(&io.app.acks).remove(&(socket.clone(), id)) else {
        return;
    };
    let result = match outcome {
        // The client was closed after the reply was read (a malformed event it sent before,
        // found so while this batch was dispatched): the reference never reads the reply.
        AckOutcome::Reply(_) if entry(io, &socket).is_none() => Err(AckError::Disconnected),
        AckOutcome::Reply(payload) => match args_of(&Str::new(), payload, false) {
            Some(args) => Ok(AckReply {
                socket: Some(socket),
                args,
            }),
            // The decoder validated the JSON; an unreadable reply counts as none.
            None => Err(AckError::Timeout),
        },
        AckOutcome::Timeout => Err(AckError::Timeout),
        AckOutcome::Disconnected => Err(AckError::Disconnected),
    };
    let _ = tx.send(result);
}

/// The socket started leaving: its disconnecting handlers run while it is still in its
/// namespace and rooms (as the reference's `disconnecting` listeners do), then it leaves them
/// and its disconnect handlers follow (dispatched from within `finish`, before the next event
/// of this batch: one socket's leaving is not interleaved with the next one's). The handlers
/// are synchronous, so the socket leaves at a point the app knows and no handler can keep it
/// half-gone for long; a task one of them spawns may find it gone, as the code after an
/// `await` in an async `disconnecting` listener of the reference does.
fn on_disconnecting(io: &Arc<IoShared>, id: &SocketId, reason: DisconnectReason) {
    let entry = entry(io, id);
    if let Some(entry) = &entry {
        let handlers = (entry.state().rare.as_ref())
            .map(|r| r.disconnecting.clone())
            .unwrap_or_default();
        let socket = SocketRef {
            io: io.clone(),
            entry: entry.clone(),
        };
        for h in handlers {
            // One panicking handler must not keep the others from hearing the socket leave,
            // nor the socket from leaving.
            contained(|| h(socket.clone(), reason));
        }
    }
    io.with_core(|st, _| {
        let data = st.core.finish_disconnect(id).ok();
        // Disconnect handlers still read the `data` it left with.
        if let (Some(data), Some(entry)) = (data, &entry) {
            entry.state().rare().leaving_data = Some(data);
        }
    });
}

/// The socket left its namespace and rooms: its disconnect handlers run, then the API
/// forgets it.
fn on_disconnect(io: &Arc<IoShared>, id: &SocketId, reason: DisconnectReason) {
    let Some(entry) = write(&io.app.sockets).remove(id) else {
        return;
    };
    super::dynamic::forget_if_removed(io, &entry.nsp);
    // Taken, not read: with `off_any_outgoing`, whoever empties the list uncounts it.
    let listened =
        (entry.state().rare.as_mut()).is_some_and(|r| !std::mem::take(&mut r.outgoing).is_empty());
    if listened {
        use std::sync::atomic::Ordering;
        io.app.outgoing_listeners.fetch_sub(1, Ordering::Relaxed);
    }
    let handlers = (entry.state().rare.as_ref())
        .map(|r| r.disconnect.clone())
        .unwrap_or_default();
    let socket = SocketRef {
        io: io.clone(),
        entry,
    };
    for h in handlers {
        contained(|| h(socket.clone(), reason));
    }
}
