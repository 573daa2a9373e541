//! The deadline of the call being served, so outgoing calls made on its
//! behalf give the upstream only the time that is left (`grpc-timeout`).
//! The server stack sets it around each call's handler
//! ([`scope`]); [`crate::client::OutboundInterceptor`] reads it.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `fut` with `deadline` as the current call's deadline.
pub async fn scope<F: Future>(deadline: Instant, fut: F) -> F::Output {
    DEADLINE.scope(deadline, fut).await
}

/// The deadline of the call this task serves, if it has one.
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// Time left before the current call's deadline (zero once passed).
pub fn remaining() -> Option<Duration> {
    current().map(|d| d.saturating_duration_since(Instant::now()))
}

/// Parses a `grpc-timeout` header value: up to 8 digits and a unit
/// (`H`ours, `M`inutes, `S`econds, `m`illis, `u`micros, `n`anos).
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.checked_mul(3600)?),
        "M" => Duration::from_secs(n.checked_mul(60)?),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// Renders `timeout` as a `grpc-timeout` value, rounded up to the next
/// millisecond (at most 8 digits, so very long timeouts go in seconds).
pub fn format_grpc_timeout(timeout: Duration) -> String {
    let millis = timeout.as_nanos().div_ceil(1_000_000);
    if millis < 100_000_000 {
        format!("{millis}m")
    } else {
        format!("{}S", timeout.as_secs().min(99_999_999))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse_and_render() {
        assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_grpc_timeout("3S"), Some(Duration::from_secs(3)));
        assert_eq!(parse_grpc_timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_grpc_timeout("123456789S"), None, "at most 8 digits");
        assert_eq!(parse_grpc_timeout("5x"), None);
        assert_eq!(parse_grpc_timeout(""), None);
        assert_eq!(format_grpc_timeout(Duration::from_micros(1_500)), "2m");
        assert_eq!(format_grpc_timeout(Duration::from_secs(5)), "5000m");
        assert_eq!(format_grpc_timeout(Duration::from_secs(200_000)), "200000S");
    }

    #[tokio::test]
    async fn the_deadline_is_visible_inside_its_scope_only() {
        assert!(current().is_none());
        let deadline = Instant::now() + Duration::from_secs(5);
        let seen = scope(deadline, async { current() }).await;
        assert_eq!(seen, Some(deadline));
        assert!(current().is_none());
    }
}
