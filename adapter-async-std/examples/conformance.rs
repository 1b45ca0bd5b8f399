//! The protocol-test fixture, with the same contract as the reference's and as volley-tokio's
//! `conformance` example; the application is shared with it (`examples/conformance_app.rs`,
//! which states the contract). Runs on async-std, or on smol with `--smol`.
//!
//! ```text
//! PORT=3000 cargo run -p volley-async-std --example conformance [-- [--smol] [--engine]]
//! ```

#[path = "../../examples/conformance_app.rs"]
mod app;
mod support;

fn main() -> std::io::Result<()> {
    support::run(|rt| async move {
        let port = app::port();
        let listener = async_net::TcpListener::try_from(app::listener(port)?)?;
        let name = rt.name();
        // Ctrl-C (SIGINT): a graceful shutdown, as the tokio example and the reference's
        // fixture do (`interop/js/disconnecting.test.mjs` drives it).
        let shutdown = async {
            let _ = volley_async_std::ctrl_c().await;
        };
        if app::engine_mode() {
            let engine = rt.engine(app::engine_config());
            app::engine_app(&engine);
            println!("conformance (engine.io, {name}) listening on 127.0.0.1:{port}");
            return volley_async_std::serve(listener, engine)
                .with_graceful_shutdown(shutdown)
                .await;
        }
        let io = rt.socketio(app::options());
        app::socketio_app(&io);
        println!("conformance ({name}) listening on 127.0.0.1:{port}");
        volley_async_std::serve(listener, io)
            .with_graceful_shutdown(shutdown)
            .await
    })
}
