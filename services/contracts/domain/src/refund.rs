//! Money-back guarantees: which late deliveries can still be refunded,
//! and for how much.
//!
//! - Guarantees have no grace period: one second late is late.
//! - The refund window counts calendar days from an anchor date the terms
//!   name: the delivery date (destination local date) or the carrier's
//!   invoice date, and includes its last day.
//! - A guarantee suspension (peak season) is a range of days, inclusive;
//!   a shipment whose **promise** falls on a suspended day (destination
//!   local date) is not guaranteed, whenever it was delivered: the
//!   guarantee is about the due date, and the carrier suspended exactly
//!   those due dates.
//! - The refund is the transportation charge ([`refund_amount`]).

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use recourse_money::{Money, MoneyError};

/// The first and last day (inclusive) of a guarantee suspension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Suspension {
    /// First suspended day.
    pub first: NaiveDate,
    /// Last suspended day.
    pub last: NaiveDate,
}

/// Whether a promise due on `promise_date` is covered by a suspension.
pub fn suspended(suspensions: &[Suspension], promise_date: NaiveDate) -> bool {
    suspensions
        .iter()
        .any(|s| s.first <= promise_date && promise_date <= s.last)
}

/// A late delivery on a guaranteed service is refundable until the anchor
/// date plus the window days (inclusive). Returns Some(deadline) when
/// `delivered > promised` (strictly; no grace for guarantees) and
/// `as_of_date <= deadline`.
pub fn refund_deadline(
    promised: DateTime<Utc>,
    delivered: DateTime<Utc>,
    anchor: NaiveDate,
    window_days: u32,
    as_of_date: NaiveDate,
) -> Option<NaiveDate> {
    if delivered <= promised {
        return None;
    }
    // A window reaching past the end of the calendar never closes.
    let deadline = anchor
        .checked_add_days(Days::new(u64::from(window_days)))
        .unwrap_or(NaiveDate::MAX);
    (as_of_date <= deadline).then_some(deadline)
}

/// What is known of a shipment's charges for a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KnownCharges {
    /// The billed transportation (base) charge.
    pub billed_transportation: Option<Money>,
    /// The billed total.
    pub billed_total: Option<Money>,
    /// The contract-rated base, fuel and accessorials.
    pub rated: Option<RatedCharges>,
}

/// The contract's quote, split as a refund needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RatedCharges {
    /// Base (transportation) charge.
    pub base: Money,
    /// Fuel surcharge.
    pub fuel: Money,
    /// Sum of the accessorials.
    pub accessorials: Money,
}

/// What a refund may include beyond the transportation charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RefundScope {
    /// Fuel too.
    pub fuel: bool,
    /// Accessorials too.
    pub accessorials: bool,
}

/// How a refund amount was derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundBasis {
    /// The billed transportation charge (base only).
    BilledTransportation,
    /// The billed total (the terms refund base, fuel and accessorials).
    BilledTotal,
    /// The contract-rated charges for the parts the terms refund.
    ContractRate,
}

impl RefundBasis {
    /// The name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundBasis::BilledTransportation => "BILLED_TRANSPORTATION",
            RefundBasis::BilledTotal => "BILLED_TOTAL",
            RefundBasis::ContractRate => "CONTRACT_RATE",
        }
    }
}

/// The refund of a late guaranteed delivery:
/// - base only (the default): the billed transportation charge when known,
///   else the contract-rated base;
/// - base, fuel and accessorials: the billed total when known, else the
///   contract-rated total;
/// - any other mix: the contract-rated parts the terms name (an invoice
///   does not split fuel from accessorials here).
///
/// `None` when nothing is known to base it on.
pub fn refund_amount(
    charges: &KnownCharges,
    scope: RefundScope,
) -> Result<Option<(Money, RefundBasis)>, MoneyError> {
    match (scope.fuel, scope.accessorials) {
        (false, false) => {
            if let Some(billed) = charges.billed_transportation {
                return Ok(Some((billed, RefundBasis::BilledTransportation)));
            }
        }
        (true, true) => {
            if let Some(billed) = charges.billed_total {
                return Ok(Some((billed, RefundBasis::BilledTotal)));
            }
        }
        (true, false) | (false, true) => {}
    }
    let Some(rated) = charges.rated else {
        return Ok(None);
    };
    let mut amount = rated.base;
    if scope.fuel {
        amount = amount.checked_add(rated.fuel)?;
    }
    if scope.accessorials {
        amount = amount.checked_add(rated.accessorials)?;
    }
    Ok(Some((amount, RefundBasis::ContractRate)))
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
            refund_deadline(
                promised,
                delivered,
                delivered.date_naive(),
                15,
                at(19, 23, 59, 59).date_naive()
            ),
            Some(date(19))
        );
        assert_eq!(
            refund_deadline(
                promised,
                delivered,
                delivered.date_naive(),
                15,
                at(20, 0, 0, 0).date_naive()
            ),
            None
        );
    }

    #[test]
    fn on_time_or_exactly_at_the_promise_is_not_a_candidate() {
        let promised = at(4, 10, 30, 0);
        assert_eq!(
            refund_deadline(
                promised,
                at(4, 10, 0, 0),
                at(4, 10, 0, 0).date_naive(),
                15,
                at(5, 0, 0, 0).date_naive()
            ),
            None
        );
        assert_eq!(
            refund_deadline(
                promised,
                promised,
                promised.date_naive(),
                15,
                at(5, 0, 0, 0).date_naive()
            ),
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
            refund_deadline(
                promised,
                delivered,
                delivered.date_naive(),
                0,
                delivered.date_naive()
            ),
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
            refund_deadline(
                promised,
                delivered,
                delivered.date_naive(),
                0,
                at(4, 23, 30, 0).date_naive()
            ),
            Some(date(4))
        );
        assert_eq!(
            refund_deadline(
                promised,
                delivered,
                delivered.date_naive(),
                0,
                at(5, 0, 0, 0).date_naive()
            ),
            None
        );
    }

    fn usd(cents: i64) -> Money {
        Money::new(cents, recourse_money::Currency::USD)
    }

    #[test]
    fn the_invoice_date_anchor_counts_from_the_invoice() {
        // Delivered Mon 4 March, invoiced Mon 11 March, 15-day window from
        // the invoice: 11 + 15 = 26 March, open that day, closed on the 27th.
        let promised = at(4, 10, 30, 0);
        let delivered = at(4, 16, 0, 0);
        assert_eq!(
            refund_deadline(promised, delivered, date(11), 15, date(26)),
            Some(date(26))
        );
        assert_eq!(
            refund_deadline(promised, delivered, date(11), 15, date(27)),
            None
        );
    }

    #[test]
    fn a_promise_on_a_suspended_day_is_not_guaranteed() {
        // Peak suspension 1-24 December: promises due on the 1st and the
        // 24th are suspended; 30 Nov and 25 Dec are guaranteed.
        let peak = [Suspension {
            first: NaiveDate::from_ymd_opt(2024, 12, 1).unwrap(),
            last: NaiveDate::from_ymd_opt(2024, 12, 24).unwrap(),
        }];
        let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
        assert!(!suspended(&peak, day(11, 30)));
        assert!(suspended(&peak, day(12, 1)));
        assert!(suspended(&peak, day(12, 24)));
        assert!(!suspended(&peak, day(12, 25)));
    }

    #[test]
    fn the_refund_is_the_transportation_charge_unless_the_terms_say_more() {
        // Billed 18.95 total of which 12.00 transportation; the contract
        // rates base 12.50, fuel 12.5% = 1.56, RESIDENTIAL 4.95.
        let rated = RatedCharges {
            base: usd(1_250),
            fuel: usd(156),
            accessorials: usd(495),
        };
        let all = KnownCharges {
            billed_transportation: Some(usd(1_200)),
            billed_total: Some(usd(1_895)),
            rated: Some(rated),
        };
        let base_only = RefundScope::default();
        // Base only: the billed transportation 12.00.
        assert_eq!(
            refund_amount(&all, base_only).unwrap(),
            Some((usd(1_200), RefundBasis::BilledTransportation))
        );
        // No billed split: the contract-rated base 12.50.
        let unsplit = KnownCharges {
            billed_transportation: None,
            ..all
        };
        assert_eq!(
            refund_amount(&unsplit, base_only).unwrap(),
            Some((usd(1_250), RefundBasis::ContractRate))
        );
        // Fuel too: 12.50 + 1.56 = 14.06 at the contract rate.
        let fuel = RefundScope {
            fuel: true,
            accessorials: false,
        };
        assert_eq!(
            refund_amount(&all, fuel).unwrap(),
            Some((usd(1_406), RefundBasis::ContractRate))
        );
        // Everything: the billed total 18.95.
        let everything = RefundScope {
            fuel: true,
            accessorials: true,
        };
        assert_eq!(
            refund_amount(&all, everything).unwrap(),
            Some((usd(1_895), RefundBasis::BilledTotal))
        );
        // Nothing known: no amount.
        let nothing = KnownCharges {
            billed_transportation: None,
            billed_total: None,
            rated: None,
        };
        assert_eq!(refund_amount(&nothing, base_only).unwrap(), None);
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let far = DateTime::<Utc>::MAX_UTC;
        let early = DateTime::<Utc>::MIN_UTC;
        assert_eq!(late_minutes(early, far), u32::MAX);
        assert_eq!(
            refund_deadline(early, far, far.date_naive(), u32::MAX, far.date_naive()),
            Some(NaiveDate::MAX)
        );
    }
}
