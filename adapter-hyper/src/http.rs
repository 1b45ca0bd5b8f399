//! Translating between hyper's HTTP types and the core's [`RequestHead`] / [`HttpResponse`].

use crate::IoRuntime;
use bytes::Bytes;
use futures_util::future::{select, Either};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Body;
use hyper::header::{HeaderValue, InvalidHeaderValue};
use hyper::{Request, Response, StatusCode};
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Instant;
use volley_protocol::engine::{HttpResponse, Method, RequestHead};
use volley_protocol::Str;

/// The peer address of a connection, attached to each request by the standalone servers.
///
/// When Volley is mounted in another hyper/tower app, insert this extension into requests to
/// make the address visible in `socket.handshake()`.
///
/// ```
/// use volley_hyper::RemoteAddr;
/// let mut request = hyper::Request::new(());
/// request.extensions_mut().insert(RemoteAddr("127.0.0.1:5000".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RemoteAddr(pub SocketAddr);

/// Builds the core's view of a request head: one text block for the target and every header
/// (a session keeps its handshake's head as long as it lives). Values are kept whatever their
/// bytes, decoded as Node decodes them. `remote`: the peer address, if known.
pub(crate) fn request_head<B>(req: &Request<B>, remote: Option<SocketAddr>) -> RequestHead {
    let method = match *req.method() {
        hyper::Method::GET => Method::Get,
        hyper::Method::POST => Method::Post,
        hyper::Method::OPTIONS => Method::Options,
        hyper::Method::PUT => Method::Put,
        hyper::Method::HEAD => Method::Head,
        _ => Method::Other,
    };
    let uri = req.uri();
    let headers = || {
        req.headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
    };
    RequestHead::from_header_bytes(method, uri.path(), uri.query(), headers, remote)
}

/// Why a request body could not be read.
pub(crate) enum BodyError {
    /// Longer than maxPayload.
    TooLarge,
    /// Not complete within the endpoint's body timeout.
    TimedOut,
    /// The connection failed while reading.
    Io,
}

impl BodyError {
    /// The status answering it.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BodyError::Io => StatusCode::BAD_REQUEST,
        }
    }
}

/// Reads a request body of at most `limit` bytes, complete by `deadline`.
pub(crate) async fn read_body<R, B>(
    rt: &R,
    body: B,
    limit: usize,
    deadline: Instant,
) -> Result<Bytes, BodyError>
where
    R: IoRuntime,
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    let collect = Limited::new(body, limit).collect();
    let collected = match select(pin!(collect), pin!(rt.sleep_until(deadline))).await {
        Either::Left((collected, _)) => collected,
        Either::Right(_) => return Err(BodyError::TimedOut),
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Io),
    }
}

/// `out` answers a request whose body was not read to the end: the connection closes after
/// it.
pub(crate) fn refuse_body(mut out: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    out.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    out
}

/// Converts a core response into a hyper one.
pub fn to_hyper(resp: HttpResponse) -> Response<Full<Bytes>> {
    let mut out = Response::new(Full::new(resp.body));
    *out.status_mut() = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_REQUEST);
    append_headers(out.headers_mut(), resp.headers);
    out
}

/// Appends core headers to a hyper response's, skipping any that is not valid on the wire.
pub(crate) fn append_headers(
    headers: &mut hyper::HeaderMap,
    list: impl IntoIterator<Item = (Str, Str)>,
) {
    for (name, value) in list {
        // The names of every polling answer, taken as they are rather than parsed.
        let name = match &*name {
            "Content-Type" => Ok(hyper::header::CONTENT_TYPE),
            "Cache-Control" => Ok(hyper::header::CACHE_CONTROL),
            _ => hyper::header::HeaderName::from_bytes(name.as_bytes()),
        };
        if let (Ok(name), Ok(value)) = (name, header_value(value)) {
            headers.append(name, value);
        }
    }
}

/// A response header's bytes: one byte per character (Latin-1), as Node writes header strings
/// and as request heads are read, so a mirrored `Origin` goes back as the bytes that came in.
/// Text with a character past U+00FF (which Node refuses) keeps its UTF-8 bytes.
fn header_value(value: Str) -> Result<HeaderValue, InvalidHeaderValue> {
    if value.is_ascii() {
        return HeaderValue::from_maybe_shared(value.into_bytes());
    }
    let latin1: Option<Vec<u8>> = value.chars().map(|c| u8::try_from(c).ok()).collect();
    match latin1 {
        Some(bytes) => HeaderValue::from_bytes(&bytes),
        None => HeaderValue::from_maybe_shared(value.into_bytes()),
    }
}

/// A response with a status and no body.
pub fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut out = Response::new(Full::new(Bytes::new()));
    *out.status_mut() = status;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(value: &str) -> Vec<u8> {
        let resp = HttpResponse {
            status: 200,
            headers: vec![(
                Str::from_static("Access-Control-Allow-Origin"),
                Str::from(value),
            )],
            body: Bytes::new(),
            compressible: false,
        };
        let out = to_hyper(resp);
        let value = out.headers().get("access-control-allow-origin").unwrap();
        value.as_bytes().to_vec()
    }

    #[test]
    fn header_values_are_written_one_byte_per_character() {
        assert_eq!(written("http://a.example"), b"http://a.example");
        // A Latin-1 decoded request value goes back as the bytes that came in.
        assert_eq!(written("http://caf\u{e9}.\u{ff}"), b"http://caf\xe9.\xff");
        // Past U+00FF there is no Latin-1 byte: the UTF-8 bytes are kept.
        assert_eq!(written("x\u{20ac}"), "x\u{20ac}".as_bytes());
    }
}
