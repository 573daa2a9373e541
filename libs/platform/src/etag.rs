//! Etags: the stored revision of a resource, rendered opaque (`"7"`). An
//! update must send the etag it read; a stale one is refused with ABORTED.

use crate::error::ApiError;

pub fn format(revision: i64) -> String {
    format!("\"{revision}\"")
}

/// Parses a required etag from `field`.
pub fn parse(field: &str, etag: &str) -> Result<i64, ApiError> {
    if etag.is_empty() {
        return Err(ApiError::invalid(
            field,
            "is required: send the etag you last read",
        ));
    }
    etag.trim_matches('"')
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| ApiError::invalid(field, "is not an etag this API issued"))
}

/// The ABORTED error for a stale etag on `name`.
pub fn stale(name: &str, given: i64, current: i64) -> ApiError {
    ApiError::Aborted {
        message: format!(
            "{name} has changed since it was read (etag {}, now {}); read it again",
            format(given),
            format(current)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        assert_eq!(parse("etag", &format(7)), Ok(7));
        assert!(parse("etag", "").is_err());
        assert!(parse("etag", "\"x\"").is_err());
        assert!(parse("etag", "0").is_err());
    }
}
