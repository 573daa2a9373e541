//! Escalations as messages, and their requests parsed.

use recourse_claims_domain::escalation::{EscalationKind, EscalationState};
use recourse_claims_domain::limits::MAX_REASON_CHARS;
use recourse_platform::field_mask::UpdateMask;
use recourse_platform::proto_types::{date_in_range, date_to_proto, timestamp_to_proto};
use recourse_platform::{Violations, etag};
use recourse_proto::claims as pb;

use super::{carrier_id, text};
use crate::escalations::{EscalationPatch, NewEscalation};
use crate::repo::escalations::{EscalationRow, NoteRow};

/// A summary's and an owner's length.
const SUMMARY_CHARS: usize = 500;
const OWNER_CHARS: usize = 200;

pub fn kind_to_proto(s: &str) -> pb::EscalationKind {
    match EscalationKind::parse(s) {
        Some(EscalationKind::ClaimAcknowledgementOverdue) => {
            pb::EscalationKind::ClaimAcknowledgementOverdue
        }
        Some(EscalationKind::ClaimDecisionOverdue) => pb::EscalationKind::ClaimDecisionOverdue,
        Some(EscalationKind::ClaimStatusReminder) => pb::EscalationKind::ClaimStatusReminder,
        Some(EscalationKind::DisputeDeadline) => pb::EscalationKind::DisputeDeadline,
        Some(EscalationKind::Manual) => pb::EscalationKind::Manual,
        Some(EscalationKind::RefundWindowClosing) => pb::EscalationKind::RefundWindowClosing,
        Some(EscalationKind::SlaBreachWithoutCredit) => pb::EscalationKind::SlaBreachWithoutCredit,
        None => pb::EscalationKind::Unspecified,
    }
}

pub fn kind_from_proto(k: pb::EscalationKind) -> Option<EscalationKind> {
    match k {
        pb::EscalationKind::Unspecified => None,
        pb::EscalationKind::ClaimAcknowledgementOverdue => {
            Some(EscalationKind::ClaimAcknowledgementOverdue)
        }
        pb::EscalationKind::ClaimDecisionOverdue => Some(EscalationKind::ClaimDecisionOverdue),
        pb::EscalationKind::ClaimStatusReminder => Some(EscalationKind::ClaimStatusReminder),
        pb::EscalationKind::DisputeDeadline => Some(EscalationKind::DisputeDeadline),
        pb::EscalationKind::Manual => Some(EscalationKind::Manual),
        pb::EscalationKind::RefundWindowClosing => Some(EscalationKind::RefundWindowClosing),
        pb::EscalationKind::SlaBreachWithoutCredit => Some(EscalationKind::SlaBreachWithoutCredit),
    }
}

pub fn state_to_proto(s: &str) -> pb::EscalationState {
    match EscalationState::parse(s) {
        Some(EscalationState::Open) => pb::EscalationState::Open,
        Some(EscalationState::InProgress) => pb::EscalationState::InProgress,
        Some(EscalationState::Resolved) => pb::EscalationState::Resolved,
        None => pb::EscalationState::Unspecified,
    }
}

pub fn state_from_proto(s: pb::EscalationState) -> Option<EscalationState> {
    match s {
        pb::EscalationState::Unspecified => None,
        pb::EscalationState::Open => Some(EscalationState::Open),
        pb::EscalationState::InProgress => Some(EscalationState::InProgress),
        pb::EscalationState::Resolved => Some(EscalationState::Resolved),
    }
}

pub fn escalation(e: &EscalationRow, notes: &[NoteRow]) -> pb::Escalation {
    pb::Escalation {
        name: format!("escalations/{}", e.id),
        kind: kind_to_proto(&e.kind).into(),
        subject: e.subject.clone(),
        carrier: if e.carrier_id.is_empty() {
            String::new()
        } else {
            format!("carriers/{}", e.carrier_id)
        },
        owner: e.owner.clone(),
        due_date: Some(date_to_proto(e.due_date)),
        state: state_to_proto(&e.state).into(),
        summary: e.summary.clone(),
        notes: notes
            .iter()
            .map(|n| pb::EscalationNote {
                time: Some(timestamp_to_proto(n.at)),
                author: n.author.clone(),
                text: n.text.clone(),
            })
            .collect(),
        create_time: Some(timestamp_to_proto(e.created_at)),
        update_time: Some(timestamp_to_proto(e.updated_at)),
        etag: etag::format(e.revision),
    }
}

/// `claims/{id}`, `disputes/{id}`, `shipments/{id}`, `invoices/{id}` or
/// `webhookEndpoints/{id}` (raised by the webhooks service when it
/// disables an endpoint after persistent failure).
fn subject(v: &mut Violations, value: &str) -> String {
    let ok = [
        "claims/",
        "disputes/",
        "shipments/",
        "invoices/",
        "webhookEndpoints/",
    ]
    .iter()
    .any(|p| {
        value.strip_prefix(p).is_some_and(|id| {
            uuid::Uuid::parse_str(id).is_ok_and(|u| u.hyphenated().to_string() == id)
        })
    });
    v.check(
        ok,
        "subject",
        "must be claims/{id}, disputes/{id}, shipments/{id}, invoices/{id} or webhookEndpoints/{id}",
    );
    value.to_owned()
}

pub fn new_escalation(
    v: &mut Violations,
    body: &pb::CreateEscalationRequest,
    caller_subject: &str,
) -> Option<NewEscalation> {
    let subject = subject(v, &body.subject);
    let carrier = match body.carrier.as_str() {
        "" => Some(String::new()),
        name => carrier_id(v, "carrier", name),
    };
    let owner = text(v, "owner", &body.owner, OWNER_CHARS, false);
    let due_date = date_in_range(v, "due_date", body.due_date.as_ref());
    let summary = text(v, "summary", &body.summary, SUMMARY_CHARS, true);
    Some(NewEscalation {
        subject,
        carrier_id: carrier?,
        owner: if owner.is_empty() {
            caller_subject.to_owned()
        } else {
            owner
        },
        due_date: due_date?,
        summary,
    })
}

pub fn patch(
    v: &mut Violations,
    body: &pb::UpdateEscalationRequest,
) -> Option<(i64, EscalationPatch)> {
    let given = etag::collect(v, "etag", &body.etag);
    let note = text(v, "note", &body.note, MAX_REASON_CHARS, false);
    let named = body
        .update_mask
        .as_ref()
        .is_some_and(|m| !m.paths.is_empty());
    let mut out = EscalationPatch {
        note,
        ..EscalationPatch::default()
    };
    if !named && out.note.is_empty() {
        v.add("update_mask", "must name a field, or send a note");
    }
    if named {
        let mask = UpdateMask::parse(
            v,
            body.update_mask.as_ref(),
            &["owner", "state", "due_date"],
        );
        if mask.names("owner") {
            out.owner = Some(text(v, "owner", &body.owner, OWNER_CHARS, false));
        }
        if mask.names("state") {
            out.state = state_from_proto(body.state());
            if out.state.is_none() {
                v.add("state", "must be OPEN, IN_PROGRESS or RESOLVED");
            }
        }
        if mask.names("due_date") {
            out.due_date = date_in_range(v, "due_date", body.due_date.as_ref());
        }
    }
    Some((given?, out))
}
