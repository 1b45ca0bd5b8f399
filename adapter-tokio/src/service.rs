//! The tower [`Service`] and [`Layer`] that put Volley in front of any hyper/tower app.

use crate::runtime::Tokio;
use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Body;
use hyper::{Request, Response, StatusCode};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;
use volley_hyper::{empty, handle};
use volley_protocol::api::Endpoint;

/// The response body of [`VolleyService`]: Volley's own responses or the inner service's.
///
/// ```
/// use volley_tokio::VolleyBody;
/// use http_body_util::{Either, Full};
/// let ours: VolleyBody<Full<bytes::Bytes>> = Either::Left(Full::new(bytes::Bytes::from_static(b"ok")));
/// # let _ = ours;
/// ```
pub type VolleyBody<B> = Either<Full<Bytes>, B>;

/// A tower [`Layer`] that mounts Volley at its path (default `/socket.io/`) in front of an app.
///
/// Requests under the path go to Volley; every other request goes to the inner service
/// untouched.
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
#[derive(Clone)]
pub struct VolleyLayer {
    io: Endpoint,
}

impl VolleyLayer {
    /// A layer serving `io`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let io = volley_tokio::new(volley_tokio::Options::default());
    /// let layer = volley_tokio::VolleyLayer::new(io);
    /// # let _ = layer;
    /// # }
    /// ```
    pub fn new(io: impl Into<Endpoint>) -> Self {
        VolleyLayer { io: io.into() }
    }
}

impl<S> Layer<S> for VolleyLayer {
    type Service = VolleyService<S>;
    fn layer(&self, inner: S) -> VolleyService<S> {
        VolleyService {
            io: self.io.clone(),
            inner,
        }
    }
}

/// The inner service of a standalone Volley server: answers everything with 404.
///
/// ```
/// use volley_tokio::{NotFound, VolleyService};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let io = volley_tokio::new(volley_tokio::Options::default());
/// // VolleyService::new(io) is the same as:
/// let layer = volley_tokio::VolleyLayer::new(io);
/// let service: VolleyService<NotFound> = tower_layer::Layer::layer(&layer, NotFound);
/// # let _ = service;
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NotFound;

impl<B> Service<Request<B>> for NotFound {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<B>) -> Self::Future {
        std::future::ready(Ok(empty(StatusCode::NOT_FOUND)))
    }
}

/// Volley as a tower [`Service`]; requests outside its path go to `S`.
///
/// ```
/// use volley_tokio::protocol::engine::EngineConfig;
/// use volley_tokio::VolleyService;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let io = volley_tokio::engine(EngineConfig::default());
/// // Answers 404 to anything outside `/socket.io/`.
/// let service = VolleyService::new(io);
/// # let _ = service;
/// # }
/// ```
#[derive(Clone)]
pub struct VolleyService<S = NotFound> {
    io: Endpoint,
    inner: S,
}

impl VolleyService<NotFound> {
    /// A service with nothing behind it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let io = volley_tokio::new(volley_tokio::Options::default());
    /// let service = volley_tokio::VolleyService::new(io);
    /// # let _ = service;
    /// # }
    /// ```
    pub fn new(io: impl Into<Endpoint>) -> Self {
        VolleyService {
            io: io.into(),
            inner: NotFound,
        }
    }
}

impl<S> VolleyService<S> {
    /// The endpoint this service serves.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let service = volley_tokio::VolleyService::new(volley_tokio::new(volley_tokio::Options::default()));
    /// assert_eq!(service.endpoint().path(), "/socket.io/");
    /// # }
    /// ```
    pub fn endpoint(&self) -> &Endpoint {
        &self.io
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VolleyService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<VolleyBody<ResBody>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        if !self.io.is_mine(req.uri().path()) {
            let fut = self.inner.call(req);
            return Box::pin(async move { Ok(fut.await?.map(Either::Right)) });
        }
        let io = self.io.clone();
        Box::pin(async move { Ok(handle(&Tokio, io, req).await.map(Either::Left)) })
    }
}
