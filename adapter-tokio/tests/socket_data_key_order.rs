//! `socket.data` keeps its keys in the order the app wrote them, like a JavaScript object in
//! the reference: through `set_data`, `data`, `fetch_all_sockets` and back out to a client.

mod common;

use common::*;
use volley_tokio::{Options, SocketRef};

#[tokio::test]
async fn data_keys_keep_their_order_through_fetch_all_sockets() {
    let io = volley_tokio::new(Options::default().serve_client(false));
    let fetch_io = io.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let io = fetch_io.clone();
        socket.on("set", |socket, event| {
            let data: serde_json::Value = event.arg(0).expect("an object");
            socket.set_data(data);
            let _ = socket.emit("own", &socket.data());
        });
        socket.on("fetch", move |socket, _event| {
            let io = io.clone();
            async move {
                let all = io.of("/").fetch_all_sockets().await;
                let data: Vec<_> = all.into_iter().map(|s| s.into_info().data).collect();
                let _ = socket.emit("all", &data);
            }
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    let data = r#"{"zeta":1,"alpha":{"y":true,"b":null},"mid":[3,2,1]}"#;
    send_sio(&mut ws, &format!(r#"2["set",{data}]"#)).await;
    assert_eq!(next_sio(&mut ws).await, format!(r#"2["own",{data}]"#));
    send_sio(&mut ws, r#"2["fetch"]"#).await;
    assert_eq!(next_sio(&mut ws).await, format!(r#"2["all",[{data}]]"#));
}
