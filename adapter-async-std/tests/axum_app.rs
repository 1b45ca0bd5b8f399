//! An axum `Router` behind Volley, served by `serve_service` under async-std and under smol
//! (axum's own server needs tokio): pages and Socket.IO on one port, and the remote address
//! reaching the handshake.

mod common;

use axum::{routing, Router};
use common::*;
use volley_async_std::{Options, SocketRef, VolleyService};

#[test]
fn volley_and_an_axum_route_share_one_port() {
    for rt in runtimes() {
        let io = rt.socketio(Options::default().serve_client(false));
        io.of("/").on_connection(|socket: SocketRef| {
            let remote = socket.handshake().address().map(|a| a.ip().to_string());
            let _ = socket.emit("hello", &remote);
        });
        let pages = Router::new().route("/", routing::get(|| async { "home page" }));
        let listener = smol::block_on(async_net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let serve = volley_async_std::serve_service(listener, VolleyService::wrap(io, pages));
        rt.spawn(async move {
            let _ = serve.await;
        });

        let home = get(addr, "/");
        assert_eq!(home.status, 200, "{}", rt.name());
        assert_eq!(home.text(), "home page");
        assert_eq!(get(addr, "/missing").status, 404);

        let open = get(addr, "/socket.io/?EIO=4&transport=polling");
        assert_eq!(open.status, 200);
        assert!(open.text().starts_with("0{\"sid\":"), "{}", open.text());

        let (mut ws, reply) = sio_connect(addr);
        assert!(reply.starts_with("40{\"sid\":"), "{reply}");
        assert_eq!(next_text_no_ping(&mut ws), r#"42["hello","127.0.0.1"]"#);
    }
}
