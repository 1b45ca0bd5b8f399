//! `Options::allow_request` through the real server: plain and async verdicts refuse polling
//! (403 with the JSON error and the CORS headers) and WebSocket-first handshakes (the plain
//! 400 upgrade refusal), allowed ones open as usual, and a client that leaves while its
//! verdict is awaited frees its place under `max_sessions`.

mod common;

use common::*;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Error as WsError;
use volley_tokio::protocol::engine::RequestHead;
use volley_tokio::{Options, RequestRefused};

const POLLING: &str = "/socket.io/?EIO=4&transport=polling";
const WEBSOCKET: &str = "/socket.io/?EIO=4&transport=websocket";

/// Refuses a request with `?deny=…`, with that text as the message.
fn by_query(head: &RequestHead) -> Result<(), RequestRefused> {
    match head.query_param("deny") {
        Some(why) => Err(RequestRefused::new(why)),
        None => Ok(()),
    }
}

async fn server(options: Options) -> SocketAddr {
    let io = volley_tokio::new(options.serve_client(false).cors_any_origin());
    io.of("/");
    start(io).await
}

/// A plain server and an async one (the verdict comes after a timer), same rule.
async fn plain_and_async() -> [SocketAddr; 2] {
    let plain = server(Options::default().allow_request(by_query)).await;
    let later = server(Options::default().allow_request(|head| {
        let verdict = by_query(head);
        async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            verdict
        }
    }))
    .await;
    [plain, later]
}

/// The status and body a WebSocket-first handshake is refused with.
async fn ws_refusal(addr: SocketAddr, target: &str) -> (u16, String) {
    let url = format!("ws://{addr}{target}");
    match tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url)).await {
        Ok(Err(WsError::Http(response))) => {
            let body = response.body().clone().unwrap_or_default();
            (response.status().as_u16(), String::from_utf8(body).unwrap())
        }
        Ok(Err(e)) => panic!("not an HTTP refusal: {e}"),
        Ok(Ok(_)) => panic!("the handshake was allowed"),
        Err(_) => panic!("no answer within {WAIT:?}"),
    }
}

#[tokio::test]
async fn refused_polling_handshakes_get_403_with_the_message_and_cors_headers() {
    for addr in plain_and_async().await {
        let origin = [("Origin", "https://a.test")];
        let r = request(addr, "GET", &format!("{POLLING}&deny=banned"), &origin, b"").await;
        assert_eq!(r.status, 403);
        assert_eq!(r.text(), r#"{"code":4,"message":"banned"}"#);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));

        let r = get(addr, POLLING).await;
        assert_eq!(r.status, 200);
        assert!(r.text().starts_with("0{\"sid\":"), "{}", r.text());
    }
}

#[tokio::test]
async fn refused_websocket_first_handshakes_get_the_plain_400() {
    for addr in plain_and_async().await {
        let refusal = ws_refusal(addr, &format!("{WEBSOCKET}&deny=banned")).await;
        assert_eq!(refusal, (400, "banned".to_owned()));

        let mut allowed = ws(addr, WEBSOCKET).await;
        assert!(next_text(&mut allowed).await.starts_with("0{\"sid\":"));
        send_text(&mut allowed, "40").await;
        assert!(next_sio(&mut allowed).await.starts_with("0{\"sid\":"));
    }
}

#[tokio::test]
async fn a_client_gone_while_its_verdict_is_awaited_frees_its_place() {
    let asked = Arc::new(AtomicUsize::new(0));
    let a = asked.clone();
    let options = Options::default()
        .max_sessions(Some(1))
        .allow_request(move |_head| {
            // The first verdict never comes; the later ones allow.
            let first = a.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    std::future::pending::<()>().await;
                }
                Ok::<(), RequestRefused>(())
            }
        });
    let addr = server(options).await;
    let mut waiting = TcpStream::connect(addr).await.expect("connect");
    let head = format!("GET {POLLING} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    waiting.write_all(head.as_bytes()).await.expect("write");
    tokio::time::timeout(WAIT, async {
        while asked.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the hook is asked");
    // The waiting handshake holds the only place.
    assert_eq!(get(addr, POLLING).await.status, 503);

    drop(waiting);
    let mut status = 0;
    for _ in 0..100 {
        status = get(addr, POLLING).await.status;
        if status != 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200, "the place is freed once the client is gone");
}
