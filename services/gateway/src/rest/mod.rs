//! REST/JSON onto the same services: a generic transcoder driven by the
//! `google.api.http` annotations of the descriptor set. A request is
//! matched to its binding, turned into the gRPC call (canonical protobuf
//! JSON → message → frame) and sent through the very [`Proxy`] gRPC
//! clients use — same authentication, keys, roles, scoping, limits and
//! access log — and the answer is rendered back as JSON (NDJSON for server
//! streams). No route has code of its own.
//!
//! It shares the gateway's port: [`Front`] sends `application/grpc*`
//! requests to the proxy and everything else here, over HTTP/1.1 or h2.

mod bindings;
pub mod openapi;
mod request;
pub mod response;
pub mod template;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use http_body_util::BodyExt as _;
use prost_reflect::DescriptorPool;
use tonic::Status;
use tonic::body::Body as TonicBody;
use tower::Service;

pub use bindings::{Binding, BindingError};
use response::{Response, error_response};

use crate::proxy::Proxy;

/// Headers a REST call hands on to the gRPC call (the proxy strips the
/// rest, as for gRPC callers).
const PASSED_ON: [http::HeaderName; 2] = [http::header::AUTHORIZATION, http::header::USER_AGENT];

#[derive(Debug)]
struct Shared {
    pool: DescriptorPool,
    bindings: Vec<Binding>,
    proxy: Proxy,
    max_body_bytes: usize,
    openapi: Bytes,
}

/// The transcoder as a tower service.
#[derive(Debug, Clone)]
pub struct Rest {
    shared: Arc<Shared>,
}

/// The descriptors REST reads: every Recourse proto with its annotations,
/// and google.rpc's error details (to render them as JSON).
pub fn descriptor_pool() -> Result<DescriptorPool, prost_reflect::DescriptorError> {
    let mut pool = DescriptorPool::new();
    pool.decode_file_descriptor_set(recourse_proto::FILE_DESCRIPTOR_SET)?;
    pool.decode_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)?;
    Ok(pool)
}

impl Rest {
    /// Reads the bindings; a REST body may be `max_body_bytes` long.
    pub fn new(
        pool: DescriptorPool,
        proxy: Proxy,
        max_body_bytes: usize,
    ) -> Result<Self, BindingError> {
        let bindings = bindings::read(&pool)?;
        let openapi =
            Bytes::from(serde_json::to_vec(&openapi::document(&bindings)).unwrap_or_default());
        Ok(Self {
            shared: Arc::new(Shared {
                pool,
                bindings,
                proxy,
                max_body_bytes,
                openapi,
            }),
        })
    }

    /// The routes (verb, template, RPC), for logs and tests.
    pub fn routes(&self) -> Vec<String> {
        self.shared
            .bindings
            .iter()
            .map(|b| format!("{} {} -> {}", b.verb, b.template, b.grpc_path()))
            .collect()
    }
}

fn not_found(pool: &DescriptorPool, verb: &http::Method, path: &str) -> Response {
    error_response(
        pool,
        &Status::not_found(format!("no REST route for {verb} {path}")),
    )
}

impl Shared {
    async fn handle(&self, request: http::Request<axum::body::Body>) -> Response {
        let path = request.uri().path().to_owned();
        let verb = request.method().clone();
        if path == openapi::PATH && verb == http::Method::GET {
            let mut response = http::Response::new(TonicBody::new(http_body_util::Full::new(
                self.openapi.clone(),
            )));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return response;
        }
        let mut allowed = Vec::new();
        let mut found = None;
        for binding in &self.bindings {
            if let Some(variables) = binding.template.matches(&path) {
                if binding.verb == verb {
                    found = Some((binding, variables));
                    break;
                }
                allowed.push(binding.verb.to_string());
            }
        }
        let Some((binding, variables)) = found else {
            if allowed.is_empty() {
                return not_found(&self.pool, &verb, &path);
            }
            let mut response = error_response(
                &self.pool,
                &Status::unimplemented(format!("{path} does not take {verb}")),
            );
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            if let Ok(value) = HeaderValue::try_from(allowed.join(", ")) {
                response.headers_mut().insert(http::header::ALLOW, value);
            }
            return response;
        };
        let (parts, body) = request.into_parts();
        let body = match http_body_util::Limited::new(body, self.max_body_bytes)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                let status = Status::resource_exhausted(format!(
                    "the body is over {} bytes or was cut off",
                    self.max_body_bytes
                ));
                let mut response = error_response(&self.pool, &status);
                *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                return response;
            }
        };
        let idempotency_key = parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok());
        let frames = match request::encode(
            binding,
            variables,
            parts.uri.query(),
            idempotency_key,
            &body,
        ) {
            Ok(frames) => frames,
            Err(status) => return error_response(&self.pool, &status),
        };
        let mut grpc = http::Request::new(axum::body::Body::from(frames));
        *grpc.method_mut() = http::Method::POST;
        *grpc.version_mut() = http::Version::HTTP_2;
        match binding.grpc_path().parse::<http::Uri>() {
            Ok(uri) => *grpc.uri_mut() = uri,
            Err(_) => {
                return error_response(&self.pool, &Status::internal("unroutable method name"));
            }
        }
        let headers = grpc.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/grpc"),
        );
        headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
        for name in PASSED_ON {
            if let Some(value) = parts.headers.get(&name) {
                headers.insert(name, value.clone());
            }
        }
        let mut proxy = self.proxy.clone();
        let answer = match proxy.call(grpc).await {
            Ok(answer) => answer,
            Err(never) => match never {},
        };
        let output = binding.method.output();
        if binding.method.is_server_streaming() {
            response::stream(
                self.pool.clone(),
                answer,
                output,
                binding.response_body.clone(),
            )
            .await
        } else {
            response::unary(
                &self.pool,
                answer,
                &output,
                binding.response_body.as_deref(),
            )
            .await
        }
    }
}

impl Service<http::Request<axum::body::Body>> for Rest {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<axum::body::Body>) -> Self::Future {
        let shared = self.shared.clone();
        Box::pin(async move { Ok(shared.handle(request).await) })
    }
}

/// Whether a request is gRPC (by content type), not REST.
pub fn is_grpc(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"))
}

/// The gateway's fallback: gRPC to the proxy, everything else to REST.
#[derive(Debug, Clone)]
pub struct Front {
    pub proxy: Proxy,
    pub rest: Rest,
}

impl Service<http::Request<axum::body::Body>> for Front {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<axum::body::Body>) -> Self::Future {
        if is_grpc(request.headers()) {
            self.proxy.call(request)
        } else {
            self.rest.call(request)
        }
    }
}
