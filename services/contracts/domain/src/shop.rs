//! Rate shopping's own rules: a carrier's measured on-time record over the
//! 13 weeks before the ship date, its allocation for a day, and the order
//! options are ranked in. Quotes and promises are `rating` and `promise`.
//!
//! **Measured on-time rate.** The window is the 91 days (13 weeks) ending
//! the day before the ship date — or before today when the ship date is
//! later, so a parcel shipped next month is judged on what is known now.
//! Every stored SLA evaluation of the carrier × service level whose whole
//! period lies in the window (weekly or monthly alike; stale ones are left
//! out by the caller) adds its on-time KPI's numerator and denominator;
//! the rate is floor(Σ on time × 10000 / Σ measured) basis points, absent
//! when nothing was measured. Summing counts (not averaging rates) weights
//! each period by its shipments.

use chrono::{DateTime, Days, NaiveDate, Utc};
use recourse_money::{Currency, Money};

/// Days in the on-time window: 13 weeks.
pub const ON_TIME_WINDOW_DAYS: u64 = 91;

/// The on-time window for a ship date, as known on `today`: inclusive
/// first and last day.
pub fn on_time_window(ship_date: NaiveDate, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let end = ship_date.min(today).pred_opt().unwrap_or(NaiveDate::MIN);
    let first = end
        .checked_sub_days(Days::new(ON_TIME_WINDOW_DAYS - 1))
        .unwrap_or(NaiveDate::MIN);
    (first, end)
}

/// One stored evaluation's on-time KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodOnTime {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub on_time: u32,
    pub measured: u32,
}

/// The summed record of a carrier × service level over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnTimeRecord {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub on_time: u32,
    pub measured: u32,
    pub evaluations: u32,
    /// floor(on_time × 10000 / measured); `None` when nothing was measured.
    pub rate_bp: Option<u32>,
}

/// Sums the periods lying wholly inside `window` (others are ignored).
pub fn on_time_record(
    window: (NaiveDate, NaiveDate),
    periods: impl IntoIterator<Item = PeriodOnTime>,
) -> OnTimeRecord {
    let (first, last) = window;
    let (mut on_time, mut measured, mut evaluations) = (0u64, 0u64, 0u32);
    for p in periods {
        if p.first >= first && p.last <= last {
            on_time += u64::from(p.on_time.min(p.measured));
            measured += u64::from(p.measured);
            evaluations = evaluations.saturating_add(1);
        }
    }
    let rate_bp = (measured > 0).then(|| {
        // on_time ≤ measured, so the quotient is at most 10000.
        u32::try_from(on_time * 10_000 / measured).unwrap_or(10_000)
    });
    OnTimeRecord {
        first,
        last,
        on_time: u32::try_from(on_time).unwrap_or(u32::MAX),
        measured: u32::try_from(measured).unwrap_or(u32::MAX),
        evaluations,
        rate_bp,
    }
}

/// A carrier's stated capacity (the carriers service's): parcels per day,
/// raised or lowered by peak windows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capacity {
    pub daily_parcels: u32,
    /// (first day, last day, parcels per day), inclusive, non-overlapping.
    pub peaks: Vec<(NaiveDate, NaiveDate, u32)>,
}

impl Capacity {
    /// The allocation in force on `date` (a peak window's when one covers
    /// it); `None` when it is 0, which the registry uses for "not stated":
    /// no limit is known, so nothing is ever exhausted or short.
    pub fn allocation_on(&self, date: NaiveDate) -> Option<u32> {
        let parcels = self
            .peaks
            .iter()
            .find(|(first, last, _)| *first <= date && date <= *last)
            .map_or(self.daily_parcels, |(_, _, parcels)| *parcels);
        (parcels > 0).then_some(parcels)
    }

    /// Whether `tendered` parcels already fill the day's allocation.
    pub fn exhausted_on(&self, date: NaiveDate, tendered: u64) -> bool {
        self.allocation_on(date)
            .is_some_and(|allocation| tendered >= u64::from(allocation))
    }
}

/// What an option is ranked by: cheapest first within a currency
/// (currencies alphabetically, never compared), then the earlier promise
/// (none last), then carrier and service level so the order is total.
pub fn rank_key<'a>(
    total: Money,
    promise: Option<DateTime<Utc>>,
    carrier: &'a str,
    service_level: &'a str,
) -> (Currency, i64, bool, Option<DateTime<Utc>>, &'a str, &'a str) {
    (
        total.currency(),
        total.amount_minor(),
        promise.is_none(),
        promise,
        carrier,
        service_level,
    )
}

#[cfg(test)]
mod tests;
