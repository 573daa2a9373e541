//! One error type at the gRPC boundary, mapped to `tonic::Status` by a single
//! exhaustive match, with `google.rpc` rich details so clients can act on the
//! field, precondition or resource at fault. Every status is bounded
//! ([`bound`]): any client can read it, however large the mistake.

pub mod bound;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, PreconditionViolation, StatusExt};

use self::bound::{echo, truncate_bytes};

/// Domain used in `google.rpc.ErrorInfo`.
pub const ERROR_DOMAIN: &str = "recourse.dev";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed; each violation names a field path.
    #[error("invalid argument: {}", describe_fields(.0))]
    InvalidArgument(Vec<Violation>),
    #[error("{resource} `{}` not found", echo(.name))]
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
    /// Another service's answer, passed to our caller with its code,
    /// message and details unchanged (only bounded), instead of being
    /// flattened into UNAVAILABLE.
    #[error("{}", .0.message)]
    Upstream(UpstreamStatus),
}

/// A status received from another service, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamStatus {
    pub code: Code,
    pub message: String,
    /// The encoded `google.rpc.Status` details, as received.
    pub details: Vec<u8>,
}

impl From<Status> for UpstreamStatus {
    fn from(status: Status) -> Self {
        Self {
            code: status.code(),
            message: status.message().to_owned(),
            details: status.details().to_vec(),
        }
    }
}

impl From<UpstreamStatus> for Status {
    fn from(upstream: UpstreamStatus) -> Self {
        Status::with_details(upstream.code, upstream.message, upstream.details.into())
    }
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
        let message = truncate_bytes(&err.to_string(), bound::MAX_MESSAGE_BYTES).into_owned();
        let status = match err {
            ApiError::InvalidArgument(violations) => bound::invalid_argument(&violations),
            ApiError::NotFound { resource, name } => Status::with_error_details(
                Code::NotFound,
                message,
                ErrorDetails::with_resource_info(resource, echo(&name), "", "not found"),
            ),
            ApiError::AlreadyExists { resource, name, .. } => Status::with_error_details(
                Code::AlreadyExists,
                message,
                ErrorDetails::with_resource_info(resource, echo(&name), "", "already exists"),
            ),
            ApiError::FailedPrecondition { kind, subject, .. } => {
                let violation = PreconditionViolation::new(kind, echo(&subject), message.clone());
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
            ApiError::Upstream(upstream) => Status::from(upstream),
        };
        bound::bounded(status)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// A statement that lost a race the database decided (serialization
    /// failure, deadlock, exclusion constraint) is ABORTED, which a client
    /// retries; anything else is our fault.
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::database::lost_race(&err) {
            return ApiError::Aborted {
                message: "a concurrent change to the same records won; retry the call".into(),
            };
        }
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

    /// What a grpc-core client receives in its metadata for this status:
    /// `grpc-message` percent-encoded and `grpc-status-details-bin` in
    /// base64.
    fn wire_bytes(status: &Status) -> usize {
        let message: usize = status
            .message()
            .bytes()
            .map(|b| {
                if (0x20..0x7f).contains(&b) && b != b'%' {
                    1
                } else {
                    3
                }
            })
            .sum();
        message + status.details().len().div_ceil(3) * 4
    }

    fn bad_request(status: &Status) -> Vec<tonic_types::FieldViolation> {
        status
            .get_error_details()
            .bad_request()
            .expect("BadRequest details")
            .field_violations
            .clone()
    }

    #[test]
    fn three_thousand_violations_are_bounded_with_a_count_of_the_rest() {
        let mut v = Violations::new();
        for i in 0..3_000 {
            v.add(
                format!("carrier.service_levels[{i}].code"),
                "must be 2-16 upper-case letters or digits",
            );
        }
        let status = Status::from(v.into_result().unwrap_err());
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().len() + status.details().len() < 8 * 1024);
        assert!(wire_bytes(&status) < 8 * 1024, "{}", wire_bytes(&status));
        let fields = bad_request(&status);
        let (listed, summary) = fields.split_at(fields.len() - 1);
        assert!(!listed.is_empty() && listed.len() <= bound::MAX_FIELD_VIOLATIONS);
        // In order, the first ones first.
        assert_eq!(listed[0].field, "carrier.service_levels[0].code");
        assert_eq!(listed[1].field, "carrier.service_levels[1].code");
        assert_eq!(summary[0].field, bound::MORE_VIOLATIONS_FIELD);
        let rest = 3_000 - listed.len();
        assert!(
            summary[0].description.contains(&format!("and {rest} more")),
            "{}",
            summary[0].description
        );
        assert!(status.message().contains(" more"), "{}", status.message());
    }

    #[test]
    fn fifty_short_violations_are_all_listed_without_a_summary() {
        let mut v = Violations::new();
        for i in 0..50 {
            v.add(format!("lines[{i}]"), "bad");
        }
        let fields = bad_request(&Status::from(v.into_result().unwrap_err()));
        assert_eq!(fields.len(), 50);
        assert!(
            fields
                .iter()
                .all(|f| f.field != bound::MORE_VIOLATIONS_FIELD)
        );
    }

    #[test]
    fn a_150_kb_echoed_value_is_truncated_on_a_char_boundary() {
        // Multi-byte characters, so a byte cut would split one.
        let huge = "é".repeat(75_000);
        assert_eq!(huge.len(), 150_000);
        let mut v = Violations::new();
        v.add(
            "rate_cards[0].zone_chart[0].origin_prefix",
            format!("unknown postal code `{huge}`"),
        );
        v.add(huge.clone(), "field path echoed from a map key");
        let status = Status::from(v.into_result().unwrap_err());
        assert!(wire_bytes(&status) < 8 * 1024, "{}", wire_bytes(&status));
        let fields = bad_request(&status);
        assert_eq!(fields.len(), 2);
        for text in [&fields[0].description, &fields[1].field] {
            assert!(
                text.chars().count() <= bound::MAX_ECHO_CHARS,
                "{}",
                text.len()
            );
            assert!(text.ends_with('…'));
        }
        assert!(fields[0].description.starts_with("unknown postal code `éé"));

        let status = Status::from(ApiError::NotFound {
            resource: "carrier",
            name: huge.clone(),
        });
        assert_eq!(status.code(), Code::NotFound);
        assert!(
            status.message().ends_with("not found"),
            "{}",
            status.message()
        );
        assert!(wire_bytes(&status) < 8 * 1024);
        let status = Status::from(ApiError::PermissionDenied(huge));
        assert!(status.message().len() <= bound::MAX_MESSAGE_BYTES);
    }

    #[test]
    fn truncation_counts_characters_and_bytes_on_boundaries() {
        assert_eq!(bound::truncate_chars("abc", 3), "abc");
        assert_eq!(bound::truncate_chars("abcd", 3), "ab…");
        assert_eq!(bound::truncate_chars("ééééé", 3), "éé…");
        assert_eq!(bound::truncate_bytes("abc", 3), "abc");
        // 'é' is 2 bytes, '…' 3: 7 bytes hold two 'é' and the ellipsis.
        assert_eq!(bound::truncate_bytes("ééééé", 7), "éé…");
        assert_eq!(bound::truncate_bytes("ééééé", 6), "é…");
    }

    #[test]
    fn an_upstream_status_keeps_its_code_message_and_details() {
        let mut v = Violations::new();
        v.add("carrier.code", "must be 2-16 upper-case letters or digits");
        let upstream = Status::from(v.into_result().unwrap_err());
        let passed = Status::from(ApiError::Upstream(upstream.clone().into()));
        assert_eq!(passed.code(), Code::InvalidArgument);
        assert_eq!(passed.message(), upstream.message());
        assert_eq!(bad_request(&passed)[0].field, "carrier.code");
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
