//! The QBR pack as one self-contained HTML page: inline CSS, inline SVG
//! charts, and the CSV appendix embedded (shown, and as a download link
//! with a data: URI), so it opens offline from a mail attachment.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use recourse_proto::reporting as pb;

use super::csv::{self, decimal};
use super::responses;
use super::svg::{bars, escape, percent_line};
use crate::domain::kpi::Rag;
use crate::reports::qbr::Qbr;

const STYLE: &str = "body{font-family:sans-serif;margin:32px;color:#222;max-width:980px}\
h1{font-size:26px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;font-size:13px;margin:8px 0}th,td{border:1px solid #d0d4dc;padding:4px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}.GREEN{background:#d7f2dd}.AMBER{background:#fdebc8}.RED{background:#f8d3d0}\
.note{color:#666;font-size:12px}pre{background:#f5f6f8;padding:8px;font-size:11px;overflow:auto}";

fn pct(bp: i64) -> String {
    format!("{}%", decimal(bp, "USD"))
}

fn value(k: &pb::Kpi, v: i64) -> String {
    if k.unit == "bp" {
        pct(v)
    } else {
        format!("{v} h")
    }
}

fn rag_class(k: &pb::Kpi) -> &'static str {
    match pb::Rag::try_from(k.rag) {
        Ok(pb::Rag::Green) => "GREEN",
        Ok(pb::Rag::Amber) => "AMBER",
        Ok(pb::Rag::Red) => "RED",
        Ok(pb::Rag::NotRated | pb::Rag::Unspecified) | Err(_) => "",
    }
}

fn scorecard_table(out: &mut String, row: &pb::ScorecardRow) {
    let _ = write!(
        out,
        "<h3>{} — {} shipments, {} claims</h3><table><tr><th>KPI</th><th>actual</th><th>target</th><th>variance</th><th>status</th><th>previous quarter</th></tr>",
        escape(&row.service_level),
        row.shipments,
        row.claims
    );
    for k in &row.kpis {
        let cell = |ok: bool, v: i64| if ok { value(k, v) } else { "—".to_owned() };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            escape(&k.name.replace('_', " ")),
            cell(k.measured, k.actual),
            cell(k.target != 0, k.target),
            cell(k.measured && k.target != 0, k.variance),
            rag_class(k),
            rag_class(k),
            cell(k.measured_previous, k.previous)
        );
    }
    let score = if row.score_measured {
        pct(row.score_hundredths)
    } else {
        "—".into()
    };
    let cost = row.cost_per_shipment.as_ref().map_or("—".to_owned(), |m| {
        format!(
            "{} {}",
            decimal(m.amount_minor, &m.currency_code),
            m.currency_code
        )
    });
    let _ = write!(
        out,
        "</table><p>Weighted score <b>{score}</b> · cost per shipment <b>{}</b></p>",
        escape(&cost)
    );
}

/// The page.
pub fn render(q: &Qbr) -> String {
    let codes: BTreeMap<String, String> = [(q.carrier_id.clone(), q.carrier_code.clone())]
        .into_iter()
        .collect();
    let rows: Vec<pb::ScorecardRow> = q
        .levels
        .iter()
        .map(|r| responses::scorecard_row(r, &q.quarter, &codes))
        .collect();
    let title = format!(
        "QBR {} — {} to {}",
        q.carrier_code, q.quarter.first, q.quarter.last
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"note\">carriers/{} · figures as of {} · definitions: docs/rules.md, Reporting</p>",
        escape(&title),
        escape(&q.carrier_id),
        q.as_of.format("%Y-%m-%d %H:%M UTC")
    );
    out.push_str("<h2>Scorecard</h2>");
    if rows.is_empty() {
        out.push_str("<p>No shipments in the quarter.</p>");
    }
    for row in &rows {
        scorecard_table(&mut out, row);
    }
    out.push_str("<h2>On-time rate, last 13 weeks</h2>");
    let labels: Vec<String> = q
        .weeks
        .iter()
        .map(|(w, _)| w.first.format("%m-%d").to_string())
        .collect();
    let values: Vec<Option<i64>> = q
        .weeks
        .iter()
        .map(|(_, r)| {
            r.as_ref()
                .and_then(|r| r.kpis.iter().find(|k| k.name == "on_time_rate"))
                .and_then(|k| k.actual)
        })
        .collect();
    let target = q
        .levels
        .iter()
        .filter_map(|r| r.kpis.iter().find(|k| k.name == "on_time_rate"))
        .map(|k| k.target)
        .max()
        .unwrap_or(0);
    out.push_str(&percent_line(
        "On-time rate by week",
        &labels,
        &values,
        target,
    ));
    let rated: Vec<Rag> = q
        .levels
        .iter()
        .flat_map(|r| r.kpis.iter().map(|k| k.rag))
        .filter(|r| *r == Rag::Red)
        .collect();
    let _ = write!(
        out,
        "<h2>SLA breaches, credits and refunds</h2><p>{} KPI(s) red this quarter (table above).</p>\
         <table><tr><th>service level</th><th>SLA evaluations</th><th>breached</th><th>service credits (owed by the carrier)</th><th>bonuses (owed to it)</th><th>refunds filed</th><th>refunds claimed</th><th>refunds recovered</th></tr>",
        rated.len()
    );
    let cash = |m: Option<&recourse_proto::common::Money>| {
        m.map_or("—".to_owned(), |m| {
            format!(
                "{} {}",
                decimal(m.amount_minor, &m.currency_code),
                m.currency_code
            )
        })
    };
    for r in &rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.service_level),
            r.sla_evaluations,
            r.sla_breaches,
            escape(&cash(r.service_credits.as_ref())),
            escape(&cash(r.service_bonuses.as_ref())),
            r.refunds_filed,
            escape(&cash(r.refunds_claimed.as_ref())),
            escape(&cash(r.refunds_recovered.as_ref()))
        );
    }
    out.push_str("</table>");
    out.push_str("<h2>Top claim causes</h2>");
    if q.causes.is_empty() {
        out.push_str("<p>No claims filed in the quarter.</p>");
    } else {
        let items: Vec<(String, i64, String)> = q
            .causes
            .iter()
            .map(|c| {
                (
                    c.claim_type.trim_start_matches("CLAIM_TYPE_").to_owned(),
                    c.claimed_minor,
                    format!(
                        "{} claim(s), {} {} claimed",
                        c.claims,
                        decimal(c.claimed_minor, &c.currency),
                        c.currency
                    ),
                )
            })
            .collect();
        out.push_str(&bars("Claimed by cause", &items));
    }
    out.push_str("<h2>Recovery</h2><table><tr><th>currency</th><th>opening</th><th>approved</th><th>recovered</th><th>written off</th><th>closing</th></tr>");
    for ((_, currency), r) in &q.recovery {
        let m = |v: i64| decimal(v, currency);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(currency),
            m(r.opening),
            m(r.approved),
            m(r.recovered),
            m(r.written_off),
            m(r.closing)
        );
    }
    let open = q.open_escalations;
    let _ = write!(
        out,
        "</table><h2>Open escalations</h2><p><b>{open}</b> escalation(s) of this carrier not resolved (claims' escalation queue, as of the read models).</p>"
    );
    out.push_str("<h2>Contract targets for next quarter</h2><table><tr><th>service level</th><th>on time ≥</th><th>scan compliance ≥</th><th>exceptions ≤</th><th>claims ≤</th></tr>");
    for (level, t) in &q.next_targets {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(level),
            pct(t.on_time_min_bp),
            pct(t.scan_min_bp),
            pct(t.exception_max_bp),
            pct(t.claims_max_bp)
        );
    }
    out.push_str("</table>");
    let appendix = csv::encode(
        &csv::scorecard(&pb::CarrierScorecard { rows, as_of: None }),
        usize::MAX,
    )
    .map(|chunks| chunks.concat())
    .unwrap_or_default();
    let text = String::from_utf8_lossy(&appendix);
    let _ = write!(
        out,
        "<h2>Appendix: scorecard CSV</h2><p><a download=\"scorecard.csv\" href=\"data:text/csv;base64,{}\">Download scorecard.csv</a></p><pre>{}</pre></body></html>",
        base64::engine::general_purpose::STANDARD.encode(&appendix),
        escape(&text)
    );
    out
}
