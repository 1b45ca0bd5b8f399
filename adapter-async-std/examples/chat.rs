//! A login-protected chat on Volley in front of an axum app, on async-std, or on smol with
//! `--smol`. The application is shared with volley-tokio's `chat` example
//! (`examples/chat_app/`, which describes it); this file adds only the runtime. axum's
//! `Router` is a tower service: volley-async-std serves it behind Volley, no tokio involved.
//!
//! ```sh
//! ./scripts/chat.sh --async-std [--smol]     # npm ci, then this example on http://127.0.0.1:3000
//! PORT=8080 cargo run --release -p volley-async-std --example chat [-- --smol]
//! ```
//!
//! State is in memory, or shared through Redis with `REDIS_URL` as with volley-tokio's (the
//! Redis adapter runs on async-std and smol too; nodes on either runtime share a cluster).

#[path = "../../examples/chat_app/mod.rs"]
mod app;
mod support;

use volley_async_std::VolleyService;

fn main() -> std::io::Result<()> {
    app::init_logging();
    let settings = app::settings()?;
    support::run(|rt| async move {
        let (options, cluster) = app::cluster_options()?;
        let io = rt.socketio(options);
        let state = app::join_cluster(&io, cluster);
        let pages = app::attach(&io, settings.auth);
        let listener = async_net::TcpListener::bind(("127.0.0.1", settings.port)).await?;
        let addr = listener.local_addr()?;
        tracing::info!("Volley chat on http://{addr} ({}, {state})", rt.name());
        // Ctrl-C: stop accepting, disconnect every client (`server shutting down`), return.
        volley_async_std::serve_service(listener, VolleyService::wrap(io, pages))
            .with_graceful_shutdown(async {
                let _ = volley_async_std::ctrl_c().await;
            })
            .await
    })
}
