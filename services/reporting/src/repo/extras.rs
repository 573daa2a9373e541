//! What the scorecard reads beside shipment counts and claims: the
//! carriers' allocations, SLA evaluations,
//! refund recoveries and open escalations — each one query bounded by the
//! period (or by carriers).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, Value};

use super::{ALWAYS, day, stmt};
use crate::domain::extras::{RefundRecovery, SlaRecord};
use crate::domain::facts::CapacityFact;

fn only(sql: &mut String, values: &mut Vec<Value>, column: &str, carrier: Option<&str>) {
    if let Some(c) = carrier {
        sql.push_str(&format!(" AND {column} = ?"));
        values.push(c.into());
    }
}

fn parse(s: &str) -> Result<NaiveDate, DbErr> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DbErr::Type(format!("{s}: {e}")))
}

/// Each carrier's allocations as last stated.
pub async fn capacities<C: ConnectionTrait>(
    conn: &C,
    carrier: Option<&str>,
) -> Result<BTreeMap<String, CapacityFact>, DbErr> {
    let mut sql = String::from(
        "SELECT carrier_id, first_day, last_day, peak, daily_parcels FROM reporting_allocations \
         WHERE 1 = 1",
    );
    let mut values = Vec::new();
    only(&mut sql, &mut values, "carrier_id", carrier);
    sql.push_str(" ORDER BY carrier_id, peak, first_day");
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    let mut out: BTreeMap<String, CapacityFact> = BTreeMap::new();
    for r in &rows {
        let entry = out.entry(r.try_get("", "carrier_id")?).or_default();
        let parcels = u32::try_from(r.try_get::<i32>("", "daily_parcels")?).unwrap_or(0);
        let (first, last): (String, String) =
            (r.try_get("", "first_day")?, r.try_get("", "last_day")?);
        if r.try_get::<i32>("", "peak")? == 0 && (first.as_str(), last.as_str()) == ALWAYS {
            entry.daily_parcels = parcels;
        } else {
            entry.peaks.push((parse(&first)?, parse(&last)?, parcels));
        }
    }
    Ok(out)
}

/// SLA evaluations whose period's last day is in [first, last].
pub async fn evaluations<C: ConnectionTrait>(
    conn: &C,
    (first, last): (NaiveDate, NaiveDate),
    carrier: Option<&str>,
) -> Result<Vec<SlaRecord>, DbErr> {
    let mut sql = String::from(
        "SELECT carrier_id, service_level, currency, credit_minor, bonus_minor, breached \
         FROM reporting_sla_evaluations WHERE period_last >= ? AND period_last <= ?",
    );
    let mut values: Vec<Value> = vec![day(first).into(), day(last).into()];
    only(&mut sql, &mut values, "carrier_id", carrier);
    sql.push_str(" ORDER BY carrier_id, service_level, period_last, evaluation_id");
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SlaRecord {
                carrier_id: r.try_get("", "carrier_id")?,
                service_level: r.try_get("", "service_level")?,
                currency: r.try_get("", "currency")?,
                credit_minor: r.try_get("", "credit_minor")?,
                bonus_minor: r.try_get("", "bonus_minor")?,
                breached: r.try_get::<i32>("", "breached")? != 0,
            })
        })
        .collect()
}

/// Money recovered on DELAY (refund) claims, effective in [first, last],
/// per carrier, service level and currency.
pub async fn refund_recoveries<C: ConnectionTrait>(
    conn: &C,
    (first, last): (NaiveDate, NaiveDate),
    carrier: Option<&str>,
) -> Result<Vec<RefundRecovery>, DbErr> {
    let mut sql = String::from(
        "SELECT m.carrier_id AS carrier_id, c.service_level AS service_level, \
         m.currency AS currency, CAST(SUM(m.amount_minor) AS BIGINT) AS amount \
         FROM reporting_claim_movements m JOIN reporting_claims c ON c.claim_id = m.claim_id \
         WHERE m.kind = 'recovered' AND c.claim_type = 'CLAIM_TYPE_DELAY' \
         AND m.effective_date >= ? AND m.effective_date <= ?",
    );
    let mut values: Vec<Value> = vec![day(first).into(), day(last).into()];
    only(&mut sql, &mut values, "m.carrier_id", carrier);
    sql.push_str(
        " GROUP BY m.carrier_id, c.service_level, m.currency \
         ORDER BY m.carrier_id, c.service_level, m.currency",
    );
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RefundRecovery {
                carrier_id: r.try_get("", "carrier_id")?,
                service_level: r.try_get("", "service_level")?,
                currency: r.try_get("", "currency")?,
                amount_minor: r.try_get("", "amount")?,
            })
        })
        .collect()
}

/// Escalations not resolved, per carrier.
pub async fn open_escalations<C: ConnectionTrait>(
    conn: &C,
    carrier: Option<&str>,
) -> Result<BTreeMap<String, u64>, DbErr> {
    let mut sql = String::from(
        "SELECT carrier_id, COUNT(*) AS n FROM reporting_escalations WHERE resolved = 0",
    );
    let mut values = Vec::new();
    only(&mut sql, &mut values, "carrier_id", carrier);
    sql.push_str(" GROUP BY carrier_id");
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            let n: i64 = r.try_get("", "n")?;
            Ok((r.try_get("", "carrier_id")?, u64::try_from(n).unwrap_or(0)))
        })
        .collect()
}
