//! QuoteRate and AuditCharge: requests parsed, quotes and audits rendered.

use recourse_contracts_domain::audit::Cause;
use recourse_contracts_domain::rating::{self, Parcel, Quote};
use recourse_platform::proto_types::bounded_money;
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;

use super::common::{
    amount, carrier_id, code, date, dimensions, money_to_proto, resource_id, token_like, weight,
    weight_to_proto,
};
use super::{Parser, limits};
use crate::quoting::{AuditResult, BilledInput, QuoteInput};

fn invalid() -> ApiError {
    ApiError::invalid("request", "is invalid")
}

pub fn quote_input(r: &pb::QuoteRateRequest) -> Result<QuoteInput, ApiError> {
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "carrier", &r.carrier);
    code(&mut v, "service_level", &r.service_level);
    token_like(
        &mut v,
        "origin_postal_code",
        &r.origin_postal_code,
        limits::POSTAL_CODE,
    );
    token_like(
        &mut v,
        "destination_postal_code",
        &r.destination_postal_code,
        limits::POSTAL_CODE,
    );
    let w = weight(&mut v, "weight", r.weight.as_ref());
    let dims = dimensions(&mut v, "dimensions", r.dimensions.as_ref());
    let ship_date = date(&mut v, "ship_date", r.ship_date.as_ref());
    if let Some(declared) = &r.declared_value {
        amount(&mut v, "declared_value", Some(declared));
    }
    if Parser::strict(&mut v).at_most(
        r.accessorials.len(),
        limits::ACCESSORIALS,
        "accessorials",
        "codes",
    ) {
        for (i, a) in r.accessorials.iter().enumerate() {
            code(&mut v, &format!("accessorials[{i}]"), a);
        }
    }
    v.into_result()?;
    let (Some(carrier_id), Some(weight), Some(dimensions), Some(ship_date)) =
        (carrier, w, dims, ship_date)
    else {
        return Err(invalid());
    };
    Ok(QuoteInput {
        carrier_id,
        service_level: r.service_level.clone(),
        parcel: Parcel {
            origin: r.origin_postal_code.clone(),
            destination: r.destination_postal_code.clone(),
            weight,
            dimensions,
            accessorials: r.accessorials.clone(),
        },
        ship_date,
    })
}

/// AuditCharge: the shipment's id and the invoice line, if given.
pub fn audit_input(r: &pb::AuditChargeRequest) -> Result<(String, Option<BilledInput>), ApiError> {
    let mut v = Violations::new();
    let id = resource_id(&mut v, "shipment", "shipments", &r.shipment);
    let billed = r.billed.as_ref().map(|b| {
        let mut p = Parser::strict(&mut v);
        if !b.zone.is_empty() {
            p.text("billed.zone", &b.zone, limits::ZONE, false);
        }
        let mut surcharges = Vec::new();
        if p.at_most(
            b.surcharges.len(),
            limits::BILLED_SURCHARGES,
            "billed.surcharges",
            "lines",
        ) {
            for (i, c) in b.surcharges.iter().enumerate() {
                let at = format!("billed.surcharges[{i}]");
                code(p.v, &format!("{at}.code"), &c.code);
                // A surcharge line may be a credit (negative).
                if let Some(amount) =
                    bounded_money(p.v, &format!("{at}.amount"), c.amount.as_ref(), None, true)
                {
                    surcharges.push(rating::Charge {
                        code: c.code.clone(),
                        amount,
                    });
                }
            }
        }
        BilledInput {
            zone: (!b.zone.is_empty()).then(|| b.zone.clone()),
            billable_weight: b
                .billable_weight
                .as_ref()
                .and_then(|w| weight(&mut v, "billed.billable_weight", Some(w))),
            base_charge: b
                .base_charge
                .as_ref()
                .and_then(|m| amount(&mut v, "billed.base_charge", Some(m))),
            surcharges,
            total: amount(&mut v, "billed.total", b.total.as_ref()),
        }
    });
    v.into_result()?;
    Ok((id.ok_or_else(invalid)?, billed))
}

pub fn quote_to_proto(q: &Quote, version: &str) -> pb::Quote {
    pb::Quote {
        zone: q.zone.clone(),
        billable_weight: Some(weight_to_proto(q.billable_weight)),
        actual_weight: Some(weight_to_proto(q.actual_weight)),
        dimensional_weight: q.dimensional_weight.map(weight_to_proto),
        base_charge: Some(money_to_proto(q.base_charge)),
        surcharges: q.surcharges.iter().map(charge_to_proto).collect(),
        total: Some(money_to_proto(q.total)),
        contract_version: version.to_owned(),
        minimum_applied: q.minimum_applied,
    }
}

fn charge_to_proto(c: &rating::Charge) -> pb::Charge {
    pb::Charge {
        code: c.code.clone(),
        amount: Some(money_to_proto(c.amount)),
    }
}

fn cause_to_proto(c: Cause) -> pb::DiscrepancyCause {
    match c {
        Cause::Weight => pb::DiscrepancyCause::Weight,
        Cause::Zone => pb::DiscrepancyCause::Zone,
        Cause::Surcharge => pb::DiscrepancyCause::Surcharge,
        Cause::BaseRate => pb::DiscrepancyCause::BaseRate,
        Cause::Total => pb::DiscrepancyCause::Total,
        Cause::UnrequestedAccessorial => pb::DiscrepancyCause::UnrequestedAccessorial,
    }
}

pub fn audit_to_proto(a: &AuditResult) -> pb::ChargeAudit {
    pb::ChargeAudit {
        expected: Some(quote_to_proto(&a.expected, &a.version)),
        billed_total: Some(money_to_proto(a.billed_total)),
        difference: Some(money_to_proto(a.audit.difference)),
        discrepancies: a
            .audit
            .discrepancies
            .iter()
            .map(|d| pb::Discrepancy {
                cause: cause_to_proto(d.cause).into(),
                code: d.code.clone(),
                expected: d.expected.clone(),
                billed: d.billed.clone(),
                difference: d.difference.map(money_to_proto),
            })
            .collect(),
    }
}
