//! Appeals: when a carrier's decision may be contested, how often, and
//! what the carrier may decide afterwards.
//!
//! - A denial or a partial approval may be appealed within the contract's
//!   appeal window: the last day is the decision date + `window_days`
//!   calendar days (default 30). Appealing on the last day is in time; the
//!   day after is late. Dates are UTC calendar dates.
//! - A claim may be appealed at most `max_appeals` times (default 1).
//! - An appeal restarts the carrier's decision clock: the decision is due
//!   `decide_days` calendar days after the appeal date.
//! - A partial approval stands while it is appealed (the carrier owes at
//!   least that much), and the decision after the appeal never lowers it:
//!   approving or partially approving at least the standing amount is
//!   allowed, denying is not.
//! - An appealed claim may be withdrawn, unless money was already recovered
//!   or written off against its partial approval (withdrawing would make
//!   that money disappear from the books).

use chrono::{Days, NaiveDate};
use recourse_money::{Money, MoneyError};

use crate::lifecycle::ClaimStatus;

/// The contract's appeal terms, with the defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealTerms {
    window_days: u32,
    max_appeals: u32,
}

impl AppealTerms {
    /// Days to appeal when the contract says nothing.
    pub const DEFAULT_WINDOW_DAYS: u32 = 30;
    /// Appeals per claim when the contract says nothing.
    pub const DEFAULT_MAX_APPEALS: u32 = 1;

    /// The terms as the contract states them; 0 means "not stated" and
    /// takes the default (30 days, 1 appeal).
    pub fn new(window_days: u32, max_appeals: u32) -> Self {
        let or = |value: u32, default: u32| if value == 0 { default } else { value };
        Self {
            window_days: or(window_days, Self::DEFAULT_WINDOW_DAYS),
            max_appeals: or(max_appeals, Self::DEFAULT_MAX_APPEALS),
        }
    }

    /// Calendar days after the decision within which it may be appealed.
    pub fn window_days(self) -> u32 {
        self.window_days
    }

    /// Appeals allowed per claim.
    pub fn max_appeals(self) -> u32 {
        self.max_appeals
    }

    /// The last day a decision of `decided_on` may be appealed.
    pub fn last_day(self, decided_on: NaiveDate) -> NaiveDate {
        decided_on
            .checked_add_days(Days::new(u64::from(self.window_days)))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// Why an appeal is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppealRefused {
    /// Only a denial or a partial approval can be appealed.
    #[error("a {status} claim cannot be appealed; only a denial or a partial approval can")]
    NotAppealable {
        /// The claim's status.
        status: ClaimStatus,
    },
    /// The window closed.
    #[error("the decision of {decided_on} could be appealed until {last_day} ({window_days} days)")]
    WindowClosed {
        /// The day of the decision.
        decided_on: NaiveDate,
        /// The last day an appeal was allowed.
        last_day: NaiveDate,
        /// The window in days.
        window_days: u32,
    },
    /// Every allowed appeal was used.
    #[error("the claim was already appealed {appeals} time(s); the contract allows {max}")]
    LimitReached {
        /// Appeals so far.
        appeals: u32,
        /// Appeals allowed.
        max: u32,
    },
}

/// Whether a claim in `status`, decided on `decided_on` and appealed `appeals` times so far, may be appealed on `today`; checks the status, then the count, then the window. Returns the last day of the window.
pub fn check_appeal(
    status: ClaimStatus,
    decided_on: NaiveDate,
    appeals: u32,
    terms: AppealTerms,
    today: NaiveDate,
) -> Result<NaiveDate, AppealRefused> {
    if !matches!(status, ClaimStatus::Denied | ClaimStatus::PartiallyApproved) {
        return Err(AppealRefused::NotAppealable { status });
    }
    if appeals >= terms.max_appeals {
        return Err(AppealRefused::LimitReached {
            appeals,
            max: terms.max_appeals,
        });
    }
    let last_day = terms.last_day(decided_on);
    if today > last_day {
        return Err(AppealRefused::WindowClosed {
            decided_on,
            last_day,
            window_days: terms.window_days,
        });
    }
    Ok(last_day)
}

/// The carrier's new decision due date after an appeal on `appealed_on`: appealed_on + decide_days calendar days (saturating).
pub fn decision_due_after_appeal(appealed_on: NaiveDate, decide_days: u32) -> NaiveDate {
    appealed_on
        .checked_add_days(Days::new(u64::from(decide_days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Why a decision after an appeal is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedecisionRefused {
    /// The decision is below the partial approval that stands.
    #[error(
        "the partial approval of {standing} stands: a decision after an appeal may uphold or raise it, never lower or deny it"
    )]
    BelowStanding {
        /// The approved amount that stands.
        standing: Money,
    },
    /// The amounts are in different currencies (or overflow).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A carrier decision while an approval `standing` (from before an appeal) exists: `approve` is the new approved amount, or None for a denial. Allowed when nothing stands, or approve ≥ standing.
pub fn check_redecision(
    standing: Option<Money>,
    approve: Option<Money>,
) -> Result<(), RedecisionRefused> {
    let Some(standing) = standing else {
        return Ok(());
    };
    match approve {
        Some(amount) if standing.max(amount)? == amount => Ok(()),
        _ => Err(RedecisionRefused::BelowStanding { standing }),
    }
}

/// Whether a claim with these amounts (minor units) may be withdrawn: only when nothing was recovered or written off.
pub fn may_withdraw(recovered_minor: i64, written_off_minor: i64) -> bool {
    recovered_minor == 0 && written_off_minor == 0
}

#[cfg(test)]
mod tests;
