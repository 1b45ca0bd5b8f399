//! Raw Engine.IO mode over real sockets, under async-std and under smol: polling and
//! WebSocket echo, the upgrade, and the heartbeat timer closing a silent client.

mod common;

use async_tungstenite::tungstenite::Message;
use common::*;
use std::time::Duration;
use volley_async_std::protocol::engine::EngineConfig;

fn echo_engine(rt: &Rt) -> std::net::SocketAddr {
    let engine = rt.engine(
        EngineConfig::default()
            .path("/engine.io/")
            .ping_interval(Duration::from_millis(300))
            .ping_timeout(Duration::from_millis(200)),
    );
    engine.on_message(|engine, sid, message| engine.send(&sid, message));
    start(rt, engine)
}

#[test]
fn polling_handshake_then_echo_of_text_and_binary() {
    for rt in runtimes() {
        let addr = echo_engine(&rt);
        let open = get(addr, "/engine.io/?EIO=4&transport=polling");
        assert_eq!(open.status, 200);
        assert!(
            open.text().contains("\"pingInterval\":300"),
            "{}",
            open.text()
        );
        let target = format!(
            "/engine.io/?EIO=4&transport=polling&sid={}",
            sid_of(&open.text())
        );
        assert_eq!(post(addr, &target, b"4hello\x1ebAQID").text(), "ok");
        assert_eq!(get(addr, &target).text(), "4hello\x1ebAQID");
    }
}

#[test]
fn websocket_session_echoes_text_as_text_and_binary_as_binary() {
    for rt in runtimes() {
        let addr = echo_engine(&rt);
        let mut ws = ws(addr, "/engine.io/?EIO=4&transport=websocket");
        assert!(next_text(&mut ws).contains("\"upgrades\":[]"));
        send_text(&mut ws, "4héllo");
        assert_eq!(next_text_no_ping(&mut ws), "4héllo");
        ws.send(Message::binary(vec![1u8, 2, 3])).expect("send");
        loop {
            match next(&mut ws) {
                Some(Message::Binary(b)) => break assert_eq!(&b[..], &[1, 2, 3]),
                Some(Message::Text(t)) if t == "2" => send_text(&mut ws, "3"),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn polling_session_upgrades_to_websocket() {
    for rt in runtimes() {
        let addr = echo_engine(&rt);
        let sid = sid_of(&get(addr, "/engine.io/?EIO=4&transport=polling").text());
        let mut ws = ws(
            addr,
            &format!("/engine.io/?EIO=4&transport=websocket&sid={sid}"),
        );
        send_text(&mut ws, "2probe");
        assert_eq!(next_text(&mut ws), "3probe");
        send_text(&mut ws, "5");
        send_text(&mut ws, "4after upgrade");
        assert_eq!(next_text_no_ping(&mut ws), "4after upgrade");
        let late = get(
            addr,
            &format!("/engine.io/?EIO=4&transport=polling&sid={sid}"),
        );
        assert_eq!(late.status, 400, "polling is over for this session");
    }
}

#[test]
fn answered_pings_keep_a_websocket_open_and_a_silent_one_is_closed() {
    for rt in runtimes() {
        let addr = echo_engine(&rt);
        let mut alive = ws(addr, "/engine.io/?EIO=4&transport=websocket");
        let mut silent = ws(addr, "/engine.io/?EIO=4&transport=websocket");
        let _ = next_text(&mut alive);
        let _ = next_text(&mut silent);
        for _ in 0..3 {
            assert_eq!(next_text(&mut alive), "2");
            send_text(&mut alive, "3");
        }
        // The silent client never answered: pingTimeout has long passed.
        closed(&mut silent);
        send_text(&mut alive, "4still here");
        assert_eq!(next_text_no_ping(&mut alive), "4still here");
    }
}
