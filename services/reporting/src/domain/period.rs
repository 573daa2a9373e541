//! Report periods: ISO week (Monday to Sunday), calendar month, quarter.

use chrono::{Datelike as _, Days, Months, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
}

/// A period's first and last day (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub kind: PeriodKind,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    /// The period of `kind` containing `date`.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Option<Period> {
        let first = match kind {
            PeriodKind::Week => {
                date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))?
            }
            PeriodKind::Month => date.with_day(1)?,
            PeriodKind::Quarter => {
                NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)?
            }
        };
        let next = match kind {
            PeriodKind::Week => first.checked_add_days(Days::new(7))?,
            PeriodKind::Month => first.checked_add_months(Months::new(1))?,
            PeriodKind::Quarter => first.checked_add_months(Months::new(3))?,
        };
        Some(Period {
            kind,
            first,
            last: next.pred_opt()?,
        })
    }

    /// The period just before this one.
    pub fn previous(&self) -> Option<Period> {
        Period::containing(self.kind, self.first.pred_opt()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn weeks_start_on_monday_months_and_quarters_on_the_first() {
        // 2026-11-05 is a Thursday: its ISO week is Mon 11-02 .. Sun 11-08.
        let w = Period::containing(PeriodKind::Week, d(2026, 11, 5));
        assert_eq!(
            w.map(|p| (p.first, p.last)),
            Some((d(2026, 11, 2), d(2026, 11, 8)))
        );
        // A Sunday belongs to the week that began six days earlier.
        let sunday = Period::containing(PeriodKind::Week, d(2026, 11, 8));
        assert_eq!(sunday.map(|p| p.first), Some(d(2026, 11, 2)));
        // February 2028 has 29 days.
        let m = Period::containing(PeriodKind::Month, d(2028, 2, 10));
        assert_eq!(
            m.map(|p| (p.first, p.last)),
            Some((d(2028, 2, 1), d(2028, 2, 29)))
        );
        // Q4: Oct 1 .. Dec 31; the previous quarter is Q3.
        let q = Period::containing(PeriodKind::Quarter, d(2026, 11, 23));
        assert_eq!(
            q.map(|p| (p.first, p.last)),
            Some((d(2026, 10, 1), d(2026, 12, 31)))
        );
        let prev = q.and_then(|q| q.previous());
        assert_eq!(
            prev.map(|p| (p.first, p.last)),
            Some((d(2026, 7, 1), d(2026, 9, 30)))
        );
        // The week before the one of 2026-01-01 (a Thursday) is in 2025.
        let w1 = Period::containing(PeriodKind::Week, d(2026, 1, 1)).and_then(|w| w.previous());
        assert_eq!(w1.map(|p| p.first), Some(d(2025, 12, 22)));
    }
}
