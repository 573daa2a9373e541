//! The contracts service's answers in the claims service's terms. Its
//! messages are its own contract with us: a field we cannot use (a ship
//! time missing, a currency code not ISO-4217) is its fault, reported as
//! CONTRACT_TERMS, never INTERNAL and never blamed on our caller's input.

use chrono::NaiveDate;
use recourse_claims_domain::deadline::Window;
use recourse_claims_domain::liability::LiabilityTerms;
use recourse_money::{Currency, Money};
use recourse_platform::proto_types::{date_from_proto, timestamp_from_proto};
use recourse_proto::common;
use recourse_proto::contracts as cpb;
use recourse_units::{Weight, WeightUnit};

use super::document_kind_from_proto;
use super::terms::anchor_from_proto;
use crate::contracts::{
    ContractClaimTerms, InvoiceFacts, InvoiceLineFacts, RefundCandidate, ShipmentFacts,
};
use crate::error::{ClaimsError, Refusal};

fn unusable(subject: &str, what: &str) -> ClaimsError {
    ClaimsError::refused(
        Refusal::ContractTerms,
        subject,
        format!("the contracts service answered without a usable {what}"),
    )
}

fn money_of(m: Option<&common::Money>) -> Option<Money> {
    let m = m?;
    let currency = Currency::parse(&m.currency_code).ok()?;
    Some(Money::new(m.amount_minor, currency))
}

fn date_of(t: Option<&prost_types::Timestamp>) -> Option<NaiveDate> {
    t.and_then(timestamp_from_proto).map(|t| t.date_naive())
}

fn weight_unit(value: i32) -> Option<WeightUnit> {
    match common::WeightUnit::try_from(value).ok()? {
        common::WeightUnit::Lb => Some(WeightUnit::Lb),
        common::WeightUnit::Kg => Some(WeightUnit::Kg),
        common::WeightUnit::Unspecified => None,
    }
}

pub fn shipment(s: &cpb::Shipment) -> Result<ShipmentFacts, ClaimsError> {
    let ship_date = date_of(s.ship_time.as_ref()).ok_or_else(|| unusable(&s.name, "ship time"))?;
    Ok(ShipmentFacts {
        id: s.name.trim_start_matches("shipments/").to_owned(),
        carrier_id: s.carrier.trim_start_matches("carriers/").to_owned(),
        tracking_number: s.tracking_number.clone(),
        service_level: s.service_level.clone(),
        shipper_account: s.shipper_account.clone(),
        ship_date,
        scheduled_delivery: date_of(s.promised_delivery_time.as_ref()),
        delivered: date_of(s.delivered_time.as_ref()),
        invoiced: s.invoice_date.as_ref().and_then(date_from_proto),
        declared_value: money_of(s.declared_value.as_ref()).filter(|m| m.amount_minor() > 0),
        billed_charge: money_of(s.billed_charge.as_ref()),
        weight: s.weight.as_ref().and_then(|w| {
            Some(Weight {
                thousandths: w.thousandths,
                unit: weight_unit(w.unit)?,
            })
        }),
    })
}

pub fn claim_terms(t: &cpb::ClaimTerms) -> Result<ContractClaimTerms, ClaimsError> {
    let subject = t.contract_version.as_str();
    let currency = Currency::parse(&t.currency_code).map_err(|_| unusable(subject, "currency"))?;
    // Amounts in another currency than the contract's are not terms of it.
    let in_currency = |m: Option<&common::Money>| money_of(m).filter(|m| m.currency() == currency);
    let filing = t.filing_window.unwrap_or_default();
    Ok(ContractClaimTerms {
        contract_version: t.contract_version.clone(),
        currency,
        liability: LiabilityTerms {
            default_per_package_limit: in_currency(t.default_per_package_limit.as_ref())
                .unwrap_or(Money::zero(currency)),
            declared_value_coverage: t.declared_value_coverage,
            max_declared_value: in_currency(t.max_declared_value.as_ref()),
            per_weight_unit_limit: in_currency(t.per_weight_unit_limit.as_ref()),
        },
        weight_unit: weight_unit(t.weight_unit),
        named_anchor: anchor_from_proto(filing.anchor),
        window: if filing.months > 0 {
            Window::Months(filing.months)
        } else {
            Window::Days(filing.days)
        },
        required_documents: t
            .required_documents
            .iter()
            .filter_map(|k| document_kind_from_proto(*k))
            .collect(),
        acknowledge_within_days: t.acknowledge_within_days,
        decide_within_days: t.decide_within_days,
        appeal_window_days: t.appeal_window_days,
        max_appeals: t.max_appeals,
    })
}

pub fn refund_candidate(c: &cpb::RefundCandidate) -> RefundCandidate {
    RefundCandidate {
        shipment_id: c.shipment.trim_start_matches("shipments/").to_owned(),
        refund_amount: money_of(c.refund_amount.as_ref()).filter(|m| m.amount_minor() > 0),
        refund_basis: c.refund_basis.clone(),
        late_minutes: c.late_minutes,
        request_deadline: c.request_deadline.as_ref().and_then(date_from_proto),
        contract_version: c.contract_version.clone(),
    }
}

/// The id in `{collection}/{id}`.
fn id_in(name: &str, collection: &str) -> Option<String> {
    name.strip_prefix(collection)?
        .strip_prefix('/')
        .filter(|id| !id.is_empty() && !id.contains('/'))
        .map(str::to_owned)
}

pub fn invoice(i: &cpb::Invoice) -> Result<InvoiceFacts, ClaimsError> {
    let subject = &i.name;
    let total = money_of(i.total.as_ref()).ok_or_else(|| unusable(subject, "total"))?;
    Ok(InvoiceFacts {
        id: id_in(&i.name, "invoices").ok_or_else(|| unusable(subject, "name"))?,
        carrier_id: id_in(&i.carrier, "carriers").ok_or_else(|| unusable(subject, "carrier"))?,
        number: i.invoice_number.clone(),
        currency: total.currency(),
        dispute_deadline: i
            .dispute_deadline
            .as_ref()
            .and_then(date_from_proto)
            .ok_or_else(|| unusable(subject, "dispute deadline"))?,
    })
}

pub fn invoice_line(l: &cpb::InvoiceLine) -> Result<InvoiceLineFacts, ClaimsError> {
    let at_stake =
        money_of(l.amount_at_stake.as_ref()).ok_or_else(|| unusable(&l.name, "amount at stake"))?;
    let mut reasons: Vec<String> = Vec::new();
    for f in &l.findings {
        let cause = f
            .cause()
            .as_str_name()
            .trim_start_matches("FINDING_CAUSE_")
            .to_owned();
        if !reasons.contains(&cause) {
            reasons.push(cause);
        }
    }
    Ok(InvoiceLineFacts {
        line: l.line,
        tracking_number: l.tracking_number.clone(),
        shipment_id: id_in(&l.shipment, "shipments"),
        at_stake,
        reasons,
    })
}

/// An `sla.evaluated` event's evaluation, or why it cannot be used.
pub fn sla_fact(event: &cpb::Event) -> Result<crate::contracts::SlaFact, String> {
    let Some(cpb::event::Data::SlaEvaluation(e)) = &event.data else {
        return Err(format!("{} carries no SLA evaluation", event.r#type));
    };
    let period_end = e
        .period_end
        .as_ref()
        .and_then(date_from_proto)
        .ok_or_else(|| format!("{}: no period_end", e.name))?;
    let currency_of = |m: &Option<recourse_proto::common::Money>| {
        m.as_ref()
            .and_then(|m| Currency::parse(&m.currency_code).ok())
    };
    let currency = currency_of(&e.service_bonus)
        .or_else(|| currency_of(&e.service_credit))
        .or_else(|| currency_of(&e.total_billed))
        .unwrap_or(Currency::USD);
    let evaluated_at = e
        .evaluate_time
        .as_ref()
        .or(event.occur_time.as_ref())
        .and_then(timestamp_from_proto)
        .ok_or_else(|| format!("{}: no evaluate_time", e.name))?;
    Ok(crate::contracts::SlaFact {
        name: e.name.clone(),
        carrier_id: e.carrier.trim_start_matches("carriers/").to_owned(),
        revision: e.revision,
        bonus: Money::new(
            e.service_bonus.as_ref().map_or(0, |m| m.amount_minor),
            currency,
        ),
        credit_minor: e.service_credit.as_ref().map_or(0, |m| m.amount_minor),
        breached: e.breached,
        period_end,
        evaluated_at,
    })
}
