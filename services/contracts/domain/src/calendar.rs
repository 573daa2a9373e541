//! Business days and reporting periods (the promise itself, with time
//! zones, is in `promise`).
//!
//! Saturdays and Sundays are never business days; holidays come from the
//! contract. Transit is counted from the first business day on or after the
//! ship date: a parcel shipped on Saturday with 2 business days of transit
//! is handled as if shipped Monday and is due Wednesday. This makes the
//! count monotonic (n + 1 days is always one business day after n days).
//!
//! Dates at the very end of chrono's range saturate instead of panicking.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Which days count for transit: weekdays that are not holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCalendar {
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// A calendar with the given holidays (weekend holidays are harmless).
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        BusinessCalendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// True for Monday–Friday dates that are not holidays.
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// Ship date + n business days; n = 0 is the ship date if it is a
    /// business day, else the next business day.
    pub fn add_business_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = self.next_business_day_on_or_after(from);
        for _ in 0..n {
            let Some(next) = day.succ_opt() else {
                return NaiveDate::MAX;
            };
            day = self.next_business_day_on_or_after(next);
        }
        day
    }

    /// The first business day at or after `d`. Terminates because holidays
    /// are finite and every week has weekdays.
    fn next_business_day_on_or_after(&self, mut d: NaiveDate) -> NaiveDate {
        while !self.is_business_day(d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return NaiveDate::MAX,
            }
        }
        d
    }
}

/// A reporting period for SLA evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// Monday through Sunday.
    Weekly,
    /// A calendar month.
    Monthly,
}

/// Inclusive first and last day of the period containing `date` (weeks run
/// Monday–Sunday).
pub fn period_bounds(period: Period, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    match period {
        Period::Weekly => {
            let back = u64::from(date.weekday().num_days_from_monday());
            let monday = date
                .checked_sub_days(Days::new(back))
                .unwrap_or(NaiveDate::MIN);
            let sunday = monday
                .checked_add_days(Days::new(6))
                .unwrap_or(NaiveDate::MAX);
            (monday, sunday)
        }
        Period::Monthly => {
            let first = date.with_day(1).unwrap_or(date);
            let next_first = first.checked_add_months(chrono::Months::new(1));
            let last = next_first
                .and_then(|d| d.pred_opt())
                .unwrap_or(NaiveDate::MAX);
            (first, last)
        }
    }
}

#[cfg(test)]
mod tests;
