//! Invoice disputes: one per carrier invoice line, made from the contracts
//! service's audit. Its amount is the line's amount at stake; its deadline
//! the invoice's (received date + the contract's window, 180 days by
//! default). The lifecycle:
//!
//! - `Open` → `Submitted`: only on or before the deadline (the carrier may
//!   refuse anything contested later, 49 USC 13710(a)(3)(B)).
//! - `Submitted` → `Accepted` (the whole amount), `PartiallyAccepted` (more
//!   than 0, less than the amount) or `Rejected` (0 accepted).
//! - Answered disputes are final.
//!
//! What a dispute still expects to recover is `accepted − credited`
//! ([`outstanding`]); before an answer nothing is expected yet. Credits
//! (money received) are `crate::credit`'s.

use chrono::NaiveDate;
use recourse_money::{Money, MoneyError};

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeStatus {
    Open,
    Submitted,
    Accepted,
    PartiallyAccepted,
    Rejected,
}

impl DisputeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DisputeStatus::Open => "open",
            DisputeStatus::Submitted => "submitted",
            DisputeStatus::Accepted => "accepted",
            DisputeStatus::PartiallyAccepted => "partially_accepted",
            DisputeStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            DisputeStatus::Open,
            DisputeStatus::Submitted,
            DisputeStatus::Accepted,
            DisputeStatus::PartiallyAccepted,
            DisputeStatus::Rejected,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }

    /// Answered: nothing moves it any more.
    pub fn is_final(self) -> bool {
        match self {
            DisputeStatus::Accepted
            | DisputeStatus::PartiallyAccepted
            | DisputeStatus::Rejected => true,
            DisputeStatus::Open | DisputeStatus::Submitted => false,
        }
    }
}

/// A move asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeMove {
    Submit,
    Accept,
    AcceptPart(Money),
    Reject,
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisputeError {
    #[error("a {} dispute cannot become {}", .from.as_str(), .to.as_str())]
    Illegal {
        from: DisputeStatus,
        to: DisputeStatus,
    },
    #[error("the deadline to contest this invoice was {0}")]
    DeadlinePassed(NaiveDate),
    #[error("a partial acceptance must be more than 0 and less than {0}")]
    PartialAmount(Money),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The status and accepted amount after `mv`, decided on `today` (the
/// caller's clock, a calendar date).
pub fn decide(
    status: DisputeStatus,
    amount: Money,
    deadline: NaiveDate,
    mv: DisputeMove,
    today: NaiveDate,
) -> Result<(DisputeStatus, Option<Money>), DisputeError> {
    let to = match mv {
        DisputeMove::Submit => DisputeStatus::Submitted,
        DisputeMove::Accept => DisputeStatus::Accepted,
        DisputeMove::AcceptPart(_) => DisputeStatus::PartiallyAccepted,
        DisputeMove::Reject => DisputeStatus::Rejected,
    };
    let legal = match (status, to) {
        (DisputeStatus::Open, DisputeStatus::Submitted) => true,
        (DisputeStatus::Submitted, t) => t.is_final(),
        (DisputeStatus::Open, _)
        | (
            DisputeStatus::Accepted | DisputeStatus::PartiallyAccepted | DisputeStatus::Rejected,
            _,
        ) => false,
    };
    if !legal {
        return Err(DisputeError::Illegal { from: status, to });
    }
    let zero = Money::zero(amount.currency());
    match mv {
        DisputeMove::Submit => {
            if today > deadline {
                return Err(DisputeError::DeadlinePassed(deadline));
            }
            Ok((to, None))
        }
        DisputeMove::Accept => Ok((to, Some(amount))),
        DisputeMove::AcceptPart(part) => {
            if part.currency() != amount.currency()
                || part.amount_minor() <= 0
                || part.amount_minor() >= amount.amount_minor()
            {
                return Err(DisputeError::PartialAmount(amount));
            }
            Ok((to, Some(part)))
        }
        DisputeMove::Reject => Ok((to, Some(zero))),
    }
}

/// What a dispute still expects: accepted − credited, never below 0 (a
/// credit beyond what was accepted is not owed back here); 0 before an
/// answer. The books of a submitted dispute (what it expects before the
/// answer too) are `credit::books`.
pub fn outstanding(accepted: Option<Money>, credited: Money) -> Result<Money, MoneyError> {
    let zero = Money::zero(credited.currency());
    match accepted {
        Some(a) => a.checked_sub(credited)?.max(zero),
        None => Ok(zero),
    }
}

/// Days left to submit on `today` (negative once passed): the escalation
/// queue's "near the deadline".
pub fn days_left(deadline: NaiveDate, today: NaiveDate) -> i64 {
    (deadline - today).num_days()
}

#[cfg(test)]
mod tests;
