//! What reaches a service from a caller: only the gRPC protocol headers and
//! the trace context, plus the gateway's own `authorization`. Everything
//! else — the caller's credential, and any `x-…`, identity or forwarding
//! header it made up — is dropped, so no header can claim an identity.

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::Injector;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Headers passed through to the upstream unchanged.
const FORWARDED: [&str; 6] = [
    "content-type",
    "te",
    "user-agent",
    "grpc-encoding",
    "grpc-accept-encoding",
    "grpc-timeout",
];

/// The headers of the upstream call.
pub fn forwarded(
    inbound: &HeaderMap,
    authorization: HeaderValue,
    timeout: Option<HeaderValue>,
) -> HeaderMap {
    let mut out = HeaderMap::with_capacity(FORWARDED.len() + 3);
    for name in FORWARDED {
        if let Some(value) = inbound.get(name) {
            out.insert(HeaderName::from_static(name), value.clone());
        }
    }
    if let Some(timeout) = timeout {
        out.insert(HeaderName::from_static("grpc-timeout"), timeout);
    }
    out.insert(http::header::AUTHORIZATION, authorization);
    inject_trace_context(&mut out);
    out
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// `traceparent` (and `tracestate`) of the current span: the gateway's span
/// for this call, itself parented on the caller's `traceparent`.
fn inject_trace_context(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|p| {
        p.inject_context(&context, &mut HeaderInjector(headers));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_made_up_identity_headers_are_dropped() {
        let mut inbound = HeaderMap::new();
        for (k, v) in [
            ("content-type", "application/grpc"),
            ("te", "trailers"),
            ("grpc-timeout", "5S"),
            ("authorization", "Bearer rk_caller_secret"),
            ("x-recourse-principal", "admin"),
            ("x-user-id", "root"),
            ("x-forwarded-for", "10.0.0.1"),
            ("cookie", "session=1"),
            (
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
        ] {
            inbound.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        let out = forwarded(&inbound, HeaderValue::from_static("Bearer internal"), None);
        assert_eq!(out.get("authorization").unwrap(), "Bearer internal");
        assert_eq!(out.get("content-type").unwrap(), "application/grpc");
        assert_eq!(out.get("grpc-timeout").unwrap(), "5S");
        for dropped in [
            "x-recourse-principal",
            "x-user-id",
            "x-forwarded-for",
            "cookie",
        ] {
            assert!(out.get(dropped).is_none(), "{dropped} forwarded");
        }
        // The caller's traceparent is not copied: the gateway's own span
        // context replaces it (none here, outside any trace).
        assert!(out.get("traceparent").is_none());
    }
}
