//! The service's errors, mapped into the platform's `ApiError` by one
//! exhaustive match.

use recourse_platform::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum ReportingError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A carrier the read models do not know (or the caller may not see).
    #[error("carrier `{0}` not found")]
    CarrierNotFound(String),
}

impl From<ReportingError> for ApiError {
    fn from(err: ReportingError) -> Self {
        match err {
            ReportingError::Database(e) => ApiError::from(e),
            ReportingError::CarrierNotFound(name) => ApiError::NotFound {
                resource: "carrier",
                name,
            },
        }
    }
}
