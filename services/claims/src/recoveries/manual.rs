//! Finance's hand work: allocating what is left of a remittance to a claim,
//! and writing off what a carrier will not pay.

use chrono::Utc;
use recourse_claims_domain::allocation;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::proto_types::{money_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;

use super::{RecoveryDesk, allocation_error, sum_minor};
use crate::claims::{Change, balance, ensure_may_see};
use crate::repo::claims as claims_repo;
use crate::repo::recoveries::{self as repo, WriteOffRow};
use recourse_claims_migration::IDEMPOTENCY;

impl RecoveryDesk {
    /// Matches part of a remittance to a claim by hand.
    pub async fn allocate(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        remittance_id: &str,
        claim_id: &str,
        amount: Option<Money>,
    ) -> Result<pb::Remittance, ApiError> {
        let desk = self.clone();
        let caller = caller.clone();
        let (remittance_id, claim_id) = (remittance_id.to_owned(), claim_id.to_owned());
        let result = IDEMPOTENCY
            .run(self.claims.db(), key, async move |txn| {
                let row = repo::find_remittance(txn, &remittance_id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound {
                        resource: "remittance",
                        name: format!("remittances/{remittance_id}"),
                    })?;
                let claim =
                    claims_repo::find(txn, &claim_id)
                        .await?
                        .ok_or_else(|| ApiError::NotFound {
                            resource: "claim",
                            name: format!("claims/{claim_id}"),
                        })?;
                if claim.carrier_id != row.carrier_id {
                    return Err(ApiError::FailedPrecondition {
                        kind: "ALLOCATION",
                        subject: format!("claims/{claim_id}"),
                        message: "the claim and the remittance belong to different carriers".into(),
                    });
                }
                if !claim.status.is_approved() {
                    return Err(ApiError::FailedPrecondition {
                        kind: "ALLOCATION",
                        subject: format!("claims/{claim_id}"),
                        message: format!(
                            "only approved claims take allocations; this one is {}",
                            claim.status
                        ),
                    });
                }
                let currency = Currency::parse(&row.currency).map_err(ApiError::internal)?;
                let allocated = sum_minor(
                    repo::allocations_of_remittance(txn, &row.id)
                        .await?
                        .iter()
                        .map(|a| a.amount_minor),
                    "allocated",
                )?;
                let left = row.amount_minor.checked_sub(allocated).ok_or_else(|| {
                    ApiError::invalid("amount", "the remittance's total overflows")
                })?;
                let available = Money::new(left, currency);
                let amount = allocation::allocate(available, &balance(&claim)?, amount)
                    .map_err(allocation_error)?;
                desk.book(txn, &caller, &row.id, None, claim, amount)
                    .await?;
                desk.to_proto(txn, &row).await
            })
            .await;
        self.claims.relay().poke();
        result
    }

    pub async fn write_off(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        claim_id: &str,
        reason: String,
        amount: Option<Money>,
    ) -> Result<pb::WriteOff, ApiError> {
        let desk = self.clone();
        let caller = caller.clone();
        let claim_id = claim_id.to_owned();
        let result = IDEMPOTENCY
            .run(self.claims.db(), key, async move |txn| {
                let mut claim = claims_repo::find(txn, &claim_id).await?.ok_or_else(|| ApiError::NotFound {
                    resource: "claim",
                    name: format!("claims/{claim_id}"),
                })?;
                ensure_may_see(&caller, &claim)?;
                if !matches!(claim.status, ClaimStatus::Approved | ClaimStatus::PartiallyApproved) {
                    return Err(ApiError::FailedPrecondition {
                        kind: "WRITE_OFF",
                        subject: format!("claims/{claim_id}"),
                        message: format!("only an approved claim with money outstanding can be written off; this one is {}", claim.status),
                    });
                }
                let amount = allocation::write_off(&balance(&claim)?, amount).map_err(allocation_error)?;
                let at = Utc::now();
                repo::insert_write_off(
                    txn,
                    &WriteOffRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        claim_id: claim.id.clone(),
                        amount_minor: amount.amount_minor(),
                        reason: reason.clone(),
                        actor: caller.subject.clone(),
                        at,
                    },
                )
                .await?;
                claim.written_off_minor += amount.amount_minor();
                let from = claim.status;
                desk.claims
                    .record(txn, &caller, claim, Change { from, reason: &reason, amount: Some(amount.amount_minor()), event_type: "claim.written_off" })
                    .await?;
                Ok(pb::WriteOff {
                    claim: format!("claims/{claim_id}"),
                    amount: Some(money_to_proto(amount)),
                    reason,
                    actor: caller.subject.clone(),
                    time: Some(timestamp_to_proto(at)),
                })
            })
            .await;
        self.claims.relay().poke();
        result
    }
}
