//! Booking a new remittance's lines: each line names a claim (`claims/{id}`
//! or its number) or a tracking number (the oldest approved claim of that
//! parcel still owed something); it takes what that claim owes, within
//! what is left of the remittance, and the rest stays unmatched with its
//! reason (for `AllocateRemittance` later).
//!
//! A bounded number of statements per line: the references of all lines
//! are resolved with one query per kind, every claim a line could pay is
//! locked and read with one query (in id order), lines and allocations are
//! inserted in batches, and each claim paid is written once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use recourse_claims_domain::allocation::{first_owed, is_fully_recovered, place_line};
use recourse_claims_domain::claim::Claim;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::remittance::{Remittance, RemittanceLine};
use recourse_money::Money;
use recourse_platform::auth::Principal;
use recourse_platform::error::bound::truncate_chars;
use sea_orm::DatabaseTransaction;

use super::credits::{DisputeBook, dispute_id};
use super::{NewLine, RecoveryDesk};
use crate::claims::Change;
use crate::error::ClaimsError;
use crate::repo::claims as claims_repo;
use crate::repo::recoveries::{self as repo, AllocationRow, CreditRow, LineRow};

/// The longest unmatched reason stored (the column's width).
const MAX_REASON_CHARS: usize = 200;

/// Where a line's money may go.
enum Target {
    Claim(String),
    /// A dispute id (`disputes/{id}` named): its credit.
    Dispute(String),
    /// Approved claims of the parcel, oldest first.
    Tracking(Vec<String>),
    Unmatched(String),
}

/// Resolves every line's reference with one query per kind of reference.
async fn resolve(
    txn: &DatabaseTransaction,
    carrier_id: &str,
    lines: &[NewLine],
) -> Result<Vec<Target>, ClaimsError> {
    let mut ids = Vec::new();
    let mut numbers = Vec::new();
    let mut tracking = Vec::new();
    for line in lines.iter().filter(|l| l.dispute_ref.is_empty()) {
        match line.claim_ref.strip_prefix("claims/") {
            _ if line.claim_ref.is_empty() => tracking.push(line.tracking_number.clone()),
            Some(id) => ids.push(id.to_owned()),
            None => numbers.push(line.claim_ref.clone()),
        }
    }
    let mut by_id = HashMap::new();
    let mut by_number = HashMap::new();
    for (id, number, carrier) in claims_repo::ids_by_reference(txn, &ids, &numbers).await? {
        by_id.insert(id.clone(), (id.clone(), carrier.clone()));
        by_number.insert(number, (id, carrier));
    }
    let mut by_tracking: HashMap<String, Vec<String>> = HashMap::new();
    for (id, number) in claims_repo::approved_by_tracking(txn, carrier_id, &tracking).await? {
        by_tracking.entry(number).or_default().push(id);
    }
    Ok(lines
        .iter()
        .map(|line| {
            if let Some(id) = dispute_id(&line.dispute_ref) {
                return Target::Dispute(id.to_owned());
            }
            if line.claim_ref.is_empty() {
                return match by_tracking.get(&line.tracking_number) {
                    Some(ids) => Target::Tracking(ids.clone()),
                    None => Target::Unmatched(format!(
                        "no approved claim with money outstanding for tracking number {}",
                        line.tracking_number
                    )),
                };
            }
            let found = match line.claim_ref.strip_prefix("claims/") {
                Some(id) => by_id.get(id),
                None => by_number.get(&line.claim_ref),
            };
            match found {
                Some((id, carrier)) if carrier == carrier_id => Target::Claim(id.clone()),
                Some(_) => {
                    Target::Unmatched(format!("{} belongs to another carrier", line.claim_ref))
                }
                None => Target::Unmatched(format!("no claim {}", line.claim_ref)),
            }
        })
        .collect())
}

/// Places one line on `claim` (which it may pay only if approved): what
/// the claim owes, within `available`; the rest is unmatched.
fn place(available: &mut Money, claim: &mut Claim, line: &NewLine) -> (Money, String) {
    let zero = Money::zero(line.amount.currency());
    if !claim.status.is_approved() {
        let reason = format!(
            "{} is {}: only approved claims take money",
            claim.number, claim.status
        );
        return (zero, reason);
    }
    match place_line(*available, &claim.balance(), line.amount) {
        Ok(placed) => {
            claim.recovered = Money::new(
                claim.recovered.amount_minor() + placed.allocated.amount_minor(),
                claim.currency(),
            );
            *available = Money::new(
                available.amount_minor() - placed.allocated.amount_minor(),
                available.currency(),
            );
            let reason = if placed.unplaced.amount_minor() > 0 {
                format!(
                    "{} exceeds what {} still owes",
                    placed.unplaced, claim.number
                )
            } else {
                String::new()
            };
            (placed.allocated, reason)
        }
        Err(err) => (zero, format!("{}: {err}", claim.number)),
    }
}

impl RecoveryDesk {
    /// Matches and places the lines of `remittance` (whose row this
    /// transaction just inserted) and returns it as booked.
    pub(super) async fn book_lines(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        mut remittance: Remittance,
        lines: &[NewLine],
    ) -> Result<Remittance, ClaimsError> {
        let targets = resolve(txn, &remittance.carrier_id, lines).await?;
        let payable: BTreeSet<String> = targets
            .iter()
            .flat_map(|t| match t {
                Target::Claim(id) => vec![id.clone()],
                Target::Tracking(ids) => ids.clone(),
                Target::Dispute(_) | Target::Unmatched(_) => Vec::new(),
            })
            .collect();
        let disputed: Vec<String> = targets
            .iter()
            .filter_map(|t| match t {
                Target::Dispute(id) => Some(id.clone()),
                Target::Claim(_) | Target::Tracking(_) | Target::Unmatched(_) => None,
            })
            .collect();
        let ids: Vec<String> = payable.into_iter().collect();
        let mut claims: BTreeMap<String, (ClaimStatus, Money, Claim)> =
            claims_repo::lock(txn, &ids)
                .await?
                .into_iter()
                .map(|c| (c.id.clone(), (c.status, c.recovered, c)))
                .collect();
        // Disputes after the claims: the one lock order.
        let mut disputes = DisputeBook::lock(txn, disputed).await?;
        let mut available = remittance.amount;
        let mut credits = Vec::new();
        let mut rows = Vec::with_capacity(lines.len());
        let mut allocations = Vec::new();
        for (position, (line, target)) in lines.iter().zip(targets).enumerate() {
            let id = uuid::Uuid::now_v7().to_string();
            if let Target::Dispute(dispute) = &target {
                let (credited, reason) =
                    disputes.place(&remittance.carrier_id, dispute, &mut available, line.amount);
                let placed = credited.amount_minor() > 0;
                if placed {
                    credits.push(CreditRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        remittance_id: remittance.id.clone(),
                        line_id: Some(id.clone()),
                        dispute_id: dispute.clone(),
                        amount_minor: credited.amount_minor(),
                        created_at: remittance.created_at,
                    });
                }
                rows.push(LineRow {
                    id,
                    position: i32::try_from(position).unwrap_or(i32::MAX),
                    line: RemittanceLine {
                        claim_ref: line.claim_ref.clone(),
                        tracking_number: line.tracking_number.clone(),
                        amount: line.amount,
                        allocated_claim: None,
                        allocated: credited,
                        unmatched_reason: truncate_chars(&reason, MAX_REASON_CHARS).into_owned(),
                        dispute_ref: line.dispute_ref.clone(),
                        allocated_dispute: placed.then(|| dispute.clone()),
                    },
                });
                continue;
            }
            let chosen = match target {
                Target::Claim(id) => Ok(id),
                Target::Dispute(id) => Err(format!("no dispute {id}")),
                Target::Tracking(ids) => first_owed(
                    ids.iter()
                        .filter_map(|id| claims.get(id).map(|(_, _, c)| (id.clone(), c.balance()))),
                )
                .ok_or_else(|| {
                    format!(
                        "no approved claim with money outstanding for tracking number {}",
                        line.tracking_number
                    )
                }),
                Target::Unmatched(reason) => Err(reason),
            };
            let (claim_id, allocated, reason) = match chosen.and_then(|id| {
                claims
                    .get_mut(&id)
                    .map(|(_, _, c)| c)
                    .ok_or(format!("no claim {id}"))
            }) {
                Ok(claim) => {
                    let (allocated, reason) = place(&mut available, claim, line);
                    (
                        Some(claim.id.clone()).filter(|_| allocated.amount_minor() > 0),
                        allocated,
                        reason,
                    )
                }
                Err(reason) => (None, Money::zero(line.amount.currency()), reason),
            };
            if let Some(claim_id) = &claim_id {
                allocations.push(AllocationRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    remittance_id: remittance.id.clone(),
                    line_id: Some(id.clone()),
                    claim_id: claim_id.clone(),
                    amount_minor: allocated.amount_minor(),
                    created_at: remittance.created_at,
                });
            }
            rows.push(LineRow {
                id,
                position: i32::try_from(position).unwrap_or(i32::MAX),
                line: RemittanceLine {
                    claim_ref: line.claim_ref.clone(),
                    tracking_number: line.tracking_number.clone(),
                    amount: line.amount,
                    allocated_claim: claim_id,
                    allocated,
                    unmatched_reason: truncate_chars(&reason, MAX_REASON_CHARS).into_owned(),
                    dispute_ref: String::new(),
                    allocated_dispute: None,
                },
            });
        }
        repo::insert_lines(txn, &remittance.id, &rows).await?;
        repo::insert_allocations(txn, &allocations).await?;
        repo::insert_credits(txn, &credits).await?;
        let total = remittance.amount.amount_minor() - available.amount_minor();
        if total > 0 && !repo::add_allocated(txn, &remittance.id, total).await? {
            return Err(ClaimsError::Conflict(format!(
                "remittances/{} changed while it was booked",
                remittance.id
            )));
        }
        remittance.allocated = Money::new(total, remittance.amount.currency());
        disputes
            .write(
                txn,
                caller,
                (&remittance.id, remittance.date),
                remittance.created_at,
            )
            .await?;
        remittance.lines = rows.into_iter().map(|r| r.line).collect();
        for (_, (from, before, claim)) in claims {
            let paid = claim.recovered.amount_minor() - before.amount_minor();
            if paid > 0 {
                let paid = Money::new(paid, claim.currency());
                self.settle(
                    txn,
                    caller,
                    claim,
                    from,
                    paid,
                    (&remittance.id, remittance.date),
                )
                .await?;
            }
        }
        Ok(remittance)
    }

    /// Writes a claim that was paid `paid` from `remittance_id` (its
    /// recovered total already raised): settled once fully recovered.
    pub(super) async fn settle(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        mut claim: Claim,
        from: ClaimStatus,
        paid: Money,
        (remittance_id, remittance_date): (&str, chrono::NaiveDate),
    ) -> Result<(), ClaimsError> {
        let settled = is_fully_recovered(&claim.balance()) && from.can_become(ClaimStatus::Settled);
        if settled {
            claim.status = ClaimStatus::Settled;
        }
        let reason = format!("recovered {paid} from remittances/{remittance_id}");
        let change = Change {
            from,
            reason: &reason,
            amount: Some(paid),
            event_type: if settled {
                "claim.status_changed"
            } else {
                "claim.recovered"
            },
            remittance: Some((remittance_id, remittance_date)),
        };
        self.claims.record(txn, caller, claim, change).await?;
        Ok(())
    }
}
