//! When a failed delivery is tried again. Exponential backoff with "equal
//! jitter": before attempt n + 1 the delivery waits
//!
//! ```text
//! base(n) = min(30 s × 2^(n−1), 6 h)
//! wait(n) = base(n) / 2 + jitter × base(n) / 2      jitter ∈ [0, 1)
//! ```
//!
//! so waits double up to six hours, never less than half the base (a flood
//! of failures cannot retry in lockstep, nor all at once). A delivery is
//! given up (dead) when its next attempt would fall more than three days
//! after its first. Times are whole milliseconds.

use chrono::{DateTime, Duration, Utc};

/// The first wait's base.
pub const FIRST_BASE_MS: i64 = 30_000;
/// No single wait's base exceeds this.
pub const MAX_BASE_MS: i64 = 6 * 3_600_000;
/// Nothing is attempted later than this after the first attempt.
pub const HORIZON_MS: i64 = 3 * 24 * 3_600_000;

/// `base(n)` in ms for the wait after failed attempt `n` (1-based).
pub fn base_ms(failed_attempt: u32) -> i64 {
    let doublings = failed_attempt.saturating_sub(1).min(30);
    FIRST_BASE_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BASE_MS)
}

/// The wait after failed attempt `n` with `jitter` (clamped into [0, 1)).
pub fn wait(failed_attempt: u32, jitter: f64) -> Duration {
    let base = base_ms(failed_attempt);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 0.999_999)
    } else {
        0.0
    };
    // base ≤ 2.16e7 ms, exact in f64; the product is truncated to whole ms.
    let spread = (jitter * (base / 2) as f64) as i64;
    Duration::milliseconds(base / 2 + spread)
}

/// When attempt `n + 1` is due after attempt `n` failed at `failed_at`, or
/// `None` when that would be past the horizon from `first_attempt_at`.
pub fn next_attempt(
    failed_attempt: u32,
    first_attempt_at: DateTime<Utc>,
    failed_at: DateTime<Utc>,
    jitter: f64,
) -> Option<DateTime<Utc>> {
    let next = failed_at.checked_add_signed(wait(failed_attempt, jitter))?;
    let horizon = first_attempt_at.checked_add_signed(Duration::milliseconds(HORIZON_MS))?;
    (next <= horizon).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap()
    }

    #[test]
    fn worked_examples() {
        // Attempt 1 failed, jitter 0.5: base 30,000 ms; 15,000 + 0.5 × 15,000
        // = 22,500 ms.
        assert_eq!(wait(1, 0.5), Duration::milliseconds(22_500));
        // Attempt 5 failed, jitter 0: base 30,000 × 2^4 = 480,000 ms; half of
        // it, 240,000 ms (4 min).
        assert_eq!(wait(5, 0.0), Duration::milliseconds(240_000));
        // Attempt 11: 30,000 × 2^10 = 30,720,000 ms (8.5 h) is capped at
        // 21,600,000 ms (6 h); jitter 0.25 → 10,800,000 + 2,700,000 =
        // 13,500,000 ms (3 h 45 min).
        assert_eq!(wait(11, 0.25), Duration::milliseconds(13_500_000));
        // A huge attempt number stays capped; bad jitter counts as 0.
        assert_eq!(wait(u32::MAX, f64::NAN), Duration::milliseconds(10_800_000));
        assert_eq!(wait(0, 2.0), wait(1, 0.999_999));
    }

    #[test]
    fn nothing_is_attempted_past_three_days_from_the_first_attempt() {
        // First attempt at t0; attempt 20 failed at t0 + 71 h. Its wait with
        // jitter 0 is 3 h (half the 6 h cap): t0 + 74 h > t0 + 72 h → dead.
        let failed_at = t0() + Duration::hours(71);
        assert_eq!(next_attempt(20, t0(), failed_at, 0.0), None);
        // Failed at t0 + 69 h: t0 + 72 h exactly is still on time.
        let failed_at = t0() + Duration::hours(69);
        assert_eq!(
            next_attempt(20, t0(), failed_at, 0.0),
            Some(t0() + Duration::hours(72))
        );
    }

    #[test]
    fn a_delivery_that_always_fails_is_tried_a_bounded_number_of_times() {
        // Every wait with jitter 0 (the shortest): 15 s, 30 s, … up to 3 h.
        // The waits before the cap sum to 15 s × (2^10 − 1) = 15,345 s, the
        // remaining 243,855 s of the three days hold 22 waits of 10,800 s,
        // so 1 + 10 + 22 = 33 attempts at most.
        let mut attempt = 1;
        let mut at = t0();
        while let Some(next) = next_attempt(attempt, t0(), at, 0.0) {
            attempt += 1;
            at = next;
        }
        assert_eq!(attempt, 33);
        assert!(at <= t0() + Duration::days(3));
    }

    proptest::proptest! {
        #[test]
        fn waits_stay_within_half_and_whole_base(n in 1_u32..100, jitter in 0.0_f64..1.0) {
            let w = wait(n, jitter).num_milliseconds();
            let base = base_ms(n);
            proptest::prop_assert!(w >= base / 2 && w < base);
            proptest::prop_assert!(wait(n + 1, jitter) >= wait(n, jitter));
        }
    }
}
