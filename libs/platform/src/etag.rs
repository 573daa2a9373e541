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

/// Parses a required etag from `field`, recording the violation with the
/// request's others instead of returning it.
pub fn collect(v: &mut crate::Violations, field: &str, etag: &str) -> Option<i64> {
    match parse(field, etag) {
        Ok(revision) => Some(revision),
        Err(crate::ApiError::InvalidArgument(found)) => {
            for f in found {
                v.add(f.field, f.description);
            }
            None
        }
        Err(other) => {
            v.add(field, other.to_string());
            None
        }
    }
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
        let mut v = crate::Violations::new();
        assert_eq!(collect(&mut v, "etag", "\"3\""), Some(3));
        assert_eq!(collect(&mut v, "version.etag", ""), None);
        assert_eq!(v.len(), 1);
    }
}
