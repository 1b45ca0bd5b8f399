//! The `initial_headers` and `headers` hooks on the wire: polling requests from a real HTTP
//! client (hyper's) and WebSocket handshakes from a real WebSocket client (tungstenite's),
//! whose `101` must carry the hooks' headers.

mod common;

use bytes::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::net::SocketAddr;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderMap;
use volley_tokio::{Options, SocketRef};

/// `X-Initial: 1` on the response that opens a session, `X-Every: 1` on every one, the
/// request's cookie echoed back, and two headers that must never reach the wire.
fn options() -> Options {
    Options::default()
        .serve_client(false)
        .cors_any_origin()
        .on_initial_headers(|headers, _| {
            headers.insert("X-Initial", "1");
        })
        .on_headers(|headers, request| {
            headers.insert("X-Every", "1");
            if let Some(cookie) = request.header("cookie") {
                headers.insert("X-Cookie", cookie.to_owned());
            }
            headers.insert("X-Split", "a\r\nX-Injected: 1");
            headers.insert("Content-Length", "0");
        })
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

async fn send(client: &HttpClient, request: Request<Full<Bytes>>) -> (Response<()>, String) {
    let response = tokio::time::timeout(WAIT, client.request(request))
        .await
        .expect("answer in time")
        .expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    (
        Response::from_parts(parts, ()),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The headers no hook may set never reach the wire, and the framing stays the transport's.
fn assert_clean(headers: &HeaderMap) {
    assert_eq!(headers.get("x-split"), None);
    assert_eq!(headers.get("x-injected"), None);
    assert_ne!(value(headers, "content-length"), Some("0"));
}

async fn polling_handshake(client: &HttpClient, addr: SocketAddr) -> (Response<()>, String) {
    let url = format!("http://{addr}/socket.io/?EIO=4&transport=polling");
    let request = Request::get(url)
        .header("Cookie", "user=7")
        .body(Full::default())
        .expect("request");
    send(client, request).await
}

#[tokio::test]
async fn polling_responses_carry_initial_headers_once_and_headers_always() {
    let io = volley_tokio::new(options());
    io.of("/").on_connection(|_socket: SocketRef| {});
    let addr = start(io).await;
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();

    let (response, body) = polling_handshake(&client, addr).await;
    let h = response.headers();
    assert_eq!(response.status(), 200);
    assert_eq!(value(h, "x-initial"), Some("1"));
    assert_eq!(value(h, "x-every"), Some("1"));
    assert_eq!(value(h, "x-cookie"), Some("user=7"));
    assert_eq!(value(h, "access-control-allow-origin"), Some("*"));
    assert_clean(h);
    let sid = sid_of(&body);
    let target = format!("http://{addr}/socket.io/?EIO=4&transport=polling&sid={sid}");

    let post = Request::post(&target)
        .header("Content-Type", "text/plain;charset=UTF-8")
        .body(Full::new(Bytes::from_static(b"40")))
        .expect("request");
    let (response, body) = send(&client, post).await;
    let h = response.headers();
    assert_eq!((response.status().as_u16(), body.as_str()), (200, "ok"));
    assert_eq!(value(h, "x-every"), Some("1"));
    assert_eq!(value(h, "x-initial"), None);
    assert_eq!(value(h, "x-cookie"), None);
    assert_clean(h);

    let get = Request::get(&target)
        .body(Full::default())
        .expect("request");
    let (response, body) = send(&client, get).await;
    let h = response.headers();
    assert!(body.starts_with("40{\"sid\":"), "{body}");
    assert_eq!(value(h, "x-every"), Some("1"));
    assert_eq!(value(h, "x-initial"), None);
    assert_clean(h);

    // An error answer: CORS, but no hook ran.
    let url = format!("http://{addr}/socket.io/?EIO=4&transport=polling&sid=nope");
    let get = Request::get(url).body(Full::default()).expect("request");
    let (response, _) = send(&client, get).await;
    let h = response.headers();
    assert_eq!(response.status(), 400);
    assert_eq!(value(h, "access-control-allow-origin"), Some("*"));
    assert_eq!(value(h, "x-every"), None);
}

#[tokio::test]
async fn websocket_switching_protocols_carry_the_hooks_headers() {
    let addr = start(volley_tokio::new(options())).await;

    // A WebSocket-first handshake: both hooks.
    let mut request = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("cookie", "user=8".parse().expect("value"));
    let (mut ws, response) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .expect("connect in time")
        .expect("connect");
    let h = response.headers();
    assert_eq!(response.status(), 101);
    assert_eq!(value(h, "x-initial"), Some("1"));
    assert_eq!(value(h, "x-every"), Some("1"));
    assert_eq!(value(h, "x-cookie"), Some("user=8"));
    assert_eq!(value(h, "access-control-allow-origin"), Some("*"));
    assert_clean(h);
    assert!(next_text(&mut ws).await.starts_with("0{"));

    // An upgrade of a polling session: `headers` only.
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let (_, body) = polling_handshake(&client, addr).await;
    let sid = sid_of(&body);
    let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket&sid={sid}");
    let (mut ws, response) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("connect in time")
        .expect("connect");
    let h = response.headers();
    assert_eq!(response.status(), 101);
    assert_eq!(value(h, "x-every"), Some("1"));
    assert_eq!(value(h, "x-initial"), None);
    assert_eq!(value(h, "x-cookie"), None);
    assert_clean(h);
    send_text(&mut ws, "2probe").await;
    assert_eq!(next_text(&mut ws).await, "3probe");
}

/// A raw Engine.IO server whose hooks are set after it was built (the reference's
/// `engine.on("headers", …)`), and a Socket.IO server whose handshakes also wait for an
/// async `allow_request`: the `101` still carries the hooks' headers.
#[tokio::test]
async fn hooks_set_on_a_running_engine_and_after_an_async_allow_request() {
    use volley_tokio::protocol::engine::EngineConfig;
    let engine = volley_tokio::engine(EngineConfig::default().path("/engine.io/"));
    let addr = start(engine.clone()).await;
    let url = format!("ws://{addr}/engine.io/?EIO=4&transport=websocket");
    let (_ws, response) = tokio_tungstenite::connect_async(url.clone())
        .await
        .expect("connect");
    assert_eq!(value(response.headers(), "x-every"), None);
    engine.on_initial_headers(|headers, _| {
        headers.insert("X-Initial", "raw");
    });
    engine.on_headers(|headers, _| {
        headers.insert("X-Every", "raw");
    });
    let (_ws, response) = tokio_tungstenite::connect_async(url)
        .await
        .expect("connect");
    assert_eq!(value(response.headers(), "x-initial"), Some("raw"));
    assert_eq!(value(response.headers(), "x-every"), Some("raw"));

    let io = volley_tokio::new(options().allow_request(|_head| async {
        tokio::task::yield_now().await;
        Ok(())
    }));
    let addr = start(io).await;
    let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
    let (mut ws, response) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("connect in time")
        .expect("connect");
    assert_eq!(value(response.headers(), "x-initial"), Some("1"));
    assert_eq!(value(response.headers(), "x-every"), Some("1"));
    assert!(next_text(&mut ws).await.starts_with("0{"));
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let (response, _) = polling_handshake(&client, addr).await;
    assert_eq!(value(response.headers(), "x-initial"), Some("1"));
    assert_eq!(value(response.headers(), "x-cookie"), Some("user=7"));
}
