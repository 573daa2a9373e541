//! Outgoing calls: every call carries the caller's trace context, a bearer
//! token and what is left of the caller's deadline (`grpc-timeout`),
//! whether it goes from one service to another or from a test. Channels
//! have connect and request timeouts ([`channel_with`]), and an upstream's
//! failure reaches our caller with its code and details ([`upstream`]).

use std::time::Duration;

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Status};

use crate::config::ClientSettings;
use crate::deadline;
use crate::error::ApiError;
use crate::telemetry::inject_trace_context;

/// Adds `traceparent`, `authorization: Bearer <token>` and `grpc-timeout`
/// (the caller's remaining deadline, or the request timeout if shorter) to
/// each call.
#[derive(Debug, Clone, Default)]
pub struct OutboundInterceptor {
    authorization: Option<MetadataValue<Ascii>>,
    request_timeout: Option<Duration>,
}

impl OutboundInterceptor {
    /// `token` is a bearer token; `None` sends calls unauthenticated.
    pub fn new(token: Option<&str>) -> Result<Self, String> {
        let authorization = token
            .map(|t| {
                MetadataValue::try_from(format!("Bearer {t}"))
                    .map_err(|_| "token is not valid ASCII metadata".to_owned())
            })
            .transpose()?;
        Ok(Self {
            authorization,
            request_timeout: None,
        })
    }

    /// Also tells the upstream this timeout when it is shorter than what
    /// the caller has left (the channel enforces it locally either way).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }
}

impl Interceptor for OutboundInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        inject_trace_context(request.metadata_mut());
        if let Some(value) = &self.authorization {
            request
                .metadata_mut()
                .insert("authorization", value.clone());
        }
        let remaining = deadline::remaining();
        if remaining == Some(Duration::ZERO) {
            return Err(Status::deadline_exceeded(
                "the call's deadline passed before an upstream could be asked",
            ));
        }
        let already = request
            .metadata()
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(deadline::parse_grpc_timeout);
        let timeout = [remaining, self.request_timeout, already]
            .into_iter()
            .flatten()
            .min();
        if let Some(timeout) = timeout
            && let Ok(value) = MetadataValue::try_from(deadline::format_grpc_timeout(timeout))
        {
            request.metadata_mut().insert("grpc-timeout", value);
        }
        Ok(request)
    }
}

/// A lazily connecting channel to `url` (e.g. `http://carriers:50051`)
/// with the default client timeouts.
pub fn channel(url: &str) -> Result<Channel, tonic::transport::Error> {
    channel_with(url, &ClientSettings::default())
}

/// A lazily connecting channel to `url` whose connections and calls give
/// up after `settings`' timeouts.
pub fn channel_with(
    url: &str,
    settings: &ClientSettings,
) -> Result<Channel, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
        .timeout(Duration::from_millis(settings.request_timeout_ms))
        .connect_lazy())
}

/// An upstream service's failure as our caller should see it: its code,
/// message and details unchanged (bounded when rendered), except that a
/// call our own client gave up on (tonic says CANCELLED "Timeout expired")
/// is DEADLINE_EXCEEDED, which is what happened.
pub fn upstream(status: Status) -> ApiError {
    if status.code() == Code::Cancelled && timed_out(&status) {
        return ApiError::Upstream(
            Status::deadline_exceeded("the upstream call did not answer within its deadline")
                .into(),
        );
    }
    ApiError::Upstream(status.into())
}

fn timed_out(status: &Status) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(status);
    while let Some(err) = source {
        if err.is::<tonic::TimeoutExpired>() {
            return true;
        }
        source = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_remaining_deadline_is_sent_as_grpc_timeout() {
        let mut interceptor = OutboundInterceptor::new(Some("t")).unwrap();
        let at = tokio::time::Instant::now() + Duration::from_secs(2);
        let request = deadline::scope(at, async { interceptor.call(Request::new(())) })
            .await
            .unwrap();
        let sent = request
            .metadata()
            .get("grpc-timeout")
            .unwrap()
            .to_str()
            .unwrap();
        let sent = deadline::parse_grpc_timeout(sent).unwrap();
        assert!(
            sent <= Duration::from_secs(2) && sent > Duration::from_secs(1),
            "{sent:?}"
        );

        // A shorter request timeout wins and is what the upstream is told.
        let mut short = OutboundInterceptor::new(None)
            .unwrap()
            .with_request_timeout(Duration::from_millis(250));
        let request = deadline::scope(at, async { short.call(Request::new(())) })
            .await
            .unwrap();
        assert_eq!(request.metadata().get("grpc-timeout").unwrap(), "250m");

        // Outside any call, no deadline is invented.
        let request = interceptor.call(Request::new(())).unwrap();
        assert!(request.metadata().get("grpc-timeout").is_none());
    }

    #[tokio::test]
    async fn a_passed_deadline_fails_before_calling() {
        let mut interceptor = OutboundInterceptor::new(None).unwrap();
        let past = tokio::time::Instant::now();
        let status = deadline::scope(past, async { interceptor.call(Request::new(())) })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::DeadlineExceeded);
    }
}
