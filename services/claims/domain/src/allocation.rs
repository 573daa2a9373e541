//! Applying carrier remittances and write-offs to approved claims.
//!
//! A claim's outstanding amount is approved − recovered − written_off. An
//! allocation moves money from what is left of a remittance into a claim's
//! `recovered`; a write-off moves outstanding into `written_off`. Both are
//! strictly positive and never exceed the outstanding amount, and an
//! allocation never exceeds what is left of the remittance, so
//! recovered + written_off never exceeds approved. Amounts are never moved
//! across currencies.
//!
//! Refusals are checked in a fixed order so both sides report the same one:
//! a currency mismatch, a requested amount ≤ 0, nothing outstanding (or the
//! claim's own amounts are inconsistent), a request above what is left of
//! the remittance, a request above the outstanding amount. Without a
//! request, an exhausted remittance (nothing left) is `NotPositive`.

use recourse_money::{Money, MoneyError};

/// The money side of one approved claim, all in the claim's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimBalance {
    /// What the carrier agreed to pay.
    pub approved: Money,
    /// What has been received so far.
    pub recovered: Money,
    /// What has been given up on.
    pub written_off: Money,
}

impl ClaimBalance {
    /// approved − recovered − written_off
    pub fn outstanding(&self) -> Result<Money, MoneyError> {
        self.approved
            .checked_sub(self.recovered)?
            .checked_sub(self.written_off)
    }
}

/// Why an allocation or write-off was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// The money applied (remittance, requested amount or write-off) is not
    /// in the claim's currency.
    #[error("cannot apply {remittance} to a claim in {claim}")]
    CurrencyMismatch {
        /// Currency of the money being applied.
        remittance: String,
        /// Currency of the claim.
        claim: String,
    },
    /// The amount to apply is zero or negative (including an exhausted
    /// remittance when no amount was requested).
    #[error("the amount to apply must be positive")]
    NotPositive,
    /// The claim has nothing outstanding.
    #[error("the claim has nothing outstanding")]
    NothingOutstanding,
    /// More was requested than is left of the remittance.
    #[error("requested {requested} but only {available} is left of the remittance")]
    ExceedsRemittance {
        /// The amount asked for.
        requested: Money,
        /// What is left of the remittance.
        available: Money,
    },
    /// More was requested than the claim has outstanding.
    #[error("requested {requested} but only {outstanding} is outstanding on the claim")]
    ExceedsOutstanding {
        /// The amount asked for.
        requested: Money,
        /// What the claim still has outstanding.
        outstanding: Money,
    },
    /// The claim's own amounts are inconsistent (mixed currencies, overflow).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Fails unless `applied` is in the claim's currency.
fn same_currency(applied: Money, claim: &ClaimBalance) -> Result<(), AllocationError> {
    if applied.currency() == claim.approved.currency() {
        Ok(())
    } else {
        Err(AllocationError::CurrencyMismatch {
            remittance: applied.currency().as_str().to_owned(),
            claim: claim.approved.currency().as_str().to_owned(),
        })
    }
}

/// Fails unless a requested amount is in the claim's currency and > 0.
fn positive_in_currency(requested: Money, claim: &ClaimBalance) -> Result<(), AllocationError> {
    same_currency(requested, claim)?;
    if requested.amount_minor() > 0 {
        Ok(())
    } else {
        Err(AllocationError::NotPositive)
    }
}

/// The claim's outstanding amount, or `NothingOutstanding` unless it is > 0.
fn positive_outstanding(claim: &ClaimBalance) -> Result<Money, AllocationError> {
    let outstanding = claim.outstanding()?;
    if outstanding.amount_minor() > 0 {
        Ok(outstanding)
    } else {
        Err(AllocationError::NothingOutstanding)
    }
}

/// `requested` when it is positive and at most `outstanding`.
fn within_outstanding(requested: Money, outstanding: Money) -> Result<Money, AllocationError> {
    if requested.amount_minor() <= 0 {
        Err(AllocationError::NotPositive)
    } else if requested.amount_minor() > outstanding.amount_minor() {
        Err(AllocationError::ExceedsOutstanding {
            requested,
            outstanding,
        })
    } else {
        Ok(requested)
    }
}

/// How much of `available` (what is left of a remittance) goes to a claim: `requested` if given (must be > 0, ≤ available, ≤ outstanding) else min(available, outstanding). Never more than either; never across currencies.
pub fn allocate(
    available: Money,
    claim: &ClaimBalance,
    requested: Option<Money>,
) -> Result<Money, AllocationError> {
    same_currency(available, claim)?;
    if let Some(requested) = requested {
        positive_in_currency(requested, claim)?;
    }
    let outstanding = positive_outstanding(claim)?;
    let amount = match requested {
        Some(requested) if requested.amount_minor() > available.amount_minor() => {
            return Err(AllocationError::ExceedsRemittance {
                requested,
                available,
            });
        }
        Some(requested) => requested,
        None => available.min(outstanding)?,
    };
    within_outstanding(amount, outstanding)
}

/// A write-off of `requested` (default: all outstanding); > 0 and ≤ outstanding.
pub fn write_off(claim: &ClaimBalance, requested: Option<Money>) -> Result<Money, AllocationError> {
    if let Some(requested) = requested {
        positive_in_currency(requested, claim)?;
    }
    let outstanding = positive_outstanding(claim)?;
    within_outstanding(requested.unwrap_or(outstanding), outstanding)
}

/// Where one remittance line's money went: `allocated` to the claim it
/// matched, `unplaced` left on the line (what the claim did not owe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePlacement {
    /// Booked to the claim.
    pub allocated: Money,
    /// Left unmatched on the line.
    pub unplaced: Money,
}

/// A remittance line of `line` matched to a claim: it takes min(line,
/// outstanding), within what is left of the remittance (`available`); the
/// rest of the line stays unplaced. Line 70.00 on a claim owing 50.00 →
/// 50.00 allocated, 20.00 unplaced.
pub fn place_line(
    available: Money,
    claim: &ClaimBalance,
    line: Money,
) -> Result<LinePlacement, AllocationError> {
    positive_in_currency(line, claim)?;
    let outstanding = positive_outstanding(claim)?;
    let wanted = line.min(outstanding)?;
    let allocated = allocate(available, claim, Some(wanted))?;
    Ok(LinePlacement {
        allocated,
        unplaced: line.checked_sub(allocated)?,
    })
}

/// The first candidate (callers pass them oldest first) that still has
/// money outstanding: a line naming only a tracking number pays the oldest
/// approved claim of that parcel that is still owed something.
pub fn first_owed<T>(candidates: impl IntoIterator<Item = (T, ClaimBalance)>) -> Option<T> {
    candidates.into_iter().find_map(|(claim, balance)| {
        balance
            .outstanding()
            .is_ok_and(|o| o.amount_minor() > 0)
            .then_some(claim)
    })
}

/// Settled when fully recovered (recovered == approved, approved > 0).
pub fn is_fully_recovered(claim: &ClaimBalance) -> bool {
    claim.approved.amount_minor() > 0 && claim.recovered == claim.approved
}

#[cfg(test)]
mod tests;
