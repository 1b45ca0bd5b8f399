//! The load-test fixture, with the same contract as volley-tokio's `bench` example; the
//! application is shared with it (`examples/bench_app.rs`, which states the contract). Runs
//! on async-std, or on smol with `--smol`. With `REDIS_URL` it joins that Redis cluster, as
//! volley-tokio's does.
//!
//! ```text
//! PORT=3000 cargo run --release -p volley-async-std --example bench [-- --smol]
//! ```

#[path = "../../examples/bench_app.rs"]
mod app;
mod support;

fn main() -> std::io::Result<()> {
    support::run(|rt| async move {
        let port = app::port();
        let listener = async_net::TcpListener::bind(("127.0.0.1", port)).await?;
        let io = rt.socketio_from_env(app::options())?;
        app::bench_app(&io);
        println!("bench ({}) listening on 127.0.0.1:{port}", rt.name());
        volley_async_std::serve(listener, io).await
    })
}
