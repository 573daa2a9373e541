//! What every call leaves behind: its span records the gRPC status code —
//! read from the trailers, so a feed that fails an hour in is recorded as
//! failed — and the call's latency, and the call's metrics are counted,
//! when the response body ends (or the client goes away).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::sync::OwnedSemaphorePermit;
use tonic::body::Body;
use tonic::{Code, Status};

use super::methods::MethodKind;
use crate::metrics::RpcMetrics;

/// One call in flight: recorded once, when dropped.
pub(crate) struct CallRecord {
    span: tracing::Span,
    start: Instant,
    path: String,
    kind: MethodKind,
    code: Option<Code>,
    metrics: Option<Arc<RpcMetrics>>,
    /// The call's concurrency slot, freed when the call ends.
    _permit: Option<OwnedSemaphorePermit>,
}

impl CallRecord {
    pub(crate) fn new(
        span: tracing::Span,
        path: &str,
        kind: MethodKind,
        metrics: Option<Arc<RpcMetrics>>,
    ) -> Self {
        Self {
            span,
            start: Instant::now(),
            path: path.to_owned(),
            kind,
            code: None,
            metrics,
            _permit: None,
        }
    }

    pub(crate) fn hold(&mut self, permit: OwnedSemaphorePermit) {
        self._permit = Some(permit);
    }

    pub(crate) fn set_code(&mut self, code: Code) {
        self.code.get_or_insert(code);
    }

    /// The code in a trailers-only response's headers, if any.
    fn read_headers(&mut self, headers: &http::HeaderMap) {
        if let Some(value) = headers.get("grpc-status") {
            self.set_code(Code::from_bytes(value.as_bytes()));
        }
    }
}

/// Codes that mean the server failed (OpenTelemetry's rule for server
/// spans); the others are the caller's problem, not an error of ours.
fn is_server_error(code: Code) -> bool {
    matches!(
        code,
        Code::Unknown
            | Code::DeadlineExceeded
            | Code::Unimplemented
            | Code::Internal
            | Code::Unavailable
            | Code::DataLoss
    )
}

impl Drop for CallRecord {
    fn drop(&mut self) {
        // No status at all: the client went away before the call ended.
        let code = self.code.unwrap_or(Code::Cancelled);
        let elapsed = self.start.elapsed();
        let millis = elapsed.as_secs_f64() * 1000.0;
        self.span.record("rpc.grpc.status_code", code as i32);
        self.span.record("rpc.duration_ms", millis);
        if is_server_error(code) {
            self.span.record("otel.status_code", "ERROR");
        }
        if let Some(metrics) = &self.metrics {
            metrics.record(&self.path, self.kind, code, elapsed);
        }
        tracing::debug!(
            parent: &self.span,
            code = ?code,
            duration_ms = millis,
            "call finished"
        );
    }
}

/// A response body that reports the call's status when it ends.
pub(crate) struct ObservedBody<B> {
    inner: B,
    record: CallRecord,
}

impl<B> ObservedBody<B> {
    /// Wraps `response`, taking the code from its headers when the
    /// response is trailers-only.
    pub(crate) fn wrap(response: http::Response<B>, mut record: CallRecord) -> http::Response<Body>
    where
        B: HttpBody<Data = Bytes, Error = Status> + Unpin + Send + 'static,
    {
        record.read_headers(response.headers());
        response.map(|inner| Body::new(ObservedBody { inner, record }))
    }
}

impl<B> HttpBody for ObservedBody<B>
where
    B: HttpBody<Data = Bytes, Error = Status> + Unpin,
{
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    this.record.read_headers(trailers);
                }
            }
            Poll::Ready(Some(Err(status))) => this.record.set_code(status.code()),
            // A body that ends without trailers broke the protocol.
            Poll::Ready(None) => this.record.set_code(Code::Unknown),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
