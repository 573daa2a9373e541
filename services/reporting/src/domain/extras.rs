//! The scorecard's figures beyond shipments and claims: tender acceptance
//! against the carrier's daily allocations, the SLA evaluations' credits
//! and bonuses, guaranteed-service refunds and open escalations.
//! Definitions: docs/rules.md ("Reporting").

use chrono::NaiveDate;

use super::facts::CapacityFact;

/// Tender acceptance needs a stated allocation on some day with tenders
/// to be rated; then at least 95.00 % is green (the contract sets none).
pub const TENDER_ACCEPTANCE_TARGET_BP: i64 = 9_500;

/// Billing adjustments (credits owed plus refunds claimed, over billed)
/// of at most 1.00 % are green (the contract sets none).
pub const BILLING_ADJUSTMENT_MAX_BP: i64 = 100;

/// A carrier's tenders over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tender {
    pub tendered: u64,
    /// Σ per day of min(tendered, allocation); a day without a stated
    /// allocation accepts all.
    pub accepted: u64,
    /// Whether some day with tenders had an allocation stated.
    pub allocated: bool,
}

/// `days` (local ship date, shipments registered) against `capacity`.
pub fn tender(days: &[(NaiveDate, u64)], capacity: &CapacityFact) -> Tender {
    days.iter().fold(Tender::default(), |t, (day, n)| {
        let allocation = capacity.allocation_on(*day);
        Tender {
            tendered: t.tendered + n,
            accepted: t.accepted + allocation.map_or(*n, |a| (*n).min(u64::from(a))),
            allocated: t.allocated || allocation.is_some(),
        }
    })
}

/// One SLA evaluation as the scorecard reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaRecord {
    pub carrier_id: String,
    pub service_level: String,
    pub currency: String,
    pub credit_minor: i64,
    pub bonus_minor: Option<i64>,
    pub breached: bool,
}

/// Money recovered on a refund (DELAY) claim, effective in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecovery {
    pub carrier_id: String,
    pub service_level: String,
    pub currency: String,
    pub amount_minor: i64,
}

/// What one row reads beside its shipments and claims.
#[derive(Debug, Clone, Default)]
pub struct Extras<'a> {
    /// The carrier's (tenders are per carrier, whatever the row's level).
    pub tender: Option<Tender>,
    pub evaluations: Vec<&'a SlaRecord>,
    pub refunds_recovered: Vec<&'a RefundRecovery>,
    /// The carrier's escalations not resolved.
    pub open_escalations: u64,
}

/// Σ of `items` in one currency: the row's when it has one, else the
/// items' own when they share one; `None` without items (or when they
/// mix currencies and the row has none).
pub fn sum_in<'i>(
    items: impl IntoIterator<Item = (&'i str, i64)>,
    row_currency: &str,
) -> Option<(i64, String)> {
    let items: Vec<(&str, i64)> = items.into_iter().collect();
    let currency = if row_currency.is_empty() {
        let first = items.first()?.0;
        if items.iter().any(|(c, _)| *c != first) {
            return None;
        }
        first
    } else {
        row_currency
    };
    let mine: Vec<i64> = items
        .iter()
        .filter(|(c, _)| *c == currency)
        .map(|(_, a)| *a)
        .collect();
    if mine.is_empty() {
        return None;
    }
    Some((
        mine.iter().fold(0i64, |s, a| s.saturating_add(*a)),
        currency.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    #[test]
    fn tenders_beyond_the_days_allocation_are_not_accepted() {
        // 100 a day, a peak of 2 a day on Mon 2 Nov and 150 from Thu 5 Nov.
        let cap = CapacityFact {
            daily_parcels: 100,
            peaks: vec![(d(2), d(2), 2), (d(5), d(8), 150)],
        };
        // Mon 3 tendered (allocation 2): accepted 2, 1 over; Tue 120
        // (allocation 100): 100; Thu 1 (150): 1.
        // tendered 3 + 120 + 1 = 124, accepted 2 + 100 + 1 = 103.
        let t = tender(&[(d(2), 3), (d(3), 120), (d(5), 1)], &cap);
        assert_eq!(
            t,
            Tender {
                tendered: 124,
                accepted: 103,
                allocated: true
            }
        );
        // No allocation stated: every tender is accepted, and not rated.
        let none = tender(&[(d(2), 7)], &CapacityFact::default());
        assert_eq!((none.accepted, none.allocated), (7, false));
    }

    #[test]
    fn money_sums_stay_in_one_currency() {
        assert_eq!(
            sum_in([("USD", 100), ("EUR", 7), ("USD", 5)], "USD"),
            Some((105, "USD".into()))
        );
        // No row currency: the items' own when they agree, else none.
        assert_eq!(
            sum_in([("EUR", 7), ("EUR", 3)], ""),
            Some((10, "EUR".into()))
        );
        assert_eq!(sum_in([("EUR", 7), ("USD", 3)], ""), None);
        assert_eq!(sum_in([], "USD"), None);
        assert_eq!(sum_in([("EUR", 7)], "USD"), None);
    }
}
