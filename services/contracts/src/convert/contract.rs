//! Contracts and versions: requests parsed into drafts and patches,
//! domain records rendered.

use recourse_contracts_domain::terms::ClaimTerms;
use recourse_contracts_domain::versions::{Contract, ContractVersion, Span, VersionStatus};
use recourse_platform::field_mask::UpdateMask;
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::common as pbc;
use recourse_proto::contracts as pb;

use super::common::{
    carrier_id, carrier_name, date, date_out, money_to_proto, optional_date, resource_id,
    version_name, weight_unit_to_proto,
};
use super::{Parser, limits, terms};
use crate::contracts::{NewContract, VersionDraft, VersionPatch};

/// Fields `UpdateContractVersion` may change.
pub const MUTABLE: [&str; 3] = ["effective_from", "effective_to", "terms"];

pub fn status_to_proto(s: VersionStatus) -> pb::VersionStatus {
    match s {
        VersionStatus::Draft => pb::VersionStatus::Draft,
        VersionStatus::Active => pb::VersionStatus::Active,
        VersionStatus::Expired => pb::VersionStatus::Expired,
    }
}

pub fn version_to_proto(v: &ContractVersion) -> pb::ContractVersion {
    pb::ContractVersion {
        name: v.name(),
        carrier: carrier_name(&v.carrier_id),
        version: v.number,
        status: status_to_proto(v.status).into(),
        effective_from: date_out(v.span.from),
        effective_to: v.span.to.and_then(date_out),
        terms: Some(terms::render(&v.terms)),
        create_time: Some(timestamp_to_proto(v.created_at)),
        update_time: Some(timestamp_to_proto(v.updated_at)),
        etag: etag::format(v.revision),
    }
}

pub fn contract_to_proto(c: &Contract, versions: &[ContractVersion]) -> pb::Contract {
    pb::Contract {
        name: format!("contracts/{}", c.id),
        carrier: carrier_name(&c.carrier_id),
        reference: c.reference.clone(),
        display_name: c.display_name.clone(),
        versions: versions.iter().map(version_to_proto).collect(),
        create_time: Some(timestamp_to_proto(c.created_at)),
    }
}

fn draft(
    v: &mut Violations,
    from: Option<&pbc::Date>,
    to: Option<&pbc::Date>,
    terms_in: Option<&pb::ContractTerms>,
) -> Option<VersionDraft> {
    let from = date(v, "effective_from", from);
    let to = optional_date(v, "effective_to", to);
    let terms = terms::parse(&mut Parser::strict(v), "terms", terms_in);
    let span = match (from, to) {
        (Some(from), Some(to)) => Span::new(from, to)
            .map_err(|e| v.add("effective_to", e))
            .ok(),
        _ => None,
    };
    Some(VersionDraft {
        span: span?,
        terms: terms?,
    })
}

fn text(v: &mut Violations, field: &str, value: &str, max: usize) -> String {
    Parser::strict(v).text(field, value, max, true);
    value.trim().to_owned()
}

fn invalid() -> ApiError {
    ApiError::invalid("request", "is invalid")
}

pub fn new_contract(body: &pb::CreateContractRequest) -> Result<NewContract, ApiError> {
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "carrier", &body.carrier);
    let reference = text(&mut v, "reference", &body.reference, limits::REFERENCE);
    let display_name = text(
        &mut v,
        "display_name",
        &body.display_name,
        limits::DISPLAY_NAME,
    );
    let draft = draft(
        &mut v,
        body.effective_from.as_ref(),
        body.effective_to.as_ref(),
        body.terms.as_ref(),
    );
    v.into_result()?;
    let (Some(carrier_id), Some(draft)) = (carrier, draft) else {
        return Err(invalid());
    };
    Ok(NewContract {
        carrier_id,
        reference,
        display_name,
        draft,
    })
}

/// CreateContractVersion: the contract's id and the draft.
pub fn new_version(
    body: &pb::CreateContractVersionRequest,
) -> Result<(String, VersionDraft), ApiError> {
    let mut v = Violations::new();
    let contract = resource_id(&mut v, "contract", "contracts", &body.contract);
    let draft = draft(
        &mut v,
        body.effective_from.as_ref(),
        body.effective_to.as_ref(),
        body.terms.as_ref(),
    );
    v.into_result()?;
    contract.zip(draft).ok_or_else(invalid)
}

/// A version's name and etag: `(contract id, number, revision)`.
pub fn version_ref(
    v: &mut Violations,
    name_field: &str,
    name: &str,
    etag_field: &str,
    etag: &str,
) -> Option<(String, u32, i64)> {
    let name = version_name(v, name_field, name);
    let given = etag::collect(v, etag_field, etag);
    let ((contract, number), given) = (name?, given?);
    Some((contract, number, given))
}

/// UpdateContractVersion: which draft, its etag, and what changes.
pub fn version_patch(
    body: &pb::UpdateContractVersionRequest,
) -> Result<((String, u32, i64), VersionPatch), ApiError> {
    let Some(version) = &body.version else {
        return Err(ApiError::invalid("version", "is required"));
    };
    let mut v = Violations::new();
    let target = version_ref(
        &mut v,
        "version.name",
        &version.name,
        "version.etag",
        &version.etag,
    );
    let mask = UpdateMask::parse(&mut v, body.update_mask.as_ref(), &MUTABLE);
    let mut patch = VersionPatch::default();
    if mask.names("effective_from") {
        patch.effective_from = date(
            &mut v,
            "version.effective_from",
            version.effective_from.as_ref(),
        );
    }
    if mask.names("effective_to") {
        patch.effective_to = optional_date(
            &mut v,
            "version.effective_to",
            version.effective_to.as_ref(),
        );
    }
    if mask.names("terms") {
        patch.terms = terms::parse(
            &mut Parser::strict(&mut v),
            "version.terms",
            version.terms.as_ref(),
        );
    }
    v.into_result()?;
    Ok((target.ok_or_else(invalid)?, patch))
}

pub fn claim_terms_to_proto(t: &ClaimTerms, version: &str) -> pb::ClaimTerms {
    let l = &t.liability;
    pb::ClaimTerms {
        contract_version: version.to_owned(),
        currency_code: t.currency.as_str().to_owned(),
        default_per_package_limit: Some(money_to_proto(l.default_per_package_limit)),
        declared_value_coverage: l.declared_value_coverage,
        max_declared_value: l.max_declared_value.map(money_to_proto),
        per_weight_unit_limit: l.per_weight_unit_limit.map(money_to_proto),
        weight_unit: t
            .weight_unit
            .map_or(pbc::WeightUnit::Unspecified, weight_unit_to_proto)
            .into(),
        filing_window: Some(terms::window_to_proto(&t.filing_window)),
        required_documents: t
            .required_documents
            .iter()
            .map(|k| i32::from(terms::document_to_proto(*k)))
            .collect(),
        acknowledge_within_days: l.acknowledge_within_days,
        decide_within_days: l.decide_within_days,
        appeal_window_days: l.appeal_window_days,
        max_appeals: l.max_appeals,
    }
}
