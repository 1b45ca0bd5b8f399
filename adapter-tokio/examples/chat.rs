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

use volley_tokio::{Options, VolleyService};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    app::init_logging();
    let settings = app::settings()?;

    // Embedded by default; REDIS_URL makes this server one node of a cluster (the Redis
    // adapter, wire-compatible with @socket.io/redis-adapter).
    let (options, cluster) = match std::env::var("REDIS_URL") {
        Ok(url) => {
            if std::env::var_os("CHAT_SECRET").is_none() {
                tracing::warn!(
                    "REDIS_URL without CHAT_SECRET: other nodes refuse this node's sessions"
                );
            }
            let config = volley_redis::RedisConfig::new(url.clone());
            let (options, inbox) =
                volley_redis::options(Options::default(), config).map_err(std::io::Error::other)?;
            (options, Some((url, inbox)))
        }
        Err(_) => (Options::default(), None),
    };
    let io = volley_tokio::new(options);
    let state = match cluster {
        Some((url, inbox)) => {
            volley_redis::attach(&io, inbox);
            format!("cluster through Redis at {url}")
        }
        None => "state in memory".to_owned(),
    };
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
