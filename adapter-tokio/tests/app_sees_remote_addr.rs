//! The standalone server hands Volley's own requests their connection directly, and still
//! gives every request of an app served behind Volley its peer address as a `RemoteAddr`
//! extension.

mod common;

use axum::extract::Request;
use axum::routing::get;
use axum::Router;

use tokio::net::TcpListener;
use volley_tokio::{Options, RemoteAddr, VolleyService};

async fn whoami(req: Request) -> String {
    match req.extensions().get::<RemoteAddr>() {
        Some(RemoteAddr(addr)) => addr.ip().to_string(),
        None => "unknown".to_string(),
    }
}

#[tokio::test]
async fn an_app_behind_the_standalone_server_gets_the_peer_address() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let app = Router::new().route("/whoami", get(whoami));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serve = volley_tokio::serve_service(listener, VolleyService::wrap(io, app));
    tokio::spawn(async move {
        let _ = serve.await;
    });
    let page = common::get(addr, "/whoami").await;
    assert_eq!((page.status, page.text()), (200, "127.0.0.1".to_string()));
    // Volley's own requests on the same server are answered as before.
    let open = common::get(addr, "/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(open.status, 200);
    assert!(open.text().starts_with("0{\"sid\":"), "{}", open.text());
}
