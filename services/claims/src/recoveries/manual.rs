//! Finance's hand work: allocating what is left of a remittance to a claim,
//! and writing off what a carrier will not pay. Both lock what they change
//! (the remittance, then the claim) before reading it.

use chrono::Utc;
use recourse_claims_domain::allocation::{self, AllocationError};
use recourse_claims_domain::remittance::{Remittance, WriteOff};
use recourse_money::{Currency, Money};
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::IdempotencyKey;
use sea_orm::DatabaseTransaction;

use super::{RecoveryDesk, not_found};
use crate::claims::{Change, once, visible};
use crate::error::{ClaimsError, Refusal};
use crate::repo::claims as claims_repo;
use crate::repo::recoveries::{self as repo, AllocationRow};

fn allocation_error(subject: &str, err: AllocationError) -> ClaimsError {
    let message = err.to_string();
    match err {
        AllocationError::NotPositive | AllocationError::Money(_) => {
            ClaimsError::invalid("amount", message)
        }
        AllocationError::CurrencyMismatch { .. } => {
            ClaimsError::invalid("amount.currency_code", message)
        }
        AllocationError::NothingOutstanding
        | AllocationError::ExceedsRemittance { .. }
        | AllocationError::ExceedsOutstanding { .. } => {
            ClaimsError::refused(Refusal::Allocation, subject, message)
        }
    }
}

/// The claim `id`, locked for this transaction and visible to `caller`.
async fn locked_claim(
    txn: &DatabaseTransaction,
    caller: &Principal,
    id: &str,
) -> Result<recourse_claims_domain::claim::Claim, ClaimsError> {
    let found = claims_repo::lock(txn, &[id.to_owned()]).await?.pop();
    visible(caller, found, id)
}

impl RecoveryDesk {
    /// Matches part of a remittance to a claim by hand.
    pub async fn allocate(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        remittance_id: &str,
        claim_id: &str,
        amount: Option<Money>,
    ) -> Result<Remittance, ClaimsError> {
        let desk = self.clone();
        let result = once(self.claims.db(), key, async move |txn| {
            // Remittance first, then the claim: the order every booking uses.
            let row = repo::lock_remittance(txn, remittance_id)
                .await?
                .ok_or_else(|| not_found(remittance_id))?;
            let mut claim = locked_claim(txn, caller, claim_id).await?;
            let subject = format!("claims/{claim_id}");
            if claim.carrier_id != row.carrier_id {
                return Err(ClaimsError::refused(
                    Refusal::Allocation,
                    subject,
                    "the claim and the remittance belong to different carriers",
                ));
            }
            if !claim.status.is_approved() {
                return Err(ClaimsError::refused(
                    Refusal::Allocation,
                    subject,
                    format!(
                        "only approved claims take allocations; this one is {}",
                        claim.status
                    ),
                ));
            }
            let currency = Currency::parse(&row.currency).map_err(ClaimsError::internal)?;
            let left = row.amount_minor.saturating_sub(row.allocated_minor);
            if left <= 0 {
                return Err(ClaimsError::refused(
                    Refusal::Allocation,
                    format!("remittances/{remittance_id}"),
                    format!("nothing is left of remittances/{remittance_id} to allocate"),
                ));
            }
            let paid = allocation::allocate(Money::new(left, currency), &claim.balance(), amount)
                .map_err(|e| allocation_error(&subject, e))?;
            repo::insert_allocations(
                txn,
                &[AllocationRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    remittance_id: row.id.clone(),
                    line_id: None,
                    claim_id: claim.id.clone(),
                    amount_minor: paid.amount_minor(),
                    created_at: Utc::now(),
                }],
            )
            .await?;
            if !repo::add_allocated(txn, &row.id, paid.amount_minor()).await? {
                return Err(ClaimsError::Conflict(format!(
                    "remittances/{remittance_id} changed while it was allocated"
                )));
            }
            let from = claim.status;
            claim.recovered = Money::new(
                claim.recovered.amount_minor() + paid.amount_minor(),
                claim.currency(),
            );
            desk.settle(
                txn,
                caller,
                claim,
                from,
                paid,
                (&row.id, row.remittance_date),
            )
            .await?;
            let row = repo::find_row(txn, remittance_id)
                .await?
                .ok_or_else(|| not_found(remittance_id))?;
            repo::with_lines(txn, vec![row])
                .await?
                .pop()
                .ok_or_else(|| not_found(remittance_id))
        })
        .await;
        self.claims.relay().poke();
        result
    }

    /// Writes off what is outstanding on an approved claim (all of it, or
    /// `amount`).
    pub async fn write_off(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        claim_id: &str,
        reason: String,
        amount: Option<Money>,
    ) -> Result<WriteOff, ClaimsError> {
        let desk = self.clone();
        let result = once(self.claims.db(), key, async move |txn| {
            let mut claim = locked_claim(txn, caller, claim_id).await?;
            let subject = format!("claims/{claim_id}");
            if !claim.status.is_approved() {
                return Err(ClaimsError::refused(
                    Refusal::WriteOff,
                    subject,
                    format!(
                        "only an approved claim with money outstanding can be written off; \
                         this one is {}",
                        claim.status
                    ),
                ));
            }
            let amount = allocation::write_off(&claim.balance(), amount)
                .map_err(|e| allocation_error(&subject, e))?;
            let written = WriteOff {
                claim_id: claim.id.clone(),
                amount,
                reason,
                actor: caller.subject.clone(),
                at: Utc::now(),
            };
            repo::insert_write_off(txn, &written, uuid::Uuid::now_v7().to_string()).await?;
            claim.written_off = Money::new(
                claim.written_off.amount_minor() + amount.amount_minor(),
                claim.currency(),
            );
            let from = claim.status;
            let change = Change {
                from,
                reason: &written.reason,
                amount: Some(amount),
                event_type: "claim.written_off",
                remittance: None,
            };
            desk.claims.record(txn, caller, claim, change).await?;
            Ok(written)
        })
        .await;
        self.claims.relay().poke();
        result
    }
}
