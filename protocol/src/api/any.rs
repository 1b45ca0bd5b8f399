//! A socket's catch-all listeners: [`SocketRef::on_any`] (hears every incoming event, before
//! the event middleware and the handler, as the reference's `socket.onAny`),
//! [`SocketRef::on_fallback`] (the handler of events that have none of their own) and
//! [`SocketRef::on_any_outgoing`] (every event sent to the socket).

use super::dispatch::contained;
use super::event::Event;
use super::handler::{erase_event, HandlerOutput};
use super::socket::SocketRef;
use std::sync::Arc;

/// A listener that borrows an event: `on_any` and `on_any_outgoing`.
pub(crate) type DynListener = Arc<dyn Fn(SocketRef, &Event) + Send + Sync>;

/// The `on_any` listeners, in call order. Replaced (not changed) on registration, so that an
/// event's dispatch holds a snapshot: a listener added or removed meanwhile applies from the
/// next event on, as with the reference's copy of its listener array.
pub(crate) type AnyListeners = Arc<[DynListener]>;

fn erase_listener<F, R, M>(f: F) -> DynListener
where
    F: Fn(SocketRef, &Event) -> R + Send + Sync + 'static,
    R: HandlerOutput<M>,
{
    Arc::new(move |socket: SocketRef, event: &Event| {
        let runtime = socket.runtime();
        f(socket, event).finish(&*runtime);
    })
}

/// Lets every `on_any` listener hear `event`, in order; they may answer its acknowledgement
/// through [`Event::shared_ack`].
pub(crate) fn hear(socket: &SocketRef, event: &Event, listeners: &[DynListener]) {
    for listener in listeners {
        // A panicking listener keeps neither the others nor the handler from the event (the
        // panic hook reported it).
        contained(|| listener(socket.clone(), event));
    }
}

impl SocketRef {
    /// Adds a listener that hears every event the client sends on this socket (the
    /// reference's `socket.onAny`), in addition to the event's own handler: listeners run
    /// first, in the order they were added, then the event middleware
    /// ([`middleware`](Self::middleware)), then the handler (or the
    /// [`fallback`](Self::on_fallback)) — so a listener also hears the events a middleware
    /// refuses, and those without any handler. The event is validated before: a malformed
    /// one closes the client and no listener hears it.
    ///
    /// The listener borrows the event (its name, [`args`](Event::args),
    /// [`values`](Event::values), [`binary`](Event::binary) …); it may return a future, which
    /// is spawned. If the client asked for an acknowledgement, a listener may answer it with
    /// [`Event::shared_ack`]: the first answer (a listener's or the handler's) is the one
    /// sent.
    ///
    /// Earlier versions of Volley gave the name `on_any` to a handler for the events that
    /// have no handler of their own; that is now [`on_fallback`](Self::on_fallback).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_any(|socket, event| {
    ///     println!("{} sent {} ({} arguments)", socket.id(), event.name(), event.len());
    /// });
    /// socket.on("chat", |_socket, _event| { /* also runs, after the listener */ });
    /// # }
    /// ```
    pub fn on_any<F, R, M>(&self, listener: F)
    where
        F: Fn(SocketRef, &Event) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        self.add_any(erase_listener(listener), false);
    }

    /// Like [`on_any`](Self::on_any), but the listener runs before those already added (the
    /// reference's `socket.prependAny`).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_any(|_socket, event| println!("second: {}", event.name()));
    /// socket.prepend_any(|_socket, event| println!("first: {}", event.name()));
    /// # }
    /// ```
    pub fn prepend_any<F, R, M>(&self, listener: F)
    where
        F: Fn(SocketRef, &Event) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        self.add_any(erase_listener(listener), true);
    }

    fn add_any(&self, listener: DynListener, first: bool) {
        let mut state = self.entry.state();
        let any = &mut state.rare().any;
        let old = any.as_deref().unwrap_or_default().iter().cloned();
        let new = std::iter::once(listener);
        *any = Some(match first {
            true => new.chain(old).collect(),
            false => old.chain(new).collect(),
        });
    }

    /// Removes every [`on_any`](Self::on_any) listener (the reference's `socket.offAny()`; a
    /// closure has no identity to remove one by, so there is no `offAny(listener)`). The
    /// [`fallback`](Self::on_fallback) stays: [`off_fallback`](Self::off_fallback) removes it.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_any(|_socket, event| println!("got {}", event.name()));
    /// socket.on("quiet", |socket, _event| socket.off_any());
    /// # }
    /// ```
    pub fn off_any(&self) {
        if let Some(rare) = self.entry.state().rare.as_mut() {
            rare.any = None;
        }
    }

    /// Sets the fallback handler (replacing any previous one): called for the events that
    /// have no handler of their own, after the event middleware, and it may acknowledge them
    /// like any handler. Unlike [`on_any`](Self::on_any) listeners, it does not hear events
    /// that have a handler, nor events a middleware refused. Plain closures run in order as
    /// events arrive; closures returning a future are spawned.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on("known", |_socket, _event| {});
    /// socket.on_fallback(|_socket, mut event| {
    ///     let _ = event.ack(&"unknown event");
    ///     println!("no handler for {}", event.name());
    /// });
    /// # }
    /// ```
    pub fn on_fallback<F, R, M>(&self, handler: F)
    where
        F: Fn(SocketRef, Event) -> R + Send + Sync + 'static,
        R: HandlerOutput<M>,
    {
        self.entry.state().rare().fallback = Some(erase_event(handler));
    }

    /// Removes the [`fallback`](Self::on_fallback) handler.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_fallback(|_socket, event| println!("unhandled event {}", event.name()));
    /// socket.on("quiet", |socket, _event| socket.off_fallback());
    /// # }
    /// ```
    pub fn off_fallback(&self) {
        if let Some(rare) = self.entry.state().rare.as_mut() {
            rare.fallback = None;
        }
    }

    /// Called with every event sent to this socket: its own emits (with or without an ack,
    /// volatile ones too) and the broadcasts from this node that reach it (the reference's
    /// `socket.onAnyOutgoing`). Acks answering the client's events are not events and do
    /// not count. The event's [`wants_ack`](Event::wants_ack) is always false here.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_any_outgoing(|socket, event| {
    ///     println!("to {}: {} ({} arguments)", socket.id(), event.name(), event.len());
    /// });
    /// # }
    /// ```
    pub fn on_any_outgoing(&self, f: impl Fn(SocketRef, &Event) + Send + Sync + 'static) {
        let first = {
            let mut state = self.entry.state();
            let outgoing = &mut state.rare().outgoing;
            outgoing.push(Arc::new(f));
            outgoing.len() == 1
        };
        if first {
            use std::sync::atomic::Ordering;
            self.io
                .app
                .outgoing_listeners
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Removes every [`on_any_outgoing`](Self::on_any_outgoing) listener (the reference's
    /// `socket.offAnyOutgoing()`).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # fn f(socket: SocketRef) {
    /// socket.on_any_outgoing(|_socket, event| println!("sent {}", event.name()));
    /// socket.on("quiet", |socket, _event| socket.off_any_outgoing());
    /// # }
    /// ```
    pub fn off_any_outgoing(&self) {
        let had = (self.entry.state().rare.as_mut())
            .is_some_and(|r| !std::mem::take(&mut r.outgoing).is_empty());
        if had {
            use std::sync::atomic::Ordering;
            self.io
                .app
                .outgoing_listeners
                .fetch_sub(1, Ordering::Relaxed);
        }
    }
}
