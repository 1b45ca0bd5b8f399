//! Handlers: plain closures and closures returning a future are both accepted wherever a
//! handler is registered. The closure's return type picks the behaviour: `()` runs to
//! completion when called, a future is spawned on the runtime.

use super::event::{AckResponder, Event};
use super::incoming::{Delivery, Incoming};
use super::runtime::Runtime;
use super::socket::SocketRef;
use crate::socket::TypedArgsError;
use crate::Str;
use serde::de::DeserializeOwned;
use std::any::TypeId;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

/// Marker for handlers that return `()`.
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # fn f(socket: SocketRef) {
/// // Returns `()`: a plain handler.
/// socket.on("a", |_socket, _event| {});
/// # }
/// ```
#[derive(Debug)]
pub enum Plain {}
/// Marker for handlers that return a future.
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # fn f(socket: SocketRef) {
/// // Returns a future: an async handler, spawned.
/// socket.on("b", |_socket, _event| async {});
/// # }
/// ```
#[derive(Debug)]
pub enum Async {}

/// What a handler returns: `()` (done) or a future (spawned on the runtime).
///
/// Plain handlers run in the task that received the event, in order, before the next event
/// of that connection is read — keep them short. Async handlers are spawned.
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # fn f(socket: SocketRef) {
/// socket.on("plain", |socket, _event| {
///     let _ = socket.emit("done", &());
/// });
/// socket.on("async", |socket, _event| async move {
///     let _ = socket.emit("done", &());
/// });
/// # }
/// ```
pub trait HandlerOutput<M>: Send + 'static {
    /// Finishes the handler call: nothing to do, or spawn the future.
    fn finish(self, runtime: &dyn Runtime);
}

impl HandlerOutput<Plain> for () {
    fn finish(self, _runtime: &dyn Runtime) {}
}

impl<Fut> HandlerOutput<Async> for Fut
where
    Fut: Future<Output = ()> + Send + 'static,
{
    fn finish(self, runtime: &dyn Runtime) {
        runtime.spawn(Box::pin(self));
    }
}

/// Type-erased handlers, as stored. An event handler takes the event as it arrived and says
/// whether it was called (the dispatcher closes the client for a malformed one).
pub(crate) type DynEvent = Arc<EventFn>;
pub(crate) type EventFn = dyn Fn(SocketRef, Incoming) -> Delivery + Send + Sync;
pub(crate) type DynConnect = Arc<dyn Fn(SocketRef) + Send + Sync>;

/// An untyped handler: the event is validated in full before it is called.
pub(crate) fn erase_event<F, R, M>(f: F) -> DynEvent
where
    F: Fn(SocketRef, Event) -> R + Send + Sync + 'static,
    R: HandlerOutput<M>,
{
    Arc::new(move |socket: SocketRef, incoming: Incoming| {
        let Ok(event) = incoming.into_event() else {
            return Delivery::Malformed;
        };
        let runtime = socket.runtime();
        f(socket, event).finish(&*runtime);
        Delivery::Handled
    })
}

/// A typed handler: the arguments are deserialized into `T` in the one pass that also
/// validates them; it is called only when that succeeds.
pub(crate) fn erase_args<T, F, R, M>(f: F) -> DynEvent
where
    T: DeserializeOwned + 'static,
    F: Fn(SocketRef, T, Option<AckResponder>) -> R + Send + Sync + 'static,
    R: HandlerOutput<M>,
{
    Arc::new(move |socket: SocketRef, incoming: Incoming| {
        // Only read when the skip below is logged: the name is gone with `incoming`.
        let name = tracing::enabled!(tracing::Level::DEBUG).then(|| incoming.name().to_owned());
        match incoming.into_args::<T>() {
            Ok((args, ack)) => {
                let runtime = socket.runtime();
                f(socket, args, ack).finish(&*runtime);
                Delivery::Handled
            }
            Err(TypedArgsError::Malformed(_)) => Delivery::Malformed,
            Err(TypedArgsError::Mismatch(e)) => {
                // Silent to the client (as documented on `on_args`); the one hint a developer
                // gets when a handler "never fires".
                tracing::debug!(
                    socket = %socket.id(),
                    event = name.as_deref().unwrap_or_default(),
                    "typed handler not called: the arguments do not match its types ({e})"
                );
                Delivery::Mismatch
            }
        }
    })
}

pub(crate) fn erase_connect<F, R, M>(f: F) -> DynConnect
where
    F: Fn(SocketRef) -> R + Send + Sync + 'static,
    R: HandlerOutput<M>,
{
    Arc::new(move |socket: SocketRef| {
        let runtime = socket.runtime();
        f(socket).finish(&*runtime)
    })
}

/// Closures that capture nothing, erased once per type and shared: every socket that registers
/// the same capture-free handler holds the same allocation. Bounded like the name interner.
static STATELESS_EVENT: Mutex<Vec<(TypeId, DynEvent)>> = Mutex::new(Vec::new());

/// `erase(f)`, sharing the erased handler when `F` captures nothing (a zero-sized closure has
/// no state, so one instance serves every socket).
pub(crate) fn share_stateless<F: 'static>(f: F, erase: impl FnOnce(F) -> DynEvent) -> DynEvent {
    if std::mem::size_of::<F>() != 0 {
        return erase(f);
    }
    let id = TypeId::of::<F>();
    let mut known = STATELESS_EVENT
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, h)) = known.iter().find(|(t, _)| *t == id) {
        return h.clone();
    }
    let h = erase(f);
    if known.len() < 256 {
        known.push((id, h.clone()));
    }
    h
}

/// [`erase_event`], shared when `F` captures nothing (see [`share_stateless`]).
pub(crate) fn erase_event_shared<F, R, M>(f: F) -> DynEvent
where
    F: Fn(SocketRef, Event) -> R + Send + Sync + 'static,
    R: HandlerOutput<M>,
{
    share_stateless(f, erase_event)
}

/// `handler` for the first `name` event it takes: once it ran, it removes itself from the
/// socket's handlers (unless another handler replaced it meanwhile, which then stays). An
/// event a typed handler skips (its arguments do not fit) leaves it in place, armed.
pub(crate) fn erase_once(name: Str, handler: DynEvent) -> DynEvent {
    let me: Arc<OnceLock<Weak<EventFn>>> = Arc::default();
    let fired = AtomicBool::new(false);
    let slot = me.clone();
    let wrapped: DynEvent = Arc::new(move |socket: SocketRef, incoming: Incoming| {
        if fired.swap(true, Ordering::AcqRel) {
            // A second event that found this handler before it was removed.
            return incoming.unhandled();
        }
        let delivery = handler(socket.clone(), incoming);
        if delivery == Delivery::Mismatch {
            fired.store(false, Ordering::Release);
            return delivery;
        }
        if let Some(me) = slot.get() {
            socket.entry.state().handlers.remove_if(&name, |h| {
                std::ptr::addr_eq(Arc::as_ptr(h), Weak::as_ptr(me))
            });
        }
        delivery
    });
    let _ = me.set(Arc::downgrade(&wrapped));
    wrapped
}

/// An event handler list shared by sockets (see [`HandlerList::share`]).
pub(crate) type SharedHandlers = Arc<[(Str, DynEvent)]>;

/// A socket's event handlers: its own list while it is being set up, then (if every handler
/// is capture-free, see [`HandlerList::share`]) one list shared by all sockets of the
/// namespace that registered the same handlers.
#[derive(Clone, Default)]
pub(crate) enum HandlerList {
    #[default]
    Empty,
    Own(Vec<(Str, DynEvent)>),
    Shared(SharedHandlers),
}

impl HandlerList {
    fn as_slice(&self) -> &[(Str, DynEvent)] {
        match self {
            HandlerList::Empty => &[],
            HandlerList::Own(v) => v,
            HandlerList::Shared(s) => s,
        }
    }

    /// The list as this socket's own, copying a shared one.
    fn own(&mut self) -> &mut Vec<(Str, DynEvent)> {
        if !matches!(self, HandlerList::Own(_)) {
            *self = HandlerList::Own(self.as_slice().to_vec());
        }
        match self {
            HandlerList::Own(v) => v,
            _ => unreachable!("just made it Own"),
        }
    }

    /// The handler for `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&DynEvent> {
        self.as_slice()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, h)| h)
    }

    /// Sets the handler for `name`, replacing any.
    pub(crate) fn set(&mut self, name: Str, handler: DynEvent) {
        let list = self.own();
        match list.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = handler,
            None => list.push((name, handler)),
        }
    }

    /// Removes the handler for `name`.
    pub(crate) fn remove(&mut self, name: &str) {
        self.remove_if(name, |_| true);
    }

    /// Removes the handler for `name` if `which` says it is the one to remove.
    pub(crate) fn remove_if(&mut self, name: &str, which: impl Fn(&DynEvent) -> bool) {
        if self.get(name).is_some_and(&which) {
            self.own().retain(|(n, h)| n != name || !which(h));
        }
    }

    /// Swaps this socket's own list for an equal one from `known` (adding it there if there
    /// is room), when every handler in it is capture-free: then sharing is invisible, and
    /// nothing a closure captured is kept alive by the namespace.
    pub(crate) fn share(&mut self, known: &mut Vec<SharedHandlers>) {
        let HandlerList::Own(list) = self else {
            return;
        };
        if list.iter().any(|(_, h)| std::mem::size_of_val(&**h) != 0) {
            return;
        }
        let same = |s: &&SharedHandlers| {
            s.len() == list.len()
                && s.iter().zip(list.iter()).all(|((n1, h1), (n2, h2))| {
                    n1 == n2 && std::ptr::addr_eq(Arc::as_ptr(h1), Arc::as_ptr(h2))
                })
        };
        if let Some(shared) = known.iter().find(same) {
            *self = HandlerList::Shared(shared.clone());
        } else if known.len() < 16 {
            let shared: SharedHandlers = Arc::from(std::mem::take(list));
            known.push(shared.clone());
            *self = HandlerList::Shared(shared);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(list: &HandlerList) -> Vec<&str> {
        list.as_slice().iter().map(|(n, _)| n.as_str()).collect()
    }

    fn register(list: &mut HandlerList) {
        list.set(Str::from("a"), erase_event_shared(|_s, _e| {}));
        list.set(Str::from("b"), erase_event_shared(|_s, _e| {}));
    }

    #[test]
    fn sockets_registering_the_same_capture_free_handlers_share_one_list() {
        let mut known = Vec::new();
        let (mut first, mut second) = (HandlerList::default(), HandlerList::default());
        for list in [&mut first, &mut second] {
            register(list);
            list.share(&mut known);
        }
        assert_eq!(known.len(), 1);
        match (&first, &second) {
            (HandlerList::Shared(a), HandlerList::Shared(b)) => assert!(Arc::ptr_eq(a, b)),
            _ => panic!("both lists should be shared"),
        }
        // Changing one socket's handlers copies its list; the other keeps the shared one.
        second.remove("a");
        assert_eq!(named(&second), ["b"]);
        assert_eq!(named(&first), ["a", "b"]);
        assert!(first.get("a").is_some() && second.get("a").is_none());
    }

    #[test]
    fn a_list_with_a_capturing_handler_stays_the_sockets_own() {
        let mut known = Vec::new();
        let mut list = HandlerList::default();
        let state = Arc::new(5u8);
        list.set(
            Str::from("c"),
            erase_event_shared(move |_s, _e| {
                let _ = *state;
            }),
        );
        list.share(&mut known);
        assert!(known.is_empty());
        assert!(matches!(list, HandlerList::Own(_)));
    }
}
