//! Parsing of remittances (from RecordRemittance and from CSV rows).

use recourse_platform::proto_types::date_from_proto;
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;

use super::super::{bounded_money, carrier_id};
use crate::recoveries::{NewLine, NewRemittance};

pub fn text(v: &mut Violations, field: &str, value: &str, max: usize, required: bool) -> String {
    let value = value.trim();
    v.check(
        (!required || !value.is_empty()) && value.len() <= max,
        field,
        format!("must be {}-{max} characters", u8::from(required)),
    );
    value.to_owned()
}

/// Validates a remittance message into the use case's input.
pub fn new_remittance(r: Option<&pb::Remittance>) -> Result<NewRemittance, ApiError> {
    let Some(r) = r else {
        return Err(ApiError::invalid("remittance", "is required"));
    };
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "remittance.carrier", &r.carrier);
    let kind = pb::RemittanceKind::try_from(r.kind)
        .ok()
        .filter(|k| *k != pb::RemittanceKind::Unspecified);
    v.check(
        kind.is_some(),
        "remittance.kind",
        "must be PAYMENT or CREDIT_MEMO",
    );
    let reference = text(&mut v, "remittance.reference", &r.reference, 64, true);
    let invoice_reference = text(
        &mut v,
        "remittance.invoice_reference",
        &r.invoice_reference,
        64,
        false,
    );
    if kind == Some(pb::RemittanceKind::CreditMemo) {
        v.check(
            !invoice_reference.is_empty(),
            "remittance.invoice_reference",
            "is required for a credit memo",
        );
    }
    let date = r.remittance_date.as_ref().and_then(date_from_proto);
    v.check(
        date.is_some(),
        "remittance.remittance_date",
        "must be a valid calendar date",
    );
    let amount = bounded_money(&mut v, "remittance.amount", r.amount.as_ref(), None);
    if let Some(a) = amount {
        v.check(
            a.amount_minor() > 0,
            "remittance.amount.amount_minor",
            "must be positive",
        );
    }
    let mut lines = Vec::new();
    let mut total = 0i64;
    for (i, l) in r.lines.iter().enumerate() {
        let at = format!("remittance.lines[{i}]");
        v.check(
            !l.claim.is_empty() || !l.tracking_number.is_empty(),
            format!("{at}.claim"),
            "name a claim or a tracking number",
        );
        v.check(
            l.claim.len() <= 64,
            format!("{at}.claim"),
            "must be at most 64 characters",
        );
        v.check(
            l.tracking_number.len() <= 64,
            format!("{at}.tracking_number"),
            "must be at most 64 characters",
        );
        if let Some(m) = bounded_money(
            &mut v,
            &format!("{at}.amount"),
            l.amount.as_ref(),
            amount.map(|a| a.currency()),
        ) {
            v.check(
                m.amount_minor() > 0,
                format!("{at}.amount.amount_minor"),
                "must be positive",
            );
            total = total.saturating_add(m.amount_minor());
            lines.push(NewLine {
                claim_ref: l.claim.trim().to_owned(),
                tracking_number: l.tracking_number.trim().to_owned(),
                amount: m,
            });
        }
    }
    if let Some(a) = amount {
        v.check(
            total <= a.amount_minor(),
            "remittance.lines",
            "must not add up to more than the remittance",
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
