//! Recovery reconciliation: what each carrier owes, per currency, and how
//! long it has been owed, as it stood at the end of a day (`as_of`).
//!
//! - The caller supplies the facts **as of** that day: claims submitted by
//!   then and not withdrawn by then, each with the approval in force then
//!   (the latest approval recorded on or before it), the money allocated to
//!   it by then from remittances dated by then, and the write-offs made by
//!   then; and each remittance dated by then with what was allocated from
//!   it by then. Anything dated after `as_of` is not counted.
//! - One row per (carrier, currency) that has a claim or a remittance,
//!   sorted by carrier (byte order of the name) then currency code; a
//!   carrier with money received but no claims gets a row of its own.
//!   Amounts never cross currencies.
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
//! - `unallocated` = Σ over the carrier's remittances in that currency of
//!   (amount − allocated).
//! - Every sum is checked: an amount in another currency or a total beyond
//!   the range of minor units fails the whole reconciliation with the row
//!   and the field it happened in, never a wrong or wrapped number.
//!   `claims` saturates at `u32::MAX`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use recourse_money::{Currency, Money, MoneyError};

/// Why a reconciliation could not be computed: the row and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} of carrier {carrier} in {currency}: {source}")]
pub struct ReconcileError {
    /// The carrier of the row.
    pub carrier: String,
    /// The currency code of the row.
    pub currency: String,
    /// The row field whose sum failed, e.g. `outstanding`.
    pub field: &'static str,
    /// Overflow, or an amount in another currency.
    pub source: MoneyError,
}

/// What one remittance contributes as of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceFacts {
    /// The carrier that paid.
    pub carrier: String,
    /// The remittance amount (its currency is the row's).
    pub amount: Money,
    /// What was allocated from it to claims by then.
    pub allocated: Money,
}

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
    /// Money received from the carrier in this currency and not allocated
    /// to any claim or dispute.
    pub unallocated: Money,
    /// Invoice disputes submitted by then (see [`DisputeTotals`]).
    pub disputes: DisputeTotals,
    /// Bonuses owed **to** the carrier by the SLA evaluations made by then
    /// (each evaluation's latest revision by then).
    pub bonuses_payable: Money,
}

/// One carrier's invoice disputes in one currency, as of the day: those
/// submitted by then. disputed = credited + outstanding + declined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeTotals {
    /// How many (saturating).
    pub count: u32,
    /// Σ disputed amounts.
    pub disputed: Money,
    /// Σ credits received by then (remittances dated by then).
    pub credited: Money,
    /// Σ still expected: amount − credited while awaiting an answer,
    /// accepted − credited once answered.
    pub outstanding: Money,
    /// Σ given up by the carrier's answer: amount − accepted (all of it
    /// when rejected).
    pub declined: Money,
}

impl DisputeTotals {
    /// Nothing disputed, in `currency`.
    pub fn zero(currency: Currency) -> Self {
        let z = Money::zero(currency);
        DisputeTotals {
            count: 0,
            disputed: z,
            credited: z,
            outstanding: z,
            declined: z,
        }
    }

    /// disputed == credited + outstanding + declined.
    pub fn identity_holds(&self) -> bool {
        Money::sum(
            self.disputed.currency(),
            [self.credited, self.outstanding, self.declined],
        )
        .is_ok_and(|parts| parts == self.disputed)
    }
}

impl Row {
    /// An empty row for `carrier` in `currency`.
    pub fn empty(carrier: &str, currency: Currency) -> Self {
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
            unallocated: z,
            disputes: DisputeTotals::zero(currency),
            bonuses_payable: z,
        }
    }

    /// `Err` naming this row and `field`.
    fn failed(&self, field: &'static str) -> impl Fn(MoneyError) -> ReconcileError + '_ {
        move |source| ReconcileError {
            carrier: self.carrier.clone(),
            currency: self.currency.as_str().to_owned(),
            field,
            source,
        }
    }

    /// Adds one claim of this carrier and currency.
    fn add(&mut self, claim: &ClaimFacts, as_of: NaiveDate) -> Result<(), ReconcileError> {
        self.claims = self.claims.saturating_add(1);
        self.claimed = self
            .claimed
            .checked_add(claim.claimed)
            .map_err(self.failed("claimed"))?;
        let Some(approved) = claim.approved else {
            return Ok(());
        };
        let outstanding = approved
            .checked_sub(claim.recovered)
            .and_then(|m| m.checked_sub(claim.written_off))
            .map_err(self.failed("outstanding"))?;
        self.approved = self
            .approved
            .checked_add(approved)
            .map_err(self.failed("approved"))?;
        self.recovered = self
            .recovered
            .checked_add(claim.recovered)
            .map_err(self.failed("recovered"))?;
        self.written_off = self
            .written_off
            .checked_add(claim.written_off)
            .map_err(self.failed("written_off"))?;
        self.outstanding = self
            .outstanding
            .checked_add(outstanding)
            .map_err(self.failed("outstanding"))?;
        let age = claim
            .approved_on
            .map_or(0, |on| as_of.signed_duration_since(on).num_days());
        let bucket = *self.aging.bucket_mut(age);
        let aged = bucket
            .checked_add(outstanding)
            .map_err(self.failed("aging"))?;
        *self.aging.bucket_mut(age) = aged;
        Ok(())
    }

    /// Adds what is left of one remittance of this carrier and currency.
    fn add_remittance(&mut self, remittance: &RemittanceFacts) -> Result<(), ReconcileError> {
        let left = remittance
            .amount
            .checked_sub(remittance.allocated)
            .map_err(self.failed("unallocated_remittances"))?;
        self.unallocated = self
            .unallocated
            .checked_add(left)
            .map_err(self.failed("unallocated_remittances"))?;
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
                && self.disputes.identity_holds()
                && claimed_covers
                && parts == self.approved
                && aged == self.outstanding)
        };
        check().unwrap_or(false)
    }
}

/// One row per (carrier, currency) with a claim or a remittance, sorted by both. outstanding = approved − recovered − written_off per claim, summed; aged by whole days from approved_on to as_of: 0–30, 31–60, 61–90, >90 (a claim approved today is 0 days). Unapproved claims count in `claims` and `claimed` only. unallocated = Σ (remittance − allocated). Every sum is checked.
pub fn reconcile(
    claims: &[ClaimFacts],
    remittances: &[RemittanceFacts],
    as_of: NaiveDate,
) -> Result<Vec<Row>, ReconcileError> {
    let mut rows: BTreeMap<(&str, Currency), Row> = BTreeMap::new();
    for claim in claims {
        rows.entry((claim.carrier.as_str(), claim.currency))
            .or_insert_with(|| Row::empty(&claim.carrier, claim.currency))
            .add(claim, as_of)?;
    }
    for remittance in remittances {
        let currency = remittance.amount.currency();
        rows.entry((remittance.carrier.as_str(), currency))
            .or_insert_with(|| Row::empty(&remittance.carrier, currency))
            .add_remittance(remittance)?;
    }
    Ok(rows.into_values().collect())
}

/// The first approval date of the 0–30, 31–60 and 61–90 buckets as of
/// `as_of`: approved on or after the first → 0–30 days; on or after the
/// second → 31–60; on or after the third → 61–90; before it → over 90.
/// As of 2026-06-30: 2026-05-31, 2026-05-01, 2026-04-01 (so 2026-05-31 is
/// 30 days old, 2026-05-30 is 31).
pub fn bucket_starts(as_of: NaiveDate) -> [NaiveDate; 3] {
    [30, 60, 90].map(|days| {
        as_of
            .checked_sub_days(chrono::Days::new(days))
            .unwrap_or(NaiveDate::MIN)
    })
}

/// Rows whose claim side was summed elsewhere (by the database, per
/// carrier and currency, with the rules of [`reconcile`]) completed with
/// what is left of each carrier's remittances per currency: the same rows,
/// in the same order, that [`reconcile`] gives for the underlying facts.
pub fn assemble(
    claim_rows: Vec<Row>,
    unallocated: Vec<(String, Money)>,
) -> Result<Vec<Row>, ReconcileError> {
    let mut rows: BTreeMap<(String, Currency), Row> = claim_rows
        .into_iter()
        .map(|r| ((r.carrier.clone(), r.currency), r))
        .collect();
    for (carrier, left) in unallocated {
        let currency = left.currency();
        let row = rows
            .entry((carrier.clone(), currency))
            .or_insert_with(|| Row::empty(&carrier, currency));
        row.unallocated = row
            .unallocated
            .checked_add(left)
            .map_err(row.failed("unallocated_remittances"))?;
    }
    Ok(rows.into_values().collect())
}

/// Rows completed with the disputes (per carrier, in their currency) and
/// the bonuses payable (per carrier, in theirs), each summed elsewhere; a
/// carrier with only disputes or only bonuses gets a row of its own.
/// Sorted as [`assemble`] sorts.
pub fn complete(
    rows: Vec<Row>,
    disputes: Vec<(String, DisputeTotals)>,
    bonuses: Vec<(String, Money)>,
) -> Result<Vec<Row>, ReconcileError> {
    let mut rows: BTreeMap<(String, Currency), Row> = rows
        .into_iter()
        .map(|r| ((r.carrier.clone(), r.currency), r))
        .collect();
    for (carrier, totals) in disputes {
        let currency = totals.disputed.currency();
        let row = rows
            .entry((carrier.clone(), currency))
            .or_insert_with(|| Row::empty(&carrier, currency));
        row.disputes = totals;
    }
    for (carrier, bonus) in bonuses {
        let currency = bonus.currency();
        let row = rows
            .entry((carrier.clone(), currency))
            .or_insert_with(|| Row::empty(&carrier, currency));
        row.bonuses_payable = row
            .bonuses_payable
            .checked_add(bonus)
            .map_err(row.failed("bonuses_payable"))?;
    }
    Ok(rows.into_values().collect())
}

#[cfg(test)]
mod tests;
