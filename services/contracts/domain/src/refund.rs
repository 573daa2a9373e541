//! Money-back guarantees: which late deliveries can still be refunded.
//!
//! Guarantees have no grace period: one second late is late. The claim
//! window is counted in calendar days from the delivery date (UTC) and
//! includes its last day.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};

/// A late delivery on a guaranteed service is refundable until delivered
/// date + window days (inclusive). Returns Some(deadline) when
/// `delivered > promised` (strictly; no grace for guarantees) and as_of's
/// date <= deadline.
pub fn refund_deadline(
    promised: DateTime<Utc>,
    delivered: DateTime<Utc>,
    window_days: u32,
    as_of: DateTime<Utc>,
) -> Option<NaiveDate> {
    if delivered <= promised {
        return None;
    }
    // A window reaching past the end of the calendar never closes.
    let deadline = delivered
        .date_naive()
        .checked_add_days(Days::new(u64::from(window_days)))
        .unwrap_or(NaiveDate::MAX);
    (as_of.date_naive() <= deadline).then_some(deadline)
}

/// Whole minutes late, counting a started minute as a full one so that any
/// refundable delivery is at least 1 minute late; 0 when on time. Saturates
/// at `u32::MAX` (about 8,000 years).
pub fn late_minutes(promised: DateTime<Utc>, delivered: DateTime<Utc>) -> u32 {
    let late = delivered - promised;
    if late <= TimeDelta::zero() {
        return 0;
    }
    let whole = late.num_minutes();
    let started = match TimeDelta::try_minutes(whole) {
        Some(whole_delta) if late > whole_delta => whole.saturating_add(1),
        _ => whole,
    };
    u32::try_from(started).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, TimeZone, Utc};

    use super::*;

    fn at(day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, day, h, m, s).unwrap()
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, day).unwrap()
    }

    #[test]
    fn delivered_4th_with_15_day_window_is_open_on_the_19th_closed_on_the_20th() {
        let promised = at(4, 10, 30, 0);
        let delivered = at(4, 16, 0, 0);
        assert_eq!(
            refund_deadline(promised, delivered, 15, at(19, 23, 59, 59)),
            Some(date(19))
        );
        assert_eq!(
            refund_deadline(promised, delivered, 15, at(20, 0, 0, 0)),
            None
        );
    }

    #[test]
    fn on_time_or_exactly_at_the_promise_is_not_a_candidate() {
        let promised = at(4, 10, 30, 0);
        assert_eq!(
            refund_deadline(promised, at(4, 10, 0, 0), 15, at(5, 0, 0, 0)),
            None
        );
        assert_eq!(
            refund_deadline(promised, promised, 15, at(5, 0, 0, 0)),
            None
        );
        assert_eq!(late_minutes(promised, at(4, 10, 0, 0)), 0);
        assert_eq!(late_minutes(promised, promised), 0);
    }

    #[test]
    fn one_second_late_is_late_by_one_minute() {
        let promised = at(4, 10, 30, 0);
        let delivered = at(4, 10, 30, 1);
        assert_eq!(late_minutes(promised, delivered), 1);
        assert_eq!(
            refund_deadline(promised, delivered, 0, delivered),
            Some(date(4))
        );
    }

    #[test]
    fn ninety_minutes_late_is_90_and_90_min_30_s_is_91() {
        let promised = at(4, 10, 30, 0);
        assert_eq!(late_minutes(promised, at(4, 12, 0, 0)), 90);
        assert_eq!(late_minutes(promised, at(4, 12, 0, 30)), 91);
    }

    #[test]
    fn zero_day_window_is_open_only_on_the_delivery_date() {
        let promised = at(4, 10, 30, 0);
        let delivered = at(4, 23, 0, 0);
        assert_eq!(
            refund_deadline(promised, delivered, 0, at(4, 23, 30, 0)),
            Some(date(4))
        );
        assert_eq!(
            refund_deadline(promised, delivered, 0, at(5, 0, 0, 0)),
            None
        );
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let far = DateTime::<Utc>::MAX_UTC;
        let early = DateTime::<Utc>::MIN_UTC;
        assert_eq!(late_minutes(early, far), u32::MAX);
        assert_eq!(
            refund_deadline(early, far, u32::MAX, far),
            Some(NaiveDate::MAX)
        );
    }
}
