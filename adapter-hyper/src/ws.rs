//! WebSocket transport: the HTTP upgrade, then one task per connection that reads frames into
//! the core and writes the core's queued frames in batches. Generic over the runtime's
//! tungstenite stream.

use crate::cork::CorkNext;
use crate::ws_handshake::{check_handshake, Refused};
use crate::{IoRuntime, UpgradedIo};
use bytes::Bytes;
use futures_util::future::{select, Either};
use futures_util::{Sink, SinkExt, Stream};
use http_body_util::Full;
use hyper::http::request::Parts;
use hyper::upgrade::OnUpgrade;
use hyper::{header, Response, StatusCode};
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};
use tungstenite::handshake::derive_accept_key;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tungstenite::{Error as WsError, Message, Utf8Bytes};
use volley_protocol::api::{Endpoint, WsLink, WsUpgrade};
use volley_protocol::engine::WsFrame;
use volley_protocol::Str;

/// tungstenite's own read buffer, allocated for every connection and kept while it is idle,
/// so small (idle memory per connection is a target); it is also the most the codec takes per
/// read, which [`UpgradedIo`] serves from one larger socket read. Bigger messages grow the
/// buffer only while they are read.
const READ_BUFFER: usize = 64;
/// Frames are gathered up to this many bytes before a write to the socket.
const WRITE_BUFFER: usize = 8 * 1024;
/// Frames read in one wake-up of a connection task before it yields to other tasks (after
/// flushing what it wrote).
const READ_BURST: usize = 64;
/// How long a closing connection may wait for the peer to take more of its last frames.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Answers a WebSocket request the core accepted: validates the handshake headers, returns
/// `101 Switching Protocols`, and spawns the connection task that runs once hyper hands over
/// the socket. A handshake that fails the checks gets the answer of the reference's `ws`
/// (its `abortHandshake`): the status, `Connection: close`, the reason as plain text, and the
/// connection closes. `cork`: the standalone server's connection, which keeps the `101` until
/// the connection task's first flush.
pub(crate) fn accept<R: IoRuntime>(
    rt: &R,
    io: Endpoint,
    parts: &mut Parts,
    cork: Option<&CorkNext>,
    mut upgrade: WsUpgrade,
) -> Response<Full<Bytes>> {
    let protocol = match check_handshake(parts) {
        Ok(protocol) => protocol,
        Err(refused) => return refused.response(),
    };
    // The core's refusals that the reference makes only after these checks.
    if let Some(refusal) = upgrade.take_refusal() {
        return crate::http::refuse_body(crate::http::to_hyper(refusal));
    }
    let headers = &parts.headers;
    let (Some(key), Some(on_upgrade)) = (
        headers.get(header::SEC_WEBSOCKET_KEY),
        parts.extensions.remove::<OnUpgrade>(),
    ) else {
        // hyper offers no upgrade for this request (HTTP/1.0).
        return Refused::Upgrade.response();
    };
    let accept_key = derive_accept_key(key.as_bytes());
    if let Some(cork) = cork {
        cork.set();
    }
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(Some(io.max_payload()))
        .max_frame_size(Some(io.max_payload()));
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(
        header::UPGRADE,
        header::HeaderValue::from_static("websocket"),
    );
    h.insert(
        header::CONNECTION,
        header::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&accept_key) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    if let Some(protocol) = protocol {
        h.insert(header::SEC_WEBSOCKET_PROTOCOL, protocol);
    }
    crate::http::append_headers(h, upgrade.headers().iter().cloned());
    let task_rt = rt.clone();
    rt.spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(e) => {
                tracing::debug!(error = %e, "websocket upgrade failed");
                return;
            }
        };
        let ws = task_rt.websocket(UpgradedIo::new(upgraded), config).await;
        let link = io.ws_open(upgrade);
        drop(io);
        // A task of its own: this one (holding the upgrade's state) ends here.
        let conn = Connection::new(task_rt.clone(), link, ws);
        task_rt.spawn(conn);
    });
    resp
}

/// How a connection ended.
enum End {
    /// The core asked to close it.
    Server,
    /// The peer sent a close frame (tungstenite queued the reply).
    PeerClosed,
    /// The peer broke the protocol or the socket failed; the close frame to send, if any.
    Peer(Option<CloseFrame>),
}

/// Drives one WebSocket: reads and writes from a single task without splitting the stream.
/// Once the core closes the session, reading stops; the frames still queued and the close
/// frame are written as long as the peer takes some within every 2 s (`CLOSE_GRACE`), so a peer
/// that stopped reading cannot hold the connection open.
pub async fn run<R: IoRuntime>(rt: &R, link: WsLink, ws: R::WebSocket) {
    Connection::new(rt.clone(), link, ws).await
}

/// The connection task of [`run`], written as a plain struct because it lives as long as
/// the connection: an `async fn` would keep its arguments and its locals side by side (the
/// WebSocket stream twice), and its closing phase inline. The closing phase is boxed: it
/// runs once, at the end.
struct Connection<R: IoRuntime> {
    rt: R,
    phase: Phase,
    /// Moved into the closing phase at the end.
    ws: Option<R::WebSocket>,
    batch: Vec<WsFrame>,
    out: Out,
}

/// Whether frames handed to tungstenite are still waiting for a flush.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Out {
    /// Everything written has been flushed.
    Flushed,
    /// Frames are waiting.
    Waiting,
    /// Frames the core queued on its own are waiting, and their flush was put off for one
    /// turn of the scheduler already.
    PutOff,
}

/// Where a [`Connection`] is.
enum Phase {
    /// Open; dropping the link tells the core the transport is gone.
    Open(WsLink),
    /// Writing the last frames and the close frame. When the server closed the session, the
    /// link is kept until they are written: the endpoint counts the connection as live
    /// (`Endpoint::idle`) until then, so a graceful shutdown does not return, and the process
    /// does not exit, while a client's last frames (what its disconnecting handlers sent) are
    /// still on their way. A peer that closed or broke the connection has its link dropped at
    /// once, so the core learns without waiting for the close frame to be written.
    /// (The kept link lives in the boxed future: a field here would make every open
    /// connection's task larger.)
    Closing(Pin<Box<dyn Future<Output = ()> + Send>>),
    Done,
}

impl<R: IoRuntime> Connection<R> {
    fn new(rt: R, link: WsLink, ws: R::WebSocket) -> Self {
        Connection {
            rt,
            phase: Phase::Open(link),
            ws: Some(ws),
            batch: Vec::new(),
            // The standalone server keeps the `101` answer until this task first flushes
            // (see `cork`), which happens once the first read finds nothing, with the open
            // packet if the core queued one.
            out: Out::Waiting,
        }
    }
}

impl<R: IoRuntime> Future for Connection<R> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let link = match &mut this.phase {
            Phase::Open(link) => link,
            Phase::Closing(close) => {
                ready!(close.as_mut().poll(cx));
                // The closing future dropped the link it kept (if any) as it finished.
                this.phase = Phase::Done;
                return Poll::Ready(());
            }
            Phase::Done => return Poll::Ready(()),
        };
        let Some(ws) = this.ws.as_mut() else {
            return Poll::Ready(());
        };
        let end = ready!(drive(
            cx,
            link,
            Pin::new(ws),
            &mut this.batch,
            &mut this.out
        ));
        let mut batch = std::mem::take(&mut this.batch);
        let server = matches!(end, End::Server);
        let (frames, close) = match end {
            End::Server => {
                // `batch` is reversed; what the core queued since comes after it, in order.
                let mut last = Vec::new();
                link.drain(&mut last);
                batch.reverse();
                batch.append(&mut last);
                let normal = CloseFrame {
                    code: CloseCode::Normal,
                    reason: "".into(),
                };
                (batch, Some(normal))
            }
            End::PeerClosed => (Vec::new(), None),
            End::Peer(None) => {
                this.phase = Phase::Done;
                return Poll::Ready(());
            }
            End::Peer(frame) => (Vec::new(), frame),
        };
        // Dropping the link tells the core the transport is gone: at once when the peer ended
        // it, after the last frames when the server did (see `Phase::Closing`).
        let link = match std::mem::replace(&mut this.phase, Phase::Done) {
            Phase::Open(link) if server => Some(link),
            _ => None,
        };
        let Some(ws) = this.ws.take() else {
            return Poll::Ready(());
        };
        let rt = this.rt.clone();
        let mut closing = Box::pin(async move {
            finish(rt, ws, frames, close).await;
            drop(link);
        });
        let poll = closing.as_mut().poll(cx);
        if poll.is_pending() {
            this.phase = Phase::Closing(closing);
        }
        poll
    }
}

/// Writes the last `frames` and then `close` (or, without one, the reply tungstenite queued
/// to the peer's close frame), as long as the peer takes some within every [`CLOSE_GRACE`].
async fn finish<R: IoRuntime>(
    rt: R,
    ws: R::WebSocket,
    frames: Vec<WsFrame>,
    close: Option<CloseFrame>,
) {
    let mut ws = pin!(ws);
    let last = frames.into_iter().map(|frame| Some(to_message(frame)));
    for msg in last.chain([None]) {
        let mut ws = ws.as_mut();
        let close = &close;
        let step = async move {
            match (msg, close) {
                (Some(msg), _) => ws.feed(msg).await,
                (None, Some(frame)) => ws.send(Message::Close(Some(frame.clone()))).await,
                // The reply to the peer's close frame is queued; send it.
                (None, None) => ws.flush().await,
            }
        };
        let stalled = rt.sleep_until(Instant::now() + CLOSE_GRACE);
        match select(pin!(step), pin!(stalled)).await {
            Either::Left((Ok(()), _)) => {}
            Either::Left((Err(_), _)) => return,
            Either::Right(_) => {
                tracing::debug!("websocket peer stopped reading while closing; dropped");
                return;
            }
        }
    }
}

/// One wake-up of a connection task. Frames are read until the socket has nothing more
/// (or [`READ_BURST`] frames were read); then what handling them queued is routed once
/// (`WsLink::route`), and the core's replies are written into tungstenite's buffer and
/// flushed, so the answers to the frames of one socket read go out in one write. Frames the core queued on its own (broadcasts, pings)
/// while nothing was read wait one more turn of the scheduler, so a burst of broadcasts from
/// another task leaves in one write too. Output is never held longer: whenever this returns
/// `Pending` without waking itself, everything queued has been flushed or the socket is full.
fn drive<W>(
    cx: &mut Context<'_>,
    link: &WsLink,
    mut ws: Pin<&mut W>,
    batch: &mut Vec<WsFrame>,
    out: &mut Out,
) -> Poll<End>
where
    W: Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError>,
{
    let mut reads = 0;
    // The last read found nothing (and registered the waker): not read again in this wake-up.
    let mut drained = false;
    // Frames were fed to the core whose replies are not routed yet.
    let mut fed = false;
    loop {
        let mut progress = false;

        // Write side: take everything the core queued and hand it to tungstenite, which
        // buffers it (writing to the socket only past WRITE_BUFFER bytes). While earlier
        // frames are still waiting for the socket, only watch for the core closing the
        // session: `run` then gives the peer a short grace to take them.
        if batch.is_empty() {
            if link.poll_ready(cx).is_ready() {
                let open = link.drain(batch);
                // Reverse so frames can be popped from the back in order.
                batch.reverse();
                if !open {
                    return Poll::Ready(End::Server);
                }
                progress = true;
            }
        } else if link.poll_closing(cx).is_ready() {
            return Poll::Ready(End::Server);
        }
        while !batch.is_empty() {
            match ws.as_mut().poll_ready(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(peer_error(e)),
                Poll::Pending => break,
            }
            let frame = batch.pop().map(to_message);
            if let Some(msg) = frame {
                if let Err(e) = ws.as_mut().start_send(msg) {
                    return Poll::Ready(peer_error(e));
                }
            }
            if *out == Out::Flushed {
                *out = Out::Waiting;
            }
        }

        // Read side: hand one frame to the core; once reading stops, route what handling
        // queued (acks, broadcasts) and look at the write side again.
        let burst_over = reads >= READ_BURST;
        if !burst_over && !drained {
            match ws.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(msg))) => {
                    progress = true;
                    reads += 1;
                    // What handling queues is routed once reading stops (`WsLink::feed`).
                    match msg {
                        Message::Text(text) => {
                            link.feed(WsFrame::Text(checked_text(text)));
                            fed = true;
                        }
                        Message::Binary(data) => {
                            link.feed(WsFrame::Binary(data));
                            fed = true;
                        }
                        Message::Close(_) => return Poll::Ready(End::PeerClosed),
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                    }
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(peer_error(e)),
                Poll::Ready(None) => return Poll::Ready(End::Peer(None)),
                Poll::Pending => drained = true,
            }
        }
        let read_idle = burst_over || drained;
        if read_idle && fed {
            // The replies to everything read: queued for this writer, so the write side takes
            // them on the next turn of this loop, before the flush below.
            link.route();
            fed = false;
            continue;
        }

        // Flush once nothing more can be read right now (or the burst is over): the replies to
        // everything read so far go out together.
        if *out != Out::Flushed && read_idle {
            if reads == 0 && *out == Out::Waiting && batch.is_empty() {
                // Frames the core queued on its own (broadcasts) wait one turn of the
                // scheduler: the task queuing them (a publisher reading its socket) may add
                // more, which then leave in the same write. Without this, a publisher that
                // reads its socket quickly hands over fewer broadcasts per turn, and each
                // receiver pays a `sendto` for fewer of them.
                *out = Out::PutOff;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            match ws.as_mut().poll_flush(cx) {
                Poll::Ready(Ok(())) => *out = Out::Flushed,
                Poll::Ready(Err(e)) => return Poll::Ready(peer_error(e)),
                Poll::Pending => {}
            }
        }
        if burst_over && (batch.is_empty() || !progress) {
            // Give other tasks a turn; the socket may still hold frames, so come back soon.
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if !progress {
            if batch.is_empty() {
                // Idle: keep no frame buffer (the next drain allocates one).
                *batch = Vec::new();
            }
            return Poll::Pending;
        }
    }
}

/// A text frame's payload as the core's text. tungstenite validated it as UTF-8 already (a
/// frame that is not closes the connection with 1007, see [`peer_error`]); checking again
/// would read every text frame twice.
fn checked_text(text: Utf8Bytes) -> Str {
    let bytes = Bytes::from(text);
    // SAFETY: `Utf8Bytes` holds valid UTF-8 (its invariant: tungstenite's `as_str` relies on
    // it without checking), and `Bytes::from` hands over those very bytes.
    #[allow(unsafe_code)]
    unsafe {
        Str::from_utf8_unchecked(bytes)
    }
}

/// Maps a read or write failure to a close frame for the peer, where one makes sense.
fn peer_error(e: WsError) -> End {
    match e {
        WsError::Capacity(_) => {
            tracing::debug!(error = %e, "websocket message over maxPayload");
            End::Peer(Some(CloseFrame {
                code: CloseCode::Size,
                reason: "message too big".into(),
            }))
        }
        WsError::Utf8(_) => {
            tracing::debug!(error = %e, "websocket text frame is not UTF-8");
            End::Peer(Some(CloseFrame {
                code: CloseCode::Invalid,
                reason: "".into(),
            }))
        }
        WsError::Protocol(_) => {
            tracing::debug!(error = %e, "websocket protocol error");
            End::Peer(Some(CloseFrame {
                code: CloseCode::Protocol,
                reason: "".into(),
            }))
        }
        _ => {
            tracing::trace!(error = %e, "websocket closed");
            End::Peer(None)
        }
    }
}

/// Text frames are handed to tungstenite as raw frames so the text is not re-validated for
/// every receiver of a broadcast.
fn to_message(frame: WsFrame) -> Message {
    match frame {
        WsFrame::Text(text) => Message::Frame(Frame::message(
            text.into_bytes(),
            OpCode::Data(Data::Text),
            true,
        )),
        WsFrame::Binary(data) => Message::Binary(data),
    }
}
