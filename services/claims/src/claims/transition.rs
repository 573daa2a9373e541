//! Every lifecycle move after submission: the carrier's acknowledgement,
//! review and decision, the claimant's appeal and withdrawal, settlement and
//! closing. Which role may ask for which move is `access`'s business; what
//! each move requires of the claim is here, and the rules themselves are
//! the domain's (approval, appeal, allocation).

use chrono::{NaiveDate, Utc};
use recourse_claims_domain::allocation::is_fully_recovered;
use recourse_claims_domain::appeal::{
    AppealRefused, AppealTerms, RedecisionRefused, check_appeal, check_redecision,
    decision_due_after_appeal, may_withdraw,
};
use recourse_claims_domain::approval::{ApprovalRefused, approve};
use recourse_claims_domain::claim::Claim;
use recourse_claims_domain::lifecycle::{ClaimStatus, IllegalTransition};
use recourse_money::Money;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::IdempotencyKey;
use sea_orm::DatabaseTransaction;

use super::access::{ensure_not_own_decision, ensure_role_may_move};
use super::{Change, ClaimDesk, once};
use crate::error::{ClaimsError, Refusal};
use crate::repo::history;

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

fn refused(refusal: Refusal, id: &str, message: impl Into<String>) -> ClaimsError {
    ClaimsError::refused(refusal, format!("claims/{id}"), message)
}

fn redecision_error(id: &str, err: RedecisionRefused) -> ClaimsError {
    match err {
        RedecisionRefused::BelowStanding { .. } => {
            refused(Refusal::AppealCannotLower, id, err.to_string())
        }
        RedecisionRefused::Money(e) => ClaimsError::invalid("approved_amount", e.to_string()),
    }
}

fn approval_error(id: &str, err: ApprovalRefused) -> ClaimsError {
    let message = err.to_string();
    match err {
        ApprovalRefused::AboveCap { .. } => refused(Refusal::AboveLiabilityCap, id, message),
        ApprovalRefused::CurrencyMismatch { .. } => {
            ClaimsError::invalid("approved_amount.currency_code", message)
        }
        ApprovalRefused::AmountRequired
        | ApprovalRefused::OutOfRange { .. }
        | ApprovalRefused::PartialNotBelowCeiling { .. } => {
            ClaimsError::invalid("approved_amount", message)
        }
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
    ) -> Result<Claim, ClaimsError> {
        if step.to == ClaimStatus::Submitted {
            return Err(ClaimsError::invalid("to", "use SubmitClaim to submit"));
        }
        let desk = self.clone();
        let result = once(&self.db, key, async move |txn| {
            let mut claim = desk.current(txn, caller, id, given).await?;
            let from = claim.status;
            ensure_role_may_move(caller, from, step.to)?;
            claim.status = from.transition(step.to)?;
            ensure_not_own_decision(caller, &claim, claim.status)?;
            let amount = apply(txn, &mut claim, from, &step, caller).await?;
            let change = Change {
                from,
                reason: &step.reason,
                amount,
                event_type: "claim.status_changed",
                remittance: None,
            };
            desk.record(txn, caller, claim, change).await
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
    claim: &mut Claim,
    from: ClaimStatus,
    step: &Move,
    caller: &Principal,
) -> Result<Option<Money>, ClaimsError> {
    let today = Utc::now().date_naive();
    // A partial approval that was appealed stands until re-decided.
    let standing = claim.approved;
    match step.to {
        ClaimStatus::Approved | ClaimStatus::PartiallyApproved => {
            let partial = step.to == ClaimStatus::PartiallyApproved;
            let approval = approve(
                claim.claimed,
                claim.liability_cap(),
                step.amount,
                partial,
                step.override_cap,
            )
            .map_err(|e| approval_error(&claim.id, e))?;
            if approval.above_cap && caller.role != Role::Admin {
                return Err(ClaimsError::Forbidden(
                    "only an admin may approve above the liability cap".into(),
                ));
            }
            check_redecision(standing, Some(approval.amount))
                .map_err(|e| redecision_error(&claim.id, e))?;
            claim.approved = Some(approval.amount);
            claim.approved_at = Some(Utc::now());
            Ok(Some(approval.amount))
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
            if !may_withdraw(
                claim.recovered.amount_minor(),
                claim.written_off.amount_minor(),
            ) {
                return Err(refused(
                    Refusal::MoneyAlreadyMoved,
                    &claim.id,
                    "money was already recovered or written off against this claim's \
                     approval; it cannot be withdrawn (close it once settled)",
                ));
            }
            Ok(None)
        }
        ClaimStatus::Settled => {
            if !is_fully_recovered(&claim.balance()) {
                return Err(refused(
                    Refusal::NotRecovered,
                    &claim.id,
                    "a claim is settled when its approved amount is fully recovered",
                ));
            }
            Ok(None)
        }
        ClaimStatus::Closed => {
            if from.is_approved() {
                let outstanding = claim.balance().outstanding().map_err(|_| {
                    refused(Refusal::AmountOverflow, &claim.id, "the balance overflows")
                })?;
                if outstanding.amount_minor() != 0 {
                    return Err(refused(
                        Refusal::OutstandingBalance,
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

/// An appeal of the decision the claim is in: within the window from the
/// decision date and the number of appeals the contract allows; restarts
/// the carrier's decision clock from today.
async fn appeal(
    txn: &DatabaseTransaction,
    claim: &mut Claim,
    from: ClaimStatus,
    today: NaiveDate,
) -> Result<(), ClaimsError> {
    let moves = history::of_claim(txn, &claim.id, claim.currency()).await?;
    let decided_on = moves
        .iter()
        .rev()
        .find(|h| h.to == from)
        .map_or(claim.updated_at.date_naive(), |h| h.at.date_naive());
    let appeals = moves
        .iter()
        .filter(|h| h.to == ClaimStatus::Appealed)
        .count();
    let id = claim.id.clone();
    let Some(applied) = claim.terms.as_mut() else {
        return Err(ClaimsError::internal(format!(
            "claims/{id} was decided without applied terms"
        )));
    };
    let terms = AppealTerms::new(applied.appeal_window_days, applied.max_appeals);
    let appeals = u32::try_from(appeals).unwrap_or(u32::MAX);
    check_appeal(from, decided_on, appeals, terms, today).map_err(|err| {
        let refusal = match err {
            AppealRefused::NotAppealable { status } => {
                return ClaimsError::IllegalTransition(IllegalTransition {
                    from: status,
                    to: ClaimStatus::Appealed,
                });
            }
            AppealRefused::WindowClosed { .. } => Refusal::AppealWindowClosed,
            AppealRefused::LimitReached { .. } => Refusal::AppealLimitReached,
        };
        refused(refusal, &id, err.to_string())
    })?;
    let decide_days = match applied.decide_within_days {
        0 => DEFAULT_DECIDE_DAYS,
        days => days,
    };
    applied.decision_due = decision_due_after_appeal(today, decide_days);
    Ok(())
}
