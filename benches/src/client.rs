//! Load-generator clients: Socket.IO over WebSocket and over HTTP long-polling, connected to
//! the main namespace, answering pings.

use crate::wire::{self, ClientDecoder, Incoming, WireError};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::task::Poll;
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;
use volley_protocol::Str;

/// Longest a client waits for the server during the handshake or one polling request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a client failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Socket error (connect, read, write).
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// WebSocket error.
    #[error("websocket: {0}")]
    Ws(#[from] tungstenite::Error),
    /// HTTP error.
    #[error("http: {0}")]
    Http(#[from] hyper::Error),
    /// The server sent something the codec refused.
    #[error("wire: {0}")]
    Wire(#[from] WireError),
    /// A well-formed packet that does not fit the exchange (e.g. a refused CONNECT).
    #[error("unexpected from server: {0}")]
    Unexpected(String),
    /// The server took longer than [`REQUEST_TIMEOUT`].
    #[error("timed out waiting for the server")]
    Timeout,
    /// The server closed the connection or session.
    #[error("closed by the server")]
    Closed,
}

/// Source addresses `127.0.0.<first>…127.0.0.<last>` handed out in turn, so that many
/// thousands of connections do not exhaust one address's ephemeral ports.
#[derive(Debug)]
pub struct SourceAddrs {
    next: Cell<u8>,
    first: u8,
    last: u8,
}

impl SourceAddrs {
    /// Rotates over `127.0.0.first ..= 127.0.0.last`.
    pub fn new(first: u8, last: u8) -> SourceAddrs {
        let (first, last) = (first.max(1), last.max(first.max(1)));
        SourceAddrs {
            next: Cell::new(first),
            first,
            last,
        }
    }

    /// The next source address.
    pub fn next(&self) -> IpAddr {
        let n = self.next.get();
        self.next
            .set(if n >= self.last { self.first } else { n + 1 });
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
    }
}

impl Default for SourceAddrs {
    fn default() -> Self {
        SourceAddrs::new(1, 8)
    }
}

async fn tcp_connect(server: SocketAddr, source: IpAddr) -> Result<TcpStream, ClientError> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    let stream = tokio::time::timeout(REQUEST_TIMEOUT, socket.connect(server))
        .await
        .map_err(|_| ClientError::Timeout)??;
    stream.set_nodelay(true)?;
    // Closing with RST leaves no TIME_WAIT behind on the load generator's ports.
    stream.set_zero_linger()?;
    Ok(stream)
}

/// A Socket.IO client on a WebSocket (`transport=websocket` from the start).
pub struct WsClient {
    ws: WebSocketStream<TcpStream>,
    decoder: ClientDecoder,
}

impl WsClient {
    /// Opens the WebSocket, reads the handshake, and connects to the main namespace.
    pub async fn connect(server: SocketAddr, source: IpAddr) -> Result<WsClient, ClientError> {
        tokio::time::timeout(REQUEST_TIMEOUT, Self::connect_inner(server, source))
            .await
            .map_err(|_| ClientError::Timeout)?
    }

    async fn connect_inner(server: SocketAddr, source: IpAddr) -> Result<WsClient, ClientError> {
        let stream = tcp_connect(server, source).await?;
        let url = format!("ws://{server}/socket.io/?EIO=4&transport=websocket");
        // Small buffers: the load generator holds ten thousand of these. Frames queued with
        // `feed` stay in the write buffer (allocated as used) until `flush`, so a batch of
        // requests leaves in one write.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(16 * 1024);
        let (ws, _) =
            tokio_tungstenite::client_async_with_config(url.as_str(), stream, Some(config)).await?;
        let mut client = WsClient {
            ws,
            decoder: ClientDecoder::new(),
        };
        match client.recv().await? {
            Incoming::Open(_) => {}
            other => return Err(ClientError::Unexpected(format!("{other:?} before open"))),
        }
        client.send(wire::connect()).await?;
        match client.recv().await? {
            Incoming::Connected => Ok(client),
            other => Err(ClientError::Unexpected(format!("{other:?} after CONNECT"))),
        }
    }

    /// Sends one Engine.IO text packet (written at once).
    pub async fn send(&mut self, text: Str) -> Result<(), ClientError> {
        let text = Utf8Bytes::try_from(text.into_bytes())
            .map_err(|_| ClientError::Unexpected("non UTF-8 text".into()))?;
        self.ws.send(Message::Text(text)).await?;
        Ok(())
    }

    /// Queues one Engine.IO text packet; it is written by the next [`flush`](Self::flush)
    /// (or [`send`](Self::send)).
    pub async fn feed(&mut self, text: String) -> Result<(), ClientError> {
        self.ws.feed(Message::Text(text.into())).await?;
        Ok(())
    }

    /// Writes every queued packet.
    pub async fn flush(&mut self) -> Result<(), ClientError> {
        self.ws.flush().await?;
        Ok(())
    }

    /// The next packet that matters, answering pings on the way. `Closed` ends the session.
    pub async fn recv(&mut self) -> Result<Incoming, ClientError> {
        loop {
            if let Frame::Packet(incoming) = self.next_packet(true).await? {
                return Ok(incoming);
            }
        }
    }

    /// Like [`recv`](Self::recv), but only from what the socket already holds: `None` when
    /// reading more would have to wait.
    pub async fn recv_ready(&mut self) -> Result<Option<Incoming>, ClientError> {
        loop {
            match self.next_packet(false).await? {
                Frame::Packet(incoming) => return Ok(Some(incoming)),
                Frame::Skipped => {}
                Frame::NotReady => return Ok(None),
            }
        }
    }

    /// What the next frame brings; when `wait` is false, only if it has already been read.
    async fn next_packet(&mut self, wait: bool) -> Result<Frame, ClientError> {
        let next = if wait {
            Some(self.ws.next().await)
        } else {
            std::future::poll_fn(|cx| match self.ws.poll_next_unpin(cx) {
                Poll::Ready(m) => Poll::Ready(Some(m)),
                Poll::Pending => Poll::Ready(None),
            })
            .await
        };
        let Some(msg) = next else {
            return Ok(Frame::NotReady);
        };
        let Some(msg) = msg else {
            return Err(ClientError::Closed);
        };
        let incoming = match msg? {
            Message::Text(t) => self.decoder.text_frame(Bytes::from(t))?,
            Message::Binary(b) => self.decoder.binary_frame(b)?,
            Message::Close(_) => return Err(ClientError::Closed),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return Ok(Frame::Skipped),
        };
        match incoming {
            Incoming::Ping(data) => {
                self.send(wire::pong(data)).await?;
                Ok(Frame::Skipped)
            }
            Incoming::Ignored => Ok(Frame::Skipped),
            Incoming::Closed => Err(ClientError::Closed),
            other => Ok(Frame::Packet(other)),
        }
    }
}

/// One step of [`WsClient::next_packet`].
enum Frame {
    /// A packet that matters.
    Packet(Incoming),
    /// A frame handled here (ping answered) or ignored.
    Skipped,
    /// Nothing read yet (only when not waiting).
    NotReady,
}

type Body = Full<Bytes>;

/// A Socket.IO client on HTTP long-polling over one keep-alive HTTP/1.1 connection.
pub struct PollClient {
    http: SendRequest<Body>,
    host: String,
    path: String,
    decoder: ClientDecoder,
    /// Pongs owed to the server, sent with the next POST.
    pending: Vec<Str>,
}

impl PollClient {
    /// Opens the session and connects to the main namespace. The HTTP connection task is
    /// spawned on the current `LocalSet`.
    pub async fn connect(server: SocketAddr, source: IpAddr) -> Result<PollClient, ClientError> {
        tokio::time::timeout(REQUEST_TIMEOUT, Self::connect_inner(server, source))
            .await
            .map_err(|_| ClientError::Timeout)?
    }

    async fn connect_inner(server: SocketAddr, source: IpAddr) -> Result<PollClient, ClientError> {
        let stream = tcp_connect(server, source).await?;
        let (http, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::task::spawn_local(async move {
            // The connection ends when the client is dropped; its error is the client's.
            let _ = conn.await;
        });
        let mut client = PollClient {
            http,
            host: server.to_string(),
            path: "/socket.io/?EIO=4&transport=polling".into(),
            decoder: ClientDecoder::new(),
            pending: Vec::new(),
        };
        let sid = match client.get().await?.into_iter().next() {
            Some(Incoming::Open(h)) => h.sid,
            other => return Err(ClientError::Unexpected(format!("{other:?} before open"))),
        };
        client.path = format!("/socket.io/?EIO=4&transport=polling&sid={}", &*sid);
        client.post(vec![wire::connect()]).await?;
        loop {
            for incoming in client.get().await? {
                match incoming {
                    Incoming::Connected => return Ok(client),
                    Incoming::Event(_)
                    | Incoming::Ack(..)
                    | Incoming::Open(_)
                    | Incoming::ConnectError => {
                        return Err(ClientError::Unexpected(format!(
                            "{incoming:?} before CONNECT"
                        )))
                    }
                    _ => {}
                }
            }
        }
    }

    async fn request(&mut self, method: hyper::Method, body: Bytes) -> Result<Bytes, ClientError> {
        let req = hyper::Request::builder()
            .method(method)
            .uri(self.path.as_str())
            .header(hyper::header::HOST, self.host.as_str())
            .header(hyper::header::CONTENT_TYPE, "text/plain;charset=UTF-8")
            .body(Full::new(body))
            .map_err(|e| ClientError::Unexpected(e.to_string()))?;
        let exchange = async {
            self.http.ready().await?;
            let res = self.http.send_request(req).await?;
            let status = res.status();
            let body = res.into_body().collect().await?.to_bytes();
            Ok::<_, ClientError>((status, body))
        };
        let (status, body) = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| ClientError::Timeout)??;
        if !status.is_success() {
            return Err(ClientError::Unexpected(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body)
            )));
        }
        Ok(body)
    }

    /// POSTs the given Engine.IO texts, preceded by any pongs owed.
    pub async fn post(&mut self, texts: Vec<Str>) -> Result<(), ClientError> {
        let mut all = std::mem::take(&mut self.pending);
        all.extend(texts);
        let body = wire::polling_body(&all)?;
        self.request(hyper::Method::POST, body).await?;
        Ok(())
    }

    /// One long-poll GET: the packets that matter, remembering pings to answer.
    pub async fn get(&mut self) -> Result<Vec<Incoming>, ClientError> {
        let body = self.request(hyper::Method::GET, Bytes::new()).await?;
        let mut out = Vec::new();
        for incoming in self.decoder.polling_body(body)? {
            match incoming {
                Incoming::Ping(data) => self.pending.push(wire::pong(data)),
                Incoming::Ignored => {}
                Incoming::Closed => return Err(ClientError::Closed),
                other => out.push(other),
            }
        }
        Ok(out)
    }

    /// True when pongs are owed (the caller should POST soon).
    pub fn owes_pong(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_addresses_rotate_within_the_range() {
        let s = SourceAddrs::new(2, 4);
        let got: Vec<IpAddr> = (0..4).map(|_| s.next()).collect();
        let ip = |n| IpAddr::V4(Ipv4Addr::new(127, 0, 0, n));
        assert_eq!(got, vec![ip(2), ip(3), ip(4), ip(2)]);
    }
}
