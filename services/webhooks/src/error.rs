//! The service's errors, mapped into the platform's `ApiError` by one
//! exhaustive match.

use recourse_platform::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum WebhooksError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// An endpoint that does not exist or is not the caller's (one answer).
    #[error("webhook endpoint `{0}` not found")]
    EndpointNotFound(String),
    #[error("delivery `{0}` not found")]
    DeliveryNotFound(String),
    /// The caller's etag is not the endpoint's.
    #[error("{name} has changed since it was read (etag {given}, now {current})")]
    StaleEtag {
        name: String,
        given: i64,
        current: i64,
    },
    /// Redelivery to a disabled endpoint.
    #[error("{0} is disabled: enable it before redelivering")]
    EndpointDisabled(String),
    /// A platform-level refusal (idempotency, validation).
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<WebhooksError> for ApiError {
    fn from(err: WebhooksError) -> Self {
        match err {
            WebhooksError::Database(e) => ApiError::from(e),
            WebhooksError::EndpointNotFound(name) => ApiError::NotFound {
                resource: "webhook endpoint",
                name,
            },
            WebhooksError::DeliveryNotFound(name) => ApiError::NotFound {
                resource: "delivery",
                name,
            },
            WebhooksError::StaleEtag {
                name,
                given,
                current,
            } => recourse_platform::etag::stale(&name, given, current),
            WebhooksError::EndpointDisabled(name) => ApiError::FailedPrecondition {
                kind: "WEBHOOK_ENDPOINT_DISABLED",
                subject: name.clone(),
                message: format!("{name} is disabled: enable it before redelivering"),
            },
            WebhooksError::Api(e) => e,
        }
    }
}

impl From<WebhooksError> for tonic::Status {
    fn from(err: WebhooksError) -> Self {
        ApiError::from(err).into()
    }
}
