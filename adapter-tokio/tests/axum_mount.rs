//! Volley mounted as a tower layer in an axum Router, next to an ordinary route.

mod common;

use axum::{routing, Router};
use common::*;
use volley_tokio::{Options, SocketRef, VolleyLayer};

#[tokio::test]
async fn volley_and_an_axum_route_are_both_served() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        let _ = socket.emit("hello", &"from volley");
    });
    let app: Router = Router::new()
        .route("/", routing::get(|| async { "home page" }))
        .layer(VolleyLayer::new(io));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let home = get(addr, "/").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.text(), "home page");

    let open = get(addr, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(open.status, 200);
    assert!(open.text().starts_with("0{\"sid\":"));

    // WebSocket upgrades pass through axum too.
    let (mut ws, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40{\"sid\":"), "{reply}");
    assert_eq!(next_sio(&mut ws).await, r#"2["hello","from volley"]"#);

    assert_eq!(get(addr, "/missing").await.status, 404);
}

/// The recipe in `VolleyLayer`'s docs: axum's `ConnectInfo` copied into a `RemoteAddr`
/// extension by a middleware outside the layer reaches `socket.handshake().address()`.
#[tokio::test]
async fn the_client_address_reaches_the_handshake_through_connect_info() {
    use axum::extract::{ConnectInfo, Request};
    use axum::middleware::{self, Next};
    use std::net::SocketAddr;
    use volley_tokio::RemoteAddr;

    async fn remote_addr(
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        mut req: Request,
        next: Next,
    ) -> axum::response::Response {
        req.extensions_mut().insert(RemoteAddr(addr));
        next.run(req).await
    }

    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        let ip = socket.handshake().address().map(|a| a.ip().to_string());
        let _ = socket.emit("ip", &ip);
    });
    let app: Router = Router::new()
        .layer(VolleyLayer::new(io))
        .layer(middleware::from_fn(remote_addr));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["ip","127.0.0.1"]"#);
}
