//! SLA requests parsed; evaluations (stored as one document each, like
//! terms) and refund candidates rendered.

use prost::Message as _;
use recourse_contracts_domain::sla::{ExclusionReason, Kpi};
use recourse_platform::proto_types::{timestamp_in_range, timestamp_to_proto};
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;

use super::common::{
    carrier_id, carrier_name, code, date, date_out, minor_to_proto, money_to_proto,
};
use super::terms::{category_to_proto, metric_to_proto, period_to_proto};
use crate::sla::{EvaluationRecord, RefundCandidate, StoredEvaluation};

/// EvaluateSla: (carrier, service level, period date, as of — now when
/// unset).
pub fn evaluate_request(
    body: &pb::EvaluateSlaRequest,
) -> Result<
    (
        String,
        String,
        chrono::NaiveDate,
        chrono::DateTime<chrono::Utc>,
    ),
    ApiError,
> {
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "carrier", &body.carrier);
    code(&mut v, "service_level", &body.service_level);
    let on = date(&mut v, "period_date", body.period_date.as_ref());
    let as_of = match &body.as_of {
        None => Some(chrono::Utc::now()),
        Some(ts) => timestamp_in_range(&mut v, "as_of", Some(ts)),
    };
    v.into_result()?;
    let ((carrier, on), as_of) = carrier
        .zip(on)
        .zip(as_of)
        .ok_or_else(|| ApiError::invalid("request", "is invalid"))?;
    Ok((carrier, body.service_level.clone(), on, as_of))
}

/// An optional `as_of` (unset = now, decided by the use case).
pub fn optional_as_of(
    value: Option<&prost_types::Timestamp>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    let Some(ts) = value else { return Ok(None) };
    let mut v = Violations::new();
    let at = timestamp_in_range(&mut v, "as_of", Some(ts));
    v.into_result()?;
    Ok(at)
}

fn kpi_to_proto(k: Kpi) -> pb::Kpi {
    match k {
        Kpi::OnTimeRate => pb::Kpi::OnTimeRate,
        Kpi::ScanCompliance => pb::Kpi::ScanCompliance,
        Kpi::ExceptionRate => pb::Kpi::ExceptionRate,
        Kpi::ClaimsRate => pb::Kpi::ClaimsRate,
    }
}

fn reason_name(r: ExclusionReason) -> &'static str {
    match r {
        ExclusionReason::NotYetDue => "NOT_YET_DUE",
        ExclusionReason::Excused => "EXCUSED",
    }
}

pub fn evaluation_to_proto(e: &EvaluationRecord) -> pb::SlaEvaluation {
    let r = &e.result;
    pb::SlaEvaluation {
        name: format!("slaEvaluations/{}", e.id),
        carrier: carrier_name(&e.carrier_id),
        service_level: e.service_level.clone(),
        period: period_to_proto(e.period).into(),
        period_start: date_out(e.first),
        period_end: date_out(e.last),
        contract_version: e.contract_version.clone(),
        metric: Some(metric_to_proto(e.metric)),
        shipments: r.shipments,
        delivered: r.delivered,
        on_time: r.on_time,
        scan_compliant: r.scan_compliant,
        with_exception: r.with_exception,
        claims: r.claims,
        kpis: r
            .kpis
            .iter()
            .map(|k| {
                let bonus = e.bonuses.as_ref().and_then(|b| b.of(k.kpi));
                pb::KpiResult {
                    kpi: kpi_to_proto(k.kpi).into(),
                    actual_bp: k.actual_bp,
                    target_bp: k.target_bp,
                    breached: k.breached,
                    shortfall_bp: k.shortfall_bp,
                    credit: Some(money_to_proto(k.credit)),
                    numerator: k.numerator,
                    denominator: k.denominator,
                    exclusions: k
                        .exclusions
                        .iter()
                        .map(|x| pb::Exclusion {
                            reason: reason_name(x.reason).to_owned(),
                            shipments: x.shipments,
                            codes: x.codes.clone(),
                        })
                        .collect(),
                    stretch_target_bp: bonus.map_or(0, |b| b.stretch_target_bp),
                    excess_bp: bonus.map_or(0, |b| b.excess_bp),
                    bonus: bonus.map(|b| money_to_proto(b.bonus)),
                }
            })
            .collect(),
        total_billed: Some(money_to_proto(r.total_billed)),
        cost_per_shipment: r.cost_per_shipment.map(money_to_proto),
        service_credit: Some(money_to_proto(r.service_credit)),
        breached: r.breached,
        evaluate_time: Some(timestamp_to_proto(e.evaluated_at)),
        revision: u32::try_from(e.revision).unwrap_or(u32::MAX),
        as_of: Some(timestamp_to_proto(e.as_of)),
        not_yet_due: r.not_yet_due,
        excused: r.excused,
        excused_codes: r
            .excused_codes
            .iter()
            .map(|c| pb::ExcusedCode {
                code: c.code.clone(),
                category: category_to_proto(c.category).into(),
                shipments: c.shipments,
            })
            .collect(),
        charged_shipments: r.charged,
        measured_versions: e.measured_versions.clone(),
        stale: false,
        service_bonus: e.bonuses.as_ref().map(|b| money_to_proto(b.service_bonus)),
    }
}

/// The stored document of an evaluation.
pub fn encode_evaluation(e: &EvaluationRecord) -> Vec<u8> {
    evaluation_to_proto(e).encode_to_vec()
}

/// A stored evaluation with its staleness mark.
pub fn stored_to_proto(e: &StoredEvaluation) -> Result<pb::SlaEvaluation, ApiError> {
    let mut out = pb::SlaEvaluation::decode(e.document.as_slice()).map_err(ApiError::internal)?;
    out.stale = e.stale;
    Ok(out)
}

pub fn candidate_to_proto(c: &RefundCandidate) -> pb::RefundCandidate {
    let s = &c.shipment;
    let money = |minor: Option<i64>| minor_to_proto(minor, &s.currency);
    pb::RefundCandidate {
        shipment: format!("shipments/{}", s.id),
        carrier: carrier_name(&s.carrier_id),
        tracking_number: s.tracking_number.clone(),
        service_level: s.service_level.clone(),
        promised_delivery_time: Some(timestamp_to_proto(s.promised_at)),
        delivered_time: Some(timestamp_to_proto(c.delivered)),
        late_minutes: c.late_minutes,
        request_deadline: date_out(c.request_deadline),
        billed_charge: money(s.billed_charge_minor),
        contract_version: c.contract_version.clone(),
        refund_amount: c.refund.map(|(m, _)| money_to_proto(m)),
        refund_basis: c.refund.map_or("", |(_, b)| b.as_str()).to_owned(),
        window_anchor_date: date_out(c.window_anchor_date),
        window_anchor: c.window_anchor.to_owned(),
    }
}
