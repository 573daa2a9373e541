//! The generic gRPC reverse proxy: authenticate, limit, strip headers, mint
//! the internal token, and forward the call as raw HTTP/2 to the upstream
//! named by its path, over hyper's HTTP/2 client connections to it
//! (`upstream`). No method has code of its own: unary and every
//! streaming kind pass frame by frame, trailers and error details intact.

mod body;
mod headers;
pub mod routes;
mod upstream;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::HeaderValue;
use opentelemetry::trace::TraceContextExt as _;
use recourse_platform::error::ERROR_DOMAIN;
use tonic::Status;
use tonic::body::Body as TonicBody;
use tonic_types::{ErrorDetails, StatusExt as _};
use tower::Service;
use tower::util::BoxCloneSyncService;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::auth::{Authenticator, Caller};
use crate::limits::{Limiter, Verdict, exhausted};
pub use body::FrameScanner;
use body::{AccessRecord, CallShared, RequestBody, ResponseBody, status_code};
use routes::{MethodKind, RouteTable, format_grpc_timeout, parse_grpc_timeout, service_of};
pub use upstream::{ConnectSettings, Connections};

/// A service answering in this process (the gateway's own API).
pub type LocalService =
    BoxCloneSyncService<http::Request<TonicBody>, http::Response<TonicBody>, Infallible>;

/// Where an upstream answers.
#[derive(Clone)]
pub enum Target {
    Remote(Connections),
    Local(LocalService),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Remote(_) => f.write_str("Remote"),
            Target::Local(_) => f.write_str("Local"),
        }
    }
}

#[derive(Debug)]
pub struct ProxyLimits {
    pub unary_timeout: Duration,
    pub max_request_message_bytes: u32,
    pub max_response_message_bytes: u32,
}

#[derive(Debug)]
struct Shared {
    routes: RouteTable,
    auth: Arc<Authenticator>,
    limiter: Arc<Limiter>,
    limits: ProxyLimits,
}

/// The proxy as a tower service (axum's fallback on the gateway's router).
#[derive(Debug, Clone)]
pub struct Proxy {
    shared: Arc<Shared>,
}

type Response = http::Response<TonicBody>;

impl Proxy {
    pub fn new(
        routes: RouteTable,
        auth: Arc<Authenticator>,
        limiter: Arc<Limiter>,
        limits: ProxyLimits,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                routes,
                auth,
                limiter,
                limits,
            }),
        }
    }
}

impl Service<http::Request<axum::body::Body>> for Proxy {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<axum::body::Body>) -> Self::Future {
        let shared = self.shared.clone();
        Box::pin(async move { Ok(shared.forward(request).await) })
    }
}

fn status_response(status: &Status) -> Response {
    status.clone().into_http::<TonicBody>()
}

/// UNAVAILABLE naming the upstream in a `google.rpc.ErrorInfo`.
fn unavailable(upstream: &str, service: &str, detail: &str) -> Status {
    let metadata: std::collections::HashMap<String, String> = [
        ("upstream".to_owned(), upstream.to_owned()),
        ("service".to_owned(), service.to_owned()),
    ]
    .into_iter()
    .collect();
    Status::with_error_details(
        tonic::Code::Unavailable,
        format!("upstream `{upstream}` is unavailable: {detail}"),
        ErrorDetails::with_error_info("UPSTREAM_UNAVAILABLE", ERROR_DOMAIN, metadata),
    )
}

fn current_trace_id() -> String {
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    if span_context.is_valid() {
        span_context.trace_id().to_string()
    } else {
        String::new()
    }
}

impl Shared {
    async fn forward(&self, request: http::Request<axum::body::Body>) -> Response {
        let started = Instant::now();
        let path = request.uri().path().to_owned();
        let shared = Arc::new(CallShared::default());
        let record = |upstream: Arc<str>, caller: Arc<str>| AccessRecord {
            started,
            method: path.clone(),
            upstream,
            caller,
            trace_id: current_trace_id(),
            shared: shared.clone(),
            response_bytes: 0,
            status: None,
        };
        let refuse = |record: AccessRecord, status: Status| {
            let mut record = record;
            record.status = Some(status.code());
            status_response(&status)
        };
        let anonymous: Arc<str> = Arc::from("-");
        let Some(service) = service_of(&path) else {
            let status = Status::unimplemented(format!("`{path}` is not a gRPC method path"));
            return refuse(record(Arc::from("-"), anonymous), status);
        };
        let Some(upstream) = self.routes.upstream(service) else {
            let status = Status::unimplemented(format!("no upstream serves `{service}`"));
            return refuse(record(Arc::from("-"), anonymous), status);
        };
        let caller = match self.auth.authenticate(request.headers()).await {
            Ok(caller) => caller,
            Err(err) => return refuse(record(upstream.name.clone(), anonymous), err.into()),
        };
        let record = record(upstream.name.clone(), caller.label.clone());
        tracing::Span::current().record("enduser.id", &*caller.label);
        let kind = self.routes.kind(&path);
        let slot = match self.admit(&caller, kind).await {
            Ok(slot) => slot,
            Err(status) => return refuse(record, status),
        };

        let (mut parts, body) = request.into_parts();
        let client_timeout = parts
            .headers
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_grpc_timeout);
        // A unary call gets the gateway's limit unless the client asked for
        // less; the upstream is told the same deadline.
        let deadline = match kind {
            Some(MethodKind::Unary) => {
                Some(client_timeout.map_or(self.limits.unary_timeout, |t| {
                    t.min(self.limits.unary_timeout)
                }))
            }
            Some(MethodKind::ClientStreaming | MethodKind::ServerStreaming | MethodKind::Bidi)
            | None => None,
        };
        let timeout_header =
            deadline.and_then(|d| HeaderValue::try_from(format_grpc_timeout(d)).ok());
        parts.headers = headers::forwarded(&parts.headers, caller.forward.clone(), timeout_header);
        parts.extensions = http::Extensions::new();
        let body = RequestBody::new(body, self.limits.max_request_message_bytes, shared.clone());
        let upstream_request = http::Request::from_parts(parts, TonicBody::new(body));

        let call = call_upstream(upstream.target.clone(), upstream_request);
        let outcome = match deadline {
            Some(d) => match tokio::time::timeout(d, call).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Status::deadline_exceeded(format!(
                    "upstream `{}` did not answer within {} ms",
                    upstream.name,
                    d.as_millis()
                ))),
            },
            None => call.await,
        };
        let response = match outcome {
            Ok(response) => response,
            Err(status) => {
                let status = if shared
                    .request_too_large
                    .load(std::sync::atomic::Ordering::Relaxed)
                {
                    Status::resource_exhausted(
                        "request message exceeds the gateway's limit (gateway.max_request_message_bytes)",
                    )
                } else if status.code() == tonic::Code::Unavailable {
                    unavailable(&upstream.name, service, status.message())
                } else {
                    status
                };
                return refuse(record, status);
            }
        };
        let mut record = record;
        record.status = status_code(response.headers());
        let max = self.limits.max_response_message_bytes;
        response.map(|body| TonicBody::new(ResponseBody::new(body, max, record, slot)))
    }

    /// Takes a token from the caller's bucket and, for feeds, an open-stream
    /// slot.
    async fn admit(
        &self,
        caller: &Caller,
        kind: Option<MethodKind>,
    ) -> Result<Option<crate::limits::StreamSlot>, Status> {
        let slot = if kind.is_some_and(MethodKind::is_feed) {
            let max = caller.limit.max_streams;
            Some(
                self.limiter
                    .open_stream(&caller.limiter_key, max)
                    .ok_or_else(|| {
                        exhausted(
                            format!("at most {max} streams may be open at once for this caller"),
                            None,
                        )
                    })?,
            )
        } else {
            None
        };
        match self.limiter.admit(&caller.limiter_key, &caller.limit).await {
            Verdict::Allowed => Ok(slot),
            Verdict::Limited { retry_after } => Err(exhausted(
                format!(
                    "rate limit of {} calls/s (burst {}) exceeded; retry in {} ms",
                    caller.limit.requests_per_second,
                    caller.limit.burst,
                    retry_after.as_millis().max(1)
                ),
                Some(retry_after),
            )),
        }
    }
}

/// Sends the request to the upstream; a connection failure is UNAVAILABLE
/// (mapped above to name the upstream), never a hang: connecting has
/// `gateway.connect_timeout_ms`, and a unary call the deadline above.
async fn call_upstream(
    target: Target,
    request: http::Request<TonicBody>,
) -> Result<Response, Status> {
    match target {
        Target::Remote(connections) => connections.send(request).await,
        Target::Local(mut service) => match service.call(request).await {
            Ok(response) => Ok(response),
            Err(never) => match never {},
        },
    }
}

/// The error and its causes, e.g. "transport error: connection refused".
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
