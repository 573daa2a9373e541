//! A claim's applied terms ⇄ `AppliedTerms`. The same message is the
//! stored document of a claim's terms (`claims.terms`), so this is also
//! the one place it is decoded.

use chrono::NaiveDate;
use recourse_claims_domain::claim::{AppliedTerms, CapBasis};
use recourse_claims_domain::deadline::{Anchor, Deadline, Window};
use recourse_money::{Currency, Money};
use recourse_platform::proto_types::{date_from_proto, date_to_proto};
use recourse_proto::claims as pb;
use recourse_proto::common;
use recourse_proto::contracts as cpb;

use super::{document_kind_from_proto, document_kind_to_proto, money};

/// A stored or replayed message that does not decode: a bug or a hand
/// edit, never user input.
#[derive(Debug, thiserror::Error)]
#[error("corrupt {what} of {subject}")]
pub struct Corrupt {
    pub what: &'static str,
    pub subject: String,
}

pub fn corrupt(what: &'static str, subject: &str) -> Corrupt {
    Corrupt {
        what,
        subject: subject.to_owned(),
    }
}

fn anchor_to_proto(a: Anchor) -> cpb::FilingAnchor {
    match a {
        Anchor::ShipDate => cpb::FilingAnchor::ShipDate,
        Anchor::ScheduledDelivery => cpb::FilingAnchor::ScheduledDelivery,
        Anchor::ActualDelivery => cpb::FilingAnchor::ActualDelivery,
        Anchor::InvoiceDate => cpb::FilingAnchor::InvoiceDate,
    }
}

/// A filing anchor; unspecified (or unknown) is the ship date, the
/// contracts' default.
pub fn anchor_from_proto(value: i32) -> Anchor {
    match cpb::FilingAnchor::try_from(value) {
        Ok(cpb::FilingAnchor::ScheduledDelivery) => Anchor::ScheduledDelivery,
        Ok(cpb::FilingAnchor::ActualDelivery) => Anchor::ActualDelivery,
        Ok(cpb::FilingAnchor::InvoiceDate) => Anchor::InvoiceDate,
        Ok(cpb::FilingAnchor::ShipDate | cpb::FilingAnchor::Unspecified) | Err(_) => {
            Anchor::ShipDate
        }
    }
}

fn date(d: NaiveDate) -> Option<common::Date> {
    Some(date_to_proto(d))
}

pub fn to_proto(t: &AppliedTerms) -> pb::AppliedTerms {
    let (days, months) = match t.window {
        Window::Days(days) => (days, 0),
        Window::Months(months) => (0, months),
    };
    pb::AppliedTerms {
        contract_version: t.contract_version.clone(),
        liability_cap: money(t.liability_cap),
        filing_deadline: date(t.deadline.last_day),
        deadline_anchor: anchor_to_proto(t.deadline.anchor).into(),
        required_documents: t
            .required_documents
            .iter()
            .map(|k| document_kind_to_proto(*k).into())
            .collect(),
        acknowledge_due: date(t.acknowledge_due),
        decision_due: date(t.decision_due),
        late_filing_justification: t.late_filing_justification.clone(),
        named_anchor: anchor_to_proto(t.named_anchor).into(),
        anchor_date: date(t.deadline.anchor_date),
        anchor_fallback: t.deadline.fallback.clone().unwrap_or_default(),
        filing_window_days: days,
        filing_window_months: months,
        decide_within_days: t.decide_within_days,
        appeal_window_days: t.appeal_window_days,
        max_appeals: t.max_appeals,
        cap_basis: t.cap_basis.code().to_owned(),
    }
}

/// Decodes terms of a claim in `currency` (`subject` names it in errors).
pub fn from_proto(
    t: &pb::AppliedTerms,
    currency: Currency,
    subject: &str,
) -> Result<AppliedTerms, Corrupt> {
    let day = |d: Option<&common::Date>, what| {
        d.and_then(date_from_proto)
            .ok_or_else(|| corrupt(what, subject))
    };
    let last_day = day(t.filing_deadline.as_ref(), "terms.filing_deadline")?;
    let cap = t
        .liability_cap
        .as_ref()
        .ok_or_else(|| corrupt("terms.liability_cap", subject))?;
    Ok(AppliedTerms {
        contract_version: t.contract_version.clone(),
        liability_cap: Money::new(cap.amount_minor, currency),
        // Terms stored before the basis was recorded were all liability terms.
        cap_basis: CapBasis::from_code(&t.cap_basis).unwrap_or(CapBasis::LiabilityTerms),
        named_anchor: anchor_from_proto(t.named_anchor),
        window: if t.filing_window_months > 0 {
            Window::Months(t.filing_window_months)
        } else {
            Window::Days(t.filing_window_days)
        },
        deadline: Deadline {
            last_day,
            anchor: anchor_from_proto(t.deadline_anchor),
            anchor_date: t
                .anchor_date
                .as_ref()
                .and_then(date_from_proto)
                .unwrap_or(last_day),
            fallback: Some(t.anchor_fallback.clone()).filter(|f| !f.is_empty()),
        },
        required_documents: t
            .required_documents
            .iter()
            .filter_map(|k| document_kind_from_proto(*k))
            .collect(),
        acknowledge_due: day(t.acknowledge_due.as_ref(), "terms.acknowledge_due")?,
        decision_due: day(t.decision_due.as_ref(), "terms.decision_due")?,
        late_filing_justification: t.late_filing_justification.clone(),
        decide_within_days: t.decide_within_days,
        appeal_window_days: t.appeal_window_days,
        max_appeals: t.max_appeals,
    })
}
