//! What follows an attempt: a 2xx answer delivers; a failure is retried on
//! the [`retry`](crate::retry) schedule, or given up once the next attempt
//! would fall past the three-day horizon from the first attempt.

use chrono::{DateTime, Utc};

use crate::health::{Outcome, outcome_of};
use crate::retry::next_attempt;

/// A delivery's state after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// After attempt `attempt` (1-based) answered `status` (`None`: no answer
/// in time) at `at`, the delivery's first attempt having been at `first`.
pub fn after_attempt(
    attempt: u32,
    first: DateTime<Utc>,
    at: DateTime<Utc>,
    status: Option<u16>,
    jitter: f64,
) -> Next {
    match outcome_of(status) {
        Outcome::Delivered => Next::Delivered,
        Outcome::Failed => {
            next_attempt(attempt, first, at, jitter).map_or(Next::GiveUp, Next::RetryAt)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone as _};

    #[test]
    fn answers_decide() {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap();
        assert_eq!(after_attempt(1, t0, t0, Some(204), 0.3), Next::Delivered);
        // Attempt 1 failed at t0 with jitter 0: wait 15 s.
        assert_eq!(
            after_attempt(1, t0, t0, Some(500), 0.0),
            Next::RetryAt(t0 + Duration::seconds(15))
        );
        // A timeout (no status) is a failure too; past the horizon: give up.
        let late = t0 + Duration::hours(71);
        assert_eq!(after_attempt(20, t0, late, None, 0.0), Next::GiveUp);
    }
}
