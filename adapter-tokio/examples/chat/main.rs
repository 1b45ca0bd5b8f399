//! A login-protected chat on Volley, mounted in an axum app: the Rust counterpart of the
//! Express + socket.io chat people start from.
//!
//! ```sh
//! ./scripts/chat.sh            # npm ci, then this example on http://127.0.0.1:3000
//! PORT=8080 cargo run --release -p volley-tokio --example chat
//! ```
//!
//! Log in with any name and the password `volley`, or as `admin` with the password `admin`
//! (override with `CHAT_PASSWORD` / `CHAT_ADMIN_PASSWORD`). Session cookies are signed with a
//! random key unless `CHAT_SECRET` (64 bytes or more) gives one. State is in memory unless
//! `REDIS_URL` joins a cluster of chat servers (give them all the same `CHAT_SECRET`).
//! `RUST_LOG` sets the log level.
//!
//! - `pages`: the axum routes (login form, signed HttpOnly session cookie, the static pages);
//! - `realtime`: the Socket.IO middleware and events (rooms, announcements, private messages,
//!   typing indicator, delivery ticks, presence, admin kick);
//! - `auth`, `presence`: the session check shared by both, and the in-memory presence list.

mod auth;
mod pages;
mod presence;
mod realtime;

use auth::Auth;
use pages::Pages;
use tracing_subscriber::EnvFilter;
use volley_tokio::{Options, VolleyLayer};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("bad PORT {p:?}"))
        })?,
        Err(_) => 3000,
    };
    let mut auth = Auth::new(
        env_or("CHAT_PASSWORD", "volley"),
        env_or("CHAT_ADMIN_PASSWORD", "admin"),
    );
    if let Ok(secret) = std::env::var("CHAT_SECRET") {
        auth = auth.with_secret(secret.as_bytes()).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "CHAT_SECRET must be at least 64 bytes",
            )
        })?;
    }

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
    realtime::attach(&io, auth.clone());
    let app = pages::router(Pages { auth }).layer(VolleyLayer::new(io));

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    tracing::info!("Volley chat on http://{addr} ({state})");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
