//! Rate-limit arithmetic: a token bucket in its GCRA form (generic cell
//! rate algorithm), which keeps one number per principal — the theoretical
//! arrival time (TAT) of the next call — instead of a token count and a
//! refill time. The same arithmetic runs in memory and, for limits shared
//! across replicas, in a Redis script (`limits::redis`).
//!
//! With a rate of `r` calls/s the emission interval is `T = 1/r`; a burst
//! of `b` calls means a tolerance of `τ = b·T`. A call at `now` is allowed
//! when `max(TAT, now) + T − now ≤ τ`, and then moves TAT to
//! `max(TAT, now) + T`; otherwise it is refused and may retry after
//! `max(TAT, now) + T − τ − now`. A TAT at or before `now` is a full bucket,
//! so such state can be forgotten: that is how memory stays bounded.

/// Nanoseconds per second.
const NANOS: u64 = 1_000_000_000;

/// A rate and a burst, in the units the arithmetic uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// `T`: nanoseconds between calls at the sustained rate.
    pub interval: u64,
    /// `τ = burst · T`.
    pub tolerance: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Store `tat` as the new theoretical arrival time.
    Allow { tat: u64 },
    /// Refused; the call would be allowed `retry_after` nanoseconds later.
    Deny { retry_after: u64 },
}

impl Quota {
    /// `requests_per_second` and `burst` of at least 1 (validated config).
    pub fn new(requests_per_second: u32, burst: u32) -> Self {
        let interval = NANOS / u64::from(requests_per_second.max(1));
        Self {
            interval,
            tolerance: interval.saturating_mul(u64::from(burst.max(1))),
        }
    }

    /// Decides a call at `now` given the stored `tat` (none: full bucket).
    pub fn check(&self, tat: Option<u64>, now: u64) -> Decision {
        let start = tat.map_or(now, |tat| tat.max(now));
        let next = start.saturating_add(self.interval);
        let allow_at = next.saturating_sub(self.tolerance);
        if now < allow_at {
            Decision::Deny {
                retry_after: allow_at - now,
            }
        } else {
            Decision::Allow { tat: next }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_burst_of_three_at_two_per_second() {
        // r = 2/s → T = 500 ms; b = 3 → τ = 1500 ms.
        let q = Quota::new(2, 3);
        assert_eq!((q.interval, q.tolerance), (500 * MS, 1_500 * MS));
        // t = 0: three calls at once fill the burst: TAT 500, 1000, 1500 ms
        // (each allowed since TAT − now ≤ 1500 ms).
        let mut tat = None;
        for expected in [500, 1_000, 1_500] {
            match q.check(tat, 0) {
                Decision::Allow { tat: t } => {
                    assert_eq!(t, expected * MS);
                    tat = Some(t);
                }
                Decision::Deny { .. } => panic!("call within the burst refused"),
            }
        }
        // A fourth at t = 0 would need TAT 2000 ms: 2000 − 0 > 1500, refused,
        // and may retry at 2000 − 1500 = 500 ms.
        assert_eq!(
            q.check(tat, 0),
            Decision::Deny {
                retry_after: 500 * MS
            }
        );
        // At t = 499 ms still refused, 1 ms early.
        assert_eq!(q.check(tat, 499 * MS), Decision::Deny { retry_after: MS });
        // At t = 500 ms one token has dripped back: allowed, TAT 2000 ms.
        assert_eq!(q.check(tat, 500 * MS), Decision::Allow { tat: 2_000 * MS });
    }

    #[test]
    fn an_idle_bucket_is_full_again() {
        let q = Quota::new(10, 1);
        // TAT in the past counts as now: the call is allowed and TAT = now + T.
        assert_eq!(
            q.check(Some(5 * MS), 1_000 * MS),
            Decision::Allow { tat: 1_100 * MS }
        );
        // No state at all is the same as a full bucket.
        assert_eq!(q.check(None, 0), Decision::Allow { tat: 100 * MS });
    }

    #[test]
    fn sustained_rate_allows_exactly_r_per_second_after_the_burst() {
        // r = 5/s, b = 1: over 10 s of calls every 10 ms, 1 + 5·10 = 51 are
        // allowed (the first at once, then one each T = 200 ms).
        let q = Quota::new(5, 1);
        let mut tat = None;
        let mut allowed = 0;
        for step in 0..=1_000 {
            if let Decision::Allow { tat: t } = q.check(tat, step * 10 * MS) {
                tat = Some(t);
                allowed += 1;
            }
        }
        assert_eq!(allowed, 51);
    }
}
