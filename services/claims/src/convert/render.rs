//! Claims, their documents and history, overdue clocks and delay-claim
//! runs rendered as responses and event payloads.

use recourse_claims_domain::claim::{Claim, Claimant, Document, HistoryEntry, LineItem};
use recourse_claims_domain::deadline::Clock;
use recourse_platform::etag;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;

use super::{claim_type_to_proto, claimant_kind_to_proto, document_kind_to_proto, money};
use super::{status_to_proto, terms};
use crate::claims::OverdueClaim;
use crate::delay::{DelayOutcome, SkipReason};

pub fn claimant(c: &Claimant) -> pb::Claimant {
    pb::Claimant {
        kind: claimant_kind_to_proto(c.kind).into(),
        name: c.name.clone(),
        on_behalf_of: c.on_behalf_of.clone(),
    }
}

pub fn line_item(i: &LineItem) -> pb::LineItem {
    pb::LineItem {
        sku: i.sku.clone(),
        description: i.description.clone(),
        quantity: i.quantity,
        unit_value: money(i.unit_value),
    }
}

pub fn document(d: &Document) -> pb::Document {
    pb::Document {
        name: format!("claims/{}/documents/{}", d.claim_id, d.id),
        kind: document_kind_to_proto(d.kind).into(),
        file_name: d.file_name.clone(),
        size_bytes: d.size_bytes,
        sha256: d.sha256.clone(),
        storage_uri: d.storage_uri.clone(),
        content_verified: d.verified,
        create_time: Some(timestamp_to_proto(d.created_at)),
    }
}

pub fn claim(c: &Claim) -> pb::Claim {
    pb::Claim {
        name: format!("claims/{}", c.id),
        number: c.number.clone(),
        carrier: format!("carriers/{}", c.carrier_id),
        shipment: format!("shipments/{}", c.shipment_id),
        tracking_number: c.tracking_number.clone(),
        service_level: c.service_level.clone(),
        r#type: claim_type_to_proto(c.claim_type).into(),
        status: status_to_proto(c.status).into(),
        claimant: Some(claimant(&c.claimant)),
        line_items: c.line_items.iter().map(line_item).collect(),
        declared_value: c.declared_value.and_then(money),
        claimed_amount: money(c.claimed),
        notes: c.notes.clone(),
        terms: c.terms.as_ref().map(terms::to_proto),
        approved_amount: c.approved.and_then(money),
        recovered_amount: money(c.recovered),
        written_off_amount: money(c.written_off),
        documents: c.documents.iter().map(document).collect(),
        submit_time: c.submitted_at.map(timestamp_to_proto),
        approve_time: c.approved_at.map(timestamp_to_proto),
        create_time: Some(timestamp_to_proto(c.created_at)),
        update_time: Some(timestamp_to_proto(c.updated_at)),
        etag: etag::format(c.revision),
        filed_by: c.filer.subject.clone(),
        filed_by_role: c.filer.role.clone(),
        filing_account: c.filer.account.clone(),
    }
}

pub fn history(h: &HistoryEntry) -> pb::HistoryEntry {
    pb::HistoryEntry {
        from: status_to_proto(h.from).into(),
        to: status_to_proto(h.to).into(),
        actor: h.actor.clone(),
        actor_role: h.actor_role.clone(),
        reason: h.reason.clone(),
        time: Some(timestamp_to_proto(h.at)),
        amount: h.amount.and_then(money),
    }
}

pub fn overdue(o: &OverdueClaim) -> pb::OverdueClaim {
    pb::OverdueClaim {
        claim: Some(claim(&o.claim)),
        clock: match o.clock {
            Clock::Acknowledgement => "ACKNOWLEDGEMENT",
            Clock::Decision => "DECISION",
        }
        .to_owned(),
        due: Some(date_to_proto(o.due)),
        days_overdue: o.days_overdue,
    }
}

pub fn delay_outcome(o: &DelayOutcome) -> pb::CreateDelayClaimsResponse {
    pb::CreateDelayClaimsResponse {
        claims: o.claims.iter().map(claim).collect(),
        skipped: u32::try_from(o.skipped.len()).unwrap_or(u32::MAX),
        skipped_candidates: o
            .skipped
            .iter()
            .map(|s| pb::SkippedCandidate {
                shipment: format!("shipments/{}", s.shipment_id),
                reason: match s.reason {
                    SkipReason::AlreadyClaimed => "ALREADY_CLAIMED",
                    SkipReason::NoRefundAmount => "NO_REFUND_AMOUNT",
                }
                .to_owned(),
                detail: s.detail.clone(),
                existing_claim: s
                    .existing_claim
                    .as_ref()
                    .map(|id| format!("claims/{id}"))
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// The change an event reports (`Event.change`).
pub fn change(c: &Claim, change: &crate::claims::Change<'_>) -> pb::ClaimChange {
    pb::ClaimChange {
        from_status: status_to_proto(change.from).into(),
        to_status: status_to_proto(c.status).into(),
        amount: change.amount.and_then(money),
        change_time: Some(timestamp_to_proto(c.updated_at)),
        remittance: change
            .remittance
            .map(|(id, _)| format!("remittances/{id}"))
            .unwrap_or_default(),
        remittance_date: change
            .remittance
            .map(|(_, date)| recourse_platform::proto_types::date_to_proto(date)),
    }
}
