//! Recovery reconciliation: what each carrier owes, per currency, and how
//! long it has been owed.
//!
//! - One row per (carrier, currency), sorted by carrier (byte order of the
//!   name) then currency code. Amounts never cross currencies.
//! - Every claim counts in `claims` and `claimed`. Only approved claims
//!   (`approved` is set) add to `approved`, `recovered`, `written_off`,
//!   `outstanding` and aging; an unapproved claim's recovered and
//!   written-off amounts are ignored.
//! - A claim's outstanding = approved − recovered − written_off; the row's
//!   outstanding is the sum over its claims.
//! - Aging puts each claim's outstanding in one bucket by its age in whole
//!   calendar days from `approved_on` to `as_of`: 0–30, 31–60, 61–90, over
//!   90. A claim approved on `as_of` is 0 days old; an approval after
//!   `as_of` or without a date counts as 0 days.
//! - Every amount of a claim must be in the claim's currency; a mismatch
//!   or overflow fails the whole reconciliation rather than giving a wrong
//!   row. `claims` saturates at `u32::MAX`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use recourse_money::{Currency, Money, MoneyError};

/// The money facts of one claim, as both sides know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFacts {
    /// The carrier the claim is against.
    pub carrier: String,
    /// The claim's currency; every amount below must be in it.
    pub currency: Currency,
    /// What was claimed.
    pub claimed: Money,
    /// What the carrier approved, once it has.
    pub approved: Option<Money>,
    /// The day of approval.
    pub approved_on: Option<NaiveDate>,
    /// What has been received.
    pub recovered: Money,
    /// What has been given up on.
    pub written_off: Money,
}

/// Outstanding money by age since approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aging {
    /// Approved 0 to 30 days ago.
    pub days_0_30: Money,
    /// Approved 31 to 60 days ago.
    pub days_31_60: Money,
    /// Approved 61 to 90 days ago.
    pub days_61_90: Money,
    /// Approved more than 90 days ago.
    pub days_over_90: Money,
}

impl Aging {
    /// Every bucket zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        let z = Money::zero(currency);
        Aging {
            days_0_30: z,
            days_31_60: z,
            days_61_90: z,
            days_over_90: z,
        }
    }

    /// The sum of the four buckets.
    pub fn total(&self) -> Result<Money, MoneyError> {
        Money::sum(
            self.days_0_30.currency(),
            [
                self.days_0_30,
                self.days_31_60,
                self.days_61_90,
                self.days_over_90,
            ],
        )
    }

    /// The bucket for a claim `age_days` old (negative counts as 0).
    fn bucket_mut(&mut self, age_days: i64) -> &mut Money {
        match age_days {
            ..=30 => &mut self.days_0_30,
            31..=60 => &mut self.days_31_60,
            61..=90 => &mut self.days_61_90,
            _ => &mut self.days_over_90,
        }
    }
}

/// One carrier's claims in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The carrier.
    pub carrier: String,
    /// The currency of every amount in the row.
    pub currency: Currency,
    /// How many claims, approved or not.
    pub claims: u32,
    /// Total claimed over all claims.
    pub claimed: Money,
    /// Total approved over approved claims.
    pub approved: Money,
    /// Total recovered over approved claims.
    pub recovered: Money,
    /// Total written off over approved claims.
    pub written_off: Money,
    /// Total outstanding over approved claims.
    pub outstanding: Money,
    /// `outstanding` by age since approval.
    pub aging: Aging,
}

impl Row {
    /// An empty row for `carrier` in `currency`.
    fn empty(carrier: &str, currency: Currency) -> Self {
        let z = Money::zero(currency);
        Row {
            carrier: carrier.to_owned(),
            currency,
            claims: 0,
            claimed: z,
            approved: z,
            recovered: z,
            written_off: z,
            outstanding: z,
            aging: Aging::zero(currency),
        }
    }

    /// Adds one claim of this carrier and currency.
    fn add(&mut self, claim: &ClaimFacts, as_of: NaiveDate) -> Result<(), MoneyError> {
        self.claims = self.claims.saturating_add(1);
        self.claimed = self.claimed.checked_add(claim.claimed)?;
        let Some(approved) = claim.approved else {
            return Ok(());
        };
        let outstanding = approved
            .checked_sub(claim.recovered)?
            .checked_sub(claim.written_off)?;
        self.approved = self.approved.checked_add(approved)?;
        self.recovered = self.recovered.checked_add(claim.recovered)?;
        self.written_off = self.written_off.checked_add(claim.written_off)?;
        self.outstanding = self.outstanding.checked_add(outstanding)?;
        let age = claim
            .approved_on
            .map_or(0, |on| as_of.signed_duration_since(on).num_days());
        let bucket = self.aging.bucket_mut(age);
        *bucket = bucket.checked_add(outstanding)?;
        Ok(())
    }

    /// claimed ≥ approved, approved == recovered + written_off + outstanding, and the aging buckets sum to outstanding.
    pub fn identity_holds(&self) -> bool {
        let check = || -> Result<bool, MoneyError> {
            let claimed_covers = self.claimed.max(self.approved)? == self.claimed;
            let parts = Money::sum(
                self.currency,
                [self.recovered, self.written_off, self.outstanding],
            )?;
            let aged = self.aging.total()?;
            Ok(self.claimed.currency() == self.currency
                && claimed_covers
                && parts == self.approved
                && aged == self.outstanding)
        };
        check().unwrap_or(false)
    }
}

/// One row per (carrier, currency), sorted by both. outstanding = approved − recovered − written_off per claim, summed; aged by whole days from approved_on to as_of: 0–30, 31–60, 61–90, >90 (a claim approved today is 0 days). Unapproved claims count in `claims` and `claimed` only.
pub fn reconcile(claims: &[ClaimFacts], as_of: NaiveDate) -> Result<Vec<Row>, MoneyError> {
    let mut rows: BTreeMap<(&str, Currency), Row> = BTreeMap::new();
    for claim in claims {
        rows.entry((claim.carrier.as_str(), claim.currency))
            .or_insert_with(|| Row::empty(&claim.carrier, claim.currency))
            .add(claim, as_of)?;
    }
    Ok(rows.into_values().collect())
}

#[cfg(test)]
mod tests;
