//! Who may see a claim and who may move it where.
//!
//! - Admin, internal, finance and auditor principals see every claim; a
//!   carrier principal the claims against its carrier; a 3PL principal
//!   only the claims its own account filed.
//! - The claimant's side (3PL; admin and internal for in-house claims)
//!   files, answers an information request, appeals, withdraws and closes.
//!   The carrier's side (carrier; admin and internal operating for it)
//!   acknowledges, reviews, asks for information and decides. Finance (and
//!   the carrier, and an admin) marks a fully recovered claim settled.
//!   Neither outside party can do the other's part.
//! - Nobody decides (approves, partially approves or denies) a claim they
//!   filed, whatever their role: the filer is the principal's subject
//!   within its scope (its 3PL account, if any).

use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_platform::ApiError;
use recourse_platform::auth::{Principal, Role};

use crate::repo::claims::ClaimRecord;

/// Whether `caller` may see `claim`.
pub fn may_see(caller: &Principal, claim: &ClaimRecord) -> bool {
    match caller.role {
        Role::Admin | Role::Internal | Role::Finance | Role::Auditor => true,
        Role::Carrier => caller.carrier_scope() == Some(claim.carrier_id.as_str()),
        Role::ThirdParty => caller.party_scope() == Some(claim.filing_account.as_str()),
    }
}

pub fn ensure_may_see(caller: &Principal, claim: &ClaimRecord) -> Result<(), ApiError> {
    if may_see(caller, claim) {
        Ok(())
    } else {
        Err(ApiError::PermissionDenied(format!(
            "claims/{} is not visible to this principal",
            claim.id
        )))
    }
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
pub fn is_filer(caller: &Principal, claim: &ClaimRecord) -> bool {
    !claim.filed_by.is_empty()
        && caller.subject == claim.filed_by
        && caller.party_scope().unwrap_or("") == claim.filing_account
}

/// Refuses a move `caller`'s role may not make (checked before the move's
/// legality, so nothing is learnt about a claim one may not move).
pub fn ensure_role_may_move(
    caller: &Principal,
    from: ClaimStatus,
    to: ClaimStatus,
) -> Result<(), ApiError> {
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
    Err(ApiError::PermissionDenied(format!(
        "role `{}` may not move a claim from {from} to {to}: that is for {side}",
        caller.role
    )))
}

/// Refuses a decision by the principal that filed the claim.
pub fn ensure_not_own_decision(
    caller: &Principal,
    claim: &ClaimRecord,
    to: ClaimStatus,
) -> Result<(), ApiError> {
    if to.is_decision() && is_filer(caller, claim) {
        return Err(ApiError::PermissionDenied(format!(
            "claims/{} was filed by `{}`; someone else must decide it",
            claim.id, claim.filed_by
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClaimStatus::*;

    fn claim(carrier: &str, filed_by: &str, account: &str) -> ClaimRecord {
        let now = chrono::Utc::now();
        ClaimRecord {
            id: "c1".into(),
            number: "CLM-2026-000001".into(),
            carrier_id: carrier.into(),
            shipment_id: "s1".into(),
            tracking_number: "T1".into(),
            service_level: "GROUND".into(),
            claim_type: 1,
            status: UnderReview,
            claimant: Default::default(),
            line_items: vec![],
            declared_value_minor: None,
            currency: "USD".into(),
            claimed_minor: 100,
            notes: String::new(),
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
            filed_by: filed_by.into(),
            filed_by_role: String::new(),
            filing_account: account.into(),
        }
    }

    fn principal(subject: &str, role: Role, scope: Option<&str>) -> Principal {
        Principal::new(subject, role, scope.map(str::to_owned)).unwrap()
    }

    #[test]
    fn a_3pl_sees_its_accounts_claims_and_a_carrier_its_carriers() {
        let c = claim("acme", "ops@fast3pl", "fast3pl");
        assert!(may_see(
            &principal("x", Role::ThirdParty, Some("fast3pl")),
            &c
        ));
        assert!(!may_see(
            &principal("x", Role::ThirdParty, Some("other3pl")),
            &c
        ));
        assert!(may_see(&principal("x", Role::Carrier, Some("acme")), &c));
        assert!(!may_see(&principal("x", Role::Carrier, Some("bolt")), &c));
        for role in [Role::Admin, Role::Internal, Role::Finance, Role::Auditor] {
            assert!(may_see(&principal("x", role, None), &c), "{role}");
        }
        // An in-house claim has no account: no 3PL sees it.
        let in_house = claim("acme", "ops", "");
        assert!(!may_see(
            &principal("x", Role::ThirdParty, Some("fast3pl")),
            &in_house
        ));
    }

    #[test]
    fn a_3pl_never_decides_and_a_carrier_never_files_appeals_or_withdraws() {
        for to in [Acknowledged, NeedsInfo, Approved, PartiallyApproved, Denied] {
            assert!(!may_move(Role::ThirdParty, UnderReview, to), "{to}");
            assert!(may_move(Role::Carrier, UnderReview, to), "{to}");
        }
        assert!(!may_move(Role::ThirdParty, Acknowledged, UnderReview));
        assert!(
            may_move(Role::ThirdParty, NeedsInfo, UnderReview),
            "answers"
        );
        for to in [Appealed, Withdrawn, Closed] {
            assert!(may_move(Role::ThirdParty, Denied, to), "{to}");
            assert!(!may_move(Role::Carrier, Denied, to), "{to}");
        }
        for role in [Role::Admin, Role::Finance, Role::Carrier] {
            assert!(may_move(role, Approved, Settled), "{role}");
        }
        for role in [Role::Internal, Role::ThirdParty, Role::Auditor] {
            assert!(!may_move(role, Approved, Settled), "{role}");
        }
        for role in Role::ALL {
            assert!(!may_move(role, Draft, Submitted), "{role}");
            assert!(!may_move(Role::Auditor, UnderReview, Approved));
        }
    }

    #[test]
    fn the_filer_cannot_decide_its_own_claim_whatever_its_role() {
        let c = claim("acme", "ops", "");
        // The same subject as admin: still the filer.
        let admin = principal("ops", Role::Admin, None);
        for to in [Approved, PartiallyApproved, Denied] {
            assert!(matches!(
                ensure_not_own_decision(&admin, &c, to),
                Err(ApiError::PermissionDenied(_))
            ));
        }
        assert!(
            ensure_not_own_decision(&admin, &c, NeedsInfo).is_ok(),
            "not a decision"
        );
        let lead = principal("lead", Role::Admin, None);
        assert!(ensure_not_own_decision(&lead, &c, Approved).is_ok());
        // A 3PL subject "ops" of another account is someone else.
        let tpl = claim("acme", "ops", "fast3pl");
        assert!(is_filer(
            &principal("ops", Role::ThirdParty, Some("fast3pl")),
            &tpl
        ));
        assert!(!is_filer(&principal("ops", Role::Internal, None), &tpl));
        // Claims from before the filer was recorded have none.
        assert!(!is_filer(&admin, &claim("acme", "", "")));
    }
}
