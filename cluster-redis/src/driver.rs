//! The Redis task of one node: a publishing connection and a subscribing one, the
//! subscriptions of every namespace, node counting, and reconnection with backoff.
//!
//! Requests this node publishes get cluster-unique wire ids (`{uid}{n}`); answers are matched
//! back to the core's request ids here, and answers to other nodes' requests are dropped
//! (they arrive on the shared response channel too).

use crate::adapter::Shared;
use crate::config::RedisConfig;
use crate::rt::{Rt, Sleep};
use crate::wire::{self, ChannelKind, Channels};
use async_channel::{Receiver, Sender};
use bytes::Bytes;
use futures_util::StreamExt;
use redis::aio::{MultiplexedConnection, PubSubSink, PubSubStream};
use redis::AsyncConnectionConfig;
use std::collections::HashMap;
use std::fmt::Display;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};
use tracing::{debug, info, warn};
use volley_protocol::server::{ClusterBody, ClusterMessage};
use volley_protocol::Str;

/// What the adapters ask of the task.
#[derive(Debug)]
pub(crate) enum Command {
    /// A namespace's adapter was created.
    Subscribe(Str),
    /// A namespace's adapter was dropped.
    Unsubscribe(Str),
    /// Carry a message to the other nodes.
    Publish(Box<ClusterMessage>),
}

/// Most commands handled (and publishes pipelined) in one go.
const BATCH: usize = 512;

/// Request timeout assumed when the message does not carry one (the reference's default).
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

struct Conn {
    publisher: MultiplexedConnection,
    sink: PubSubSink,
    stream: PubSubStream,
}

/// Why `serve` returned.
enum Stop {
    /// Every adapter (or the inbox) is gone.
    Shutdown,
    /// The connection failed; reconnect.
    Lost(String),
}

struct Pending {
    core: Str,
    expires: Instant,
}

/// What woke the serving loop.
enum Wake {
    Command(Option<Command>),
    Message(Option<redis::Msg>),
    Tick,
}

pub(crate) struct Driver {
    rt: Rt,
    config: RedisConfig,
    client: redis::Client,
    channels: Channels,
    shared: Arc<Shared>,
    commands: Receiver<Command>,
    inbox: Sender<ClusterMessage>,
    /// Namespaces with a live adapter (reference counts).
    nsps: HashMap<Str, usize>,
    /// Subscribed channel or pattern → namespace and what it carries.
    routes: HashMap<String, (Str, ChannelKind)>,
    /// Wire id of this node's requests → the core's id.
    pending: HashMap<Str, Pending>,
    next_request: u64,
    /// Messages not published since the connection was lost.
    dropped: u64,
}

fn failure(what: &str, e: impl Display) -> String {
    format!("{what}: {e}")
}

impl Driver {
    pub(crate) fn new(
        rt: Rt,
        config: RedisConfig,
        client: redis::Client,
        shared: Arc<Shared>,
        commands: Receiver<Command>,
        inbox: Sender<ClusterMessage>,
    ) -> Self {
        Driver {
            rt,
            channels: Channels::new(config.key.clone()),
            config,
            client,
            shared,
            commands,
            inbox,
            nsps: HashMap::new(),
            routes: HashMap::new(),
            pending: HashMap::new(),
            next_request: 0,
            dropped: 0,
        }
    }

    /// Connects, serves until the connection fails, waits, reconnects; ends when every
    /// adapter and the inbox are gone.
    pub(crate) async fn run(mut self) {
        let mut backoff = self.config.reconnect_min;
        let mut connected_before = false;
        loop {
            let error = match self.connect().await {
                Ok(conn) => {
                    info!(
                        url = %self.config.url,
                        uid = %self.shared.uid,
                        "redis adapter: {}, cluster delivery on",
                        if connected_before { "reconnected" } else { "connected" }
                    );
                    connected_before = true;
                    if self.dropped > 0 {
                        warn!(
                            dropped = self.dropped,
                            "redis adapter: cluster messages published while Redis was unreachable were not delivered to other nodes"
                        );
                        self.dropped = 0;
                    }
                    backoff = self.config.reconnect_min;
                    match self.serve(conn).await {
                        Stop::Shutdown => return,
                        Stop::Lost(e) => e,
                    }
                }
                Err(e) => e,
            };
            self.shared.reset_counts();
            warn!(
                url = %self.config.url,
                error = %error,
                retry_in = ?backoff,
                "redis adapter: Redis unreachable; local delivery continues, cluster delivery paused"
            );
            if !self.idle(backoff).await {
                return;
            }
            backoff = (backoff * 2).min(self.config.reconnect_max);
        }
    }

    async fn timed<T, E: Display>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T, E>>,
    ) -> Result<T, String> {
        match self.rt.timeout(self.config.command_timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(failure(what, e)),
            Err(_) => Err(failure(what, "timed out")),
        }
    }

    async fn connect(&mut self) -> Result<Conn, String> {
        let t = self.config.command_timeout;
        let cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(t))
            .set_response_timeout(Some(t));
        let publisher = self
            .timed(
                "connect",
                self.client
                    .get_multiplexed_async_connection_with_config(&cfg),
            )
            .await?;
        let pubsub = self
            .timed("connect (subscriber)", self.client.get_async_pubsub())
            .await?;
        let (sink, stream) = pubsub.split();
        let mut conn = Conn {
            publisher,
            sink,
            stream,
        };
        self.routes.clear();
        let nsps: Vec<Str> = self.nsps.keys().cloned().collect();
        for nsp in &nsps {
            self.subscribe(&mut conn, nsp).await?;
        }
        self.refresh_counts(&mut conn).await?;
        Ok(conn)
    }

    /// Waits `d` without Redis, keeping track of namespaces; publishes are dropped. Returns
    /// false when every adapter is gone.
    async fn idle(&mut self, d: Duration) -> bool {
        let mut sleep = self.rt.sleep_until(Instant::now() + d);
        loop {
            let cmd = {
                let mut recv = pin!(self.commands.recv());
                poll_fn(|cx| {
                    if sleep.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(None);
                    }
                    recv.as_mut().poll(cx).map(Some)
                })
                .await
            };
            match cmd {
                None => return true,
                Some(Err(_)) => return false,
                Some(Ok(Command::Subscribe(nsp))) => *self.nsps.entry(nsp).or_insert(0) += 1,
                Some(Ok(Command::Unsubscribe(nsp))) => {
                    self.release(&nsp);
                }
                Some(Ok(Command::Publish(_))) => self.dropped += 1,
            }
        }
    }

    /// Drops one reference to `nsp`; true when it was the last.
    fn release(&mut self, nsp: &Str) -> bool {
        match self.nsps.get_mut(nsp) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            Some(_) => {
                self.nsps.remove(nsp);
                self.shared.forget(nsp);
                true
            }
            None => false,
        }
    }

    async fn serve(&mut self, mut conn: Conn) -> Stop {
        let every = self.config.server_count_interval;
        let mut tick = self.rt.sleep_until(Instant::now() + every);
        let mut turn = 0usize;
        loop {
            turn = turn.wrapping_add(1);
            match next_wake(&self.commands, &mut conn.stream, &mut tick, turn).await {
                Wake::Command(cmd) => {
                    let Some(cmd) = cmd else {
                        return Stop::Shutdown;
                    };
                    if let Err(e) = self.handle_commands(&mut conn, cmd).await {
                        return Stop::Lost(e);
                    }
                }
                Wake::Message(msg) => {
                    let Some(msg) = msg else {
                        return Stop::Lost("subscription connection closed".into());
                    };
                    if !self.inbound(&msg).await {
                        return Stop::Shutdown;
                    }
                }
                Wake::Tick => {
                    if let Err(e) = self.refresh_counts(&mut conn).await {
                        return Stop::Lost(e);
                    }
                    let now = Instant::now();
                    self.pending.retain(|_, p| p.expires > now);
                    // Counted from now: a slow count delays the next one (no burst).
                    tick = self.rt.sleep_until(Instant::now() + every);
                }
            }
        }
    }

    async fn handle_commands(&mut self, conn: &mut Conn, first: Command) -> Result<(), String> {
        let mut pipe = redis::pipe();
        let mut publishes = 0;
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(cmd) = next.take() {
            match cmd {
                Command::Subscribe(nsp) => {
                    let n = self.nsps.entry(nsp.clone()).or_insert(0);
                    *n += 1;
                    if *n == 1 {
                        self.subscribe(conn, &nsp).await?;
                        self.refresh_counts(conn).await?;
                    }
                }
                Command::Unsubscribe(nsp) => {
                    if self.release(&nsp) {
                        self.unsubscribe(conn, &nsp).await?;
                    }
                }
                Command::Publish(msg) => {
                    if let Some(out) = self.prepare(*msg) {
                        pipe.cmd("PUBLISH")
                            .arg(out.channel)
                            .arg(out.payload)
                            .ignore();
                        publishes += 1;
                    }
                }
            }
            handled += 1;
            if handled < BATCH {
                next = self.commands.try_recv().ok();
            }
        }
        if publishes > 0 {
            let publisher = &mut conn.publisher;
            self.timed("publish", pipe.query_async::<()>(publisher))
                .await?;
        }
        Ok(())
    }

    /// Gives this node's requests a wire id and encodes the message.
    fn prepare(&mut self, mut msg: ClusterMessage) -> Option<wire::Outgoing> {
        if !wire::is_response(&msg.body) {
            let wait = match &msg.body {
                ClusterBody::Broadcast { opts, .. } | ClusterBody::FetchSockets { opts, .. } => {
                    opts.flags.timeout
                }
                _ => None,
            };
            if let Some(id) = wire::request_id_mut(&mut msg.body) {
                self.next_request += 1;
                let wire_id = Str::from(format!("{}{:x}", self.shared.uid, self.next_request));
                let expires = Instant::now()
                    + wait.unwrap_or(DEFAULT_REQUEST_TIMEOUT)
                    + self.config.response_grace;
                let core = std::mem::replace(id, wire_id.clone());
                self.pending.insert(wire_id, Pending { core, expires });
            }
        }
        match wire::encode(&self.channels, &msg, SystemTime::now()) {
            Ok(out) => Some(out),
            Err(e) => {
                warn!(error = %e, nsp = %msg.nsp, "redis adapter: message not published");
                None
            }
        }
    }

    async fn subscribe(&mut self, conn: &mut Conn, nsp: &Str) -> Result<(), String> {
        let ch = &self.channels;
        let pattern = ch.broadcast_pattern(nsp);
        let subs = [
            (ch.request(nsp), ChannelKind::Request),
            (ch.response(nsp), ChannelKind::Response),
            (ch.response_to(nsp, &self.shared.uid), ChannelKind::Response),
        ];
        let names: Vec<&String> = subs.iter().map(|(c, _)| c).collect();
        let t = self.config.command_timeout;
        let psub = self.rt.timeout(t, conn.sink.psubscribe(&pattern)).await;
        let sub = self.rt.timeout(t, conn.sink.subscribe(&names)).await;
        for r in [psub, sub] {
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(failure("subscribe", e)),
                Err(_) => return Err(failure("subscribe", "timed out")),
            }
        }
        self.routes
            .insert(pattern, (nsp.clone(), ChannelKind::Broadcast));
        for (c, kind) in subs {
            self.routes.insert(c, (nsp.clone(), kind));
        }
        debug!(nsp = %nsp, "redis adapter: subscribed");
        Ok(())
    }

    async fn unsubscribe(&mut self, conn: &mut Conn, nsp: &Str) -> Result<(), String> {
        let owned: Vec<(String, ChannelKind)> = self
            .routes
            .iter()
            .filter(|(_, (n, _))| n == nsp)
            .map(|(c, (_, k))| (c.clone(), *k))
            .collect();
        for (c, kind) in &owned {
            self.routes.remove(c);
            let t = self.config.command_timeout;
            let r = match kind {
                ChannelKind::Broadcast => self.rt.timeout(t, conn.sink.punsubscribe(c)).await,
                _ => self.rt.timeout(t, conn.sink.unsubscribe(c)).await,
            };
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(failure("unsubscribe", e)),
                Err(_) => return Err(failure("unsubscribe", "timed out")),
            }
        }
        Ok(())
    }

    /// PUBSUB NUMSUB of every namespace's request channel.
    async fn refresh_counts(&mut self, conn: &mut Conn) -> Result<(), String> {
        let requests: Vec<(&String, &Str)> = self
            .routes
            .iter()
            .filter(|(_, (_, k))| *k == ChannelKind::Request)
            .map(|(c, (nsp, _))| (c, nsp))
            .collect();
        if requests.is_empty() {
            return Ok(());
        }
        let mut cmd = redis::cmd("PUBSUB");
        cmd.arg("NUMSUB");
        for (c, _) in &requests {
            cmd.arg(c.as_str());
        }
        let publisher = &mut conn.publisher;
        let reply: Vec<redis::Value> = self
            .timed("PUBSUB NUMSUB", cmd.query_async(publisher))
            .await?;
        for pair in reply.chunks(2) {
            let [redis::Value::BulkString(name), redis::Value::Int(n)] = pair else {
                continue;
            };
            let name = String::from_utf8_lossy(name);
            if let Some((_, nsp)) = requests.iter().find(|(c, _)| c.as_str() == name) {
                self.shared.set_count(nsp, usize::try_from(*n).unwrap_or(0));
            }
        }
        Ok(())
    }

    /// Decodes a message from Redis and hands it to the server. Returns false once the
    /// inbox is gone.
    async fn inbound(&mut self, msg: &redis::Msg) -> bool {
        let key = match msg.get_pattern::<Option<String>>() {
            Ok(Some(pattern)) => pattern,
            _ => msg.get_channel_name().to_owned(),
        };
        let Some((nsp, kind)) = self.routes.get(&key).cloned() else {
            return true;
        };
        let bytes = Bytes::copy_from_slice(msg.get_payload_bytes());
        let mut m = match wire::decode(kind, &nsp, &bytes, SystemTime::now()) {
            Ok(Some(m)) => m,
            Ok(None) => return true,
            Err(e) => {
                debug!(channel = msg.get_channel_name(), error = %e, "redis adapter: ignoring a malformed message");
                return true;
            }
        };
        if m.uid == self.shared.uid {
            return true;
        }
        if wire::is_response(&m.body) {
            let Some(id) = wire::request_id_mut(&mut m.body) else {
                return true;
            };
            // Answers to other nodes' requests reach everyone on the shared channel.
            let Some(p) = self.pending.get(id.as_str()) else {
                return true;
            };
            *id = p.core.clone();
            m.to = Some(self.shared.uid.clone());
        }
        self.inbox.send(m).await.is_ok()
    }
}

/// Waits for a command, a message from Redis or the count tick, polling them in turns so
/// that a steady stream of one cannot starve the others.
async fn next_wake(
    commands: &Receiver<Command>,
    stream: &mut PubSubStream,
    tick: &mut Sleep,
    turn: usize,
) -> Wake {
    let mut recv = pin!(commands.recv());
    let mut poll_command =
        |cx: &mut Context<'_>| recv.as_mut().poll(cx).map(|r| Wake::Command(r.ok()));
    let mut poll_message = |cx: &mut Context<'_>| stream.poll_next_unpin(cx).map(Wake::Message);
    poll_fn(|cx| {
        if tick.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Wake::Tick);
        }
        let first = if turn % 2 == 0 {
            poll_command(cx)
        } else {
            poll_message(cx)
        };
        if first.is_ready() {
            return first;
        }
        if turn % 2 == 0 {
            poll_message(cx)
        } else {
            poll_command(cx)
        }
    })
    .await
}
