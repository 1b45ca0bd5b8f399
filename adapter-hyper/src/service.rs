//! The tower [`Service`] and [`Layer`] that put Volley in front of any hyper/tower app (an axum
//! `Router`, say), generic over the runtime. Each adapter names them for its runtime
//! (`volley_tokio::VolleyService`, `volley_async_std::VolleyService`, and the same for
//! `VolleyLayer`); the standalone servers serve a `VolleyService` too.

use crate::http::RemoteAddr;
use crate::{empty, handle_on, ConnInfo, IoRuntime};
use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::{Body, Incoming};
use hyper::{Request, Response, StatusCode};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;
use volley_protocol::api::Endpoint;

/// The error type hyper accepts from services and bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a standalone server can put behind Volley: any cloneable tower service of hyper
/// requests answering with body `B` (an axum `Router` is one). Implemented for every such
/// service; the adapters' `serve_service` takes a `VolleyService` around one.
///
/// ```
/// fn servable<S: volley_hyper::App<B>, B: volley_hyper::AppBody>() {}
/// servable::<axum::Router, axum::body::Body>();
/// servable::<volley_hyper::NotFound, http_body_util::Full<bytes::Bytes>>();
/// ```
pub trait App<B>:
    Service<
        Request<Incoming>,
        Response = Response<B>,
        Future: Send + 'static,
        Error: Into<BoxError>,
    > + Clone
    + Send
    + 'static
{
}

impl<S, B> App<B> for S
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
}

/// A response body an [`App`] may answer with. Implemented for every such body.
///
/// ```
/// fn body<B: volley_hyper::AppBody>() {}
/// body::<http_body_util::Full<bytes::Bytes>>();
/// ```
pub trait AppBody: Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static {}

impl<B> AppBody for B
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
}

/// The response body of a [`VolleyService`]: Volley's own responses or the inner service's.
///
/// ```
/// use http_body_util::{Either, Full};
/// use volley_hyper::VolleyBody;
/// let ours: VolleyBody<Full<bytes::Bytes>> = Either::Left(Full::new(bytes::Bytes::from_static(b"ok")));
/// # let _ = ours;
/// ```
pub type VolleyBody<B> = Either<Full<Bytes>, B>;

/// A tower [`Layer`] that mounts Volley at its path (default `/socket.io/`) in front of an
/// app, spawning on runtime `R`; use the adapters' `VolleyLayer`, which fixes `R`.
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
/// let app: Router = Router::new()
///     .route("/", get(|| async { "home page" }))
///     .layer(VolleyLayer::new(io));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app).await
/// # }
/// ```
pub struct VolleyLayer<R> {
    io: Endpoint,
    rt: R,
}

impl<R: Clone> Clone for VolleyLayer<R> {
    fn clone(&self) -> Self {
        VolleyLayer {
            io: self.io.clone(),
            rt: self.rt.clone(),
        }
    }
}

impl<R: IoRuntime> VolleyLayer<R> {
    /// A layer serving `io`.
    ///
    /// ```
    /// let io = volley_async_std::new(volley_async_std::Options::default());
    /// let layer = volley_async_std::VolleyLayer::new(io);
    /// # let _ = layer;
    /// ```
    pub fn new(io: impl Into<Endpoint>) -> Self {
        let io = io.into();
        VolleyLayer {
            rt: R::for_endpoint(&io),
            io,
        }
    }
}

impl<R: IoRuntime, S> Layer<S> for VolleyLayer<R> {
    type Service = VolleyService<R, S>;
    fn layer(&self, inner: S) -> VolleyService<R, S> {
        VolleyService {
            io: self.io.clone(),
            rt: self.rt.clone(),
            inner,
        }
    }
}

/// The inner service of a standalone Volley server: answers everything with 404.
///
/// ```
/// use volley_async_std::{NotFound, VolleyService};
///
/// let io = volley_async_std::new(volley_async_std::Options::default());
/// // VolleyService::new(io) is the same as:
/// let service: VolleyService<NotFound> = VolleyService::wrap(io, NotFound);
/// # let _ = service;
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

/// Volley as a tower [`Service`], spawning on runtime `R`; requests outside its path go to
/// `S`. Use the adapters' `VolleyService`, which fixes `R`.
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
pub struct VolleyService<R, S = NotFound> {
    io: Endpoint,
    rt: R,
    inner: S,
}

impl<R: Clone, S: Clone> Clone for VolleyService<R, S> {
    fn clone(&self) -> Self {
        VolleyService {
            io: self.io.clone(),
            rt: self.rt.clone(),
            inner: self.inner.clone(),
        }
    }
}

impl<R: IoRuntime> VolleyService<R, NotFound> {
    /// A service with nothing behind it (404 outside Volley's path).
    ///
    /// ```
    /// let io = volley_async_std::new(volley_async_std::Options::default());
    /// let service = volley_async_std::VolleyService::new(io);
    /// # let _ = service;
    /// ```
    pub fn new(io: impl Into<Endpoint>) -> Self {
        Self::wrap(io, NotFound)
    }
}

impl<R: IoRuntime, S> VolleyService<R, S> {
    /// Volley at its path in front of `inner`, which gets every other request (the same as
    /// `VolleyLayer::new(io).layer(inner)`).
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use volley_async_std::{Options, VolleyService};
    ///
    /// let io = volley_async_std::new(Options::default());
    /// let pages = Router::new().route("/", get(|| async { "home page" }));
    /// let app: VolleyService<Router> = VolleyService::wrap(io, pages);
    /// # let _ = app;
    /// ```
    pub fn wrap(io: impl Into<Endpoint>, inner: S) -> Self {
        VolleyLayer::new(io).layer(inner)
    }

    /// The endpoint this service serves.
    ///
    /// ```
    /// let io = volley_async_std::new(volley_async_std::Options::default());
    /// let service = volley_async_std::VolleyService::new(io);
    /// assert_eq!(service.endpoint().path(), "/socket.io/");
    /// ```
    pub fn endpoint(&self) -> &Endpoint {
        &self.io
    }

    /// Starts answering `req` without boxing: Volley's own requests go to [`handle`], the
    /// rest to the inner service (which must be ready). `conn`: what the standalone server
    /// knows about the connection (nothing when mounted in another app); Volley's own
    /// requests get it directly, the inner service's the peer address as a [`RemoteAddr`]
    /// extension.
    pub(crate) fn dispatch<ReqBody, ResBody>(
        &mut self,
        mut req: Request<ReqBody>,
        conn: ConnInfo,
    ) -> impl Future<Output = Result<Response<VolleyBody<ResBody>>, S::Error>> + Send + 'static
    where
        S: Service<Request<ReqBody>, Response = Response<ResBody>>,
        S::Future: Send + 'static,
        ReqBody: Body + Send + 'static,
        ReqBody::Data: Send,
        ReqBody::Error: Into<BoxError>,
    {
        let target = if self.io.is_mine(req.uri().path()) {
            Either::Left((self.rt.clone(), self.io.clone(), req, conn))
        } else {
            if let Some(remote) = conn.remote {
                req.extensions_mut().insert(RemoteAddr(remote));
            }
            Either::Right(self.inner.call(req))
        };
        async move {
            match target {
                Either::Left((rt, io, req, conn)) => {
                    Ok(handle_on(&rt, io, req, conn).await.map(Either::Left))
                }
                Either::Right(inner) => Ok(inner.await?.map(Either::Right)),
            }
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<R, S, ReqBody, ResBody> Service<Request<ReqBody>> for VolleyService<R, S>
where
    R: IoRuntime,
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    ReqBody: Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
{
    type Response = Response<VolleyBody<ResBody>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        Box::pin(self.dispatch(req, ConnInfo::default()))
    }
}
