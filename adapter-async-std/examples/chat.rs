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
//! State is in memory; there is no Redis option (volley-redis runs on tokio only), and
//! `REDIS_URL` is refused rather than ignored.

#[path = "../../examples/chat_app/mod.rs"]
mod app;
mod support;

use volley_async_std::VolleyService;

fn main() -> std::io::Result<()> {
    app::init_logging();
    support::refuse_redis_url("chat");
    let settings = app::settings()?;
    support::run(|rt| async move {
        let io = rt.socketio(volley_async_std::Options::default());
        let pages = app::attach(&io, settings.auth);
        let listener = async_net::TcpListener::bind(("127.0.0.1", settings.port)).await?;
        let addr = listener.local_addr()?;
        tracing::info!(
            "Volley chat on http://{addr} ({}, state in memory)",
            rt.name()
        );
        volley_async_std::serve_service(listener, VolleyService::wrap(io, pages)).await
    })
}
