//! Protobuf ⇄ domain for the claims service: requests parsed into the use
//! cases' inputs with every field violation named by its path, and domain
//! values rendered into responses and events. Nothing past this module
//! (and `api`) sees a generated type; stored documents (a claim's line
//! items and applied terms) are decoded here too, in one place.

pub mod claims;
pub mod contracts;
pub mod csv;
pub mod disputes;
pub mod escalations;
pub mod recoveries;
pub mod render;
pub mod replay;
pub mod terms;
pub mod x12;

use recourse_claims_domain::claim::{ClaimType, ClaimantKind, DocumentKind};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::limits;
use recourse_claims_domain::remittance::RemittanceKind;
use recourse_money::{Currency, Money};
use recourse_platform::Violations;
use recourse_platform::proto_types::{self, money_to_proto};
use recourse_proto::claims as pb;
use recourse_proto::common;
use recourse_proto::contracts as cpb;

pub use recourse_platform::names::{carrier_id, resource_id};

pub fn claim_id(v: &mut Violations, field: &str, name: &str) -> Option<String> {
    resource_id(v, field, "claims", name)
}

pub fn money(m: Money) -> Option<common::Money> {
    Some(money_to_proto(m))
}

/// A non-negative amount of at most 10^12 minor units (the platform's
/// bound; violations under `field`).
pub fn bounded_money(
    v: &mut Violations,
    field: &str,
    value: Option<&common::Money>,
    expected: Option<Currency>,
) -> Option<Money> {
    proto_types::bounded_money(v, field, value, expected, false)
}

/// `value` trimmed, checked to have at most `max` characters (and at
/// least one when `required`), without control characters other than
/// newlines and tabs.
pub fn text(v: &mut Violations, field: &str, value: &str, max: usize, required: bool) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        v.add(field, format!("is required (1-{max} characters)"));
    } else if !limits::within(value, max) {
        v.add(field, format!("must be at most {max} characters"));
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        v.add(field, "must not contain control characters");
    }
    value.to_owned()
}

pub fn status_to_proto(s: ClaimStatus) -> pb::ClaimStatus {
    match s {
        ClaimStatus::Draft => pb::ClaimStatus::Draft,
        ClaimStatus::Submitted => pb::ClaimStatus::Submitted,
        ClaimStatus::Acknowledged => pb::ClaimStatus::Acknowledged,
        ClaimStatus::UnderReview => pb::ClaimStatus::UnderReview,
        ClaimStatus::NeedsInfo => pb::ClaimStatus::NeedsInfo,
        ClaimStatus::Approved => pb::ClaimStatus::Approved,
        ClaimStatus::PartiallyApproved => pb::ClaimStatus::PartiallyApproved,
        ClaimStatus::Denied => pb::ClaimStatus::Denied,
        ClaimStatus::Appealed => pb::ClaimStatus::Appealed,
        ClaimStatus::Settled => pb::ClaimStatus::Settled,
        ClaimStatus::Closed => pb::ClaimStatus::Closed,
        ClaimStatus::Withdrawn => pb::ClaimStatus::Withdrawn,
    }
}

pub fn status_from_proto(value: i32) -> Option<ClaimStatus> {
    let wanted = pb::ClaimStatus::try_from(value).ok()?;
    ClaimStatus::ALL
        .into_iter()
        .find(|s| status_to_proto(*s) == wanted)
}

pub fn claim_type_to_proto(t: ClaimType) -> cpb::ClaimType {
    match t {
        ClaimType::Loss => cpb::ClaimType::Loss,
        ClaimType::Damage => cpb::ClaimType::Damage,
        ClaimType::Delay => cpb::ClaimType::Delay,
        ClaimType::Shortage => cpb::ClaimType::Shortage,
        ClaimType::ConcealedDamage => cpb::ClaimType::ConcealedDamage,
    }
}

pub fn claim_type_from_proto(value: i32) -> Option<ClaimType> {
    let wanted = cpb::ClaimType::try_from(value).ok()?;
    ClaimType::ALL
        .iter()
        .copied()
        .find(|t| claim_type_to_proto(*t) == wanted)
}

pub fn claimant_kind_to_proto(k: ClaimantKind) -> pb::ClaimantKind {
    match k {
        ClaimantKind::InternalTeam => pb::ClaimantKind::InternalTeam,
        ClaimantKind::Merchant => pb::ClaimantKind::Merchant,
        ClaimantKind::Partner3pl => pb::ClaimantKind::Partner3pl,
    }
}

pub fn claimant_kind_from_proto(value: i32) -> Option<ClaimantKind> {
    let wanted = pb::ClaimantKind::try_from(value).ok()?;
    ClaimantKind::ALL
        .iter()
        .copied()
        .find(|k| claimant_kind_to_proto(*k) == wanted)
}

pub fn document_kind_to_proto(k: DocumentKind) -> cpb::DocumentKind {
    match k {
        DocumentKind::Invoice => cpb::DocumentKind::Invoice,
        DocumentKind::Photo => cpb::DocumentKind::Photo,
        DocumentKind::ProofOfDelivery => cpb::DocumentKind::ProofOfDelivery,
        DocumentKind::PackagingPhoto => cpb::DocumentKind::PackagingPhoto,
        DocumentKind::CustomerStatement => cpb::DocumentKind::CustomerStatement,
    }
}

pub fn document_kind_from_proto(value: i32) -> Option<DocumentKind> {
    let wanted = cpb::DocumentKind::try_from(value).ok()?;
    DocumentKind::ALL
        .iter()
        .copied()
        .find(|k| document_kind_to_proto(*k) == wanted)
}

pub fn remittance_kind_to_proto(k: RemittanceKind) -> pb::RemittanceKind {
    match k {
        RemittanceKind::Payment => pb::RemittanceKind::Payment,
        RemittanceKind::CreditMemo => pb::RemittanceKind::CreditMemo,
    }
}

pub fn remittance_kind_from_proto(value: i32) -> Option<RemittanceKind> {
    match pb::RemittanceKind::try_from(value).ok()? {
        pb::RemittanceKind::Payment => Some(RemittanceKind::Payment),
        pb::RemittanceKind::CreditMemo => Some(RemittanceKind::CreditMemo),
        pb::RemittanceKind::Unspecified => None,
    }
}

#[cfg(test)]
mod tests {
    /// The claims domain states the bound it relies on (no overflow in its
    /// sums); it is the platform's, enforced at every API.
    #[test]
    fn the_domain_bound_is_the_platforms() {
        assert_eq!(
            recourse_claims_domain::limits::MAX_AMOUNT_MINOR,
            recourse_platform::proto_types::MAX_AMOUNT_MINOR
        );
    }
}
