//! Volley as a tower [`Service`](tower_service::Service) / [`Layer`](tower_layer::Layer) in
//! front of any hyper/tower app, on tokio: `volley-hyper`'s types with tokio as the runtime.

use crate::runtime::Tokio;
use volley_hyper::NotFound;

/// A tower `Layer` that mounts Volley at its path (default `/socket.io/`) in front of an
/// app; every other request goes to the app untouched.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use volley_tokio::{Options, VolleyLayer};
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::new(Options::default());
/// io.of("/").on_connection(|socket| {
///     let _ = socket.emit("hello", &"world");
/// });
/// let app: Router = Router::new()
///     .route("/", get(|| async { "home page" }))
///     .layer(VolleyLayer::new(io));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
pub type VolleyLayer = volley_hyper::VolleyLayer<Tokio>;

/// Volley as a tower `Service` on tokio; requests outside its path go to `S` (404 by
/// default). [`serve_service`](crate::serve_service) serves one with graceful shutdown.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use volley_tokio::{Options, VolleyService};
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::new(Options::default());
/// let pages = Router::new().route("/", get(|| async { "home page" }));
/// let app: VolleyService<Router> = VolleyService::wrap(io, pages);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// volley_tokio::serve_service(listener, app)
///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
///     .await
/// # }
/// ```
pub type VolleyService<S = NotFound> = volley_hyper::VolleyService<Tokio, S>;
