//! The bare-WebSocket fan-out floor (see `volley_benches::floor`), on tokio-tungstenite.
//! Reads `PORT` and `TOKIO_FLAVOR` like the `bench` fixtures.

use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use volley_benches::floor::{open_packet, reply, FloorReply};

/// Frames a slow connection may fall behind by before it skips ahead.
const HUB_CAPACITY: usize = 4096;

fn main() {
    volley_benches::fixture::run("ws_floor", serve)
}

async fn serve(addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    println!("ws_floor on {addr}");
    let (hub, _) = broadcast::channel::<Utf8Bytes>(HUB_CAPACITY);
    let ids = Arc::new(AtomicU64::new(0));
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            // Out of file descriptors and the like: keep serving the others.
            Err(_) => continue,
        };
        let _ = stream.set_nodelay(true);
        let hub = hub.clone();
        let sid = ids.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(connection(stream, sid, hub));
    }
}

async fn connection(stream: TcpStream, sid: u64, hub: broadcast::Sender<Utf8Bytes>) {
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let mut rx = hub.subscribe();
    if ws.send(Message::text(open_packet(sid))).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            incoming = ws.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    Some(Ok(_)) => continue,
                };
                let sent = match reply(sid, &text) {
                    FloorReply::Sender(out) => ws.send(Message::text(out)).await,
                    FloorReply::Everyone => {
                        let _ = hub.send(text);
                        Ok(())
                    }
                    FloorReply::Nothing => Ok(()),
                };
                if sent.is_err() {
                    return;
                }
            }
            frame = rx.recv() => {
                let frame = match frame {
                    Ok(f) => f,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                // Write every frame that is already waiting, then flush once.
                if ws.feed(Message::Text(frame)).await.is_err() {
                    return;
                }
                while let Ok(f) = rx.try_recv() {
                    if ws.feed(Message::Text(f)).await.is_err() {
                        return;
                    }
                }
                if ws.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}
