//! The operations behind the handles ([`super::Io`], [`super::Namespace`], sockets and broadcast
//! operators): each takes the core lock, acts, and flushes what the core queued.

use super::ack::{AckFuture, BroadcastAckFuture, BroadcastAcks, FetchSocketsFuture};
use super::event::{EmitError, Event};
use super::io::IoShared;
use super::remote_socket::FetchSender;
use super::socket::{lock, read, SocketRef};
use crate::server::{BroadcastOptions, Payload, Room, SocketId, SocketKey};
use crate::socket::{Args, RawArgs};
use crate::Str;
use futures_channel::oneshot;
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn payload(raw: RawArgs) -> Payload {
    Payload::with_attachments(raw.json, raw.attachments)
}

/// The arguments of a received event or ack payload (validated by the decoder; argument
/// boundaries are found only if a handler asks for them).
pub(crate) fn args_of(_nsp: &Str, payload: Payload, event: bool) -> Option<Args> {
    Args::from_decoded(payload.data, event, payload.attachments)
}

pub(crate) fn is_connected(io: &IoShared, id: &SocketId) -> bool {
    read(&io.app.sockets).contains_key(id)
}

/// Whether any socket listens to its outgoing events (`on_any_outgoing`).
fn listened(io: &IoShared) -> bool {
    io.app
        .outgoing_listeners
        .load(std::sync::atomic::Ordering::Relaxed)
        > 0
}

/// Tells the `on_any_outgoing` listeners of `targets` about the event in `payload`.
fn notify_outgoing(io: &Arc<IoShared>, nsp: &Str, targets: &[SocketId], payload: Payload) {
    let mut event = None;
    for id in targets {
        let Some(entry) = read(&io.app.sockets).get(id).cloned() else {
            continue;
        };
        let listeners = (entry.state().rare.as_ref())
            .map(|r| r.outgoing.clone())
            .unwrap_or_default();
        if listeners.is_empty() {
            continue;
        }
        if event.is_none() {
            let Some(args) = args_of(nsp, payload.clone(), true) else {
                return;
            };
            let name = Str::from(args.name().unwrap_or_default());
            event = Some(Event::new(name, args, None));
        }
        let Some(event) = event.as_ref() else { return };
        let socket = SocketRef {
            io: io.clone(),
            entry,
        };
        for listener in listeners {
            listener(socket.clone(), event);
        }
    }
}

pub(crate) fn emit_to_socket(
    io: &Arc<IoShared>,
    id: &SocketId,
    nsp: &Str,
    raw: RawArgs,
    volatile: bool,
) -> Result<(), EmitError> {
    let payload = payload(raw);
    let copy = listened(io).then(|| payload.clone());
    io.with_core(|st, _| {
        if volatile {
            st.core.emit_volatile(id, payload)
        } else {
            st.core.emit(id, payload)
        }
    })
    .map_err(|_| EmitError::Disconnected)?;
    if let Some(payload) = copy {
        notify_outgoing(io, nsp, std::slice::from_ref(id), payload);
    }
    Ok(())
}

pub(crate) fn send_ack(io: &IoShared, key: SocketKey, ack: u64, raw: RawArgs) {
    let payload = payload(raw);
    // A socket that left no longer needs its answer.
    let _ = io.with_core(|st, _| st.core.ack_key(key, ack, payload));
}

/// Acknowledges with the arguments of `args` unchanged, written straight into the reply.
pub(crate) fn send_ack_forward(io: &IoShared, key: SocketKey, ack: u64, args: &Args) {
    let attachments = args.attachments().to_vec();
    super::forward::with_ack_payload(args, |len, write| {
        // A socket that left no longer needs its answer.
        let _ = io.with_core(|st, _| st.core.ack_with(key, ack, attachments, len, write));
    });
}

pub(crate) fn emit_with_ack(
    io: &Arc<IoShared>,
    id: &SocketId,
    nsp: &Str,
    raw: RawArgs,
    timeout: Duration,
) -> Result<AckFuture, EmitError> {
    let (tx, rx) = oneshot::channel();
    let payload = payload(raw);
    let copy = listened(io).then(|| payload.clone());
    io.with_core(|st, now| {
        let ack = st.core.emit_with_ack(now, id, payload, Some(timeout))?;
        // Registered under the core lock: the answer cannot be dispatched before.
        lock(&io.app.acks).insert((id.clone(), ack), tx);
        Ok(())
    })
    .map_err(|_: crate::server::ServerError| EmitError::Disconnected)?;
    if let Some(payload) = copy {
        notify_outgoing(io, nsp, std::slice::from_ref(id), payload);
    }
    Ok(AckFuture::socket(rx))
}

pub(crate) fn broadcast(io: &Arc<IoShared>, nsp: &Str, opts: &BroadcastOptions, raw: RawArgs) {
    let payload = payload(raw);
    let copy = listened(io).then(|| payload.clone());
    // An unknown namespace has no sockets to reach.
    let targets = io.with_core(|st, _| {
        let targets = copy.as_ref().map(|_| st.core.select(nsp, opts));
        let _ = st.core.broadcast(nsp, opts, payload);
        targets
    });
    if let (Some(payload), Some(targets)) = (copy, targets) {
        notify_outgoing(io, nsp, &targets, payload);
    }
}

pub(crate) fn broadcast_with_ack(
    io: &Arc<IoShared>,
    nsp: &Str,
    opts: &BroadcastOptions,
    raw: RawArgs,
) -> BroadcastAckFuture {
    let (rx, expected) = start_broadcast_with_ack(io, nsp, opts, raw);
    BroadcastAckFuture::new(rx, expected)
}

/// Sends a broadcast with acks (`opts.flags.timeout` set); the receiver gets the replies once
/// all arrived or the timeout passed. Also returns how many local sockets it reached.
pub(crate) fn start_broadcast_with_ack(
    io: &Arc<IoShared>,
    nsp: &Str,
    opts: &BroadcastOptions,
    raw: RawArgs,
) -> (oneshot::Receiver<BroadcastAcks>, usize) {
    let (tx, rx) = oneshot::channel();
    let payload = payload(raw);
    let copy = listened(io).then(|| payload.clone());
    let (expected, targets) = io.with_core(|st, now| {
        let targets = copy.as_ref().map(|_| st.core.select(nsp, opts));
        match st.core.broadcast_with_ack(now, nsp, opts, payload) {
            Ok(handle) => {
                lock(&io.app.broadcast_acks).insert(handle.id, tx);
                (handle.local_expected, targets)
            }
            Err(_) => {
                let _ = tx.send(BroadcastAcks::default());
                (0, None)
            }
        }
    });
    if let (Some(payload), Some(targets)) = (copy, targets) {
        notify_outgoing(io, nsp, &targets, payload);
    }
    (rx, expected)
}

pub(crate) fn fetch_sockets(
    io: &Arc<IoShared>,
    nsp: &Str,
    opts: &BroadcastOptions,
) -> Vec<SocketRef> {
    let ids = io.with_core(|st, _| st.core.select(nsp, opts));
    let sockets = read(&io.app.sockets);
    ids.iter()
        .filter_map(|id| sockets.get(id))
        .map(|entry| SocketRef {
            io: io.clone(),
            entry: entry.clone(),
        })
        .collect()
}

pub(crate) fn fetch_all_sockets(
    io: &IoShared,
    nsp: &Str,
    opts: &BroadcastOptions,
) -> FetchSocketsFuture {
    let (tx, rx) = oneshot::channel();
    io.with_core(|st, now| {
        let id = st.core.fetch_sockets(now, nsp, opts);
        // Registered under the core lock; a single node answers within this very call, and
        // its `RequestDone` is dispatched after the lock is released.
        lock(&io.app.fetches).insert(id, FetchSender::new(tx, nsp.clone()));
    });
    FetchSocketsFuture::new(rx)
}

pub(crate) fn sockets_join(io: &IoShared, nsp: &Str, opts: &BroadcastOptions, rooms: &[Room]) {
    io.with_core(|st, _| st.core.sockets_join(nsp, opts, rooms));
}

pub(crate) fn sockets_leave(io: &IoShared, nsp: &Str, opts: &BroadcastOptions, room: &str) {
    let room = Str::from(room);
    io.with_core(|st, _| st.core.sockets_leave(nsp, opts, &[room]));
}

pub(crate) fn disconnect_sockets(io: &IoShared, nsp: &Str, opts: &BroadcastOptions, close: bool) {
    io.with_core(|st, _| st.core.disconnect_sockets(nsp, opts, close));
}

pub(crate) fn join(io: &IoShared, id: &SocketId, room: Room) {
    join_many(io, id, &[room]);
}

pub(crate) fn join_many(io: &IoShared, id: &SocketId, rooms: &[Room]) {
    let _ = io.with_core(|st, _| st.core.join(id, rooms));
}

pub(crate) fn leave(io: &IoShared, id: &SocketId, room: &str) {
    let _ = io.with_core(|st, _| st.core.leave(id, room));
}

pub(crate) fn rooms(io: &IoShared, id: &SocketId) -> Option<Vec<Room>> {
    io.with_core(|st, _| st.core.rooms(id))
}

/// Closes the client of `id`, which sent a malformed event (its sockets see `forced close`).
pub(crate) fn close_malformed(io: &IoShared, id: &SocketId) {
    io.with_core(|st, _| st.core.close_malformed(id));
}

/// Closes the client of `id`, whose events waiting for the app went past the per-client
/// buffer bound (its sockets see `transport buffer full`).
pub(crate) fn close_overflowed(io: &IoShared, id: &SocketId) {
    io.with_core(|st, _| st.core.close_overflowed(id));
}

pub(crate) fn disconnect(io: &IoShared, id: &SocketId, close: bool) {
    let _ = io.with_core(|st, _| st.core.disconnect(id, close));
}
