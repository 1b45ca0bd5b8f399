//! Two polling POSTs of one session in flight at once, over real sockets: while the first
//! one's body is still arriving, the second gets the reference's bare 400, the session closes
//! with `transport error`, the first request is ended too, and other sessions carry on.

mod common;

use common::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use volley_tokio::protocol::engine::CloseReason;

/// An echo server recording close reasons.
fn echo_engine(closed: Arc<Mutex<Vec<(String, CloseReason)>>>) -> volley_tokio::EngineIo {
    let engine = common::echo_engine();
    engine.on_close(move |_, sid, reason| closed.lock().unwrap().push((sid.to_string(), reason)));
    engine
}

async fn handshake(addr: std::net::SocketAddr) -> String {
    sid_of(
        &get(addr, "/engine.io/?EIO=4&transport=polling")
            .await
            .text(),
    )
}

/// Starts a POST to `sid` announcing 10 body bytes and sends only 3 of them.
async fn slow_post(addr: std::net::SocketAddr, sid: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /engine.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 10\r\n\r\n4he"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
}

#[tokio::test]
async fn a_second_post_while_the_first_body_is_arriving_gets_400_and_ends_the_session() {
    let closed = Arc::new(Mutex::new(Vec::new()));
    let addr = start(echo_engine(closed.clone())).await;
    let sid = handshake(addr).await;
    let bystander = handshake(addr).await;
    let bystander_post = slow_post(addr, &bystander).await;
    let mut first = slow_post(addr, &sid).await;
    let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
    // The server has to have read the first head before the second POST overlaps it; until
    // then a second POST is an ordinary one, answered `ok`.
    let mut second = post(addr, &target, b"4x").await;
    for attempt in 1..50 {
        if second.status != 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20 * attempt)).await;
        second = post(addr, &target, b"4x").await;
    }
    assert_eq!(second.status, 400, "{second:?}");
    assert!(second.body.is_empty(), "the reference's 400 has no body");
    assert_eq!(second.header("content-type"), None);

    // The first POST is ended with its session, without waiting for the rest of its body.
    let ended = read_response(&mut first).await;
    assert_eq!(ended.map(|r| r.status), Some(400));
    assert_eq!(
        get(addr, &target).await.text(),
        r#"{"code":1,"message":"Session ID unknown"}"#
    );
    assert_eq!(
        closed.lock().unwrap().clone(),
        vec![(sid, CloseReason::TransportError)]
    );

    // Another session with a POST in flight of its own is not touched: its body completes.
    let mut bystander_post = bystander_post;
    bystander_post.write_all(b"llo!!!!").await.expect("rest");
    let done = read_response(&mut bystander_post).await.expect("answered");
    assert_eq!((done.status, done.text()), (200, "ok".to_owned()));
    let echo = get(
        addr,
        &format!("/engine.io/?EIO=4&transport=polling&sid={bystander}"),
    )
    .await;
    assert_eq!(echo.text(), "4hello!!!!");
    assert_eq!(closed.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_post_whose_client_goes_away_mid_body_closes_its_session() {
    let closed = Arc::new(Mutex::new(Vec::new()));
    let addr = start(echo_engine(closed.clone())).await;
    let sid = handshake(addr).await;
    let target = format!("/engine.io/?EIO=4&transport=polling&sid={sid}");
    drop(slow_post(addr, &sid).await);
    // The server learns of it when its read fails; wait for the close, bounded.
    let deadline = tokio::time::Instant::now() + WAIT;
    while closed.lock().unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "session still open");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        closed.lock().unwrap().clone(),
        vec![(sid, CloseReason::TransportError)]
    );
    assert_eq!(get(addr, &target).await.status, 400);
}
