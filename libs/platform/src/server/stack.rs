//! The tower stack in front of every service, in order:
//!
//! 1. a span per call (parented on the caller's `traceparent`) that
//!    records the final gRPC status code and latency, and the RPC metrics;
//! 2. load shedding: a fixed number of unary calls and of streams may be in
//!    flight; one more is answered UNAVAILABLE at once (never queued), so an
//!    overloaded replica fails fast and the client retries elsewhere;
//! 3. a deadline: unary calls get `server.unary_timeout_ms` (or the client's
//!    shorter `grpc-timeout`) and are answered DEADLINE_EXCEEDED when it
//!    passes; streams (feeds, ingest, uploads) are never cut by the server;
//!    the deadline is visible to outgoing calls ([`crate::deadline`]);
//! 4. message size limits in both directions (RESOURCE_EXHAUSTED).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;
use tonic::Status;
use tonic::body::Body;
use tower::{Layer, Service};
use tracing::Instrument as _;

use super::frames::{Direction, FrameLimit};
use super::methods::{MethodKind, MethodTable};
use super::observe::{CallRecord, ObservedBody};
use crate::config::ServerSettings;
use crate::deadline;
use crate::metrics::RpcMetrics;
use crate::telemetry::call_span;

struct Shared {
    methods: MethodTable,
    unary_timeout: Option<Duration>,
    calls: Arc<Semaphore>,
    max_calls: usize,
    streams: Arc<Semaphore>,
    max_streams: usize,
    max_decoding: usize,
    max_encoding: usize,
    metrics: Option<Arc<RpcMetrics>>,
}

/// Builds [`CallStack`] around the router.
#[derive(Clone)]
pub(crate) struct CallStackLayer(Arc<Shared>);

impl CallStackLayer {
    pub(crate) fn new(
        settings: &ServerSettings,
        methods: MethodTable,
        metrics: Option<Arc<RpcMetrics>>,
    ) -> Self {
        Self(Arc::new(Shared {
            methods,
            unary_timeout: (settings.unary_timeout_ms > 0)
                .then(|| Duration::from_millis(settings.unary_timeout_ms)),
            calls: Arc::new(Semaphore::new(settings.max_concurrent_calls)),
            max_calls: settings.max_concurrent_calls,
            streams: Arc::new(Semaphore::new(settings.max_concurrent_streams)),
            max_streams: settings.max_concurrent_streams,
            max_decoding: settings.max_decoding_message_bytes,
            max_encoding: settings.max_encoding_message_bytes,
            metrics,
        }))
    }
}

impl<S> Layer<S> for CallStackLayer {
    type Service = CallStack<S>;

    fn layer(&self, inner: S) -> CallStack<S> {
        CallStack {
            inner,
            shared: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct CallStack<S> {
    inner: S,
    shared: Arc<Shared>,
}

/// A trailers-only answer carrying `status`, recorded as the call's end.
fn refuse(status: Status, mut record: CallRecord) -> http::Response<Body> {
    record.set_code(status.code());
    ObservedBody::wrap(status.into_http::<Body>(), record)
}

impl<S> Service<http::Request<Body>> for CallStack<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        // The ready service handles this call; its clone waits for the next.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let shared = self.shared.clone();
        let arrived = Instant::now();
        let path = request.uri().path().to_owned();
        let kind = shared.methods.kind(&path);
        let span = call_span(request.uri(), request.headers(), kind);
        let mut record = CallRecord::new(span.clone(), &path, kind, shared.metrics.clone());

        let (slots, limit, what) = if kind.is_streaming() {
            (&shared.streams, shared.max_streams, "streams")
        } else {
            (&shared.calls, shared.max_calls, "calls")
        };
        match slots.clone().try_acquire_owned() {
            Ok(permit) => record.hold(permit),
            Err(_) => {
                let status = Status::unavailable(format!(
                    "server overloaded: {limit} {what} already in flight; retry with backoff"
                ));
                return Box::pin(std::future::ready(Ok(refuse(status, record))));
            }
        }

        let client_timeout = request
            .headers()
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(deadline::parse_grpc_timeout);
        let server_timeout = match kind {
            MethodKind::Unary => shared.unary_timeout,
            MethodKind::ServerStreaming | MethodKind::ClientStreaming | MethodKind::Bidi => None,
        };
        let timeout = match (client_timeout, server_timeout) {
            (Some(c), Some(s)) => Some(c.min(s)),
            (one, other) => one.or(other),
        };
        let call_deadline = timeout.map(|t| arrived + t);

        let request = request.map(|body| {
            Body::new(FrameLimit::new(
                body,
                shared.max_decoding,
                Direction::Request,
            ))
        });
        let handler = {
            let _entered = span.enter();
            inner.call(request)
        };
        let max_encoding = shared.max_encoding;
        let served = async move {
            let result = match call_deadline {
                // Only unary calls are cut here; a stream's deadline is the
                // client's own and only informs its outgoing calls.
                Some(at) if !kind.is_streaming() => {
                    match tokio::time::timeout_at(at, deadline::scope(at, handler)).await {
                        Ok(result) => result,
                        Err(_) => {
                            let status = Status::deadline_exceeded(format!(
                                "the call took longer than its deadline of {} ms",
                                timeout.unwrap_or_default().as_millis()
                            ));
                            return Ok(refuse(status, record));
                        }
                    }
                }
                Some(at) => deadline::scope(at, handler).await,
                None => handler.await,
            };
            let response = match result {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let response =
                response.map(|body| FrameLimit::new(body, max_encoding, Direction::Response));
            Ok(ObservedBody::wrap(response, record))
        };
        Box::pin(served.instrument(span))
    }
}
