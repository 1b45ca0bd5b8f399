//! The adapter the Socket.IO core talks to: a local room index plus the cluster hooks, which
//! hand messages to the Redis task without blocking.

use crate::config::RedisConfig;
use crate::driver::{Command, Driver};
use crate::error::RedisAdapterError;
use crate::rt::Rt;
use async_channel::{Receiver, Sender};
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, PoisonError};
use volley_protocol::server::{
    Adapter, AdapterFactory, ClusterMessage, InMemoryAdapter, Room, RoomIndex, SocketKey,
};
use volley_protocol::Str;

/// State shared by the adapters of one node and its Redis task.
#[derive(Debug)]
pub(crate) struct Shared {
    /// This node's id in the cluster.
    pub(crate) uid: Str,
    /// Nodes serving each namespace (PUBSUB NUMSUB of its request channel), this one included.
    counts: Mutex<HashMap<Str, usize>>,
}

impl Shared {
    pub(crate) fn new(uid: Str) -> Self {
        Shared {
            uid,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<Str, usize>> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn count(&self, nsp: &str) -> usize {
        self.counts().get(nsp).copied().unwrap_or(1).max(1)
    }

    pub(crate) fn set_count(&self, nsp: &Str, n: usize) {
        self.counts().insert(nsp.clone(), n.max(1));
    }

    /// While Redis is unreachable this node is alone: requests complete with local answers
    /// instead of waiting for nodes that cannot hear them.
    pub(crate) fn reset_counts(&self) {
        self.counts().values_mut().for_each(|n| *n = 1);
    }

    pub(crate) fn forget(&self, nsp: &str) {
        self.counts().remove(nsp);
    }
}

/// Messages from other nodes, for the local server (`handle_cluster_message`). Feed every one
/// to the server; when the inbox is not read, the Redis task waits (back-pressure) rather than
/// buffering without bound.
#[derive(Debug)]
pub struct ClusterInbox {
    rx: Receiver<ClusterMessage>,
}

impl ClusterInbox {
    /// The next message; `None` once the Redis task has stopped.
    pub async fn recv(&mut self) -> Option<ClusterMessage> {
        self.rx.recv().await.ok()
    }

    /// A message if one is waiting.
    pub fn try_recv(&mut self) -> Option<ClusterMessage> {
        self.rx.try_recv().ok()
    }
}

/// Creates a [`RedisAdapter`] per namespace; all of them share one Redis task (one publishing
/// and one subscribing connection per node).
#[derive(Debug, Clone)]
pub struct RedisAdapterFactory {
    shared: Arc<Shared>,
    commands: Sender<Command>,
}

impl RedisAdapterFactory {
    /// Starts the Redis task on the caller's runtime (the current tokio runtime with feature
    /// `tokio`, else async-std's executor with feature `async-std` or `smol`; see the crate
    /// docs) and returns the factory to give
    /// the server (`SocketLayer::with_adapters`) and the inbox of messages from other nodes.
    ///
    /// It does not wait for Redis: when Redis is down the node serves its own clients and
    /// the task keeps reconnecting with backoff, logging each attempt.
    pub fn start(config: RedisConfig) -> Result<(Self, ClusterInbox), RedisAdapterError> {
        let runtime = Rt::current().ok_or(RedisAdapterError::NoRuntime)?;
        let client = redis::Client::open(config.url.as_str()).map_err(|source| {
            RedisAdapterError::InvalidUrl {
                url: config.url.clone(),
                source,
            }
        })?;
        let shared = Arc::new(Shared::new(new_uid()));
        let (commands, commands_rx) = async_channel::unbounded();
        let (inbox_tx, rx) = async_channel::bounded(config.inbox_capacity.max(1));
        let driver = Driver::new(
            runtime.clone(),
            config,
            client,
            shared.clone(),
            commands_rx,
            inbox_tx,
        );
        runtime.spawn(driver.run());
        Ok((
            RedisAdapterFactory { shared, commands },
            ClusterInbox { rx },
        ))
    }

    /// This node's id in the cluster (the reference's adapter `uid`).
    pub fn uid(&self) -> &Str {
        &self.shared.uid
    }

    /// Nodes currently serving `nsp`, this one included (1 while Redis is unreachable).
    pub fn server_count(&self, nsp: &str) -> usize {
        self.shared.count(nsp)
    }

    /// An adapter for `nsp`, outside of a server (tests, tools).
    pub fn adapter(&self, nsp: &Str) -> RedisAdapter {
        let _ = self.commands.try_send(Command::Subscribe(nsp.clone()));
        RedisAdapter {
            nsp: nsp.clone(),
            local: InMemoryAdapter::new(),
            shared: self.shared.clone(),
            commands: self.commands.clone(),
        }
    }
}

impl AdapterFactory for RedisAdapterFactory {
    fn create(&mut self, nsp: &Str) -> Box<dyn Adapter> {
        Box::new(self.adapter(nsp))
    }
}

/// One namespace's adapter: rooms are indexed locally (as in the reference); what the
/// server publishes goes to Redis in the reference's format.
#[derive(Debug)]
pub struct RedisAdapter {
    nsp: Str,
    local: InMemoryAdapter,
    shared: Arc<Shared>,
    commands: Sender<Command>,
}

impl Drop for RedisAdapter {
    fn drop(&mut self) {
        let _ = self
            .commands
            .try_send(Command::Unsubscribe(self.nsp.clone()));
    }
}

impl Adapter for RedisAdapter {
    fn add_all(&mut self, socket: SocketKey, rooms: &[Room]) {
        self.local.add_all(socket, rooms);
    }

    fn del(&mut self, socket: SocketKey, room: &str) {
        self.local.del(socket, room);
    }

    fn del_all(&mut self, socket: SocketKey) {
        self.local.del_all(socket);
    }

    fn socket_rooms(&self, socket: SocketKey) -> &[Room] {
        self.local.socket_rooms(socket)
    }

    fn plan(&self, rooms: &[Room], except: &[Room], out: &mut Vec<SocketKey>) {
        self.local.plan(rooms, except, out);
    }

    fn all_rooms(&self, out: &mut Vec<Room>) {
        self.local.all_rooms(out);
    }

    fn index(&self) -> Option<&RoomIndex> {
        self.local.index()
    }

    fn server_uid(&self) -> Option<&Str> {
        Some(&self.shared.uid)
    }

    fn server_count(&self) -> usize {
        self.shared.count(&self.nsp)
    }

    fn publish(&mut self, message: ClusterMessage) {
        // The task only stops when every adapter is gone; a send cannot fail before that.
        let _ = self.commands.try_send(Command::Publish(Box::new(message)));
    }
}

const UID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random 8-character node id (the reference uses 6 random characters).
fn new_uid() -> Str {
    // RandomState is seeded from the OS; the time and pid make ids of processes that share
    // a seed differ too.
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    let mut bits = h.finish();
    let mut id = String::with_capacity(8);
    for _ in 0..8 {
        id.push(UID_ALPHABET[(bits % UID_ALPHABET.len() as u64) as usize] as char);
        bits /= UID_ALPHABET.len() as u64;
    }
    Str::from(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_eight_alphanumerics_and_differ() {
        let a = new_uid();
        let b = new_uid();
        assert_eq!(a.len(), 8);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn counts_never_drop_below_one_and_reset_to_one() {
        let s = Shared::new(Str::from("me"));
        assert_eq!(s.count("/"), 1);
        s.set_count(&Str::from("/"), 0);
        assert_eq!(s.count("/"), 1);
        s.set_count(&Str::from("/"), 3);
        assert_eq!(s.count("/"), 3);
        s.reset_counts();
        assert_eq!(s.count("/"), 1);
    }
}
