//! One shipment's verdict, as the event feed states it for readers that
//! must not re-derive SLA rules (reporting). The same definitions as the
//! period evaluation: due = promised + grace minutes; a delivery at or
//! before due is on time.

use chrono::{DateTime, TimeDelta, Utc};

use super::MetricDefinition;

/// Whether a delivery kept its promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    NotDelivered,
    OnTime,
    Late,
}

/// `promised + grace_minutes`; `None` only past the end of time.
pub fn due_time(promised: DateTime<Utc>, metric: &MetricDefinition) -> Option<DateTime<Utc>> {
    TimeDelta::try_minutes(i64::from(metric.grace_minutes))
        .and_then(|grace| promised.checked_add_signed(grace))
}

/// The delivery against `promised + grace` (a due time past the end of
/// time cannot be missed).
pub fn verdict(
    promised: DateTime<Utc>,
    delivered: Option<DateTime<Utc>>,
    metric: &MetricDefinition,
) -> Verdict {
    match (delivered, due_time(promised, metric)) {
        (None, _) => Verdict::NotDelivered,
        (Some(d), Some(due)) if d > due => Verdict::Late,
        (Some(_), _) => Verdict::OnTime,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn metric(grace_minutes: u32) -> MetricDefinition {
        MetricDefinition {
            grace_minutes,
            first_scan_hours: 0,
            max_scan_gap_hours: 0,
        }
    }

    #[test]
    fn a_delivery_within_the_grace_is_on_time_one_minute_after_is_late() {
        // Promised 2026-11-03 17:00Z, grace 30 min → due 17:30Z.
        let promised = Utc.with_ymd_and_hms(2026, 11, 3, 17, 0, 0).unwrap();
        let due = Utc.with_ymd_and_hms(2026, 11, 3, 17, 30, 0).unwrap();
        assert_eq!(due_time(promised, &metric(30)), Some(due));
        // 17:30 = due → on time; 17:31 > due → late.
        assert_eq!(verdict(promised, Some(due), &metric(30)), Verdict::OnTime);
        let minute_late = due + TimeDelta::minutes(1);
        assert_eq!(
            verdict(promised, Some(minute_late), &metric(30)),
            Verdict::Late
        );
        // Grace 0: due = the promise itself.
        assert_eq!(
            verdict(promised, Some(promised + TimeDelta::seconds(1)), &metric(0)),
            Verdict::Late
        );
        assert_eq!(verdict(promised, None, &metric(30)), Verdict::NotDelivered);
    }
}
