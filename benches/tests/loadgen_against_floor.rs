//! The load generator, run as a program, drives the bare-WebSocket floor server and reports
//! what it saw. (Short windows: this checks the tools work, not how fast anything is.)

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use volley_benches::results::Outcome;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_floor() -> (Server, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_ws_floor"))
        .env("PORT", port.to_string())
        .env("TOKIO_FLAVOR", "current_thread")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "floor server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (Server(child), port)
}

fn loadgen(port: u16, pid: u32, args: &[&str]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(args)
        .args([
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--pid",
            &pid.to_string(),
        ])
        .args(["--warmup", "0.2", "--duration", "0.5", "--time-limit", "60"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "loadgen {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn echo_with_acks_completes_requests() {
    let (server, port) = start_floor();
    let pid = server.0.id();
    let Outcome::Echo(r) = loadgen(port, pid, &["echo", "--clients", "5", "--in-flight", "2"])
    else {
        panic!("not an echo result");
    };
    assert_eq!((r.clients, r.in_flight), (5, 2));
    assert!(r.req_per_s > 0.0, "{r:?}");
    assert!(r.latency.is_some());
}

#[test]
fn fanout_delivers_every_broadcast_to_every_client() {
    let (server, port) = start_floor();
    let pid = server.0.id();
    let Outcome::Fanout(r) = loadgen(port, pid, &["fanout", "--clients", "20", "--rate", "50"])
    else {
        panic!("not a fan-out result");
    };
    assert_eq!(r.clients, 20);
    assert_eq!(r.loss, 0.0, "{r:?}");
    assert!(r.delivered_per_s > 0.0 && r.published_per_s > 0.0, "{r:?}");
}

#[test]
fn connections_report_server_memory_per_step() {
    let (server, port) = start_floor();
    let pid = server.0.id();
    let args = ["connections", "--steps", "20,40", "--settle", "0.1"];
    let Outcome::Connections(r) = loadgen(port, pid, &args) else {
        panic!("not a connections result");
    };
    let counts: Vec<u64> = r.steps.iter().map(|s| s.connections).collect();
    assert_eq!(counts, vec![20, 40]);
    assert!(r.baseline_rss_bytes > 0 && r.connect_per_s > 0.0, "{r:?}");
    assert_eq!(r.failed, 0);
}

#[test]
fn loadgen_refuses_a_non_loopback_target() {
    let out = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(["echo", "--addr", "192.0.2.1:80", "--pid", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}
