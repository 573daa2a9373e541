//! The capacity plan: per carrier and ISO week, forecast against the
//! carrier's allocations and the volume tendered, shortfalls, and the
//! overflow other carriers could take.
//!
//! - **capacity** of a week = Σ of its seven daily allocations
//!   ([`Capacity::allocation_on`]: the peak window's when one covers the
//!   day); `None` when no day of the week has one stated.
//! - **tendered** = shipments registered with a local ship date in the
//!   week; **accepted** = Σ per day of min(tendered, allocation) (a day
//!   without a stated allocation accepts all); **over allocation** =
//!   tendered − accepted. Registering beyond the allocation is allowed;
//!   it is counted here. **Tender acceptance** = floor(accepted × 10000 ÷
//!   tendered) bp, absent when nothing was tendered.
//! - **shortfall** = max(0, forecast − capacity); **spare** = max(0,
//!   capacity − forecast), only for a carrier that can take parcels
//!   (active in the registry). No capacity stated: neither.
//! - **overflow**, week by week: the short carriers, largest shortfall
//!   first (then carrier id), each take from the other carriers sharing
//!   a region with it (the same lanes) that still have spare, most spare
//!   first (then carrier id), min(what is left short, their spare), until
//!   covered; what nobody can take is **uncovered**. Spare given to one
//!   short carrier is not offered to the next.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::shop::Capacity;

/// The Monday of `date`'s ISO week.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    let back = u64::from(date.weekday().num_days_from_monday());
    date.checked_sub_days(Days::new(back))
        .unwrap_or(NaiveDate::MIN)
}

/// "2026-W48" for the ISO week of `date`.
pub fn week_label(date: NaiveDate) -> String {
    let w = date.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of an ISO week written "2026-W48"; `None` if it is not one.
pub fn parse_week(label: &str) -> Option<NaiveDate> {
    let (year, week) = label.split_once("-W")?;
    if week.len() != 2 || year.len() != 4 {
        return None;
    }
    NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
}

/// One carrier's week, before overflow is placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierWeek {
    pub carrier_id: String,
    pub week_start: NaiveDate,
    pub forecast: u64,
    pub capacity: Option<u64>,
    pub tendered: u64,
    pub accepted: u64,
    pub shortfall: u64,
    pub spare: u64,
    /// (taker, parcels), in the order they were placed.
    pub overflow: Vec<(String, u64)>,
    pub uncovered: u64,
}

impl CarrierWeek {
    pub fn over_allocation(&self) -> u64 {
        self.tendered - self.accepted
    }

    pub fn acceptance_bp(&self) -> Option<u32> {
        acceptance_bp(self.accepted, self.tendered)
    }
}

/// floor(accepted × 10000 ÷ tendered); `None` when nothing was tendered.
pub fn acceptance_bp(accepted: u64, tendered: u64) -> Option<u32> {
    (tendered > 0).then(|| {
        let bp = u128::from(accepted.min(tendered)) * 10_000 / u128::from(tendered);
        u32::try_from(bp).unwrap_or(10_000)
    })
}

/// The week of `carrier_id` starting `monday`: `tendered[i]` parcels on
/// its i-th day; `can_take` when the carrier is active.
pub fn carrier_week(
    carrier_id: &str,
    monday: NaiveDate,
    capacity: &Capacity,
    forecast: u64,
    tendered: [u64; 7],
    can_take: bool,
) -> CarrierWeek {
    let mut stated = None::<u64>;
    let mut accepted = 0u64;
    for (offset, count) in (0u64..).zip(tendered) {
        let day = monday
            .checked_add_days(Days::new(offset))
            .unwrap_or(NaiveDate::MAX);
        match capacity.allocation_on(day) {
            Some(allocation) => {
                stated = Some(stated.unwrap_or(0) + u64::from(allocation));
                accepted += count.min(u64::from(allocation));
            }
            None => accepted += count,
        }
    }
    let shortfall = stated.map_or(0, |c| forecast.saturating_sub(c));
    CarrierWeek {
        carrier_id: carrier_id.to_owned(),
        week_start: monday,
        forecast,
        capacity: stated,
        tendered: tendered.iter().sum(),
        accepted,
        shortfall,
        spare: if can_take {
            stated.map_or(0, |c| c.saturating_sub(forecast))
        } else {
            0
        },
        overflow: Vec::new(),
        uncovered: shortfall,
    }
}

/// Places each short carrier's shortfall with carriers of the same week
/// that share a region with it (`regions(carrier)`), as the module doc
/// says. `weeks` may hold several weeks; each is placed on its own.
pub fn place_overflow<'r>(weeks: &mut [CarrierWeek], regions: impl Fn(&str) -> &'r [String]) {
    let mut order: Vec<usize> = (0..weeks.len())
        .filter(|&i| weeks[i].shortfall > 0)
        .collect();
    order.sort_by(|&a, &b| {
        (
            weeks[a].week_start,
            std::cmp::Reverse(weeks[a].shortfall),
            &weeks[a].carrier_id,
        )
            .cmp(&(
                weeks[b].week_start,
                std::cmp::Reverse(weeks[b].shortfall),
                &weeks[b].carrier_id,
            ))
    });
    let mut left: Vec<u64> = weeks.iter().map(|w| w.spare).collect();
    for short in order {
        let mine = regions(&weeks[short].carrier_id);
        let mut takers: Vec<usize> = (0..weeks.len())
            .filter(|&j| {
                j != short
                    && weeks[j].week_start == weeks[short].week_start
                    && left[j] > 0
                    && regions(&weeks[j].carrier_id)
                        .iter()
                        .any(|r| mine.contains(r))
            })
            .collect();
        takers.sort_by(|&a, &b| {
            (std::cmp::Reverse(left[a]), &weeks[a].carrier_id)
                .cmp(&(std::cmp::Reverse(left[b]), &weeks[b].carrier_id))
        });
        let mut remaining = weeks[short].shortfall;
        let mut placed = Vec::new();
        for j in takers {
            if remaining == 0 {
                break;
            }
            let take = remaining.min(left[j]);
            left[j] -= take;
            remaining -= take;
            placed.push((weeks[j].carrier_id.clone(), take));
        }
        weeks[short].overflow = placed;
        weeks[short].uncovered = remaining;
    }
}

#[cfg(test)]
mod tests;
