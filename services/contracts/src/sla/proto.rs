//! SLA evaluations as protobuf: the stored document, with what was
//! counted, excluded and why.

use chrono::{DateTime, NaiveDate, Utc};
use prost::Message as _;
use recourse_contracts_domain::sla::{Evaluation, ExclusionReason, Kpi};
use recourse_platform::ApiError;
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::contracts as pb;

use crate::convert::common::{carrier_name, date_out, money_to_proto};
use crate::convert::sla_terms::category_to_proto;
use crate::repo::entity::evaluation;

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

/// Everything an evaluation document states besides the KPI math.
pub struct Header<'a> {
    pub id: &'a str,
    pub carrier_id: &'a str,
    pub service_level: &'a str,
    pub terms: &'a pb::SlaTerms,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub version: String,
    pub measured_with: Vec<String>,
    pub as_of: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub revision: i64,
    pub result: &'a Evaluation,
}

pub fn evaluation(h: Header<'_>) -> pb::SlaEvaluation {
    let r = h.result;
    pb::SlaEvaluation {
        name: format!("slaEvaluations/{}", h.id),
        carrier: carrier_name(h.carrier_id),
        service_level: h.service_level.to_owned(),
        period: h.terms.period,
        period_start: date_out(h.first),
        period_end: date_out(h.last),
        contract_version: h.version,
        metric: h.terms.metric,
        shipments: r.shipments,
        delivered: r.delivered,
        on_time: r.on_time,
        scan_compliant: r.scan_compliant,
        with_exception: r.with_exception,
        claims: r.claims,
        kpis: r
            .kpis
            .iter()
            .map(|k| pb::KpiResult {
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
                    .map(|e| pb::Exclusion {
                        reason: reason_name(e.reason).to_owned(),
                        shipments: e.shipments,
                        codes: e.codes.clone(),
                    })
                    .collect(),
            })
            .collect(),
        total_billed: Some(money_to_proto(r.total_billed)),
        cost_per_shipment: r.cost_per_shipment.map(money_to_proto),
        service_credit: Some(money_to_proto(r.service_credit)),
        breached: r.breached,
        evaluate_time: Some(timestamp_to_proto(h.now)),
        revision: u32::try_from(h.revision).unwrap_or(u32::MAX),
        as_of: Some(timestamp_to_proto(h.as_of)),
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
        measured_versions: h.measured_with,
        stale: false,
    }
}

/// A stored evaluation, with its staleness mark (set when a delivery it
/// counted was corrected after it was computed).
pub fn stored(row: &evaluation::Model) -> Result<pb::SlaEvaluation, ApiError> {
    let mut e = pb::SlaEvaluation::decode(row.body.as_slice()).map_err(ApiError::internal)?;
    e.stale = row.stale;
    Ok(e)
}
