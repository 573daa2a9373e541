//! What we rendered, decoded back: the stored answer of an idempotent call
//! (a retry gets the first answer, which the use case returns as a domain
//! value like any other) and a claim's stored line items and terms.

use chrono::{DateTime, Utc};
use prost::Message as _;
use recourse_claims_domain::claim::{AppliedTerms, Claim, Claimant, Document, Filer, LineItem};
use recourse_claims_domain::remittance::{Remittance, RemittanceLine, WriteOff};
use recourse_money::{Currency, Money};
use recourse_platform::etag;
use recourse_platform::proto_types::{date_from_proto, timestamp_from_proto};
use recourse_proto::claims as pb;
use recourse_proto::common;

use super::terms::{self, Corrupt, corrupt};
use super::{claim_type_from_proto, claimant_kind_from_proto, document_kind_from_proto};
use super::{recoveries, remittance_kind_from_proto, render, status_from_proto};

/// A use case's answer that is stored for replay as the message the API
/// returns, and read back into the same domain value.
pub trait Replayable: Sized {
    type Wire: prost::Message + Default;
    fn to_wire(&self) -> Self::Wire;
    fn from_wire(wire: Self::Wire) -> Result<Self, Corrupt>;
}

fn money_of(
    m: Option<&common::Money>,
    what: &'static str,
    subject: &str,
) -> Result<Money, Corrupt> {
    let m = m.ok_or_else(|| corrupt(what, subject))?;
    let currency = Currency::parse(&m.currency_code).map_err(|_| corrupt(what, subject))?;
    Ok(Money::new(m.amount_minor, currency))
}

fn time_of(t: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(timestamp_from_proto)
}

fn line_item(i: &pb::LineItem, subject: &str) -> Result<LineItem, Corrupt> {
    Ok(LineItem {
        sku: i.sku.clone(),
        description: i.description.clone(),
        quantity: i.quantity,
        unit_value: money_of(i.unit_value.as_ref(), "line item", subject)?,
    })
}

/// A claim's line items as stored (`claims.line_items`).
pub fn encode_line_items(items: &[LineItem]) -> Vec<u8> {
    pb::LineItemList {
        items: items.iter().map(render::line_item).collect(),
    }
    .encode_to_vec()
}

pub fn decode_line_items(bytes: &[u8], subject: &str) -> Result<Vec<LineItem>, Corrupt> {
    let list = pb::LineItemList::decode(bytes).map_err(|_| corrupt("line items", subject))?;
    list.items.iter().map(|i| line_item(i, subject)).collect()
}

/// A claim's applied terms as stored (`claims.terms`).
pub fn encode_terms(t: &AppliedTerms) -> Vec<u8> {
    terms::to_proto(t).encode_to_vec()
}

pub fn decode_terms(
    bytes: &[u8],
    currency: Currency,
    subject: &str,
) -> Result<AppliedTerms, Corrupt> {
    let proto = pb::AppliedTerms::decode(bytes).map_err(|_| corrupt("terms", subject))?;
    terms::from_proto(&proto, currency, subject)
}

fn document(d: &pb::Document) -> Result<Document, Corrupt> {
    let (claim_id, id) = d
        .name
        .strip_prefix("claims/")
        .and_then(|rest| rest.split_once("/documents/"))
        .ok_or_else(|| corrupt("document name", &d.name))?;
    Ok(Document {
        id: id.to_owned(),
        claim_id: claim_id.to_owned(),
        kind: document_kind_from_proto(d.kind).ok_or_else(|| corrupt("document kind", &d.name))?,
        file_name: d.file_name.clone(),
        size_bytes: d.size_bytes,
        sha256: d.sha256.clone(),
        storage_uri: d.storage_uri.clone(),
        verified: d.content_verified,
        created_at: time_of(d.create_time.as_ref()).unwrap_or_default(),
    })
}

impl Replayable for Claim {
    type Wire = pb::Claim;

    fn to_wire(&self) -> pb::Claim {
        render::claim(self)
    }

    fn from_wire(c: pb::Claim) -> Result<Claim, Corrupt> {
        let subject = c.name.as_str();
        let claimed = money_of(c.claimed_amount.as_ref(), "claimed amount", subject)?;
        let currency = claimed.currency();
        let claimant = c
            .claimant
            .as_ref()
            .ok_or_else(|| corrupt("claimant", subject))?;
        let optional = |m: Option<&common::Money>| m.map(|m| Money::new(m.amount_minor, currency));
        Ok(Claim {
            id: subject.trim_start_matches("claims/").to_owned(),
            number: c.number.clone(),
            carrier_id: c.carrier.trim_start_matches("carriers/").to_owned(),
            shipment_id: c.shipment.trim_start_matches("shipments/").to_owned(),
            tracking_number: c.tracking_number.clone(),
            service_level: c.service_level.clone(),
            claim_type: claim_type_from_proto(c.r#type).ok_or_else(|| corrupt("type", subject))?,
            status: status_from_proto(c.status).ok_or_else(|| corrupt("status", subject))?,
            claimant: Claimant {
                kind: claimant_kind_from_proto(claimant.kind)
                    .ok_or_else(|| corrupt("claimant", subject))?,
                name: claimant.name.clone(),
                on_behalf_of: claimant.on_behalf_of.clone(),
            },
            line_items: c
                .line_items
                .iter()
                .map(|i| line_item(i, subject))
                .collect::<Result<_, _>>()?,
            claimed,
            declared_value: optional(c.declared_value.as_ref()),
            notes: c.notes.clone(),
            terms: c
                .terms
                .as_ref()
                .map(|t| terms::from_proto(t, currency, subject))
                .transpose()?,
            approved: optional(c.approved_amount.as_ref()),
            recovered: optional(c.recovered_amount.as_ref()).unwrap_or(Money::zero(currency)),
            written_off: optional(c.written_off_amount.as_ref()).unwrap_or(Money::zero(currency)),
            documents: c.documents.iter().map(document).collect::<Result<_, _>>()?,
            submitted_at: time_of(c.submit_time.as_ref()),
            approved_at: time_of(c.approve_time.as_ref()),
            revision: etag::parse("etag", &c.etag).map_err(|_| corrupt("etag", subject))?,
            created_at: time_of(c.create_time.as_ref()).unwrap_or_default(),
            updated_at: time_of(c.update_time.as_ref()).unwrap_or_default(),
            filer: Filer {
                subject: c.filed_by.clone(),
                role: c.filed_by_role.clone(),
                account: c.filing_account.clone(),
            },
        })
    }
}

impl Replayable for Remittance {
    type Wire = pb::Remittance;

    fn to_wire(&self) -> pb::Remittance {
        recoveries::remittance(self)
    }

    fn from_wire(r: pb::Remittance) -> Result<Remittance, Corrupt> {
        let subject = r.name.as_str();
        let amount = money_of(r.amount.as_ref(), "amount", subject)?;
        let in_currency = |m: Option<&common::Money>| {
            Money::new(m.map_or(0, |m| m.amount_minor), amount.currency())
        };
        Ok(Remittance {
            id: subject.trim_start_matches("remittances/").to_owned(),
            carrier_id: r.carrier.trim_start_matches("carriers/").to_owned(),
            kind: remittance_kind_from_proto(r.kind).ok_or_else(|| corrupt("kind", subject))?,
            reference: r.reference.clone(),
            invoice_reference: r.invoice_reference.clone(),
            date: r
                .remittance_date
                .as_ref()
                .and_then(date_from_proto)
                .ok_or_else(|| corrupt("date", subject))?,
            amount,
            allocated: in_currency(r.allocated.as_ref()),
            lines: r
                .lines
                .iter()
                .map(|l| RemittanceLine {
                    claim_ref: l.claim.clone(),
                    tracking_number: l.tracking_number.clone(),
                    amount: in_currency(l.amount.as_ref()),
                    allocated_claim: l.allocated_claim.strip_prefix("claims/").map(str::to_owned),
                    allocated: in_currency(l.allocated_amount.as_ref()),
                    unmatched_reason: l.unmatched_reason.clone(),
                    dispute_ref: l.dispute.clone(),
                    allocated_dispute: l
                        .allocated_dispute
                        .strip_prefix("disputes/")
                        .map(str::to_owned),
                })
                .collect(),
            created_at: time_of(r.create_time.as_ref()).unwrap_or_default(),
        })
    }
}

impl Replayable for WriteOff {
    type Wire = pb::WriteOff;

    fn to_wire(&self) -> pb::WriteOff {
        recoveries::write_off(self)
    }

    fn from_wire(w: pb::WriteOff) -> Result<WriteOff, Corrupt> {
        Ok(WriteOff {
            claim_id: w.claim.trim_start_matches("claims/").to_owned(),
            amount: money_of(w.amount.as_ref(), "amount", &w.claim)?,
            reason: w.reason.clone(),
            actor: w.actor.clone(),
            at: time_of(w.time.as_ref()).unwrap_or_default(),
        })
    }
}
