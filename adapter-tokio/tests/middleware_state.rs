//! Connect middleware hands state to the socket it admits (`Connecting::insert`,
//! `Connecting::set_data`), over real WebSockets with a raw-frame client.

mod common;

use common::*;
use std::time::Duration;
use volley_tokio::{ConnectError, Connecting, Io, Options, SocketRef};

fn server() -> Io {
    volley_tokio::new(Options::default().serve_client(false))
}

struct User {
    name: String,
}

struct Role(&'static str);

/// The connection handler reports what the middleware left: the typed values and `data`.
fn report(io: &Io) {
    io.of("/").on_connection(|socket: SocketRef| {
        let user = socket.get::<User>().map(|u| u.name.clone());
        let role = socket.get::<Role>().map(|r| r.0);
        let _ = socket.emit("state", &(user, role, socket.data()));
    });
}

#[tokio::test]
async fn sync_middleware_state_reaches_the_connection_handler() {
    let io = server();
    io.of("/").middleware(|connecting: Connecting| {
        let name = connecting
            .auth_field("user")
            .ok_or(ConnectError::new("who?"))?;
        connecting.set_data(serde_json::json!({ "user": name }));
        connecting.insert(User { name });
        Ok(())
    });
    report(&io);
    let addr = start(io).await;
    let (mut ws, reply) = sio_connect(addr, "/", Some(r#"{"user":"ada"}"#)).await;
    assert!(reply.starts_with("40{"), "{reply}");
    assert_eq!(
        next_sio(&mut ws).await,
        r#"2["state","ada",null,{"user":"ada"}]"#
    );
}

#[tokio::test]
async fn async_middlewares_in_order_see_and_extend_earlier_state() {
    let io = server();
    io.of("/").middleware(|connecting: Connecting| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let name = connecting
            .auth_field("user")
            .ok_or(ConnectError::new("who?"))?;
        connecting.insert(User { name });
        Ok(())
    });
    // A plain middleware after an async one reads what it stored.
    io.of("/").middleware(|connecting: Connecting| {
        let admin = connecting.get::<User>().is_some_and(|u| u.name == "root");
        connecting.insert(Role(if admin { "admin" } else { "member" }));
        Ok(())
    });
    io.of("/").middleware(|connecting: Connecting| async move {
        let role = connecting.get::<Role>().map(|r| r.0).unwrap_or("none");
        connecting.set_data(serde_json::json!({ "role": role }));
        Ok(())
    });
    report(&io);
    let addr = start(io).await;
    let (mut ws, reply) = sio_connect(addr, "/", Some(r#"{"user":"root"}"#)).await;
    assert!(reply.starts_with("40{"), "{reply}");
    assert_eq!(
        next_sio(&mut ws).await,
        r#"2["state","root","admin",{"role":"admin"}]"#
    );
}

#[tokio::test]
async fn state_of_a_refused_client_is_dropped_and_the_next_socket_starts_clean() {
    let io = server();
    let (tx, mut dropped) = tokio::sync::mpsc::unbounded_channel::<()>();
    struct Probe(tokio::sync::mpsc::UnboundedSender<()>);
    impl Drop for Probe {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    io.of("/").middleware(move |connecting: Connecting| {
        if connecting.auth_field("probe").is_some() {
            connecting.insert(Probe(tx.clone()));
            connecting.insert(User {
                name: "left".into(),
            });
            connecting.set_data(serde_json::json!({ "user": "left" }));
        }
        Ok(())
    });
    io.of("/").middleware(|connecting: Connecting| async move {
        match connecting.auth_field("probe") {
            Some(_) => Err(ConnectError::new("refused after all")),
            None => Ok(()),
        }
    });
    report(&io);
    let addr = start(io).await;
    let (_ws, reply) = sio_connect(addr, "/", Some(r#"{"probe":1}"#)).await;
    assert_eq!(reply, r#"44{"message":"refused after all"}"#);
    let gone = tokio::time::timeout(Duration::from_secs(5), dropped.recv()).await;
    assert_eq!(gone, Ok(Some(())), "the refused client's values were kept");
    let (mut ws, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40{"), "{reply}");
    assert_eq!(next_sio(&mut ws).await, r#"2["state",null,null,{}]"#);
}

/// The connection state recovery auth of the client behind `state`, an event the server
/// sent it (`2["state",…,"<offset>"]`), with its `pid`.
fn recovery_auth(connect_reply: &str, state: &str) -> String {
    let connect: serde_json::Value = serde_json::from_str(&connect_reply[2..]).expect("json");
    let event: Vec<serde_json::Value> = serde_json::from_str(&state[1..]).expect("json");
    let offset = event.last().expect("offset");
    serde_json::json!({ "pid": connect["pid"], "offset": offset, "user": "bob" }).to_string()
}

#[tokio::test]
async fn a_restored_socket_keeps_its_data_but_gets_the_middlewares_typed_values() {
    use volley_tokio::protocol::server::RecoveryConfig;
    let recovery = RecoveryConfig::new().skip_middlewares(false);
    let io = volley_tokio::new(
        Options::default()
            .serve_client(false)
            .connection_state_recovery(Some(recovery)),
    );
    io.of("/").middleware(|connecting: Connecting| {
        let name = connecting.auth_field("user").unwrap_or_default();
        connecting.set_data(serde_json::json!({ "from": "middleware" }));
        connecting.insert(User { name });
        Ok(())
    });
    io.of("/").on_connection(|socket: SocketRef| {
        let user = socket.get::<User>().map(|u| u.name.clone());
        let _ = socket.emit("state", &(socket.recovered(), user, socket.data()));
        if !socket.recovered() {
            socket.set_data(serde_json::json!({ "from": "first connection" }));
        }
    });
    let addr = start(io).await;
    let (mut ws, reply) = sio_connect(addr, "/", Some(r#"{"user":"bob"}"#)).await;
    let state = next_sio(&mut ws).await;
    assert!(
        state.starts_with(r#"2["state",false,"bob",{"from":"middleware"},"#),
        "{state}"
    );
    let auth = recovery_auth(&reply, &state);
    drop(ws);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (mut ws, reply) = sio_connect(addr, "/", Some(&auth)).await;
    assert!(reply.starts_with("40{"), "{reply}");
    let state = next_sio(&mut ws).await;
    assert!(
        state.starts_with(r#"2["state",true,"bob",{"from":"first connection"},"#),
        "{state}"
    );
}
