//! The application side of every adapter's `chat` example: a login-protected chat, the Rust
//! counterpart of the Express + socket.io chat people start from. Included with `#[path]` by
//! volley-tokio's and volley-async-std's `examples/chat.rs`, which add only their runtime and
//! serve Volley in front of the pages [`attach`] returns.
//!
//! Log in with any name and the password `volley`, or as `admin` with the password `admin`
//! (override with `CHAT_PASSWORD` / `CHAT_ADMIN_PASSWORD`). Session cookies are signed with a
//! random key unless `CHAT_SECRET` (64 bytes or more) gives one. `PORT` (default 3000) and
//! `RUST_LOG` (default `info`) as usual.
//!
//! - `pages`: the axum routes (login form, signed HttpOnly session cookie, the static pages);
//! - `realtime`: the Socket.IO middleware and events (rooms, announcements, private messages,
//!   typing indicator, delivery ticks, presence, admin kick);
//! - `auth`, `presence`: the session check shared by both, and the presence list.

pub mod auth;
pub mod pages;
pub mod presence;
pub mod realtime;

use auth::Auth;
use axum::Router;
use pages::Pages;
use std::io;
use tracing_subscriber::EnvFilter;
use volley_protocol::api::{Io, Options};

/// What the environment configures.
pub struct Settings {
    /// `PORT`, default 3000.
    pub port: u16,
    /// The accounts and the cookie key.
    pub auth: Auth,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Logs to stderr at `RUST_LOG` (default `info`).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
}

/// Reads `PORT`, `CHAT_PASSWORD`, `CHAT_ADMIN_PASSWORD` and `CHAT_SECRET`.
pub fn settings() -> io::Result<Settings> {
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, format!("bad PORT {p:?}")))?,
        Err(_) => 3000,
    };
    let mut auth = Auth::new(
        env_or("CHAT_PASSWORD", "volley"),
        env_or("CHAT_ADMIN_PASSWORD", "admin"),
    );
    if let Ok(secret) = std::env::var("CHAT_SECRET") {
        auth = auth.with_secret(secret.as_bytes()).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "CHAT_SECRET must be at least 64 bytes",
            )
        })?;
    }
    Ok(Settings { port, auth })
}

/// The Redis cluster this server joins when `REDIS_URL` is set (the Redis adapter,
/// wire-compatible with @socket.io/redis-adapter); see [`cluster_options`].
pub struct Cluster {
    url: String,
    inbox: volley_redis::ClusterInbox,
}

/// The server's options: embedded by default; with `REDIS_URL`, the Redis adapter, and the
/// cluster to give [`join_cluster`] once the server exists. Works on every adapter's runtime.
pub fn cluster_options() -> io::Result<(Options, Option<Cluster>)> {
    let Ok(url) = std::env::var(volley_redis::REDIS_URL_ENV) else {
        return Ok((Options::default(), None));
    };
    if std::env::var_os("CHAT_SECRET").is_none() {
        tracing::warn!("REDIS_URL without CHAT_SECRET: other nodes refuse this node's sessions");
    }
    let config = volley_redis::RedisConfig::new(url.clone());
    let (options, inbox) =
        volley_redis::options(Options::default(), config).map_err(io::Error::other)?;
    Ok((options, Some(Cluster { url, inbox })))
}

/// Feeds the cluster (if any) to `io`; returns where the chat's state lives, for the log.
pub fn join_cluster(io: &Io, cluster: Option<Cluster>) -> String {
    match cluster {
        Some(Cluster { url, inbox }) => {
            volley_redis::attach(io, inbox);
            format!("cluster through Redis at {url}")
        }
        None => "state in memory".to_owned(),
    }
}

/// Installs the chat's Socket.IO middleware and events on `io` and returns the pages, for
/// the caller to serve with Volley in front of them. Background work (cluster-wide queries,
/// waiting for acknowledgements) runs on the runtime `io` was created on.
pub fn attach(io: &Io, auth: Auth) -> Router {
    realtime::attach(io, auth.clone());
    pages::router(Pages { auth })
}
