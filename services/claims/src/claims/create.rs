//! Filing a draft claim and editing it before submission.

use chrono::{Datelike, Utc};
use recourse_claims_domain::claim::{Claim, ClaimType, Claimant, Filer, LineItem};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::number::claim_number;
use recourse_money::Money;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use sea_orm::{DatabaseTransaction, TransactionTrait as _};

use super::{Change, ClaimDesk, once};
use crate::contracts::ShipmentFacts;
use crate::error::{ClaimsError, OpenClaim, Refusal};
use crate::events;
use crate::repo::claims as repo;

/// A parsed CreateClaim body.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub shipment_id: String,
    pub claim_type: ClaimType,
    pub claimant: Claimant,
    pub line_items: Vec<LineItem>,
    /// Σ of the line items.
    pub claimed: Money,
    pub notes: String,
}

/// Changes to a draft; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub struct ClaimPatch {
    pub claim_type: Option<ClaimType>,
    pub claimant: Option<Claimant>,
    pub line_items: Option<(Vec<LineItem>, Money)>,
    pub notes: Option<String>,
}

/// Who may file a claim for `shipment`: in-house principals for any; a 3PL
/// only for a shipment its own account tendered (the contracts service
/// already answers NOT_FOUND for the others, so this refusal is worded the
/// same way); a carrier never (it answers claims, it does not file them
/// against itself; refused by role before the shipment is read).
fn may_file_for(caller: &Principal, shipment: &ShipmentFacts) -> Result<(), ClaimsError> {
    match caller.role {
        Role::Admin | Role::Internal => Ok(()),
        Role::ThirdParty if caller.party_scope() == Some(shipment.shipper_account.as_str()) => {
            Ok(())
        }
        Role::ThirdParty => Err(ClaimsError::not_found(
            "shipment",
            "shipments",
            &shipment.id,
        )),
        Role::Carrier | Role::Finance | Role::Auditor => Err(ClaimsError::Forbidden(format!(
            "role `{}` may not file claims",
            caller.role
        ))),
    }
}

fn open_claim(existing: &Claim) -> ClaimsError {
    ClaimsError::AlreadyOpen(OpenClaim {
        id: existing.id.clone(),
        number: existing.number.clone(),
        status: existing.status,
        shipment_id: existing.shipment_id.clone(),
        claim_type: existing.claim_type,
    })
}

/// ALREADY_EXISTS naming the open claim of `claim_type` on the shipment
/// (other than `except`), read after the unique index refused a write.
async fn name_the_open_claim(
    txn: &DatabaseTransaction,
    shipment_id: &str,
    claim_type: ClaimType,
    except: Option<&str>,
) -> ClaimsError {
    match repo::open_claim(txn, shipment_id, claim_type, except).await {
        Ok(Some(existing)) => open_claim(&existing),
        // The other claim was closed or withdrawn in the meantime.
        Ok(None) => ClaimsError::Conflict(format!(
            "a concurrent claim on shipments/{shipment_id} changed"
        )),
        Err(err) => err.into(),
    }
}

/// Inserts a claim unless its shipment already has an open claim of its
/// type. The unique partial index decides (so concurrent creations with
/// different request ids cannot both pass: the second waits for the first
/// to commit, then inserts nothing), and the winner is named.
async fn insert_unless_open(txn: &DatabaseTransaction, claim: &Claim) -> Result<(), ClaimsError> {
    if repo::insert_unless_open(txn, claim).await? {
        Ok(())
    } else {
        Err(name_the_open_claim(txn, &claim.shipment_id, claim.claim_type, None).await)
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
    ) -> Result<Claim, ClaimsError> {
        // Read with the caller's token: the contracts service shows a 3PL
        // only the shipments its account tendered.
        let shipment = self.contracts.shipment(token, &new.shipment_id).await?;
        may_file_for(caller, &shipment)?;
        let result = once(&self.db, key, async move |txn| {
            let now = Utc::now();
            let sequence = repo::next_sequence(txn).await?;
            let claim = Claim {
                id: uuid::Uuid::now_v7().to_string(),
                number: claim_number(now.year(), sequence),
                carrier_id: shipment.carrier_id.clone(),
                shipment_id: new.shipment_id,
                tracking_number: shipment.tracking_number.clone(),
                service_level: shipment.service_level.clone(),
                claim_type: new.claim_type,
                status: ClaimStatus::Draft,
                claimant: new.claimant,
                line_items: new.line_items,
                declared_value: shipment.declared_in(new.claimed.currency()),
                claimed: new.claimed,
                notes: new.notes,
                terms: None,
                approved: None,
                recovered: Money::zero(new.claimed.currency()),
                written_off: Money::zero(new.claimed.currency()),
                documents: Vec::new(),
                submitted_at: None,
                approved_at: None,
                revision: 1,
                created_at: now,
                updated_at: now,
                filer: Filer {
                    subject: caller.subject.clone(),
                    role: caller.role.to_string(),
                    account: caller.party_scope().unwrap_or_default().to_owned(),
                },
            };
            insert_unless_open(txn, &claim).await?;
            events::append_claim(txn, "claim.created", &claim, None).await?;
            Ok(claim)
        })
        .await;
        self.relay.poke();
        result
    }

    /// Edits a draft (a type change may collide with another open claim of
    /// the shipment: the unique index decides, in a savepoint, and the
    /// winner is named).
    pub async fn update(
        &self,
        caller: &Principal,
        id: &str,
        given: i64,
        patch: ClaimPatch,
    ) -> Result<Claim, ClaimsError> {
        let txn = self.db.begin().await?;
        let mut claim = self.current(&txn, caller, id, given).await?;
        if claim.status != ClaimStatus::Draft {
            return Err(ClaimsError::refused(
                Refusal::ClaimNotDraft,
                format!("claims/{id}"),
                format!("only a draft can be edited; this claim is {}", claim.status),
            ));
        }
        if let Some(t) = patch.claim_type {
            claim.claim_type = t;
        }
        if let Some(c) = patch.claimant {
            claim.claimant = c;
        }
        if let Some((items, claimed)) = patch.line_items {
            claim.line_items = items;
            claim.claimed = claimed;
            claim.recovered = Money::zero(claimed.currency());
            claim.written_off = Money::zero(claimed.currency());
        }
        if let Some(n) = patch.notes {
            claim.notes = n;
        }
        let (shipment_id, claim_type) = (claim.shipment_id.clone(), claim.claim_type);
        let change = Change {
            from: claim.status,
            reason: "",
            amount: None,
            event_type: "claim.updated",
            remittance: None,
        };
        let savepoint = txn.begin().await?;
        let updated = match self.record(&savepoint, caller, claim, change).await {
            Ok(updated) => {
                savepoint.commit().await?;
                updated
            }
            Err(ClaimsError::Db(err)) if is_unique_violation(&err) => {
                savepoint.rollback().await?;
                return Err(name_the_open_claim(&txn, &shipment_id, claim_type, Some(id)).await);
            }
            Err(err) => return Err(err),
        };
        txn.commit().await?;
        self.relay.poke();
        Ok(updated)
    }
}
