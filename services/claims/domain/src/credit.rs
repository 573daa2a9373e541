//! Carrier credits placed on disputes: a remittance line (normally a credit
//! memo) or a hand allocation names `disputes/{id}` as it would name a
//! claim, and the dispute takes money as a claim does.
//!
//! - The carrier's **answer** (accepted, partially accepted, rejected) is
//!   what it agrees to give back; the **credit** is money actually
//!   received. They are recorded apart and never confused.
//! - A dispute takes credit once submitted: up to its disputed amount
//!   while awaiting an answer, up to the accepted amount once answered
//!   (`due` = that cap − credited so far). Open (a draft the carrier never
//!   saw) and rejected disputes take nothing.
//! - A credit is the carrier's answer too when it covers the whole
//!   disputed amount of a dispute still awaiting one: the dispute becomes
//!   accepted for its amount ([`after_credit`]). A partial credit is only
//!   recorded; partial acceptance stays the carrier's explicit answer.
//! - An answer never accepts less than was already credited
//!   ([`answer_covers_credit`]), so credited ≤ accepted always holds.
//!
//! Worked example (`tests::a_credit_is_placed_within_what_the_dispute_still_expects`):
//! a 48.70 dispute, submitted; a 30.00 credit takes 30.00 (18.70 due); a
//! 25.00 line takes 18.70 and leaves 6.30 unplaced, and the dispute is
//! accepted for 48.70 (credited in full). Partially accepted for 20.00
//! with 12.50 credited: 7.50 due.

use recourse_money::{Money, MoneyError};

use crate::dispute::DisputeStatus;

/// Why money cannot be placed on a dispute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditError {
    #[error("a {} dispute takes no credit: only submitted or accepted ones do", .0.as_str())]
    NotCreditable(DisputeStatus),
    #[error("cannot credit {money} to a dispute in {dispute}")]
    CurrencyMismatch { money: String, dispute: String },
    #[error("the amount to credit must be positive")]
    NotPositive,
    #[error("the dispute expects nothing more")]
    NothingDue,
    #[error("requested {requested} but only {available} is left of the remittance")]
    ExceedsRemittance { requested: Money, available: Money },
    #[error("requested {requested} but the dispute expects only {due}")]
    ExceedsDue { requested: Money, due: Money },
    #[error("an answer cannot accept less than the {0} already credited")]
    BelowCredited(Money),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The money side of one dispute, all in the invoice's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisputeBalance {
    pub status: DisputeStatus,
    /// What was disputed (the line's amount at stake).
    pub amount: Money,
    /// The carrier's answer, once given.
    pub accepted: Option<Money>,
    /// Received so far.
    pub credited: Money,
}

impl DisputeBalance {
    /// The most it may be credited in all: the amount while awaiting an
    /// answer, the accepted amount once answered; none when open or
    /// rejected.
    pub fn cap(&self) -> Result<Money, CreditError> {
        match self.status {
            DisputeStatus::Submitted => Ok(self.amount),
            DisputeStatus::Accepted | DisputeStatus::PartiallyAccepted => {
                Ok(self.accepted.unwrap_or(self.amount))
            }
            DisputeStatus::Open | DisputeStatus::Rejected => {
                Err(CreditError::NotCreditable(self.status))
            }
        }
    }

    /// cap − credited (never below 0).
    pub fn due(&self) -> Result<Money, CreditError> {
        let zero = Money::zero(self.amount.currency());
        Ok(self.cap()?.checked_sub(self.credited)?.max(zero)?)
    }
}

fn same_currency(money: Money, d: &DisputeBalance) -> Result<(), CreditError> {
    if money.currency() == d.amount.currency() {
        Ok(())
    } else {
        Err(CreditError::CurrencyMismatch {
            money: money.currency().as_str().to_owned(),
            dispute: d.amount.currency().as_str().to_owned(),
        })
    }
}

/// How much of `available` (what is left of a remittance) a dispute
/// takes: `requested` if given (> 0, ≤ available, ≤ due), else
/// min(available, due). Checked in this order: currency, requested > 0,
/// creditable, something due, within the remittance, within what is due.
pub fn credit(
    available: Money,
    d: &DisputeBalance,
    requested: Option<Money>,
) -> Result<Money, CreditError> {
    same_currency(available, d)?;
    if let Some(r) = requested {
        same_currency(r, d)?;
        if r.amount_minor() <= 0 {
            return Err(CreditError::NotPositive);
        }
    }
    let due = d.due()?;
    if due.amount_minor() <= 0 {
        return Err(CreditError::NothingDue);
    }
    let amount = match requested {
        Some(r) if r.amount_minor() > available.amount_minor() => {
            return Err(CreditError::ExceedsRemittance {
                requested: r,
                available,
            });
        }
        Some(r) => r,
        None => available.min(due)?,
    };
    if amount.amount_minor() <= 0 {
        Err(CreditError::NotPositive)
    } else if amount.amount_minor() > due.amount_minor() {
        Err(CreditError::ExceedsDue {
            requested: amount,
            due,
        })
    } else {
        Ok(amount)
    }
}

/// A remittance line of `line` naming the dispute: it takes min(line,
/// due) within `available`; returns (credited, left unplaced on the line).
pub fn place_line(
    available: Money,
    d: &DisputeBalance,
    line: Money,
) -> Result<(Money, Money), CreditError> {
    same_currency(line, d)?;
    let wanted = line.min(d.due()?)?;
    let credited = credit(available, d, Some(wanted))?;
    Ok((credited, line.checked_sub(credited)?))
}

/// The status a credit leaves behind: a dispute awaiting an answer that is
/// now credited its whole amount is accepted for it; anything else stays.
pub fn after_credit(d: &DisputeBalance) -> Option<(DisputeStatus, Money)> {
    (d.status == DisputeStatus::Submitted && d.credited == d.amount)
        .then_some((DisputeStatus::Accepted, d.amount))
}

/// An answer accepting `accepted` (0 for a rejection) must cover what was
/// already credited.
pub fn answer_covers_credit(accepted: Money, credited: Money) -> Result<(), CreditError> {
    if accepted.amount_minor() < credited.amount_minor() {
        Err(CreditError::BelowCredited(credited))
    } else {
        Ok(())
    }
}

/// A submitted dispute's place in the books: (outstanding, declined) with
/// disputed = credited + outstanding + declined. Awaiting an answer:
/// outstanding = amount − credited, declined 0. Answered: outstanding =
/// accepted − credited, declined = amount − accepted (the whole amount
/// when rejected).
pub fn books(d: &DisputeBalance) -> Result<(Money, Money), MoneyError> {
    let zero = Money::zero(d.amount.currency());
    match d.status {
        DisputeStatus::Open => Ok((zero, zero)),
        DisputeStatus::Submitted => Ok((d.amount.checked_sub(d.credited)?, zero)),
        DisputeStatus::Accepted | DisputeStatus::PartiallyAccepted | DisputeStatus::Rejected => {
            let accepted = d.accepted.unwrap_or(zero);
            Ok((
                accepted.checked_sub(d.credited)?.max(zero)?,
                d.amount.checked_sub(accepted)?,
            ))
        }
    }
}

#[cfg(test)]
mod tests;
