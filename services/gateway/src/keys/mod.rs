//! API keys: the admin use cases ([`KeyBook`], one transaction each) and
//! the lookup every call through the gateway makes ([`KeyDirectory`]:
//! cached, O(1) by key id, last use recorded in batches).

mod book;
mod directory;

pub use book::{Created, KeyBook, Rotated};
pub use directory::{Authenticated, KeyDirectory};

use recourse_platform::ApiError;

use crate::domain::KeyError;

impl From<KeyError> for ApiError {
    fn from(err: KeyError) -> Self {
        let message = err.to_string();
        match err {
            KeyError::NotFound(name) => ApiError::NotFound {
                resource: "api key",
                name,
            },
            KeyError::StaleEtag { .. } => ApiError::Aborted { message },
            KeyError::Revoked(name) => ApiError::FailedPrecondition {
                kind: "API_KEY_REVOKED",
                subject: name,
                message,
            },
            KeyError::Expired(name) => ApiError::FailedPrecondition {
                kind: "API_KEY_EXPIRED",
                subject: name,
                message,
            },
            KeyError::GraceTooLong { .. } => ApiError::invalid("grace_period_seconds", message),
        }
    }
}
