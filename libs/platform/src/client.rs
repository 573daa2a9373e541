//! Outgoing calls: every call carries the caller's trace context and a
//! bearer token, whether it goes from one service to another or from a test.

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use crate::telemetry::inject_trace_context;

/// Adds `traceparent` and `authorization: Bearer <token>` to each call.
#[derive(Debug, Clone, Default)]
pub struct OutboundInterceptor {
    authorization: Option<MetadataValue<Ascii>>,
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
        Ok(Self { authorization })
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
        Ok(request)
    }
}

/// A lazily connecting channel to `url` (e.g. `http://carriers:50051`).
pub fn channel(url: &str) -> Result<Channel, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_owned())?.connect_lazy())
}
