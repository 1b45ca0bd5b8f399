//! The WebSocket connection task answers everything it read before flushing once: pipelined
//! requests all get their answers, in order, and nothing waits for more input to go out
//! (a lone request, a reply larger than the write buffer, an emit while the client is quiet).

mod common;

use common::*;
use futures_util::SinkExt;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use volley_tokio::{Io, Options, SocketRef};

/// Events `burst` emits.
const BURST: u32 = 100;

/// `echo` acknowledges with its arguments; `burst` emits [`BURST`] `tick` events from a
/// background task; `later` emits `done` from a background task once
/// the client has nothing more in flight.
fn echo_server() -> Io {
    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on("echo", |_socket, mut event| {
            if let Some(ack) = event.take_ack() {
                ack.send_forward(event.forward_args());
            }
        });
        socket.on("burst", |socket, _event| {
            // Emits from another task, over several turns of the scheduler.
            tokio::spawn(async move {
                for i in 0..BURST {
                    let _ = socket.emit("tick", &i);
                    if i % 7 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            });
        });
        socket.on("later", |socket, _event| {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = socket.emit("done", &());
            });
        });
    });
    io
}

/// Sends `count` acknowledged `echo` requests (ids `first..first+count`, each carrying
/// `payload`) in as few socket writes as the client can, then reads every answer.
async fn pipelined_echo(ws: &mut Ws, first: u64, count: u64, payload: &str) {
    for id in first..first + count {
        let packet = format!(r#"42{id}["echo",{id},"{payload}"]"#);
        ws.feed(Message::text(packet)).await.expect("feed");
    }
    ws.flush().await.expect("flush");
    for id in first..first + count {
        assert_eq!(
            next_sio(ws).await,
            format!(r#"3{id}[{id},"{payload}"]"#),
            "answer {id} of {count}"
        );
    }
}

async fn many_pipelined_acks_are_all_answered_in_order() {
    let addr = start(echo_server()).await;
    let (mut ws, reply) = sio_connect(addr, "/", None).await;
    assert!(reply.starts_with("40{\"sid\":\""), "{reply}");
    // More requests than one wake-up of the connection task reads.
    pipelined_echo(&mut ws, 1, 500, "x").await;
    // Answers far larger than the write buffer.
    pipelined_echo(&mut ws, 501, 300, &"y".repeat(2048)).await;
    // And the connection still answers a single request on its own.
    pipelined_echo(&mut ws, 801, 1, "last").await;
}

#[tokio::test]
async fn many_pipelined_acks_are_all_answered_in_order_current_thread() {
    many_pipelined_acks_are_all_answered_in_order().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_pipelined_acks_are_all_answered_in_order_multi_thread() {
    many_pipelined_acks_are_all_answered_in_order().await;
}

#[tokio::test]
async fn a_lone_request_is_answered_without_further_input() {
    let addr = start(echo_server()).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    for id in 0..5 {
        send_sio(&mut ws, &format!(r#"2{id}["echo","one"]"#)).await;
        assert_eq!(next_sio(&mut ws).await, format!(r#"3{id}["one"]"#));
    }
}

#[tokio::test]
async fn an_emit_while_the_client_is_quiet_is_delivered() {
    let addr = start(echo_server()).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["later"]"#).await;
    assert_eq!(next_sio(&mut ws).await, r#"2["done"]"#);
}

#[tokio::test]
async fn a_burst_of_emits_from_another_task_arrives_whole_and_in_order() {
    let addr = start(echo_server()).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"2["burst"]"#).await;
    for i in 0..BURST {
        assert_eq!(next_sio(&mut ws).await, format!(r#"2["tick",{i}]"#));
    }
    // The connection still answers right after.
    pipelined_echo(&mut ws, 1, 3, "after").await;
}

#[tokio::test]
async fn requests_larger_than_one_socket_read_are_answered_whole() {
    let addr = start(echo_server()).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    // 40 KB each: more than the 16 KiB one read system call takes.
    pipelined_echo(&mut ws, 1, 3, &"z".repeat(40_000)).await;
}
