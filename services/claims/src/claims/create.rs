//! Filing a draft claim and editing it before submission.

use chrono::{Datelike, Utc};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::number::claim_number;
use recourse_money::Money;
use recourse_platform::ApiError;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use sea_orm::{DatabaseTransaction, TransactionTrait as _};

use super::{Change, ClaimDesk};
use crate::events::{Data, new_event};
use crate::repo::claims::{self as repo, ClaimRecord};
use recourse_claims_migration::{IDEMPOTENCY, OUTBOX};

/// A parsed CreateClaim body.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub shipment_id: String,
    pub claim_type: i32,
    pub claimant: pb::Claimant,
    pub line_items: Vec<pb::LineItem>,
    pub claimed: Money,
    pub notes: String,
}

/// Changes to a draft; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub struct ClaimPatch {
    pub claim_type: Option<i32>,
    pub claimant: Option<pb::Claimant>,
    pub line_items: Option<(Vec<pb::LineItem>, Money)>,
    pub notes: Option<String>,
}

/// The value declared to the carrier when the parcel shipped, in minor
/// units of `currency`; `None` when nothing (or 0) was declared.
pub(super) fn declared_at_shipment(shipment: &cpb::Shipment, currency: &str) -> Option<i64> {
    shipment
        .declared_value
        .as_ref()
        .filter(|m| m.currency_code == currency && m.amount_minor > 0)
        .map(|m| m.amount_minor)
}

/// Who may file a claim for `shipment`: in-house principals for any; a 3PL
/// only for a shipment its own account tendered (the contracts service
/// already hides the others; this holds even if it did not); a carrier
/// never (it answers claims, it does not file them against itself).
fn may_file_for(
    caller: &Principal,
    shipment: &cpb::Shipment,
    shipment_id: &str,
) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Internal => Ok(()),
        Role::ThirdParty if caller.party_scope() == Some(shipment.shipper_account.as_str()) => {
            Ok(())
        }
        Role::ThirdParty => Err(ApiError::PermissionDenied(format!(
            "shipments/{shipment_id} was not tendered by this 3PL account"
        ))),
        Role::Carrier | Role::Finance | Role::Auditor => Err(ApiError::PermissionDenied(format!(
            "role `{}` may not file claims",
            caller.role
        ))),
    }
}

/// ALREADY_EXISTS naming the open claim a new one would duplicate.
pub(super) fn already_open(existing: &ClaimRecord) -> ApiError {
    let kind = cpb::ClaimType::try_from(existing.claim_type)
        .map_or("UNKNOWN", |t| t.as_str_name())
        .trim_start_matches("CLAIM_TYPE_");
    ApiError::AlreadyExists {
        resource: "claim",
        name: format!("claims/{}", existing.id),
        message: format!(
            "shipments/{} already has an open {kind} claim: claims/{} ({}, {}); withdraw or \
             close it before filing another",
            existing.shipment_id, existing.id, existing.number, existing.status
        ),
    }
}

/// Inserts a claim unless its shipment already has an open claim of its
/// type. The unique partial index decides (so concurrent creations with
/// different request ids cannot both pass); the insert runs in a savepoint
/// so the transaction survives the violation and can name the winner.
async fn insert_unless_open(
    txn: &DatabaseTransaction,
    record: &ClaimRecord,
) -> Result<(), ApiError> {
    let savepoint = txn.begin().await?;
    match repo::insert(&savepoint, record).await {
        Ok(()) => Ok(savepoint.commit().await?),
        Err(err) if is_unique_violation(&err) => {
            savepoint.rollback().await?;
            match repo::open_claim(txn, &record.shipment_id, record.claim_type, None).await? {
                Some(existing) => Err(already_open(&existing)),
                // The other claim was closed or withdrawn in the meantime.
                None => Err(ApiError::Aborted {
                    message: format!(
                        "a concurrent claim on shipments/{} changed; retry",
                        record.shipment_id
                    ),
                }),
            }
        }
        Err(err) => Err(err.into()),
    }
}

impl ClaimDesk {
    /// Files a draft for a shipment the caller may see.
    pub async fn create(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        token: Option<&str>,
        new: NewClaim,
    ) -> Result<pb::Claim, ApiError> {
        // Read with the caller's token: the contracts service shows a 3PL
        // only the shipments its account tendered.
        let shipment = self.contracts.shipment(token, &new.shipment_id).await?;
        let carrier_id = shipment.carrier.trim_start_matches("carriers/").to_owned();
        may_file_for(caller, &shipment, &new.shipment_id)?;
        let desk = self.clone();
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let now = Utc::now();
                let sequence = repo::next_sequence(txn, now.year()).await?;
                let currency = new.claimed.currency().as_str().to_owned();
                let record = ClaimRecord {
                    id: uuid::Uuid::now_v7().to_string(),
                    number: claim_number(now.year(), sequence),
                    carrier_id: carrier_id.clone(),
                    shipment_id: new.shipment_id.clone(),
                    tracking_number: shipment.tracking_number.clone(),
                    service_level: shipment.service_level.clone(),
                    claim_type: new.claim_type,
                    status: ClaimStatus::Draft,
                    claimant: new.claimant.clone(),
                    line_items: new.line_items.clone(),
                    declared_value_minor: declared_at_shipment(&shipment, &currency),
                    currency,
                    claimed_minor: new.claimed.amount_minor(),
                    notes: new.notes.clone(),
                    terms: None,
                    liability_cap_minor: None,
                    approved_minor: None,
                    approved_on: None,
                    recovered_minor: 0,
                    written_off_minor: 0,
                    submitted_at: None,
                    approved_at: None,
                    acknowledge_due: None,
                    decision_due: None,
                    revision: 1,
                    created_at: now,
                    updated_at: now,
                    filed_by: caller.subject.clone(),
                    filed_by_role: caller.role.to_string(),
                    filing_account: caller.party_scope().unwrap_or_default().to_owned(),
                };
                insert_unless_open(txn, &record).await?;
                let proto = desk.to_proto(txn, &record).await?;
                OUTBOX
                    .append(
                        txn,
                        new_event(
                            "claim.created",
                            proto.name.clone(),
                            &record.carrier_id,
                            Data::Claim(proto.clone()),
                        ),
                    )
                    .await?;
                Ok(proto)
            })
            .await;
        self.relay.poke();
        result
    }

    pub async fn update(
        &self,
        caller: &Principal,
        id: &str,
        given: i64,
        patch: ClaimPatch,
    ) -> Result<pb::Claim, ApiError> {
        let txn = self.db.begin().await?;
        let mut claim = self.current(&txn, caller, id, given).await?;
        if claim.status != ClaimStatus::Draft {
            return Err(ApiError::FailedPrecondition {
                kind: "CLAIM_NOT_DRAFT",
                subject: format!("claims/{id}"),
                message: format!("only a draft can be edited; this claim is {}", claim.status),
            });
        }
        if let Some(t) = patch.claim_type {
            claim.claim_type = t;
        }
        if let Some(c) = patch.claimant {
            claim.claimant = c;
        }
        if let Some((items, claimed)) = patch.line_items {
            claim.line_items = items;
            claim.claimed_minor = claimed.amount_minor();
            claim.currency = claimed.currency().as_str().to_owned();
        }
        if let Some(n) = patch.notes {
            claim.notes = n;
        }
        let from = claim.status;
        let (shipment_id, claim_type) = (claim.shipment_id.clone(), claim.claim_type);
        // A new type may collide with another open claim of the shipment: the
        // unique index decides, in a savepoint so the winner can be named.
        let savepoint = txn.begin().await?;
        let change = Change {
            from,
            reason: "",
            amount: None,
            event_type: "claim.updated",
        };
        let proto = match self.record(&savepoint, caller, claim, change).await {
            Ok(proto) => {
                savepoint.commit().await?;
                proto
            }
            Err(ApiError::AlreadyExists { .. }) => {
                savepoint.rollback().await?;
                return Err(
                    match repo::open_claim(&txn, &shipment_id, claim_type, Some(id)).await? {
                        Some(existing) => already_open(&existing),
                        None => ApiError::Aborted {
                            message: format!(
                                "a concurrent claim on shipments/{shipment_id} changed; retry"
                            ),
                        },
                    },
                );
            }
            Err(err) => return Err(err),
        };
        txn.commit().await?;
        self.relay.poke();
        Ok(proto)
    }
}
