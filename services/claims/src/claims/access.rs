//! Who may see a claim and who may move it where.
//!
//! - Admin, internal, finance and auditor principals see every claim; a
//!   carrier principal the claims against its carrier once submitted (a
//!   draft belongs to its filer until then, as a draft contract version is
//!   never shown to a carrier); a 3PL principal only the claims its own
//!   account filed.
//! - A claim one may not see is NOT_FOUND, worded exactly as for a claim
//!   that does not exist (AIP-211): nothing tells a real id from a made-up
//!   one, and no message names its carrier or its filer.
//! - The claimant's side (3PL; admin and internal for in-house claims)
//!   files, answers an information request, appeals, withdraws and closes.
//!   The carrier's side (carrier; admin and internal operating for it)
//!   acknowledges, reviews, asks for information and decides. Finance (and
//!   the carrier, and an admin) marks a fully recovered claim settled.
//!   Neither outside party can do the other's part.
//! - Nobody decides (approves, partially approves or denies) a claim they
//!   filed, whatever their role: the filer is the principal's subject
//!   within its scope (its 3PL account, if any).

use recourse_claims_domain::claim::Claim;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::visibility;

use super::ClaimFilter;
use crate::error::ClaimsError;

/// Whether `caller` may see `claim`.
pub fn may_see(caller: &Principal, claim: &Claim) -> bool {
    match caller.role {
        Role::Admin | Role::Internal | Role::Finance | Role::Auditor => true,
        Role::Carrier => {
            caller.carrier_scope() == Some(claim.carrier_id.as_str()) && claim.was_submitted()
        }
        Role::ThirdParty => caller.party_scope() == Some(claim.filer.account.as_str()),
    }
}

/// The claim `id` read for `caller`: NOT_FOUND when absent or not visible,
/// the same answer either way.
pub fn visible(caller: &Principal, found: Option<Claim>, id: &str) -> Result<Claim, ClaimsError> {
    found
        .filter(|claim| may_see(caller, claim))
        .ok_or_else(|| ClaimsError::claim_not_found(id))
}

/// Narrows a list to what `caller` may see: a carrier is pinned to its
/// carrier's submitted claims (asking for another carrier is NOT_FOUND for
/// that carrier, as if it did not exist), a 3PL to its account's claims.
pub fn narrow(caller: &Principal, filter: &mut ClaimFilter) -> Result<(), ClaimsError> {
    filter.carrier_id = visibility::carrier_filter(caller, filter.carrier_id.take())?;
    if caller.role == Role::Carrier {
        filter.submitted_only = true;
    }
    if let Some(account) = caller.party_scope() {
        filter.filing_account = Some(account.to_owned());
    }
    Ok(())
}

/// Whether `role` may move a claim from `from` to `to` (legality of the
/// move itself is the state machine's business).
pub fn may_move(role: Role, from: ClaimStatus, to: ClaimStatus) -> bool {
    let carrier_side = matches!(role, Role::Admin | Role::Internal | Role::Carrier);
    let claimant_side = matches!(role, Role::Admin | Role::Internal | Role::ThirdParty);
    match to {
        ClaimStatus::Acknowledged
        | ClaimStatus::NeedsInfo
        | ClaimStatus::Approved
        | ClaimStatus::PartiallyApproved
        | ClaimStatus::Denied => carrier_side,
        // Answering an information request hands the claim back to review.
        ClaimStatus::UnderReview if from == ClaimStatus::NeedsInfo => carrier_side || claimant_side,
        ClaimStatus::UnderReview => carrier_side,
        ClaimStatus::Appealed | ClaimStatus::Withdrawn | ClaimStatus::Closed => claimant_side,
        ClaimStatus::Settled => matches!(role, Role::Admin | Role::Finance | Role::Carrier),
        // Submission has its own RPC; nothing goes back to draft.
        ClaimStatus::Draft | ClaimStatus::Submitted => false,
    }
}

/// Whether `caller` is the principal that filed `claim`.
pub fn is_filer(caller: &Principal, claim: &Claim) -> bool {
    !claim.filer.subject.is_empty()
        && caller.subject == claim.filer.subject
        && caller.party_scope().unwrap_or("") == claim.filer.account
}

/// Refuses a move `caller`'s role may not make (checked before the move's
/// legality, so nothing is learnt about a claim one may not move).
pub fn ensure_role_may_move(
    caller: &Principal,
    from: ClaimStatus,
    to: ClaimStatus,
) -> Result<(), ClaimsError> {
    if may_move(caller.role, from, to) {
        return Ok(());
    }
    let side = match to {
        ClaimStatus::Appealed | ClaimStatus::Withdrawn | ClaimStatus::Closed => {
            "the claimant's side"
        }
        ClaimStatus::Settled => "finance or the carrier",
        ClaimStatus::Draft
        | ClaimStatus::Submitted
        | ClaimStatus::Acknowledged
        | ClaimStatus::UnderReview
        | ClaimStatus::NeedsInfo
        | ClaimStatus::Approved
        | ClaimStatus::PartiallyApproved
        | ClaimStatus::Denied => "the carrier's side",
    };
    Err(ClaimsError::Forbidden(format!(
        "role `{}` may not move a claim from {from} to {to}: that is for {side}",
        caller.role
    )))
}

/// Refuses a decision by the principal that filed the claim.
pub fn ensure_not_own_decision(
    caller: &Principal,
    claim: &Claim,
    to: ClaimStatus,
) -> Result<(), ClaimsError> {
    if to.is_decision() && is_filer(caller, claim) {
        return Err(ClaimsError::Forbidden(format!(
            "claims/{} was filed by you (`{}`); someone else must decide it",
            claim.id, claim.filer.subject
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
