//! Disputes as messages, and TransitionDispute's request as a move.

use recourse_claims_domain::dispute::{DisputeMove, DisputeStatus};
use recourse_claims_domain::limits::MAX_REASON_CHARS;
use recourse_money::{Currency, Money};
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_platform::{Violations, etag};
use recourse_proto::claims as pb;
use recourse_proto::common;

use super::{bounded_money, text};
use crate::repo::disputes::{DisputeRow, HistoryRow};

fn minor(amount_minor: i64, currency: &str) -> Option<common::Money> {
    Some(common::Money {
        amount_minor,
        currency_code: currency.to_owned(),
    })
}

pub fn status_to_proto(s: &str) -> pb::DisputeStatus {
    match DisputeStatus::parse(s) {
        Some(DisputeStatus::Open) => pb::DisputeStatus::Open,
        Some(DisputeStatus::Submitted) => pb::DisputeStatus::Submitted,
        Some(DisputeStatus::Accepted) => pb::DisputeStatus::Accepted,
        Some(DisputeStatus::PartiallyAccepted) => pb::DisputeStatus::PartiallyAccepted,
        Some(DisputeStatus::Rejected) => pb::DisputeStatus::Rejected,
        None => pb::DisputeStatus::Unspecified,
    }
}

pub fn status_from_proto(s: pb::DisputeStatus) -> Option<DisputeStatus> {
    match s {
        pb::DisputeStatus::Unspecified => None,
        pb::DisputeStatus::Open => Some(DisputeStatus::Open),
        pb::DisputeStatus::Submitted => Some(DisputeStatus::Submitted),
        pb::DisputeStatus::Accepted => Some(DisputeStatus::Accepted),
        pb::DisputeStatus::PartiallyAccepted => Some(DisputeStatus::PartiallyAccepted),
        pb::DisputeStatus::Rejected => Some(DisputeStatus::Rejected),
    }
}

pub fn dispute(d: &DisputeRow) -> pb::Dispute {
    pb::Dispute {
        name: format!("disputes/{}", d.id),
        carrier: format!("carriers/{}", d.carrier_id),
        invoice: format!("invoices/{}", d.invoice_id),
        invoice_number: d.invoice_number.clone(),
        line: u64::try_from(d.line_no).unwrap_or_default(),
        tracking_number: d.tracking_number.clone(),
        shipment: d
            .shipment_id
            .as_ref()
            .map(|s| format!("shipments/{s}"))
            .unwrap_or_default(),
        amount: minor(d.amount_minor, &d.currency),
        reason_codes: d
            .reasons
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        deadline: Some(date_to_proto(d.deadline)),
        status: status_to_proto(&d.status).into(),
        accepted_amount: d.accepted_minor.and_then(|m| minor(m, &d.currency)),
        create_time: Some(timestamp_to_proto(d.created_at)),
        update_time: Some(timestamp_to_proto(d.updated_at)),
        etag: etag::format(d.revision),
        credited_amount: minor(d.credited_minor, &d.currency),
    }
}

pub fn history_entry(h: &HistoryRow) -> pb::DisputeHistoryEntry {
    pb::DisputeHistoryEntry {
        from: status_to_proto(&h.from_status).into(),
        to: status_to_proto(&h.to_status).into(),
        time: Some(timestamp_to_proto(h.at)),
        actor: h.actor.clone(),
        note: h.note.clone(),
    }
}

/// The move, its etag's revision and note; violations into `v`.
pub fn transition(
    v: &mut Violations,
    body: &pb::TransitionDisputeRequest,
) -> Option<(i64, DisputeMove, String)> {
    let given = etag::collect(v, "etag", &body.etag);
    let note = text(v, "note", &body.note, MAX_REASON_CHARS.min(500), false);
    let mv = match body.to() {
        pb::DisputeStatus::Submitted => Some(DisputeMove::Submit),
        pb::DisputeStatus::Accepted => Some(DisputeMove::Accept),
        pb::DisputeStatus::Rejected => Some(DisputeMove::Reject),
        pb::DisputeStatus::PartiallyAccepted => {
            let amount: Option<Money> = bounded_money(
                v,
                "accepted_amount",
                body.accepted_amount.as_ref(),
                None::<Currency>,
            );
            amount.map(DisputeMove::AcceptPart)
        }
        pb::DisputeStatus::Unspecified | pb::DisputeStatus::Open => {
            v.add(
                "to",
                "must be SUBMITTED, ACCEPTED, PARTIALLY_ACCEPTED or REJECTED",
            );
            None
        }
    };
    Some((given?, mv?, note))
}
