//! Returns' own KPIs, per carrier × merchant, for the outbound shipments
//! shipped in a range and the returns of those shipments (a cohort: a
//! return counts with its outbound's ship date, so the rate compares like
//! with like).
//!
//! - return rate = floor(returns × 10000 ÷ outbound) bp; absent without
//!   outbound shipments.
//! - returns delivered, and of those on time: delivered at or before the
//!   return's promise (its return service level's SLA promise; no grace).
//! - mean return transit = floor(Σ (delivered − ship time) ÷ returns
//!   delivered), in minutes; absent when none was delivered.
//! - label costs: Σ of the returns' label costs (fixed at tender), per
//!   currency.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use recourse_money::{Currency, Money, MoneyError};

/// What is known of one return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnFact {
    pub ship_time: DateTime<Utc>,
    pub promised: DateTime<Utc>,
    pub delivered: Option<DateTime<Utc>>,
    pub label_cost: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnsFigures {
    pub outbound: u64,
    pub returns: u64,
    pub return_rate_bp: Option<u32>,
    pub delivered: u64,
    pub on_time: u64,
    pub mean_transit_minutes: Option<u64>,
    pub label_costs: Vec<Money>,
}

pub fn figures(outbound: u64, returns: &[ReturnFact]) -> Result<ReturnsFigures, MoneyError> {
    let count = u64::try_from(returns.len()).unwrap_or(u64::MAX);
    let (mut delivered, mut on_time, mut minutes) = (0u64, 0u64, 0u128);
    let mut costs: BTreeMap<Currency, Money> = BTreeMap::new();
    for r in returns {
        let sum = costs
            .entry(r.label_cost.currency())
            .or_insert_with(|| Money::zero(r.label_cost.currency()));
        *sum = sum.checked_add(r.label_cost)?;
        if let Some(d) = r.delivered {
            delivered += 1;
            on_time += u64::from(d <= r.promised);
            minutes += u128::try_from((d - r.ship_time).num_minutes()).unwrap_or(0);
        }
    }
    Ok(ReturnsFigures {
        outbound,
        returns: count,
        return_rate_bp: (outbound > 0).then(|| {
            u32::try_from(u128::from(count) * 10_000 / u128::from(outbound)).unwrap_or(u32::MAX)
        }),
        delivered,
        on_time,
        mean_transit_minutes: (delivered > 0)
            .then(|| u64::try_from(minutes / u128::from(delivered)).unwrap_or(u64::MAX)),
        label_costs: costs.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    #[test]
    fn return_rate_transit_and_label_costs() {
        let usd = |m| Money::new(m, Currency::USD);
        // 8 outbound, 3 returns → 3 ÷ 8 = 3750 bp. R1 shipped 9 Nov 09:00,
        // promised 11 Nov 24:00, delivered 11 Nov 15:00 (54 h = 3240 min,
        // on time); R2 shipped 10 Nov 09:00, promised 12 Nov 24:00,
        // delivered 13 Nov 09:00 (72 h = 4320 min, late); R3 not yet
        // delivered. Mean (3240 + 4320) ÷ 2 = 3780 min. Labels 3 × 6.50 =
        // 19.50.
        let returns = [
            ReturnFact {
                ship_time: t(9, 9),
                promised: t(12, 0),
                delivered: Some(t(11, 15)),
                label_cost: usd(650),
            },
            ReturnFact {
                ship_time: t(10, 9),
                promised: t(13, 0),
                delivered: Some(t(13, 9)),
                label_cost: usd(650),
            },
            ReturnFact {
                ship_time: t(11, 9),
                promised: t(14, 0),
                delivered: None,
                label_cost: usd(650),
            },
        ];
        let f = figures(8, &returns).unwrap();
        assert_eq!(f.return_rate_bp, Some(3_750));
        assert_eq!((f.delivered, f.on_time), (2, 1));
        assert_eq!(f.mean_transit_minutes, Some(3_780));
        assert_eq!(f.label_costs, vec![usd(1_950)]);
        let none = figures(0, &[]).unwrap();
        assert_eq!(
            (none.return_rate_bp, none.mean_transit_minutes),
            (None, None)
        );
    }
}
