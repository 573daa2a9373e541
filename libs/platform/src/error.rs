//! One error type at the gRPC boundary, mapped to `tonic::Status` by a single
//! exhaustive match, with `google.rpc` rich details so clients can act on the
//! field, precondition or resource at fault.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, PreconditionViolation, StatusExt};

/// Domain used in `google.rpc.ErrorInfo`.
pub const ERROR_DOMAIN: &str = "recourse.dev";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed; each violation names a field path.
    #[error("invalid argument: {}", describe_fields(.0))]
    InvalidArgument(Vec<Violation>),
    #[error("{resource} `{name}` not found")]
    NotFound {
        resource: &'static str,
        name: String,
    },
    #[error("{message}")]
    AlreadyExists {
        resource: &'static str,
        name: String,
        message: String,
    },
    /// The system is not in a state that allows the call; `kind` is a
    /// machine-readable category (e.g. `STATUS_TRANSITION`).
    #[error("{message}")]
    FailedPrecondition {
        kind: &'static str,
        subject: String,
        message: String,
    },
    /// Optimistic concurrency: the caller's etag is stale.
    #[error("{message}")]
    Aborted { message: String },
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Unavailable(String),
    /// A fault on our side; the message is logged, the client sees a generic
    /// text.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A field path (`carrier.service_levels[1].code`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub description: String,
}

fn describe_fields(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("{}: {}", v.field, v.description))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> Self {
        ApiError::InvalidArgument(vec![Violation {
            field: field.into(),
            description: description.into(),
        }])
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        ApiError::Internal(err.to_string())
    }
}

/// Collects every field violation of a request, so a client learns all of
/// them at once rather than one per round trip.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, description: impl Into<String>) {
        self.0.push(Violation {
            field: field.into(),
            description: description.into(),
        });
    }

    /// Adds a violation when `ok` is false.
    pub fn check(&mut self, ok: bool, field: impl Into<String>, description: impl Into<String>) {
        if !ok {
            self.add(field, description);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidArgument(self.0))
        }
    }
}

impl From<ApiError> for Status {
    fn from(err: ApiError) -> Self {
        let message = err.to_string();
        match err {
            ApiError::InvalidArgument(violations) => {
                let violations: Vec<FieldViolation> = violations
                    .into_iter()
                    .map(|v| FieldViolation::new(v.field, v.description))
                    .collect();
                Status::with_error_details(
                    Code::InvalidArgument,
                    message,
                    ErrorDetails::with_bad_request(violations),
                )
            }
            ApiError::NotFound { resource, name } => Status::with_error_details(
                Code::NotFound,
                message,
                ErrorDetails::with_resource_info(resource, name, "", "not found"),
            ),
            ApiError::AlreadyExists { resource, name, .. } => Status::with_error_details(
                Code::AlreadyExists,
                message,
                ErrorDetails::with_resource_info(resource, name, "", "already exists"),
            ),
            ApiError::FailedPrecondition { kind, subject, .. } => {
                let violation = PreconditionViolation::new(kind, subject, message.clone());
                Status::with_error_details(
                    Code::FailedPrecondition,
                    message,
                    ErrorDetails::with_precondition_failure(vec![violation]),
                )
            }
            ApiError::Aborted { .. } => Status::with_error_details(
                Code::Aborted,
                message,
                ErrorDetails::with_error_info(
                    "STALE_ETAG",
                    ERROR_DOMAIN,
                    std::collections::HashMap::new(),
                ),
            ),
            ApiError::PermissionDenied(_) => Status::permission_denied(message),
            ApiError::Unauthenticated(_) => Status::unauthenticated(message),
            ApiError::Unavailable(_) => Status::unavailable(message),
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                Status::internal("internal error")
            }
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        ApiError::Internal(format!("database: {err}"))
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(err: sea_orm::TransactionError<ApiError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_carries_every_field_violation() {
        let mut v = Violations::new();
        v.add("carrier.code", "must be 2-16 upper-case letters or digits");
        v.add("carrier.kind", "is required");
        let status = Status::from(v.into_result().unwrap_err());
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let fields: Vec<_> = details
            .bad_request()
            .unwrap()
            .field_violations
            .iter()
            .map(|f| f.field.clone())
            .collect();
        assert_eq!(fields, ["carrier.code", "carrier.kind"]);
    }

    #[test]
    fn internal_detail_is_not_leaked_to_the_client() {
        let status = Status::from(ApiError::internal("password=hunter2"));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("hunter2"));
    }

    #[test]
    fn precondition_failure_names_its_kind() {
        let status = Status::from(ApiError::FailedPrecondition {
            kind: "STATUS_TRANSITION",
            subject: "carriers/1".into(),
            message: "cannot go from offboarded to active".into(),
        });
        assert_eq!(status.code(), Code::FailedPrecondition);
        let details = status.get_error_details();
        assert_eq!(
            details.precondition_failure().unwrap().violations[0].r#type,
            "STATUS_TRANSITION"
        );
    }
}
