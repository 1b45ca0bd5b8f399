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
///
/// **The client's address.** Mounted this way, Volley sees only the request, not the
/// connection, so `socket.handshake().address()` is `None` unless the request carries a
/// [`RemoteAddr`](crate::RemoteAddr) extension ([`serve`](crate::serve) and
/// [`serve_service`](crate::serve_service) attach it themselves). With axum, take the
/// address from its `ConnectInfo` in a middleware outside the layer:
///
/// ```no_run
/// use axum::extract::{ConnectInfo, Request};
/// use axum::middleware::{self, Next};
/// use axum::response::Response;
/// use axum::{routing::get, Router};
/// use std::net::SocketAddr;
/// use volley_tokio::{Options, RemoteAddr, VolleyLayer};
///
/// async fn remote_addr(ConnectInfo(addr): ConnectInfo<SocketAddr>, mut req: Request, next: Next) -> Response {
///     req.extensions_mut().insert(RemoteAddr(addr));
///     next.run(req).await
/// }
///
/// # async fn run() -> std::io::Result<()> {
/// let io = volley_tokio::new(Options::default());
/// io.of("/").on_connection(|socket| println!("from {:?}", socket.handshake().address()));
/// let app: Router = Router::new()
///     .route("/", get(|| async { "home page" }))
///     .layer(VolleyLayer::new(io))
///     .layer(middleware::from_fn(remote_addr)); // the outer layer runs first
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
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
