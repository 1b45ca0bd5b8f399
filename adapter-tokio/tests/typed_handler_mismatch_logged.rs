//! A typed handler (`on_args`) whose types the client's arguments do not fit is skipped
//! silently for the client; the developer finds why in the `debug` log.

mod common;

use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use volley_tokio::{Options, SocketRef};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_skipped_typed_handler_logs_the_event_and_the_reason_at_debug() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    // The test runs on one thread (current-thread runtime), the server's tasks included.
    let _guard = tracing::subscriber::set_default(subscriber);

    let io = volley_tokio::new(Options::default().serve_client(false));
    io.of("/").on_connection(|socket: SocketRef| {
        socket.on_args("add", |_s, (a, b): (i64, i64), ack| {
            if let Some(ack) = ack {
                let _ = ack.send(&(a + b));
            }
        });
    });
    let addr = start(io).await;
    let (mut ws, _) = sio_connect(addr, "/", None).await;
    send_sio(&mut ws, r#"21["add","x","y"]"#).await;
    send_sio(&mut ws, r#"22["add",2,3]"#).await;
    // Only the second one is answered; the first was read (and skipped) before it.
    assert_eq!(next_sio(&mut ws).await, "32[5]");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("typed handler not called"))
        .unwrap_or_else(|| panic!("no debug line for the skipped handler in:\n{log}"));
    assert!(line.contains("event=\"add\""), "{line}");
    assert!(
        line.contains("invalid type: string, expected i64"),
        "{line}"
    );
}
