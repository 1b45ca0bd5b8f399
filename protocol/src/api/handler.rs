//! Handlers: plain closures and closures returning a future are both accepted wherever a
//! handler is registered. The closure's return type picks the behaviour: `()` runs to
//! completion when called, a future is spawned on the runtime.

use super::event::Event;
use super::runtime::Runtime;
use super::socket::SocketRef;
use std::future::Future;
use std::sync::Arc;

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

/// Type-erased handlers, as stored.
pub(crate) type DynEvent = Arc<dyn Fn(SocketRef, Event) + Send + Sync>;
pub(crate) type DynConnect = Arc<dyn Fn(SocketRef) + Send + Sync>;

pub(crate) fn erase_event<F, R, M>(f: F) -> DynEvent
where
    F: Fn(SocketRef, Event) -> R + Send + Sync + 'static,
    R: HandlerOutput<M>,
{
    Arc::new(move |socket: SocketRef, event| {
        let runtime = socket.runtime();
        f(socket, event).finish(&*runtime)
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
