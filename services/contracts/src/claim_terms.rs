//! What the claims service needs for a claim: the liability and filing terms
//! of the contract version in force on the ship date.

use recourse_platform::ApiError;
use recourse_proto::contracts as pb;

use crate::convert::common::version_resource_name;
use crate::convert::terms::{APPEAL_WINDOW_DAYS, MAX_APPEALS};
use crate::repo::contracts::VersionRecord;

fn or_default(value: u32, default: u32) -> u32 {
    if value == 0 { default } else { value }
}

pub fn claim_terms(
    version: &VersionRecord,
    service_level: &str,
    claim_type: i32,
) -> Result<pb::ClaimTerms, ApiError> {
    let name = version_resource_name(&version.contract_id, version.version);
    let terms = &version.terms;
    let liability = terms.liability.clone().unwrap_or_default();
    let type_name = pb::ClaimType::try_from(claim_type)
        .map(|t| t.as_str_name())
        .unwrap_or("UNKNOWN");
    let window = liability
        .filing_windows
        .iter()
        .find(|w| w.claim_type == claim_type)
        .copied()
        .ok_or_else(|| ApiError::FailedPrecondition {
            kind: "NO_FILING_WINDOW",
            subject: name.clone(),
            message: format!("{name} sets no filing window for {type_name} claims"),
        })?;
    let required_documents = liability
        .required_documents
        .iter()
        .find(|r| r.claim_type == claim_type)
        .map(|r| r.kinds.clone())
        .unwrap_or_default();
    let weight_unit = terms
        .rate_cards
        .iter()
        .find(|c| c.service_level == service_level)
        .map_or(0, |c| c.weight_unit);
    Ok(pb::ClaimTerms {
        contract_version: name,
        currency_code: terms.currency_code.clone(),
        default_per_package_limit: liability.default_per_package_limit,
        declared_value_coverage: liability.declared_value_coverage,
        max_declared_value: liability.max_declared_value,
        per_weight_unit_limit: liability.per_weight_unit_limit,
        weight_unit,
        filing_window: Some(window),
        required_documents,
        acknowledge_within_days: liability.acknowledge_within_days,
        decide_within_days: liability.decide_within_days,
        // Versions stored before the appeal terms existed hold 0: the
        // defaults apply to them as to a contract that states none.
        appeal_window_days: or_default(liability.appeal_window_days, APPEAL_WINDOW_DAYS),
        max_appeals: or_default(liability.max_appeals, MAX_APPEALS),
    })
}
