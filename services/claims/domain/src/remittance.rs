//! Money received from carriers: remittances (payments and credit memos)
//! and their lines, and write-offs of what will not come.
//!
//! A remittance's lines name what they pay (a claim, or a tracking
//! number) and must not add up to more than the remittance
//! ([`lines_fit`]): 100.00 with lines 60.00 and 40.00 is whole; with lines
//! 60.00 and 50.00 it is refused; with one line of 60.00 it leaves 40.00
//! unallocated for `AllocateRemittance` later.

use chrono::{DateTime, NaiveDate, Utc};
use recourse_money::Money;

/// What kind of money a carrier sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemittanceKind {
    /// A payment.
    Payment,
    /// A credit against one of the carrier's invoices.
    CreditMemo,
}

impl RemittanceKind {
    /// `PAYMENT` or `CREDIT_MEMO`.
    pub fn code(self) -> &'static str {
        match self {
            RemittanceKind::Payment => "PAYMENT",
            RemittanceKind::CreditMemo => "CREDIT_MEMO",
        }
    }

    /// The kind named by `code` (as [`Self::code`] spells it).
    pub fn from_code(code: &str) -> Option<Self> {
        [RemittanceKind::Payment, RemittanceKind::CreditMemo]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// One line of a remittance, as received and as it was matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceLine {
    /// `claims/{id}` or a claim number, as the carrier wrote it ("" if none).
    pub claim_ref: String,
    /// The parcel it pays for, when no claim is named.
    pub tracking_number: String,
    pub amount: Money,
    /// The claim it was allocated to.
    pub allocated_claim: Option<String>,
    /// How much of it was allocated (zero when unmatched).
    pub allocated: Money,
    /// Why it is (partly) unmatched; empty when wholly placed.
    pub unmatched_reason: String,
    /// `disputes/{id}` when the line credits a dispute ("" if not).
    pub dispute_ref: String,
    /// The dispute it was credited to (then `allocated_claim` is none).
    pub allocated_dispute: Option<String>,
}

/// A payment or credit memo from a carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    pub id: String,
    pub carrier_id: String,
    pub kind: RemittanceKind,
    /// The carrier's reference; unique per carrier.
    pub reference: String,
    pub invoice_reference: String,
    pub date: NaiveDate,
    pub amount: Money,
    /// Allocated to claims and credited to disputes so far (by its lines
    /// or by hand).
    pub allocated: Money,
    pub lines: Vec<RemittanceLine>,
    pub created_at: DateTime<Utc>,
}

impl Remittance {
    /// amount − allocated (never negative: allocations never exceed it).
    pub fn unallocated(&self) -> Money {
        Money::new(
            self.amount
                .amount_minor()
                .saturating_sub(self.allocated.amount_minor()),
            self.amount.currency(),
        )
    }
}

/// What was given up on a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOff {
    pub claim_id: String,
    pub amount: Money,
    pub reason: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Whether lines of these amounts fit in a remittance of `amount`: their
/// sum is at most the amount (summed exactly, never overflowing).
pub fn lines_fit(amount: Money, lines: impl IntoIterator<Item = Money>) -> bool {
    let total: i128 = lines
        .into_iter()
        .map(|m| i128::from(m.amount_minor()))
        .sum();
    total <= i128::from(amount.amount_minor())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests fail loudly

    use recourse_money::Currency;

    use super::*;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::USD)
    }

    #[test]
    fn lines_must_not_add_up_to_more_than_the_remittance() {
        assert!(lines_fit(usd(10_000), [usd(6_000), usd(4_000)]));
        assert!(!lines_fit(usd(10_000), [usd(6_000), usd(5_000)]));
        assert!(lines_fit(usd(10_000), [usd(6_000)]));
        assert!(!lines_fit(usd(1), [usd(i64::MAX), usd(i64::MAX)]));
    }

    #[test]
    fn kinds_round_trip() {
        for k in [RemittanceKind::Payment, RemittanceKind::CreditMemo] {
            assert_eq!(RemittanceKind::from_code(k.code()), Some(k));
        }
    }
}
