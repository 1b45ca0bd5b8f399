//! The Socket.IO user API driven over real WebSockets with a raw-frame client.

mod common;

use common::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use volley_tokio::{ConnectError, Connecting, Io, Options, SocketRef};

fn server() -> Io {
    volley_tokio::new(Options::default().serve_client(false))
}

#[tokio::test]
async fn connect_with_auth_and_typed_event_with_ack() {
    let io = server();
    io.of("/").on_connection(|socket: SocketRef| {
        let token = socket.handshake().auth_field("token").unwrap_or_default();
        let _ = socket.emit("welcome", &token);
        socket.on("add", |_socket, mut event| {
            let (a, b): (i64, i64) = event.args().expect("two numbers");
            let _ = event.ack(&(a + b));
        });
    });
    let addr = start(io).await;
    let (mut ws, reply) = sio_connect(addr, "/", Some(r#"{"token":"abc"}"#)).await;
    assert!(reply.starts_with("40{\"sid\":\""), "{reply}");
    assert_eq!(next_sio(&mut ws).await, r#"2["welcome","abc"]"#);
    send_sio(&mut ws, r#"27["add",2,3]"#).await;
    assert_eq!(next_sio(&mut ws).await, "37[5]");
}

#[tokio::test]
async fn invalid_namespace_is_refused_and_session_stays_open() {
    let io = server();
    io.of("/").on_connection(|_socket: SocketRef| {});
    let addr = start(io).await;
    let (mut ws, reply) = sio_connect(addr, "/nope", None).await;
    assert_eq!(reply, r#"44/nope,{"message":"Invalid namespace"}"#);
    send_sio(&mut ws, "0").await;
    assert!(next_sio(&mut ws).await.starts_with("0{\"sid\":"));
}

#[tokio::test]
async fn middleware_refuses_with_message_and_data_and_admits_with_cookie() {
    let io = server();
    io.of("/").middleware(|handshake| {
        if handshake.auth_field("user").is_some() {
            Ok(())
        } else {
            Err(ConnectError::new("not authorized").with_data(r#"{"reason":"login"}"#.into()))
        }
    });
    io.of("/").on_connection(|socket: SocketRef| {
        let _ = socket.emit("in", &());
    });
    let addr = start(io).await;
    let (_ws, reply) = sio_connect(addr, "/", None).await;
    assert_eq!(
        reply,
        r#"44{"message":"not authorized","data":{"reason":"login"}}"#
    );
    let (mut ws, reply) = sio_connect(addr, "/", Some(r#"{"user":"ann"}"#)).await;
    assert!(reply.starts_with("40{"), "{reply}");
    assert_eq!(next_sio(&mut ws).await, r#"2["in"]"#);
}

#[tokio::test]
async fn async_middleware_can_refuse() {
    let io = server();
    io.of("/").middleware(|handshake: Connecting| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        match handshake.auth_field("user") {
            Some(_) => Ok(()),
            None => Err(ConnectError::new("go away")),
        }
    });
    io.of("/").on_connection(|_socket: SocketRef| {});
    let addr = start(io).await;
    let (_ws, reply) = sio_connect(addr, "/", None).await;
    assert_eq!(reply, r#"44{"message":"go away"}"#);
    let (_ws, reply) = sio_connect(addr, "/", Some(r#"{"user":1}"#)).await;
    assert!(reply.starts_with("40{"), "{reply}");
}

#[tokio::test]
async fn rooms_broadcast_except_sender_and_to_room() {
    let io = server();
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("join", |socket, event| {
            let room: String = event.arg(0).expect("room");
            socket.join(room);
            let _ = socket.emit("joined", &socket.rooms().len());
        });
        socket.on("shout", |socket, event| {
            let text: String = event.arg(0).expect("text");
            let _ = socket.broadcast().emit("shout", &text);
        });
        socket.on("tell", |socket, event| {
            let (room, text): (String, String) = event.args().expect("room, text");
            let _ = socket.to(room).emit("told", &text);
        });
    });
    let addr = start(io).await;
    let (mut a, _) = sio_connect(addr, "/", None).await;
    let (mut b, _) = sio_connect(addr, "/", None).await;
    let (mut c, _) = sio_connect(addr, "/", None).await;
    for ws in [&mut a, &mut b] {
        send_sio(ws, r#"2["join","r1"]"#).await;
        assert_eq!(next_sio(ws).await, r#"2["joined",2]"#);
    }
    send_sio(&mut a, r#"2["shout","hi"]"#).await;
    assert_eq!(next_sio(&mut b).await, r#"2["shout","hi"]"#);
    assert_eq!(next_sio(&mut c).await, r#"2["shout","hi"]"#);
    // c (not in r1) tells r1: a and b get it; a's next packet proves a never got its own shout.
    send_sio(&mut c, r#"2["tell","r1","psst"]"#).await;
    assert_eq!(next_sio(&mut a).await, r#"2["told","psst"]"#);
    assert_eq!(next_sio(&mut b).await, r#"2["told","psst"]"#);
}

#[tokio::test]
async fn server_emit_with_ack_is_answered_or_times_out() {
    let io = server();
    let (tx, mut rx) = mpsc::unbounded_channel();
    io.of("/").on_connection(move |socket: SocketRef| {
        let tx = tx.clone();
        tokio::spawn(async move {
            let answered = socket
                .timeout(Duration::from_millis(500))
                .emit_with_ack("question", &1)
                .expect("emit")
                .await
                .map(|r| r.arg::<String>(0).expect("string"));
            tx.send(format!("{answered:?}")).expect("report");
            let unanswered = socket
                .timeout(Duration::from_millis(100))
                .emit_with_ack("question", &2)
                .expect("emit")
                .await;
            tx.send(format!("{:?}", unanswered.err())).expect("report");
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    let q = next_sio(&mut ws).await;
    let id: String = q[1..].chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(q, format!(r#"2{id}["question",1]"#));
    send_sio(&mut ws, &format!(r#"3{id}["yes"]"#)).await;
    assert_eq!(rx.recv().await.expect("first"), r#"Ok("yes")"#);
    let _ignored = next_sio(&mut ws).await;
    assert_eq!(rx.recv().await.expect("second"), "Some(Timeout)");
}

#[tokio::test]
async fn broadcast_with_ack_collects_one_reply_per_socket() {
    let io = server();
    let addr = start(io.clone()).await;
    io.of("/").on_connection(|_s: SocketRef| {});
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(sio_connect(addr, "/", None).await.0);
    }
    let acks = io
        .timeout(Duration::from_secs(2))
        .emit_with_ack("poll", &())
        .expect("emit");
    for (i, ws) in clients.iter_mut().enumerate() {
        let q = next_sio(ws).await;
        let id: String = q[1..].chars().take_while(char::is_ascii_digit).collect();
        send_sio(ws, &format!("3{id}[{i}]")).await;
    }
    let acks = tokio::time::timeout(WAIT, acks).await.expect("in time");
    assert!(acks.complete());
    let mut got: Vec<u32> = acks.replies.iter().map(|r| r.arg(0).expect("n")).collect();
    got.sort();
    assert_eq!(got, [0, 1, 2]);
}

#[tokio::test]
async fn server_disconnect_and_client_disconnect_reasons() {
    let io = server();
    let reasons = Arc::new(Mutex::new(Vec::new()));
    let seen = reasons.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let seen = seen.clone();
        socket.on_disconnect(move |_s, reason| seen.lock().unwrap().push(reason.to_string()));
        socket.on("kick me", |socket, _event| socket.disconnect());
    });
    let addr = start(io).await;
    let (mut a, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut a, r#"2["kick me"]"#).await;
    assert_eq!(next_sio(&mut a).await, "1");
    let (mut b, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut b, "1").await;
    // A round trip on another client orders the assertions after both disconnects.
    let (_c, _) = sio_connect(addr, "/", None).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut got = reasons.lock().unwrap().clone();
    got.sort();
    assert_eq!(
        got,
        ["client namespace disconnect", "server namespace disconnect"]
    );
}

#[tokio::test]
async fn disconnect_and_close_ends_every_socket_of_the_client_and_its_connection() {
    let io = server();
    let reasons = Arc::new(Mutex::new(Vec::new()));
    for nsp in ["/", "/custom"] {
        let seen = reasons.clone();
        io.of(nsp).on_connection(move |socket: SocketRef| {
            let seen = seen.clone();
            socket.on_disconnect(move |s, reason| {
                seen.lock().unwrap().push(format!("{} {reason}", s.ns()));
            });
            socket.on("ban me", |socket, _event| socket.disconnect_and_close());
        });
    }
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, "0/custom,").await;
    assert!(next_sio(&mut ws).await.starts_with("0/custom,{\"sid\":"));
    send_sio(&mut ws, r#"2["ban me"]"#).await;
    let mut got = vec![next_sio(&mut ws).await, next_sio(&mut ws).await];
    got.sort();
    assert_eq!(got, ["1", "1/custom,"]);
    // Then the connection itself ends.
    assert!(closes_within_5s(&mut ws).await, "the WebSocket stayed open");
    // The handlers run on the server's task: wait for both (bounded).
    for _ in 0..500 {
        if reasons.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut reasons = reasons.lock().unwrap().clone();
    reasons.sort();
    assert_eq!(
        reasons,
        [
            "/ server namespace disconnect",
            "/custom server namespace disconnect"
        ]
    );
}

#[tokio::test]
async fn event_middleware_refuses_events_before_their_handlers_and_reports_to_on_error() {
    let io = server();
    io.of("/").on_connection(|socket: SocketRef| {
        // Runs first: counts every event it sees.
        socket.middleware(|socket, _event| {
            let mut data = socket.data().unwrap_or_default();
            let seen = data["seen"].as_u64().unwrap_or(0);
            data["seen"] = serde_json::json!(seen + 1);
            socket.set_data(data);
            Ok(())
        });
        socket.middleware(|socket, event| {
            let logged_in = socket.data().is_some_and(|d| d.get("user").is_some());
            match event.name() {
                "login" => Ok(()),
                "bad-arg" if event.arg::<u64>(0).is_err() => {
                    Err(volley_tokio::EventRefused::new("a number, please"))
                }
                _ if logged_in => Ok(()),
                _ => Err(volley_tokio::EventRefused::new("unauthorized event")),
            }
        });
        socket.on_error(|socket, error| {
            let _ = socket.emit("refused", &error.message);
        });
        socket.on("login", |socket, mut event| {
            let mut data = socket.data().unwrap_or_default();
            data["user"] = serde_json::json!("ada");
            socket.set_data(data);
            let _ = event.ack(&"welcome");
        });
        socket.on("secret", |socket, mut event| {
            let seen = socket.data().map(|d| d["seen"].clone()).unwrap_or_default();
            let _ = event.ack(&seen);
        });
        socket.on("bad-arg", |_socket, mut event| {
            let _ = event.ack(&"handled");
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    // Refused: no handler, no ack, the app's on_error hears it.
    send_sio(&mut ws, r#"21["secret"]"#).await;
    assert_eq!(
        next_sio(&mut ws).await,
        r#"2["refused","unauthorized event"]"#
    );
    send_sio(&mut ws, r#"22["login"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"32["welcome"]"#);
    // Both middlewares ran on every event, refused ones included.
    send_sio(&mut ws, r#"23["secret"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"33[3]"#);
    // A middleware may read the arguments.
    send_sio(&mut ws, r#"24["bad-arg","x"]"#).await;
    assert_eq!(
        next_sio(&mut ws).await,
        r#"2["refused","a number, please"]"#
    );
    send_sio(&mut ws, r#"25["bad-arg",7]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"35["handled"]"#);
}

#[tokio::test]
async fn an_async_event_middleware_holds_later_events_so_handlers_see_arrival_order() {
    let io = server();
    io.of("/").on_connection(|socket: SocketRef| {
        socket.middleware(|_socket, event| {
            let name = event.name().to_owned();
            async move {
                if name == "slow" {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                if name == "forbidden" {
                    return Err(volley_tokio::EventRefused::new("no"));
                }
                Ok(())
            }
        });
        socket.on_error(|socket, error| {
            let _ = socket.emit("refused", &error.message);
        });
        for name in ["slow", "fast", "forbidden"] {
            socket.on(name, move |socket, event| {
                let _ = socket.emit("handled", &(name, event.arg::<u32>(0).unwrap_or(0)));
            });
        }
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["slow",1]"#).await;
    send_sio(&mut ws, r#"2["fast",2]"#).await;
    send_sio(&mut ws, r#"2["forbidden",3]"#).await;
    send_sio(&mut ws, r#"2["fast",4]"#).await;
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(next_sio(&mut ws).await);
    }
    assert_eq!(
        got,
        [
            r#"2["handled","slow",1]"#,
            r#"2["handled","fast",2]"#,
            r#"2["refused","no"]"#,
            r#"2["handled","fast",4]"#,
        ]
    );
}

#[tokio::test]
async fn on_any_outgoing_hears_every_event_sent_to_the_socket_and_nothing_else() {
    let io = server();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = heard.clone();
    let io2 = io.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let log = log.clone();
        if socket.handshake().auth_field("listen").is_some() {
            socket.on_any_outgoing(move |_socket, event| {
                let first = event.arg::<serde_json::Value>(0).unwrap_or_default();
                log.lock()
                    .unwrap()
                    .push(format!("{} {first}", event.name()));
            });
        }
        socket.join("r");
        let io = io2.clone();
        socket.on("go", move |socket, mut event| {
            let _ = socket.emit("direct", &1);
            let _ = socket.volatile().emit("volatile", &2);
            let _ = io.to("r").emit("room", &3);
            let _ = io.except("r").emit("not-for-it", &4);
            let _ = socket
                .timeout(Duration::from_secs(5))
                .emit_with_ack("asks", &5);
            let _ = event.ack(&"an ack is not an event");
        });
    });
    let addr = start(io).await;
    let (mut quiet, _) = sio_connect(addr, "/", None).await;
    let (mut ws, _) = sio_connect(addr, "/", Some(r#"{"listen":true}"#)).await;
    send_sio(&mut ws, r#"20["go"]"#).await;
    // direct, volatile, room, asks, then the ack.
    for _ in 0..5 {
        next_sio(&mut ws).await;
    }
    // The quiet socket got the room broadcast too; nobody listens there.
    assert_eq!(next_sio(&mut quiet).await, r#"2["room",3]"#);
    let mut got = heard.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, ["asks 5", "direct 1", "room 3", "volatile 2"]);
}

#[tokio::test]
async fn a_malformed_event_closes_the_client_before_any_middleware_sees_it() {
    let io = server();
    let seen = Arc::new(Mutex::new(0));
    let count = seen.clone();
    io.of("/").on_connection(move |socket: SocketRef| {
        let count = count.clone();
        socket.middleware(move |_socket, _event| {
            *count.lock().unwrap() += 1;
            Ok(())
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    // A string name then an invalid JSON argument: only found when the event is read.
    send_sio(&mut ws, r#"2["x",tru]"#).await;
    assert!(
        closes_within_5s(&mut ws).await,
        "the client stayed connected"
    );
    assert_eq!(*seen.lock().unwrap(), 0);
}

#[tokio::test]
async fn binary_arguments_round_trip_and_fallback() {
    let io = server();
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |socket, event| {
            let _ = socket.emit_forward("echo", event.forward_args());
        });
        socket.on_fallback(|socket, event| {
            let _ = socket.emit("unknown", &event.name());
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"51-["echo",{"_placeholder":true,"num":0}]"#).await;
    futures_util::SinkExt::send(
        &mut ws,
        tokio_tungstenite::tungstenite::Message::binary(vec![9u8, 8, 7]),
    )
    .await
    .expect("send");
    assert_eq!(
        next_sio(&mut ws).await,
        r#"51-["echo",{"_placeholder":true,"num":0}]"#
    );
    match next(&mut ws).await {
        Some(tokio_tungstenite::tungstenite::Message::Binary(b)) => assert_eq!(&b[..], &[9, 8, 7]),
        other => panic!("expected the attachment, got {other:?}"),
    }
    send_sio(&mut ws, r#"2["whatever"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["unknown","whatever"]"#);
}

#[tokio::test]
async fn emitting_from_a_background_task_and_fetch_sockets() {
    let io = server();
    io.of("/")
        .on_connection(|socket: SocketRef| socket.join("news"));
    let addr = start(io.clone()).await;
    let (mut a, _) = sio_connect(addr, "/", None).await;
    let (mut b, _) = sio_connect(addr, "/", None).await;
    let bg = io.clone();
    tokio::spawn(async move {
        assert_eq!(bg.fetch_sockets().len(), 2);
        bg.to("news").emit("tick", &1).expect("emit");
        bg.sockets_leave("news");
        bg.to("news").emit("tick", &2).expect("emit");
        bg.emit("done", &()).expect("emit");
    });
    for ws in [&mut a, &mut b] {
        assert_eq!(next_sio(ws).await, r#"2["tick",1]"#);
        assert_eq!(next_sio(ws).await, r#"2["done"]"#);
    }
}

#[tokio::test]
async fn fetch_all_sockets_on_a_single_node_lists_ids_and_rooms() {
    let io = server();
    io.of("/")
        .on_connection(|socket: SocketRef| socket.join("news"));
    let addr = start(io.clone()).await;
    let (_a, ra) = sio_connect(addr, "/", None).await;
    let (_b, rb) = sio_connect(addr, "/", None).await;
    let mut ids: Vec<String> = io
        .to("news")
        .fetch_all_sockets()
        .await
        .into_iter()
        .map(|s| {
            assert!(s.rooms.iter().any(|r| r == "news"));
            s.id.to_string()
        })
        .collect();
    ids.sort();
    let mut expected: Vec<String> = [ra, rb].iter().map(|r| sid_of(&r[1..])).collect();
    expected.sort();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_panicking_handler_does_not_take_the_connection_down() {
    let io = server();
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("boom", |_socket, event| {
            if !event.name().is_empty() {
                panic!("handler bug (expected in this test)");
            }
        });
        socket.on("echo", |socket, event| {
            let _ = socket.emit_forward("echo", event.forward_args());
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["boom"]"#).await;
    send_sio(&mut ws, r#"2["echo","still here"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["echo","still here"]"#);
}
