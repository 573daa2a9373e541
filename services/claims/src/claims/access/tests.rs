#![allow(clippy::unwrap_used)] // tests fail loudly

use recourse_claims_domain::claim::{ClaimType, Claimant, ClaimantKind, Filer};
use recourse_money::{Currency, Money};

use super::*;
use ClaimStatus::*;

fn claim(carrier: &str, filed_by: &str, account: &str) -> Claim {
    let now = chrono::Utc::now();
    let usd = |minor| Money::new(minor, Currency::USD);
    Claim {
        id: "c1".into(),
        number: "CLM-2026-000001".into(),
        carrier_id: carrier.into(),
        shipment_id: "s1".into(),
        tracking_number: "T1".into(),
        service_level: "GROUND".into(),
        claim_type: ClaimType::Loss,
        status: UnderReview,
        claimant: Claimant {
            kind: ClaimantKind::InternalTeam,
            name: "Care".into(),
            on_behalf_of: String::new(),
        },
        line_items: vec![],
        claimed: usd(100),
        declared_value: None,
        notes: String::new(),
        terms: None,
        approved: None,
        recovered: usd(0),
        written_off: usd(0),
        documents: vec![],
        submitted_at: Some(now),
        approved_at: None,
        revision: 1,
        created_at: now,
        updated_at: now,
        filer: Filer {
            subject: filed_by.into(),
            role: String::new(),
            account: account.into(),
        },
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
            Err(ClaimsError::Forbidden(_))
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

#[test]
fn a_carrier_never_sees_a_draft_of_its_claims_but_the_filer_does() {
    let mut c = claim("acme", "ops@fast3pl", "fast3pl");
    c.status = Draft;
    c.submitted_at = None;
    let carrier = principal("x", Role::Carrier, Some("acme"));
    assert!(!may_see(&carrier, &c));
    assert!(may_see(
        &principal("x", Role::ThirdParty, Some("fast3pl")),
        &c
    ));
    // Withdrawn before submission: still never the carrier's business.
    c.status = Withdrawn;
    assert!(!may_see(&carrier, &c));
    // Not visible and absent read the same.
    let hidden = visible(&carrier, Some(c), "c1").unwrap_err().to_string();
    let absent = visible(&carrier, None, "c1").unwrap_err().to_string();
    assert_eq!(hidden, absent);
}
