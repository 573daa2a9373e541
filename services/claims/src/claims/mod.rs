//! Claim use cases: filing ([`create`]), submission against the contract in
//! force on the ship date ([`submit`]), the lifecycle ([`transition`]),
//! overdue clocks ([`overdue`]). Each change is one transaction with its
//! history record and outbox event.

mod access;
mod create;
mod overdue;
mod submit;
mod transition;

use chrono::{NaiveDate, Utc};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::{Currency, Money};
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::is_unique_violation;
use recourse_platform::outbox::Relay;
use recourse_platform::proto_types::date_from_proto;
use recourse_platform::{ApiError, etag};
use recourse_proto::claims as pb;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::contracts::ContractsClient;
use crate::convert::{claim_to_proto, history_to_proto};
use crate::events::{Data, new_event};
use crate::repo::claims::{self as repo, ClaimFilter, ClaimRecord, HistoryRecord};
use recourse_claims_migration::OUTBOX;

pub use access::{ensure_may_see, may_see};
pub use create::{ClaimPatch, NewClaim};
pub use transition::Move;

/// What a write did: the status it left, why, any amount, and the event.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub from: ClaimStatus,
    pub reason: &'a str,
    pub amount: Option<i64>,
    pub event_type: &'a str,
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource: "claim",
        name: format!("claims/{id}"),
    }
}

fn illegal(from: ClaimStatus, to: ClaimStatus) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "CLAIM_STATUS_TRANSITION",
        subject: format!("{from} -> {to}"),
        message: format!("a claim cannot go from {from} to {to}"),
    }
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

    pub async fn to_proto<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        c: &ClaimRecord,
    ) -> Result<pb::Claim, ApiError> {
        let documents = repo::documents_of(conn, &c.id).await?;
        Ok(claim_to_proto(c, &documents))
    }

    pub async fn find(&self, id: &str) -> Result<ClaimRecord, ApiError> {
        repo::find(&self.db, id).await?.ok_or_else(|| not_found(id))
    }

    pub async fn get(&self, caller: &Principal, id: &str) -> Result<pb::Claim, ApiError> {
        let claim = self.find(id).await?;
        ensure_may_see(caller, &claim)?;
        self.to_proto(&self.db, &claim).await
    }

    pub async fn list(
        &self,
        filter: &ClaimFilter,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<pb::Claim>, ApiError> {
        let rows = repo::list(&self.db, filter, after, Some(limit)).await?;
        let ids: Vec<&str> = rows.iter().map(|c| c.id.as_str()).collect();
        let documents = repo::documents_of_many(&self.db, &ids).await?;
        Ok(rows
            .iter()
            .map(|c| {
                claim_to_proto(
                    c,
                    documents.get(&c.id).map(Vec::as_slice).unwrap_or_default(),
                )
            })
            .collect())
    }

    /// Reads a claim in `txn` and checks the caller's etag and scope.
    async fn current(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        id: &str,
        given: i64,
    ) -> Result<ClaimRecord, ApiError> {
        let claim = repo::find(txn, id).await?.ok_or_else(|| not_found(id))?;
        ensure_may_see(caller, &claim)?;
        if claim.revision != given {
            return Err(etag::stale(&format!("claims/{id}"), given, claim.revision));
        }
        Ok(claim)
    }

    /// Writes the changed claim with its history record and event.
    pub(crate) async fn record(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        mut claim: ClaimRecord,
        change: Change<'_>,
    ) -> Result<pb::Claim, ApiError> {
        let Change {
            from,
            reason,
            amount,
            event_type,
        } = change;
        let expected = claim.revision;
        claim.revision += 1;
        claim.updated_at = Utc::now();
        let replaced = repo::replace(txn, &claim, expected).await.map_err(|err| {
            if is_unique_violation(&err) {
                // Only a draft's type change can collide: another open claim
                // of that type was filed for the shipment meanwhile.
                ApiError::AlreadyExists {
                    resource: "claim",
                    name: format!("shipments/{}", claim.shipment_id),
                    message: format!(
                        "shipments/{} already has an open claim of this type",
                        claim.shipment_id
                    ),
                }
            } else {
                err.into()
            }
        })?;
        if !replaced {
            return Err(etag::stale(
                &format!("claims/{}", claim.id),
                expected,
                expected + 1,
            ));
        }
        if from != claim.status {
            repo::append_history(
                txn,
                &HistoryRecord {
                    claim_id: claim.id.clone(),
                    from,
                    to: claim.status,
                    actor: caller.subject.clone(),
                    actor_role: caller.role.to_string(),
                    reason: reason.to_owned(),
                    amount_minor: amount,
                    at: claim.updated_at,
                },
            )
            .await?;
        }
        let proto = self.to_proto(txn, &claim).await?;
        OUTBOX
            .append(
                txn,
                new_event(
                    event_type,
                    proto.name.clone(),
                    &claim.carrier_id,
                    Data::Claim(proto.clone()),
                ),
            )
            .await?;
        Ok(proto)
    }

    pub async fn history(
        &self,
        caller: &Principal,
        id: &str,
    ) -> Result<Vec<pb::HistoryEntry>, ApiError> {
        let claim = self.find(id).await?;
        ensure_may_see(caller, &claim)?;
        Ok(repo::history_of(&self.db, id)
            .await?
            .iter()
            .map(|h| history_to_proto(h, &claim.currency))
            .collect())
    }
}

fn desk_balance(
    claim: &ClaimRecord,
    currency: Currency,
) -> recourse_claims_domain::allocation::ClaimBalance {
    recourse_claims_domain::allocation::ClaimBalance {
        approved: Money::new(claim.approved_minor.unwrap_or(0), currency),
        recovered: Money::new(claim.recovered_minor, currency),
        written_off: Money::new(claim.written_off_minor, currency),
    }
}

pub fn balance(
    claim: &ClaimRecord,
) -> Result<recourse_claims_domain::allocation::ClaimBalance, ApiError> {
    let currency = Currency::parse(&claim.currency).map_err(ApiError::internal)?;
    Ok(desk_balance(claim, currency))
}

/// Today's date from an optional proto date, for `as_of` style fields.
pub fn date_or_today(d: Option<&recourse_proto::common::Date>) -> Result<NaiveDate, ApiError> {
    match d {
        None => Ok(Utc::now().date_naive()),
        Some(d) => date_from_proto(d)
            .ok_or_else(|| ApiError::invalid("as_of", "must be a valid calendar date")),
    }
}
