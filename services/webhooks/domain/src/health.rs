//! When an endpoint that keeps failing is disabled. An endpoint's failure
//! streak counts its failed attempts since its last success. It is
//! disabled — deliveries stop, an escalation item is raised and the
//! partner re-enables it — once the streak has lasted [`DISABLE_AFTER`]
//! (three days, the same horizon a single delivery is retried for) and
//! holds at least [`MIN_FAILURES`] attempts, so one slow retry schedule
//! alone never disables an endpoint. Any success resets the streak.

use chrono::{DateTime, Duration, Utc};

/// How long a streak lasts before the endpoint is disabled.
pub const DISABLE_AFTER: Duration = Duration::days(3);
/// How many failed attempts a streak needs before the endpoint is disabled.
pub const MIN_FAILURES: u32 = 10;

/// The failed attempts since the endpoint's last success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    pub failures: u32,
    pub since: Option<DateTime<Utc>>,
}

/// An attempt's outcome: success is a 2xx answer within the timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Failed,
}

impl Streak {
    /// The streak after an attempt at `at`.
    pub fn record(self, outcome: Outcome, at: DateTime<Utc>) -> Self {
        match outcome {
            Outcome::Delivered => Self::default(),
            Outcome::Failed => Self {
                failures: self.failures.saturating_add(1),
                since: Some(self.since.unwrap_or(at)),
            },
        }
    }

    /// Whether the endpoint should be disabled at `now`.
    pub fn disables(&self, now: DateTime<Utc>) -> bool {
        self.failures >= MIN_FAILURES
            && self.since.is_some_and(|since| now - since >= DISABLE_AFTER)
    }
}

/// Whether an HTTP status counts as delivered.
pub fn outcome_of(status: Option<u16>) -> Outcome {
    match status {
        Some(200..=299) => Outcome::Delivered,
        Some(_) | None => Outcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap()
    }

    #[test]
    fn three_days_and_ten_failures_disable_a_success_resets() {
        let mut streak = Streak::default();
        for i in 0..10 {
            streak = streak.record(Outcome::Failed, t0() + Duration::hours(i * 8));
        }
        // 10 failures since t0; at t0 + 71 h the streak is 71 h old: kept.
        assert_eq!(streak.failures, 10);
        assert!(!streak.disables(t0() + Duration::hours(71)));
        // At t0 + 72 h it has lasted three days: disabled.
        assert!(streak.disables(t0() + Duration::hours(72)));
        // Nine failures over four days are not enough.
        let nine = Streak {
            failures: 9,
            since: Some(t0()),
        };
        assert!(!nine.disables(t0() + Duration::days(4)));
        // A success clears the streak.
        assert_eq!(streak.record(Outcome::Delivered, t0()), Streak::default());
    }

    #[test]
    fn only_2xx_is_delivered() {
        assert_eq!(outcome_of(Some(200)), Outcome::Delivered);
        assert_eq!(outcome_of(Some(204)), Outcome::Delivered);
        for failed in [Some(199), Some(301), Some(410), Some(500), None] {
            assert_eq!(outcome_of(failed), Outcome::Failed);
        }
    }
}
