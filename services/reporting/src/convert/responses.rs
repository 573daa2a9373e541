//! Domain rows into the API's messages.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::common::Money;
use recourse_proto::reporting as pb;

use crate::domain::aging::AgingRow;
use crate::domain::kpi::Rag;
use crate::domain::period::Period;
use crate::domain::reconciliation::ReconciliationRow;
use crate::domain::scorecard::{KpiValue, Row};
use crate::feeds::FeedStatus;

fn rag(r: Rag) -> pb::Rag {
    match r {
        Rag::NotRated => pb::Rag::NotRated,
        Rag::Green => pb::Rag::Green,
        Rag::Amber => pb::Rag::Amber,
        Rag::Red => pb::Rag::Red,
    }
}

fn kpi(k: &KpiValue) -> pb::Kpi {
    pb::Kpi {
        name: k.name.to_owned(),
        measured: k.actual.is_some(),
        actual: k.actual.unwrap_or_default(),
        target: k.target,
        variance: k.variance().unwrap_or_default(),
        rag: rag(k.rag).into(),
        measured_previous: k.previous.is_some(),
        previous: k.previous.unwrap_or_default(),
        trend: k.trend().unwrap_or_default(),
        unit: k.unit.to_owned(),
    }
}

pub fn money(amount_minor: i64, currency: &str) -> Option<Money> {
    Some(Money {
        amount_minor,
        currency_code: currency.to_owned(),
    })
}

pub fn scorecard_row(
    r: &Row,
    period: &Period,
    codes: &BTreeMap<String, String>,
) -> pb::ScorecardRow {
    pb::ScorecardRow {
        carrier: format!("carriers/{}", r.carrier_id),
        carrier_code: codes.get(&r.carrier_id).cloned().unwrap_or_default(),
        service_level: r.service_level.clone(),
        period_start: Some(date_to_proto(period.first)),
        period_end: Some(date_to_proto(period.last)),
        shipments: r.shipments,
        claims: r.claims,
        kpis: r.kpis.iter().map(kpi).collect(),
        cost_per_shipment: r.cost_per_shipment.as_ref().and_then(|(m, c)| money(*m, c)),
        score_hundredths: r.score.unwrap_or_default(),
        score_measured: r.score.is_some(),
        previous_score_hundredths: r.previous_score.unwrap_or_default(),
        previous_score_measured: r.previous_score.is_some(),
        sla_evaluations: r.sla_evaluations,
        sla_breaches: r.sla_breaches,
        service_credits: pair(r.service_credits.as_ref()),
        service_bonuses: pair(r.service_bonuses.as_ref()),
        refunds_filed: r.refunds_filed,
        refunds_claimed: pair(r.refunds_claimed.as_ref()),
        refunds_recovered: pair(r.refunds_recovered.as_ref()),
        open_escalations: r.open_escalations,
    }
}

fn pair(m: Option<&(i64, String)>) -> Option<Money> {
    m.and_then(|(a, c)| money(*a, c))
}

/// Ranks carriers by score (unscored last), then on-time rate, then code.
pub fn ranked(mut rows: Vec<pb::ScorecardRow>) -> Vec<pb::RankedCarrier> {
    let on_time = |r: &pb::ScorecardRow| {
        r.kpis
            .iter()
            .find(|k| k.name == "on_time_rate" && k.measured)
            .map(|k| k.actual)
    };
    rows.sort_by(|a, b| {
        let score = |r: &pb::ScorecardRow| r.score_measured.then_some(r.score_hundredths);
        score(b)
            .cmp(&score(a))
            .then(on_time(b).cmp(&on_time(a)))
            .then(a.carrier_code.cmp(&b.carrier_code))
            .then(a.carrier.cmp(&b.carrier))
    });
    rows.into_iter()
        .enumerate()
        .map(|(i, total)| pb::RankedCarrier {
            rank: u32::try_from(i + 1).unwrap_or(u32::MAX),
            total: Some(total),
        })
        .collect()
}

pub fn aging(rows: &BTreeMap<(String, String), AgingRow>, as_of: NaiveDate) -> pb::ClaimsAging {
    pb::ClaimsAging {
        rows: rows
            .iter()
            .map(|((carrier, status), r)| pb::AgingRow {
                carrier: format!("carriers/{carrier}"),
                status: status.clone(),
                days_0_30: r.days_0_30,
                days_31_60: r.days_31_60,
                days_61_120: r.days_61_120,
                days_over_120: r.days_over_120,
                past_acknowledge_due: r.past_acknowledge_due,
                past_decision_due: r.past_decision_due,
            })
            .collect(),
        as_of: Some(date_to_proto(as_of)),
    }
}

pub fn reconciliation(
    rows: &BTreeMap<(String, String), ReconciliationRow>,
    period: &Period,
) -> pb::RecoveryReconciliation {
    pb::RecoveryReconciliation {
        rows: rows
            .iter()
            .map(|((carrier, currency), r)| pb::ReconciliationRow {
                carrier: format!("carriers/{carrier}"),
                currency_code: currency.clone(),
                opening: money(r.opening, currency),
                approved: money(r.approved, currency),
                recovered: money(r.recovered, currency),
                written_off: money(r.written_off, currency),
                closing: money(r.closing, currency),
            })
            .collect(),
        period_start: Some(date_to_proto(period.first)),
        period_end: Some(date_to_proto(period.last)),
    }
}

pub fn feed_status(s: &FeedStatus) -> pb::FeedStatus {
    pb::FeedStatus {
        feed: s.feed.to_owned(),
        position: s.position,
        head: s.head,
        lag: (s.head - s.position).max(0),
        last_error: s.last_error.clone(),
        running: s.running,
    }
}
