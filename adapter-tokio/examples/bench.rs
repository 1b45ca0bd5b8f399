//! The load-test fixture every server in the benchmark comparison implements; the application
//! is shared with the other adapters (`examples/bench_app.rs`, which states the contract).
//!
//! - `TOKIO_FLAVOR`: `current_thread` or `multi_thread` (default).
//! - `REDIS_URL` (e.g. `redis://127.0.0.1:6379`): join a cluster of nodes on that Redis
//!   (volley-redis, wire-compatible with `@socket.io/redis-adapter`), so broadcasts reach the
//!   clients of every node.
//!
//! ```text
//! PORT=3000 TOKIO_FLAVOR=current_thread cargo run --release -p volley-tokio --example bench
//! ```

#[path = "../../examples/bench_app.rs"]
mod app;

fn main() -> std::io::Result<()> {
    let port = app::port();
    let flavor = std::env::var("TOKIO_FLAVOR").unwrap_or_else(|_| "multi_thread".into());
    let runtime = match flavor.as_str() {
        "current_thread" => tokio::runtime::Builder::new_current_thread(),
        "multi_thread" => tokio::runtime::Builder::new_multi_thread(),
        other => {
            eprintln!("TOKIO_FLAVOR must be current_thread or multi_thread, not {other}");
            std::process::exit(2);
        }
    }
    .enable_all()
    .build()?;
    runtime.block_on(serve(port))
}

async fn serve(port: u16) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let (options, cluster) = volley_redis::options_from_env(app::options())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let io = volley_tokio::new(options);
    if let Some(inbox) = cluster {
        volley_redis::attach(&io, inbox);
    }
    app::bench_app(&io);
    println!("bench listening on 127.0.0.1:{port}");
    volley_tokio::serve(listener, io)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
