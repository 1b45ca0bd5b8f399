//! A login-protected chat on Volley in front of an axum app, on tokio. The application is
//! shared with volley-async-std's `chat` example (`examples/chat_app/`, which describes it);
//! this file adds the runtime and the Redis cluster option.
//!
//! ```sh
//! ./scripts/chat.sh            # npm ci, then this example on http://127.0.0.1:3000
//! PORT=8080 cargo run --release -p volley-tokio --example chat
//! ```
//!
//! State is in memory unless `REDIS_URL` joins a cluster of chat servers through volley-redis
//! (give them all the same `CHAT_SECRET`).

#[path = "../../examples/chat_app/mod.rs"]
mod app;

use volley_tokio::VolleyService;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    app::init_logging();
    let settings = app::settings()?;

    // Embedded by default; REDIS_URL makes this server one node of a cluster.
    let (options, cluster) = app::cluster_options()?;
    let io = volley_tokio::new(options);
    let state = app::join_cluster(&io, cluster);
    let pages = app::attach(&io, settings.auth);

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", settings.port)).await?;
    let addr = listener.local_addr()?;
    tracing::info!("Volley chat on http://{addr} (tokio, {state})");
    volley_tokio::serve_service(listener, VolleyService::wrap(io, pages))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
