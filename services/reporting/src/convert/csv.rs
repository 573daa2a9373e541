//! Reports as CSV (RFC 4180 via the `csv` crate: quoting, CRLF line
//! ends): a header row, ISO dates, money as a decimal in its currency's
//! minor digits with the currency in a column of its own, rates in
//! percent with two decimals (basis points / 100).

use recourse_money::Currency;
use recourse_proto::common::{Date, Money};
use recourse_proto::reporting as pb;

/// `amount_minor` as a decimal with the currency's minor digits
/// (USD 123456 → "1234.56", JPY 500 → "500", -5 → "-0.05").
pub fn decimal(amount_minor: i64, currency: &str) -> String {
    let digits = Currency::parse(currency).map_or(2, |c| c.minor_digits());
    if digits == 0 {
        return amount_minor.to_string();
    }
    let scale = 10u64.pow(digits);
    let abs = amount_minor.unsigned_abs();
    let sign = if amount_minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = usize::try_from(digits).unwrap_or(2)
    )
}

fn money(m: Option<&Money>) -> (String, String) {
    m.map_or((String::new(), String::new()), |m| {
        (
            decimal(m.amount_minor, &m.currency_code),
            m.currency_code.clone(),
        )
    })
}

fn date(d: Option<&Date>) -> String {
    d.map_or(String::new(), |d| {
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
    })
}

/// Basis points as a percentage with two decimals (9512 → "95.12").
fn percent(bp: i64) -> String {
    decimal(bp, "USD")
}

fn kpi_cells(k: Option<&pb::Kpi>) -> [String; 5] {
    let Some(k) = k else {
        return Default::default();
    };
    let value = |v: i64| {
        if k.unit == "bp" {
            percent(v)
        } else {
            v.to_string()
        }
    };
    let rag = pb::Rag::try_from(k.rag)
        .map(|r| r.as_str_name().trim_start_matches("RAG_").to_owned())
        .unwrap_or_default();
    [
        if k.measured {
            value(k.actual)
        } else {
            String::new()
        },
        if k.target != 0 {
            value(k.target)
        } else {
            String::new()
        },
        if k.measured && k.target != 0 {
            value(k.variance)
        } else {
            String::new()
        },
        rag,
        if k.measured && k.measured_previous {
            value(k.trend)
        } else {
            String::new()
        },
    ]
}

/// The KPIs of a scorecard row, in column order.
pub const KPIS: [&str; 10] = [
    "on_time_rate",
    "exception_rate",
    "claims_rate",
    "decided_on_clock_rate",
    "claim_cycle_median",
    "claim_cycle_p90",
    "recovery_rate",
    "scan_compliance",
    "tender_acceptance",
    "billing_adjustment_rate",
];

/// The money columns after the score: each amount with its currency.
const MONEY: [&str; 4] = [
    "service_credits",
    "service_bonuses",
    "refunds_claimed",
    "refunds_recovered",
];

fn scorecard_header(ranked: bool) -> Vec<String> {
    let mut h: Vec<String> = Vec::new();
    if ranked {
        h.push("rank".into());
    }
    for c in [
        "carrier",
        "carrier_code",
        "service_level",
        "period_start",
        "period_end",
        "shipments",
        "claims",
    ] {
        h.push(c.into());
    }
    for k in KPIS {
        let unit = if k.starts_with("claim_cycle") {
            "hours"
        } else {
            "pct"
        };
        for part in ["", "_target", "_variance", "_rag", "_trend"] {
            h.push(format!("{k}_{unit}{part}"));
        }
    }
    for c in ["cost_per_shipment", "currency", "score", "previous_score"] {
        h.push(c.into());
    }
    for c in [
        "sla_evaluations",
        "sla_breaches",
        "refunds_filed",
        "open_escalations",
    ] {
        h.push(c.into());
    }
    for c in MONEY {
        h.push(c.into());
        h.push(format!("{c}_currency"));
    }
    h
}

fn scorecard_record(rank: Option<u32>, r: &pb::ScorecardRow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(rank) = rank {
        out.push(rank.to_string());
    }
    out.extend([
        r.carrier.clone(),
        r.carrier_code.clone(),
        r.service_level.clone(),
        date(r.period_start.as_ref()),
        date(r.period_end.as_ref()),
        r.shipments.to_string(),
        r.claims.to_string(),
    ]);
    for name in KPIS {
        out.extend(kpi_cells(r.kpis.iter().find(|k| k.name == name)));
    }
    let (cost, currency) = money(r.cost_per_shipment.as_ref());
    out.extend([
        cost,
        currency,
        if r.score_measured {
            percent(r.score_hundredths)
        } else {
            String::new()
        },
        if r.previous_score_measured {
            percent(r.previous_score_hundredths)
        } else {
            String::new()
        },
        r.sla_evaluations.to_string(),
        r.sla_breaches.to_string(),
        r.refunds_filed.to_string(),
        r.open_escalations.to_string(),
    ]);
    for m in [
        &r.service_credits,
        &r.service_bonuses,
        &r.refunds_claimed,
        &r.refunds_recovered,
    ] {
        let (amount, currency) = money(m.as_ref());
        out.extend([amount, currency]);
    }
    out
}

pub fn scorecard(s: &pb::CarrierScorecard) -> Vec<Vec<String>> {
    let mut rows = vec![scorecard_header(false)];
    rows.extend(s.rows.iter().map(|r| scorecard_record(None, r)));
    rows
}

pub fn comparison(c: &pb::CarrierComparison) -> Vec<Vec<String>> {
    let mut rows = vec![scorecard_header(true)];
    rows.extend(
        c.carriers
            .iter()
            .filter_map(|r| Some(scorecard_record(Some(r.rank), r.total.as_ref()?))),
    );
    rows
}

pub fn aging(a: &pb::ClaimsAging) -> Vec<Vec<String>> {
    let header = [
        "as_of",
        "carrier",
        "status",
        "days_0_30",
        "days_31_60",
        "days_61_120",
        "days_over_120",
        "past_acknowledge_due",
        "past_decision_due",
    ];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    let as_of = date(a.as_of.as_ref());
    rows.extend(a.rows.iter().map(|r| {
        vec![
            as_of.clone(),
            r.carrier.clone(),
            r.status.clone(),
            r.days_0_30.to_string(),
            r.days_31_60.to_string(),
            r.days_61_120.to_string(),
            r.days_over_120.to_string(),
            r.past_acknowledge_due.to_string(),
            r.past_decision_due.to_string(),
        ]
    }));
    rows
}

pub fn reconciliation(r: &pb::RecoveryReconciliation) -> Vec<Vec<String>> {
    let header = [
        "period_start",
        "period_end",
        "carrier",
        "currency",
        "opening",
        "approved",
        "recovered",
        "written_off",
        "closing",
    ];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    let (first, last) = (date(r.period_start.as_ref()), date(r.period_end.as_ref()));
    rows.extend(r.rows.iter().map(|row| {
        let amount = |m: Option<&Money>| money(m).0;
        vec![
            first.clone(),
            last.clone(),
            row.carrier.clone(),
            row.currency_code.clone(),
            amount(row.opening.as_ref()),
            amount(row.approved.as_ref()),
            amount(row.recovered.as_ref()),
            amount(row.written_off.as_ref()),
            amount(row.closing.as_ref()),
        ]
    }));
    rows
}

/// Rows encoded as CSV, in chunks of about `chunk` bytes (whole records).
pub fn encode(rows: &[Vec<String>], chunk: usize) -> Result<Vec<Vec<u8>>, csv::Error> {
    let writer = || {
        csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new())
    };
    let finish =
        |w: csv::Writer<Vec<u8>>| w.into_inner().map_err(|e| csv::Error::from(e.into_error()));
    let mut chunks = Vec::new();
    let mut current = writer();
    for row in rows {
        current.write_record(row)?;
        current.flush()?;
        if current.get_ref().len() >= chunk {
            chunks.push(finish(std::mem::replace(&mut current, writer()))?);
        }
    }
    let rest = finish(current)?;
    if !rest.is_empty() || chunks.is_empty() {
        chunks.push(rest);
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_minor_digits_and_rfc4180_quoting() {
        assert_eq!(decimal(123_456, "USD"), "1234.56");
        assert_eq!(decimal(-5, "EUR"), "-0.05");
        assert_eq!(decimal(500, "JPY"), "500");
        let rows = vec![
            vec!["carrier".to_owned(), "note".to_owned()],
            vec![
                "carriers/a".to_owned(),
                "says \"hi\", twice\nthen".to_owned(),
            ],
        ];
        let bytes = encode(&rows, 1 << 16).unwrap_or_default().concat();
        assert_eq!(
            String::from_utf8(bytes).unwrap_or_default(),
            "carrier,note\r\ncarriers/a,\"says \"\"hi\"\", twice\nthen\"\r\n"
        );
    }
}
