//! The protocol-test fixture, with the same contract as the reference's; the application is
//! shared with the other adapters (`examples/conformance_app.rs`, which states the contract).
//!
//! ```text
//! PORT=3000 cargo run -p volley-tokio --example conformance [-- --engine]
//! ```

#[path = "../../examples/conformance_app.rs"]
mod app;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Off unless RUST_LOG is set (e.g. RUST_LOG=debug: every request and disconnect).
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let port = app::port();
    let listener = tokio::net::TcpListener::from_std(app::listener(port)?)?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if app::engine_mode() {
        let engine = volley_tokio::engine(app::engine_config());
        app::engine_app(&engine);
        println!("conformance (engine.io) listening on 127.0.0.1:{port}");
        return volley_tokio::serve(listener, engine)
            .with_graceful_shutdown(shutdown)
            .await;
    }
    let io = volley_tokio::new(app::options());
    app::socketio_app(&io);
    println!("conformance listening on 127.0.0.1:{port}");
    volley_tokio::serve(listener, io)
        .with_graceful_shutdown(shutdown)
        .await
}
