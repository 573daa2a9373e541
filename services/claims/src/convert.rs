//! Claims ⇄ protobuf.

use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_platform::etag;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;
use recourse_proto::common::Money;

use crate::repo::claims::{ClaimRecord, HistoryRecord};
use crate::repo::entity::document;

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

pub fn money(amount_minor: i64, currency: &str) -> Option<Money> {
    Some(Money {
        amount_minor,
        currency_code: currency.to_owned(),
    })
}

pub fn document_to_proto(d: &document::Model) -> pb::Document {
    pb::Document {
        name: format!("claims/{}/documents/{}", d.claim_id, d.id),
        kind: recourse_proto::contracts::DocumentKind::from_str_name(&d.kind)
            .map(i32::from)
            .unwrap_or_default(),
        file_name: d.file_name.clone(),
        size_bytes: u64::try_from(d.size_bytes).unwrap_or_default(),
        sha256: d.sha256.clone(),
        storage_uri: d.storage_uri.clone(),
        content_verified: d.verified,
        create_time: Some(timestamp_to_proto(d.created_at)),
    }
}

pub fn claim_to_proto(c: &ClaimRecord, documents: &[document::Model]) -> pb::Claim {
    let cur = c.currency.as_str();
    pb::Claim {
        name: format!("claims/{}", c.id),
        number: c.number.clone(),
        carrier: format!("carriers/{}", c.carrier_id),
        shipment: format!("shipments/{}", c.shipment_id),
        tracking_number: c.tracking_number.clone(),
        service_level: c.service_level.clone(),
        r#type: c.claim_type,
        status: status_to_proto(c.status).into(),
        claimant: Some(c.claimant.clone()),
        line_items: c.line_items.clone(),
        declared_value: c.declared_value_minor.and_then(|m| money(m, cur)),
        claimed_amount: money(c.claimed_minor, cur),
        notes: c.notes.clone(),
        terms: c.terms.clone(),
        approved_amount: c.approved_minor.and_then(|m| money(m, cur)),
        recovered_amount: money(c.recovered_minor, cur),
        written_off_amount: money(c.written_off_minor, cur),
        documents: documents.iter().map(document_to_proto).collect(),
        submit_time: c.submitted_at.map(timestamp_to_proto),
        approve_time: c.approved_at.map(timestamp_to_proto),
        create_time: Some(timestamp_to_proto(c.created_at)),
        update_time: Some(timestamp_to_proto(c.updated_at)),
        etag: etag::format(c.revision),
        filed_by: c.filed_by.clone(),
        filed_by_role: c.filed_by_role.clone(),
        filing_account: c.filing_account.clone(),
    }
}

pub fn history_to_proto(h: &HistoryRecord, currency: &str) -> pb::HistoryEntry {
    pb::HistoryEntry {
        from: status_to_proto(h.from).into(),
        to: status_to_proto(h.to).into(),
        actor: h.actor.clone(),
        actor_role: h.actor_role.clone(),
        reason: h.reason.clone(),
        time: Some(timestamp_to_proto(h.at)),
        amount: h.amount_minor.and_then(|m| money(m, currency)),
    }
}

pub fn date_out(date: chrono::NaiveDate) -> Option<recourse_proto::common::Date> {
    Some(date_to_proto(date))
}
