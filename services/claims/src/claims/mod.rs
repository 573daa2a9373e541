//! Claim use cases: filing ([`create`]), submission against the contract in
//! force on the ship date ([`submit`]), the lifecycle ([`transition`]),
//! overdue clocks ([`overdue`]), and reading. Each change is one
//! transaction with its history record and outbox event; each takes and
//! returns domain values.

mod access;
mod create;
mod once;
mod overdue;
mod submit;
mod transition;

use chrono::Utc;
use recourse_claims_domain::claim::{Claim, HistoryEntry};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::Money;
use recourse_platform::auth::Principal;
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::contracts::ContractsClient;
use crate::error::ClaimsError;
use crate::events;
use crate::repo::{claims as repo, history};

pub use access::{may_see, visible};
pub use create::{ClaimPatch, NewClaim};
pub(crate) use once::{once, replayed};
pub use overdue::OverdueClaim;
pub use repo::ClaimFilter;
pub use transition::Move;

/// What a write did: the status it left, why, any amount, and the event.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub from: ClaimStatus,
    pub reason: &'a str,
    pub amount: Option<Money>,
    pub event_type: &'a str,
    /// For an allocation: the remittance's id and date (the event says
    /// where the money came from and from when it counts).
    pub remittance: Option<(&'a str, chrono::NaiveDate)>,
}

#[derive(Debug, Clone)]
pub struct ClaimDesk {
    db: DatabaseConnection,
    contracts: ContractsClient,
    relay: Relay,
}

impl ClaimDesk {
    pub fn new(db: DatabaseConnection, contracts: ContractsClient, relay: Relay) -> Self {
        Self {
            db,
            contracts,
            relay,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn relay(&self) -> &Relay {
        &self.relay
    }

    pub fn contracts(&self) -> &ContractsClient {
        &self.contracts
    }

    /// The claim, if `caller` may see it; NOT_FOUND otherwise, exactly as
    /// for a claim that does not exist.
    pub async fn get(&self, caller: &Principal, id: &str) -> Result<Claim, ClaimsError> {
        visible(caller, repo::find(&self.db, id).await?, id)
    }

    /// One page of the claims `filter` selects, narrowed to what `caller`
    /// may see (a carrier its carrier's submitted claims, a 3PL its
    /// account's), and the next page's token.
    pub async fn list(
        &self,
        caller: &Principal,
        mut filter: ClaimFilter,
        page: &PageRequest,
    ) -> Result<(Vec<Claim>, String), ClaimsError> {
        access::narrow(caller, &mut filter)?;
        let rows = repo::list(&self.db, &filter, page.after.as_deref(), page.fetch_limit()).await?;
        Ok(page.finish(rows, |c| c.id.clone()))
    }

    pub async fn history(
        &self,
        caller: &Principal,
        id: &str,
    ) -> Result<Vec<HistoryEntry>, ClaimsError> {
        let claim = self.get(caller, id).await?;
        Ok(history::of_claim(&self.db, id, claim.currency()).await?)
    }

    /// Reads a claim in `txn` for a change by `caller`: visible to it and
    /// still at the revision `given` it read.
    async fn current(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        id: &str,
        given: i64,
    ) -> Result<Claim, ClaimsError> {
        let claim = visible(caller, repo::find(txn, id).await?, id)?;
        if claim.revision != given {
            return Err(ClaimsError::Stale {
                name: format!("claims/{id}"),
                given,
                current: claim.revision,
            });
        }
        Ok(claim)
    }

    /// Writes the changed claim (if nobody wrote it since it was read) with
    /// its history record and its event.
    pub(crate) async fn record(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        mut claim: Claim,
        change: Change<'_>,
    ) -> Result<Claim, ClaimsError> {
        let expected = claim.revision;
        claim.revision += 1;
        claim.updated_at = Utc::now();
        if !repo::replace(txn, &claim, expected).await? {
            return Err(ClaimsError::Stale {
                name: format!("claims/{}", claim.id),
                given: expected,
                current: expected + 1,
            });
        }
        if change.from != claim.status {
            history::append(
                txn,
                &HistoryEntry {
                    claim_id: claim.id.clone(),
                    from: change.from,
                    to: claim.status,
                    actor: caller.subject.clone(),
                    actor_role: caller.role.to_string(),
                    reason: change.reason.to_owned(),
                    amount: change.amount,
                    at: claim.updated_at,
                },
            )
            .await?;
        }
        events::append_claim(txn, change.event_type, &claim, Some(&change)).await?;
        Ok(claim)
    }
}
