//! Futures for acknowledgements the server asked a client (or many) for.

use super::remote_socket::RemoteSocket;
use crate::server::SocketId;
use crate::socket::{Args, Value};
use bytes::Bytes;
use futures_channel::oneshot;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Why an acknowledgement did not arrive.
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # async fn f(socket: SocketRef) {
/// match socket.emit_with_ack("ping", &()).unwrap().await {
///     Ok(_) => {}
///     Err(volley_protocol::api::AckError::Timeout) => println!("no answer in time"),
///     Err(e) => println!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AckError {
    /// The client did not answer within the timeout.
    #[error("acknowledgement timed out")]
    Timeout,
    /// The socket disconnected before answering. Volley settles the wait at once; the
    /// reference instead keeps the callback until its timeout fires (or forever without one).
    #[error("socket disconnected before acknowledging")]
    Disconnected,
    /// The server shut down.
    #[error("server closed")]
    Closed,
}

/// The arguments a client acknowledged with.
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # async fn f(socket: SocketRef) {
/// if let Ok(reply) = socket.emit_with_ack("sum", &(1, 2)).unwrap().await {
///     let total: i64 = reply.arg(0).unwrap_or_default();
///     # let _ = total;
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AckReply {
    pub(crate) socket: Option<SocketId>,
    pub(crate) args: Args,
}

impl AckReply {
    /// The socket that answered (known for a single-socket emit, not for a broadcast).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// let reply = socket.emit_with_ack("hi", &()).unwrap().await.unwrap();
    /// assert_eq!(reply.socket(), Some(socket.id()));
    /// # }
    /// ```
    pub fn socket(&self) -> Option<&SocketId> {
        self.socket.as_ref()
    }
    /// All arguments as one sequence (a tuple, a `Vec`, …).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// let reply = socket.emit_with_ack("pair?", &()).unwrap().await.unwrap();
    /// let (name, age): (String, u32) = reply.args().unwrap();
    /// # let _ = (name, age);
    /// # }
    /// ```
    pub fn args<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        self.args.deserialize()
    }
    /// Argument `i`.
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// let reply = socket.emit_with_ack("count?", &()).unwrap().await.unwrap();
    /// let n: u64 = reply.arg(0).unwrap();
    /// # let _ = n;
    /// # }
    /// ```
    pub fn arg<T: DeserializeOwned>(&self, i: usize) -> Result<T, serde_json::Error> {
        self.args.get(i)
    }
    /// All arguments as [`Value`]s, binary parts as [`Value::Binary`]: the way to read a reply
    /// that carries binary (the client acked with a `Buffer`, an `ArrayBuffer`, …), which
    /// [`args`](Self::args) into `serde_json::Value` cannot hold (Socket.IO sends binary as
    /// attachments; `args`/`arg` into types with byte fields, like `Vec<u8>` or
    /// `serde_bytes::ByteBuf`, read it too).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// use volley_protocol::api::Value;
    /// let reply = socket.emit_with_ack("thumbnail?", &()).unwrap().await.unwrap();
    /// for value in reply.values().unwrap_or_default() {
    ///     if let Value::Binary(bytes) = value {
    ///         println!("{} bytes", bytes.len());
    ///     }
    /// }
    /// # }
    /// ```
    pub fn values(&self) -> Result<Vec<Value>, serde_json::Error> {
        self.args.values()
    }

    /// The binary attachments of the reply, in order (the JSON of the arguments holds
    /// placeholders for them).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// let reply = socket.emit_with_ack("file?", &()).unwrap().await.unwrap();
    /// let total: usize = reply.binary().iter().map(|b| b.len()).sum();
    /// # let _ = total;
    /// # }
    /// ```
    pub fn binary(&self) -> &[Bytes] {
        self.args.attachments()
    }

    /// The raw arguments (for forwarding).
    ///
    /// ```
    /// # use volley_protocol::api::SocketRef;
    /// # async fn f(socket: SocketRef) {
    /// let reply = socket.emit_with_ack("state?", &()).unwrap().await.unwrap();
    /// // Pass the client's answer on to everyone else, unparsed.
    /// let _ = socket.broadcast().emit_forward("state", reply.raw());
    /// # }
    /// ```
    pub fn raw(&self) -> &Args {
        &self.args
    }
}

/// Resolves to the client's acknowledgement, or an error on timeout or disconnect.
///
/// Returned by [`SocketRef::emit_with_ack`](super::SocketRef::emit_with_ack) and
/// [`RemoteSocket::emit_with_ack`](super::RemoteSocket::emit_with_ack).
///
/// ```
/// # use volley_protocol::api::SocketRef;
/// # async fn f(socket: SocketRef) {
/// let answer = socket.emit_with_ack("question", &"6 x 7?").unwrap();
/// let reply = answer.await;
/// # let _ = reply;
/// # }
/// ```
#[must_use = "an ack future does nothing unless awaited"]
pub struct AckFuture(AckWait);

enum AckWait {
    /// A socket of this node, asked directly.
    Socket(oneshot::Receiver<Result<AckReply, AckError>>),
    /// A socket anywhere in the cluster, asked through a broadcast to its own room that
    /// expects one answer (the reference's `RemoteSocket` emit with an ack).
    Broadcast {
        rx: oneshot::Receiver<BroadcastAcks>,
        socket: SocketId,
    },
}

impl AckFuture {
    pub(crate) fn socket(rx: oneshot::Receiver<Result<AckReply, AckError>>) -> Self {
        AckFuture(AckWait::Socket(rx))
    }

    pub(crate) fn broadcast(rx: oneshot::Receiver<BroadcastAcks>, socket: SocketId) -> Self {
        AckFuture(AckWait::Broadcast { rx, socket })
    }
}

/// The one answer of a broadcast to a single socket: no answer and no timeout means no node
/// held the socket any more.
fn single_answer(acks: BroadcastAcks, socket: &SocketId) -> Result<AckReply, AckError> {
    match acks.replies.into_iter().next() {
        Some(mut reply) => {
            reply.socket = Some(socket.clone());
            Ok(reply)
        }
        None if acks.timed_out => Err(AckError::Timeout),
        None => Err(AckError::Disconnected),
    }
}

impl Future for AckFuture {
    type Output = Result<AckReply, AckError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            AckWait::Socket(rx) => Pin::new(rx)
                .poll(cx)
                .map(|r| r.unwrap_or(Err(AckError::Closed))),
            AckWait::Broadcast { rx, socket } => Pin::new(rx).poll(cx).map(|r| match r {
                Ok(acks) => single_answer(acks, socket),
                Err(_) => Err(AckError::Closed),
            }),
        }
    }
}

/// The acknowledgements of a broadcast: one reply per socket that answered in time.
///
/// ```
/// # use volley_protocol::api::Io;
/// # async fn f(io: Io) {
/// use std::time::Duration;
/// let acks = io.timeout(Duration::from_secs(1)).emit_with_ack("vote", &()).unwrap().await;
/// for reply in &acks.replies {
///     let choice: String = reply.arg(0).unwrap_or_default();
///     # let _ = choice;
/// }
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct BroadcastAcks {
    /// Replies received, in arrival order.
    pub replies: Vec<AckReply>,
    /// How many sockets the broadcast reached.
    pub expected: usize,
    /// The timeout passed before every reached socket (and, in a cluster, every node) answered.
    pub timed_out: bool,
}

impl BroadcastAcks {
    /// True when every reached socket answered in time (in a cluster: and every node said how
    /// many sockets it reached, which the reference requires too).
    ///
    /// ```
    /// use volley_protocol::api::BroadcastAcks;
    /// let mut acks = BroadcastAcks { replies: Vec::new(), expected: 0, timed_out: false };
    /// assert!(acks.complete());
    /// acks.timed_out = true; // a node never said how many sockets it reached
    /// assert!(!acks.complete());
    /// ```
    pub fn complete(&self) -> bool {
        !self.timed_out && self.replies.len() >= self.expected
    }
}

/// Resolves once every reached socket answered or the timeout passed; on timeout the
/// replies received so far are kept ([`BroadcastAcks::complete`] is then false).
///
/// Returned by [`BroadcastOperator::emit_with_ack`](super::BroadcastOperator::emit_with_ack).
///
/// ```
/// # use volley_protocol::api::Io;
/// # async fn f(io: Io) {
/// use std::time::Duration;
/// let future = io.to("voters").timeout(Duration::from_secs(1)).emit_with_ack("vote", &()).unwrap();
/// let acks = future.await;
/// println!("{}/{} answered", acks.replies.len(), acks.expected);
/// # }
/// ```
#[must_use = "an ack future does nothing unless awaited"]
pub struct BroadcastAckFuture(Gather<BroadcastAcks>);

impl BroadcastAckFuture {
    pub(crate) fn new(rx: oneshot::Receiver<BroadcastAcks>, expected: usize) -> Self {
        let unanswered = BroadcastAcks {
            replies: Vec::new(),
            expected,
            timed_out: false,
        };
        BroadcastAckFuture(Gather::one(rx, unanswered))
    }

    /// One future for several broadcasts (a dynamic parent's children): their replies together.
    pub(crate) fn merge(all: impl IntoIterator<Item = BroadcastAckFuture>) -> Self {
        BroadcastAckFuture(Gather::merge(all.into_iter().map(|f| f.0)))
    }
}

impl Future for BroadcastAckFuture {
    type Output = BroadcastAcks;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BroadcastAcks> {
        self.0.poll(cx)
    }
}

/// Answers to one or more requests, put together as they arrive.
struct Gather<T> {
    /// Requests still unanswered, each with what counts as its answer if it never comes.
    parts: Vec<(oneshot::Receiver<T>, T)>,
    done: T,
}

/// An answer that can take in another one.
trait Absorb: Default {
    fn absorb(&mut self, other: Self);
}

impl Absorb for BroadcastAcks {
    fn absorb(&mut self, other: Self) {
        self.replies.extend(other.replies);
        self.expected += other.expected;
        self.timed_out |= other.timed_out;
    }
}

impl<T> Absorb for Vec<T> {
    fn absorb(&mut self, other: Self) {
        self.extend(other);
    }
}

impl<T: Absorb> Gather<T> {
    fn one(rx: oneshot::Receiver<T>, unanswered: T) -> Self {
        Gather {
            parts: vec![(rx, unanswered)],
            done: T::default(),
        }
    }

    fn merge(all: impl Iterator<Item = Gather<T>>) -> Self {
        let mut merged = Gather {
            parts: Vec::new(),
            done: T::default(),
        };
        for g in all {
            merged.parts.extend(g.parts);
            merged.done.absorb(g.done);
        }
        merged
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<T> {
        let mut i = 0;
        while i < self.parts.len() {
            match Pin::new(&mut self.parts[i].0).poll(cx) {
                Poll::Ready(answer) => {
                    let (_, unanswered) = self.parts.swap_remove(i);
                    self.done.absorb(answer.unwrap_or(unanswered));
                }
                Poll::Pending => i += 1,
            }
        }
        if self.parts.is_empty() {
            Poll::Ready(std::mem::take(&mut self.done))
        } else {
            Poll::Pending
        }
    }
}

pub(crate) type AckSender = oneshot::Sender<Result<AckReply, AckError>>;
pub(crate) type BroadcastAckSender = oneshot::Sender<BroadcastAcks>;

/// Resolves to the sockets a selection matches on every node of the cluster (just this node
/// without a cluster adapter), as [`RemoteSocket`]s that can act on them wherever they are.
/// Returned by
/// [`BroadcastOperator::fetch_all_sockets`](super::BroadcastOperator::fetch_all_sockets).
///
/// ```
/// # use volley_protocol::api::Io;
/// # async fn f(io: Io) {
/// let everywhere = io.to("lobby").fetch_all_sockets().await;
/// for socket in everywhere {
///     println!("{} in {:?}", socket.id, socket.rooms);
/// }
/// # }
/// ```
#[must_use = "a fetch does nothing unless awaited"]
pub struct FetchSocketsFuture(Gather<Vec<RemoteSocket>>);

impl FetchSocketsFuture {
    pub(crate) fn new(rx: oneshot::Receiver<Vec<RemoteSocket>>) -> Self {
        FetchSocketsFuture(Gather::one(rx, Vec::new()))
    }

    /// One future for several requests (a dynamic parent's children): their sockets together.
    pub(crate) fn merge(all: impl IntoIterator<Item = FetchSocketsFuture>) -> Self {
        FetchSocketsFuture(Gather::merge(all.into_iter().map(|f| f.0)))
    }
}

impl Future for FetchSocketsFuture {
    type Output = Vec<RemoteSocket>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.poll(cx)
    }
}
