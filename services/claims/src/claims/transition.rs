//! Every lifecycle move after submission: the carrier's acknowledgement,
//! review and decision, the claimant's appeal and withdrawal, settlement and
//! closing. Which role may ask for which move is the API's business; what
//! each move requires of the claim is here.

use chrono::{NaiveDate, Utc};
use recourse_claims_domain::allocation::is_fully_recovered;
use recourse_claims_domain::appeal::{
    AppealRefused, AppealTerms, RedecisionRefused, check_appeal, check_redecision,
    decision_due_after_appeal, may_withdraw,
};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_proto::claims as pb;
use sea_orm::DatabaseTransaction;

use super::access::{ensure_not_own_decision, ensure_role_may_move};
use super::{Change, ClaimDesk, desk_balance, illegal};
use crate::repo::claims::{self as repo, ClaimRecord};
use recourse_claims_migration::IDEMPOTENCY;

/// The carrier's decision clock when a claim's stored terms predate it
/// (49 CFR 370: 120 days).
const DEFAULT_DECIDE_DAYS: u32 = 120;

/// A lifecycle move other than submission.
#[derive(Debug, Clone)]
pub struct Move {
    pub to: ClaimStatus,
    pub reason: String,
    pub amount: Option<Money>,
    pub override_cap: bool,
}

fn refused(kind: &'static str, id: &str, message: String) -> ApiError {
    ApiError::FailedPrecondition {
        kind,
        subject: format!("claims/{id}"),
        message,
    }
}

fn redecision_error(id: &str, err: RedecisionRefused) -> ApiError {
    match err {
        RedecisionRefused::BelowStanding { .. } => {
            refused("APPEAL_CANNOT_LOWER", id, err.to_string())
        }
        RedecisionRefused::Money(e) => ApiError::invalid("approved_amount", e.to_string()),
    }
}

impl ClaimDesk {
    /// Any lifecycle move after submission.
    pub async fn transition(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        id: &str,
        given: i64,
        step: Move,
    ) -> Result<pb::Claim, ApiError> {
        let desk = self.clone();
        let caller = caller.clone();
        let id = id.to_owned();
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let mut claim = desk.current(txn, &caller, &id, given).await?;
                let from = claim.status;
                if step.to == ClaimStatus::Submitted {
                    return Err(ApiError::invalid("to", "use SubmitClaim to submit"));
                }
                ensure_role_may_move(&caller, from, step.to)?;
                let to = from
                    .transition(step.to)
                    .map_err(|_| illegal(from, step.to))?;
                ensure_not_own_decision(&caller, &claim, to)?;
                claim.status = to;
                let amount = apply(txn, &mut claim, from, &step, &caller).await?;
                desk.record(
                    txn,
                    &caller,
                    claim,
                    Change {
                        from,
                        reason: &step.reason,
                        amount,
                        event_type: "claim.status_changed",
                    },
                )
                .await
            })
            .await;
        self.relay.poke();
        result
    }
}

/// What the move `from → step.to` requires and changes on the claim;
/// returns the amount to record in the history (approvals).
async fn apply(
    txn: &DatabaseTransaction,
    claim: &mut ClaimRecord,
    from: ClaimStatus,
    step: &Move,
    caller: &Principal,
) -> Result<Option<i64>, ApiError> {
    let currency = Currency::parse(&claim.currency).map_err(ApiError::internal)?;
    let today = Utc::now().date_naive();
    // A partial approval that was appealed stands until re-decided.
    let standing = claim.approved_minor.map(|m| Money::new(m, currency));
    match step.to {
        ClaimStatus::Approved | ClaimStatus::PartiallyApproved => {
            let approved = approved_amount(claim, step, caller, currency)?;
            check_redecision(standing, Some(approved))
                .map_err(|e| redecision_error(&claim.id, e))?;
            claim.approved_minor = Some(approved.amount_minor());
            claim.approved_on = Some(today);
            claim.approved_at = Some(Utc::now());
            Ok(Some(approved.amount_minor()))
        }
        ClaimStatus::Denied => {
            check_redecision(standing, None).map_err(|e| redecision_error(&claim.id, e))?;
            Ok(None)
        }
        ClaimStatus::Appealed => {
            appeal(txn, claim, from, today).await?;
            Ok(None)
        }
        ClaimStatus::Withdrawn => {
            if !may_withdraw(claim.recovered_minor, claim.written_off_minor) {
                return Err(refused(
                    "MONEY_ALREADY_MOVED",
                    &claim.id,
                    "money was already recovered or written off against this claim's \
                     approval; it cannot be withdrawn (close it once settled)"
                        .into(),
                ));
            }
            Ok(None)
        }
        ClaimStatus::Settled => {
            if !is_fully_recovered(&desk_balance(claim, currency)) {
                return Err(refused(
                    "NOT_RECOVERED",
                    &claim.id,
                    "a claim is settled when its approved amount is fully recovered".into(),
                ));
            }
            Ok(None)
        }
        ClaimStatus::Closed => {
            if from.is_approved() {
                let outstanding = desk_balance(claim, currency)
                    .outstanding()
                    .map_err(ApiError::internal)?;
                if outstanding.amount_minor() != 0 {
                    return Err(refused(
                        "OUTSTANDING_BALANCE",
                        &claim.id,
                        format!(
                            "{outstanding} is still outstanding: recover or write it off first"
                        ),
                    ));
                }
            }
            Ok(None)
        }
        ClaimStatus::Draft
        | ClaimStatus::Submitted
        | ClaimStatus::Acknowledged
        | ClaimStatus::UnderReview
        | ClaimStatus::NeedsInfo => Ok(None),
    }
}

/// The amount of an approval: as given, or min(claimed, cap) for a full
/// approval; never above what was claimed, above the cap only by an admin
/// override, and a partial approval below both.
fn approved_amount(
    claim: &ClaimRecord,
    step: &Move,
    caller: &Principal,
    currency: Currency,
) -> Result<Money, ApiError> {
    let claimed = Money::new(claim.claimed_minor, currency);
    let cap = claim
        .liability_cap_minor
        .map(|m| Money::new(m, currency))
        .unwrap_or(claimed);
    let ceiling = claimed.min(cap).map_err(ApiError::internal)?;
    let partial = step.to == ClaimStatus::PartiallyApproved;
    let approved = match step.amount {
        Some(a) => a,
        None if partial => {
            return Err(ApiError::invalid(
                "approved_amount",
                "is required for a partial approval",
            ));
        }
        None => ceiling,
    };
    if approved.currency() != currency {
        return Err(ApiError::invalid(
            "approved_amount.currency_code",
            format!("must be the claim currency {}", currency.as_str()),
        ));
    }
    if approved.amount_minor() <= 0 || approved.amount_minor() > claimed.amount_minor() {
        return Err(ApiError::invalid(
            "approved_amount",
            "must be positive and at most the claimed amount",
        ));
    }
    if approved.amount_minor() > cap.amount_minor() {
        if !step.override_cap {
            return Err(refused(
                "ABOVE_LIABILITY_CAP",
                &claim.id,
                format!(
                    "approved {approved} exceeds the liability cap {cap}; an admin may override with a reason"
                ),
            ));
        }
        if caller.role != Role::Admin {
            return Err(ApiError::PermissionDenied(
                "only an admin may approve above the liability cap".into(),
            ));
        }
    }
    if partial && approved.amount_minor() >= ceiling.amount_minor() && !step.override_cap {
        return Err(ApiError::invalid(
            "approved_amount",
            "a partial approval is below the claimed amount and the cap; use APPROVED",
        ));
    }
    Ok(approved)
}

/// An appeal of the decision the claim is in: within the window from the
/// decision date and the number of appeals the contract allows; restarts
/// the carrier's decision clock from today.
async fn appeal(
    txn: &DatabaseTransaction,
    claim: &mut ClaimRecord,
    from: ClaimStatus,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let history = repo::history_of(txn, &claim.id).await?;
    let decided_on = history
        .iter()
        .rev()
        .find(|h| h.to == from)
        .map_or(claim.updated_at.date_naive(), |h| h.at.date_naive());
    let appeals = history
        .iter()
        .filter(|h| h.to == ClaimStatus::Appealed)
        .count();
    let applied = claim.terms.clone().unwrap_or_default();
    let terms = AppealTerms::new(applied.appeal_window_days, applied.max_appeals);
    check_appeal(
        from,
        decided_on,
        u32::try_from(appeals).unwrap_or(u32::MAX),
        terms,
        today,
    )
    .map_err(|err| {
        let kind = match err {
            AppealRefused::NotAppealable { .. } => "CLAIM_STATUS_TRANSITION",
            AppealRefused::WindowClosed { .. } => "APPEAL_WINDOW_CLOSED",
            AppealRefused::LimitReached { .. } => "APPEAL_LIMIT_REACHED",
        };
        refused(kind, &claim.id, err.to_string())
    })?;
    let decide_days = match applied.decide_within_days {
        0 => DEFAULT_DECIDE_DAYS,
        days => days,
    };
    let due = decision_due_after_appeal(today, decide_days);
    claim.decision_due = Some(due);
    if let Some(terms) = claim.terms.as_mut() {
        terms.decision_due = crate::convert::date_out(due);
    }
    Ok(())
}
