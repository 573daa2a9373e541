//! Remittances, write-offs and reconciliation ⇄ protobuf.

use recourse_claims_domain::limits::{MAX_LINES_PER_REMITTANCE, MAX_REFERENCE_CHARS};
use recourse_claims_domain::reconciliation::Row;
use recourse_claims_domain::remittance::{Remittance, RemittanceKind, WriteOff, lines_fit};
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;

use recourse_platform::proto_types::date_in_range;

use super::{bounded_money, carrier_id, money, remittance_kind_from_proto};
use super::{remittance_kind_to_proto, text};
use crate::recoveries::{NewLine, NewRemittance};

/// A remittance to record: every field checked, its lines at most
/// [`MAX_LINES_PER_REMITTANCE`] and adding up to at most its amount.
pub fn new_remittance(r: Option<&pb::Remittance>) -> Result<NewRemittance, ApiError> {
    let Some(r) = r else {
        return Err(ApiError::invalid("remittance", "is required"));
    };
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "remittance.carrier", &r.carrier);
    let kind = remittance_kind_from_proto(r.kind);
    v.check(
        kind.is_some(),
        "remittance.kind",
        "must be PAYMENT or CREDIT_MEMO",
    );
    let reference = text(
        &mut v,
        "remittance.reference",
        &r.reference,
        MAX_REFERENCE_CHARS,
        true,
    );
    let invoice_reference = text(
        &mut v,
        "remittance.invoice_reference",
        &r.invoice_reference,
        MAX_REFERENCE_CHARS,
        kind == Some(RemittanceKind::CreditMemo),
    );
    let date = date_in_range(
        &mut v,
        "remittance.remittance_date",
        r.remittance_date.as_ref(),
    );
    let amount = bounded_money(&mut v, "remittance.amount", r.amount.as_ref(), None);
    if let Some(a) = amount {
        v.check(
            a.amount_minor() > 0,
            "remittance.amount.amount_minor",
            "must be positive",
        );
    }
    if r.lines.len() > MAX_LINES_PER_REMITTANCE {
        v.add(
            "remittance.lines",
            format!(
                "must have at most {MAX_LINES_PER_REMITTANCE} lines (has {}); split the remittance",
                r.lines.len()
            ),
        );
    }
    let mut lines = Vec::with_capacity(r.lines.len());
    for (i, l) in r.lines.iter().enumerate() {
        let at = format!("remittance.lines[{i}]");
        let claim_ref = text(
            &mut v,
            &format!("{at}.claim"),
            &l.claim,
            MAX_REFERENCE_CHARS,
            false,
        );
        let tracking_number = text(
            &mut v,
            &format!("{at}.tracking_number"),
            &l.tracking_number,
            MAX_REFERENCE_CHARS,
            false,
        );
        let dispute_ref = text(
            &mut v,
            &format!("{at}.dispute"),
            &l.dispute,
            MAX_REFERENCE_CHARS,
            false,
        );
        if !dispute_ref.is_empty() {
            v.check(
                dispute_ref
                    .strip_prefix("disputes/")
                    .is_some_and(|id| !id.is_empty() && !id.contains('/')),
                format!("{at}.dispute"),
                "must be disputes/{id}",
            );
            v.check(
                claim_ref.is_empty(),
                format!("{at}.claim"),
                "name a claim or a dispute, not both",
            );
        }
        v.check(
            !claim_ref.is_empty() || !tracking_number.is_empty() || !dispute_ref.is_empty(),
            format!("{at}.claim"),
            "name a claim, a dispute or a tracking number",
        );
        let line_amount = bounded_money(
            &mut v,
            &format!("{at}.amount"),
            l.amount.as_ref(),
            amount.map(|a| a.currency()),
        );
        if let Some(m) = line_amount {
            v.check(
                m.amount_minor() > 0,
                format!("{at}.amount.amount_minor"),
                "must be positive",
            );
            lines.push(NewLine {
                claim_ref,
                dispute_ref,
                tracking_number,
                amount: m,
            });
        }
    }
    if let Some(a) = amount
        && lines.len() == r.lines.len()
    {
        v.check(
            lines_fit(a, lines.iter().map(|l| l.amount)),
            "remittance.lines",
            format!("must not add up to more than the remittance ({a})"),
        );
    }
    v.into_result()?;
    let (Some(carrier_id), Some(kind), Some(date), Some(amount)) = (carrier, kind, date, amount)
    else {
        return Err(ApiError::invalid("remittance", "is invalid"));
    };
    Ok(NewRemittance {
        carrier_id,
        kind,
        reference,
        invoice_reference,
        date,
        amount,
        lines,
    })
}

pub fn remittance(r: &Remittance) -> pb::Remittance {
    pb::Remittance {
        name: format!("remittances/{}", r.id),
        carrier: format!("carriers/{}", r.carrier_id),
        kind: remittance_kind_to_proto(r.kind).into(),
        reference: r.reference.clone(),
        invoice_reference: r.invoice_reference.clone(),
        remittance_date: Some(date_to_proto(r.date)),
        amount: money(r.amount),
        lines: r
            .lines
            .iter()
            .map(|l| pb::RemittanceLine {
                claim: l.claim_ref.clone(),
                tracking_number: l.tracking_number.clone(),
                amount: money(l.amount),
                allocated_claim: l
                    .allocated_claim
                    .as_ref()
                    .map(|id| format!("claims/{id}"))
                    .unwrap_or_default(),
                allocated_amount: money(l.allocated),
                unmatched_reason: l.unmatched_reason.clone(),
                dispute: l.dispute_ref.clone(),
                allocated_dispute: l
                    .allocated_dispute
                    .as_ref()
                    .map(|id| format!("disputes/{id}"))
                    .unwrap_or_default(),
            })
            .collect(),
        allocated: money(r.allocated),
        unallocated: money(r.unallocated()),
        create_time: Some(timestamp_to_proto(r.created_at)),
    }
}

pub fn write_off(w: &WriteOff) -> pb::WriteOff {
    pb::WriteOff {
        claim: format!("claims/{}", w.claim_id),
        amount: money(w.amount),
        reason: w.reason.clone(),
        actor: w.actor.clone(),
        time: Some(timestamp_to_proto(w.at)),
    }
}

pub fn reconciliation_row(r: &Row) -> pb::ReconciliationRow {
    pb::ReconciliationRow {
        carrier: format!("carriers/{}", r.carrier),
        currency_code: r.currency.as_str().to_owned(),
        claims: r.claims,
        claimed: money(r.claimed),
        approved: money(r.approved),
        recovered: money(r.recovered),
        written_off: money(r.written_off),
        outstanding: money(r.outstanding),
        aging: Some(pb::AgingBuckets {
            days_0_30: money(r.aging.days_0_30),
            days_31_60: money(r.aging.days_31_60),
            days_61_90: money(r.aging.days_61_90),
            days_over_90: money(r.aging.days_over_90),
        }),
        unallocated_remittances: money(r.unallocated),
        disputes: r.disputes.count,
        disputed: money(r.disputes.disputed),
        credited: money(r.disputes.credited),
        dispute_outstanding: money(r.disputes.outstanding),
        dispute_declined: money(r.disputes.declined),
        bonuses_payable: money(r.bonuses_payable),
    }
}
