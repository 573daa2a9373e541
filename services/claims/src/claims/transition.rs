//! Every lifecycle move after submission: the carrier's acknowledgement,
//! review and decision, the claimant's appeal and withdrawal, settlement and
//! closing.

use chrono::Utc;
use recourse_claims_domain::allocation::is_fully_recovered;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_proto::claims as pb;

use super::{Change, ClaimDesk, desk_balance, illegal};
use recourse_claims_migration::IDEMPOTENCY;

/// A lifecycle move other than submission.
#[derive(Debug, Clone)]
pub struct Move {
    pub to: ClaimStatus,
    pub reason: String,
    pub amount: Option<Money>,
    pub override_cap: bool,
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
                claim.status = from.transition(step.to).map_err(|_| illegal(from, step.to))?;
                let currency = Currency::parse(&claim.currency).map_err(ApiError::internal)?;
                let claimed = Money::new(claim.claimed_minor, currency);
                let cap = claim
                    .liability_cap_minor
                    .map(|m| Money::new(m, currency))
                    .unwrap_or(claimed);
                let ceiling = claimed.min(cap).map_err(ApiError::internal)?;
                let mut amount = None;
                match step.to {
                    ClaimStatus::Approved | ClaimStatus::PartiallyApproved => {
                        let approved = match (step.amount, step.to) {
                            (Some(a), _) => a,
                            (None, ClaimStatus::Approved) => ceiling,
                            (None, _) => {
                                return Err(ApiError::invalid(
                                    "approved_amount",
                                    "is required for a partial approval",
                                ));
                            }
                        };
                        if approved.currency() != currency {
                            return Err(ApiError::invalid(
                                "approved_amount.currency_code",
                                format!("must be the claim currency {}", currency.as_str()),
                            ));
                        }
                        if approved.amount_minor() <= 0
                            || approved.amount_minor() > claimed.amount_minor()
                        {
                            return Err(ApiError::invalid(
                                "approved_amount",
                                "must be positive and at most the claimed amount",
                            ));
                        }
                        if approved.amount_minor() > cap.amount_minor() {
                            if !step.override_cap {
                                return Err(ApiError::FailedPrecondition {
                                    kind: "ABOVE_LIABILITY_CAP",
                                    subject: format!("claims/{id}"),
                                    message: format!(
                                        "approved {approved} exceeds the liability cap {cap}; an admin may override with a reason"
                                    ),
                                });
                            }
                            if caller.role != Role::Admin {
                                return Err(ApiError::PermissionDenied(
                                    "only an admin may approve above the liability cap".into(),
                                ));
                            }
                        }
                        if step.to == ClaimStatus::PartiallyApproved
                            && approved.amount_minor() >= ceiling.amount_minor()
                            && !step.override_cap
                        {
                            return Err(ApiError::invalid(
                                "approved_amount",
                                "a partial approval is below the claimed amount and the cap; use APPROVED",
                            ));
                        }
                        claim.approved_minor = Some(approved.amount_minor());
                        claim.approved_on = Some(Utc::now().date_naive());
                        claim.approved_at = Some(Utc::now());
                        amount = Some(approved.amount_minor());
                    }
                    ClaimStatus::Settled => {
                        let balance = desk_balance(&claim, currency);
                        if !is_fully_recovered(&balance) {
                            return Err(ApiError::FailedPrecondition {
                                kind: "NOT_RECOVERED",
                                subject: format!("claims/{id}"),
                                message: "a claim is settled when its approved amount is fully recovered".into(),
                            });
                        }
                    }
                    ClaimStatus::Closed if from.is_approved() => {
                        let outstanding = desk_balance(&claim, currency)
                            .outstanding()
                            .map_err(ApiError::internal)?;
                        if outstanding.amount_minor() != 0 {
                            return Err(ApiError::FailedPrecondition {
                                kind: "OUTSTANDING_BALANCE",
                                subject: format!("claims/{id}"),
                                message: format!(
                                    "{outstanding} is still outstanding: recover or write it off first"
                                ),
                            });
                        }
                    }
                    _ => {}
                }
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
