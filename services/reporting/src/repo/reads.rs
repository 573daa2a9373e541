//! What the reports read: shipment counts summed by the database per
//! carrier (and service level), and the period's claims, targets, open
//! claims and money movements as rows.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

use super::{day, stmt};
pub use crate::domain::scorecard::{ClaimRecord, ShipmentCounts, Targets};

fn count(r: &QueryResult, col: &str) -> Result<u64, DbErr> {
    let n: i64 = r.try_get("", col)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Shipments shipped (local ship date) in [first, last], per carrier,
/// service level and ship date (so one pass serves a period and the one
/// before it, the levels, the carriers and the tenders per day).
/// Undelivered shipments due before `as_of` (epoch seconds) are measured
/// (late); those not yet due are not.
pub async fn daily_counts<C: ConnectionTrait>(
    conn: &C,
    (first, last): (NaiveDate, NaiveDate),
    as_of: i64,
    carrier: Option<&str>,
) -> Result<Vec<(NaiveDate, ShipmentCounts)>, DbErr> {
    let level = "service_level";
    let group = "carrier_id, service_level, ship_date";
    let measured = "excused = 0 AND (delivered_at IS NOT NULL OR due_at < ?)";
    // Scan compliance measures excused shipments too (as the SLA does).
    let scanned = "scan_compliant IS NOT NULL AND (delivered_at IS NOT NULL OR due_at < ?)";
    let sql = format!(
        "SELECT carrier_id, {level} AS service_level, ship_date, COUNT(*) AS shipments, \
         CAST(COALESCE(SUM(excused), 0) AS BIGINT) AS excused, \
         CAST(COALESCE(SUM(CASE WHEN {measured} THEN 1 ELSE 0 END), 0) AS BIGINT) AS measured, \
         CAST(COALESCE(SUM(CASE WHEN excused = 0 AND verdict = 'ON_TIME' THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time, \
         CAST(COALESCE(SUM(CASE WHEN with_exception = 1 AND {measured} THEN 1 ELSE 0 END), 0) AS BIGINT) AS with_exception, \
         CAST(COALESCE(SUM(CASE WHEN {scanned} THEN 1 ELSE 0 END), 0) AS BIGINT) AS scan_measured, \
         CAST(COALESCE(SUM(CASE WHEN scan_compliant = 1 AND {scanned} THEN 1 ELSE 0 END), 0) AS BIGINT) AS scan_compliant, \
         CAST(COALESCE(SUM(charge_minor), 0) AS BIGINT) AS billed, COUNT(charge_minor) AS charged, \
         COALESCE(MIN(CASE WHEN charge_minor IS NOT NULL THEN currency END), '') AS cur_min, \
         COALESCE(MAX(CASE WHEN charge_minor IS NOT NULL THEN currency END), '') AS cur_max \
         FROM reporting_shipments WHERE ship_date >= ? AND ship_date <= ? {only} \
         GROUP BY {group} ORDER BY {group}",
        only = if carrier.is_some() {
            "AND carrier_id = ?"
        } else {
            ""
        },
    );
    let mut values: Vec<Value> = vec![
        as_of.into(),
        as_of.into(),
        as_of.into(),
        as_of.into(),
        day(first).into(),
        day(last).into(),
    ];
    if let Some(c) = carrier {
        values.push(c.into());
    }
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            let (min, max): (String, String) =
                (r.try_get("", "cur_min")?, r.try_get("", "cur_max")?);
            let on: String = r.try_get("", "ship_date")?;
            let on = NaiveDate::parse_from_str(&on, "%Y-%m-%d")
                .map_err(|e| DbErr::Type(format!("ship_date {on}: {e}")))?;
            Ok((
                on,
                ShipmentCounts {
                    carrier_id: r.try_get("", "carrier_id")?,
                    service_level: r.try_get("", "service_level")?,
                    shipments: count(r, "shipments")?,
                    excused: count(r, "excused")?,
                    measured: count(r, "measured")?,
                    on_time: count(r, "on_time")?,
                    with_exception: count(r, "with_exception")?,
                    scan_measured: count(r, "scan_measured")?,
                    scan_compliant: count(r, "scan_compliant")?,
                    billed_minor: r.try_get("", "billed")?,
                    charged: count(r, "charged")?,
                    currency: if min == max { min } else { String::new() },
                },
            ))
        })
        .collect()
}

/// Submitted claims, not withdrawn, submitted or decided in [from, to)
/// (epoch seconds); with `open_only`, every claim not settled, closed or
/// withdrawn instead (the window is then ignored).
pub async fn claims<C: ConnectionTrait>(
    conn: &C,
    (from, to): (i64, i64),
    carrier: Option<&str>,
    open_only: bool,
) -> Result<Vec<ClaimRecord>, DbErr> {
    let mut sql = String::from(
        "SELECT carrier_id, service_level, claim_type, status, currency, claimed_minor, submitted_at, \
         decided_at, acknowledge_due, decision_due, approved_minor, recovered_minor \
         FROM reporting_claims WHERE submitted_at IS NOT NULL AND withdrawn_at IS NULL",
    );
    let mut values: Vec<Value> = Vec::new();
    if open_only {
        sql.push_str(" AND status NOT IN ('CLAIM_STATUS_SETTLED', 'CLAIM_STATUS_CLOSED')");
    } else {
        sql.push_str(
            " AND ((submitted_at >= ? AND submitted_at < ?) OR (decided_at >= ? AND decided_at < ?))",
        );
        values.extend([from.into(), to.into(), from.into(), to.into()]);
    }
    if let Some(c) = carrier {
        sql.push_str(" AND carrier_id = ?");
        values.push(c.into());
    }
    sql.push_str(" ORDER BY carrier_id, claim_id");
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ClaimRecord {
                carrier_id: r.try_get("", "carrier_id")?,
                service_level: r.try_get("", "service_level")?,
                claim_type: r.try_get("", "claim_type")?,
                status: r.try_get("", "status")?,
                currency: r.try_get("", "currency")?,
                claimed_minor: r.try_get("", "claimed_minor")?,
                submitted_at: r.try_get("", "submitted_at")?,
                decided_at: r.try_get("", "decided_at")?,
                acknowledge_due: r.try_get("", "acknowledge_due")?,
                decision_due: r.try_get("", "decision_due")?,
                approved_minor: r.try_get("", "approved_minor")?,
                recovered_minor: r.try_get("", "recovered_minor")?,
            })
        })
        .collect()
}

/// SLA targets in force on `on` per (carrier, service level): the version
/// that took effect last among those covering the day.
pub async fn targets_on<C: ConnectionTrait>(
    conn: &C,
    on: NaiveDate,
) -> Result<std::collections::BTreeMap<(String, String), Targets>, DbErr> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT carrier_id, service_level, on_time_min_bp, exception_max_bp, claims_max_bp, scan_min_bp \
             FROM reporting_targets WHERE effective_from <= ? \
             AND (effective_to IS NULL OR effective_to >= ?) \
             ORDER BY effective_from, version",
            vec![day(on).into(), day(on).into()],
        ))
        .await?;
    let mut out = std::collections::BTreeMap::new();
    for r in &rows {
        let n = |c: &str| -> Result<i64, DbErr> { Ok(i64::from(r.try_get::<i32>("", c)?)) };
        out.insert(
            (
                r.try_get("", "carrier_id")?,
                r.try_get("", "service_level")?,
            ),
            Targets {
                on_time_min_bp: n("on_time_min_bp")?,
                exception_max_bp: n("exception_max_bp")?,
                claims_max_bp: n("claims_max_bp")?,
                scan_min_bp: n("scan_min_bp")?,
            },
        );
    }
    Ok(out)
}

/// Carrier codes by id.
pub async fn carrier_codes<C: ConnectionTrait>(
    conn: &C,
) -> Result<std::collections::BTreeMap<String, String>, DbErr> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT carrier_id, code FROM reporting_carriers",
            vec![],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "carrier_id")?, r.try_get("", "code")?)))
        .collect()
}

/// A money movement, in feed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRecord {
    pub claim_id: String,
    pub carrier_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub effective_date: String,
}

/// Every movement effective on or before `last`, in feed order.
pub async fn movements<C: ConnectionTrait>(
    conn: &C,
    last: NaiveDate,
    carrier: Option<&str>,
) -> Result<Vec<MovementRecord>, DbErr> {
    let mut sql = String::from(
        "SELECT claim_id, carrier_id, kind, amount_minor, currency, effective_date \
         FROM reporting_claim_movements WHERE effective_date <= ?",
    );
    let mut values: Vec<Value> = vec![day(last).into()];
    if let Some(c) = carrier {
        sql.push_str(" AND carrier_id = ?");
        values.push(c.into());
    }
    sql.push_str(" ORDER BY position");
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(MovementRecord {
                claim_id: r.try_get("", "claim_id")?,
                carrier_id: r.try_get("", "carrier_id")?,
                kind: r.try_get("", "kind")?,
                amount_minor: r.try_get("", "amount_minor")?,
                currency: r.try_get("", "currency")?,
                effective_date: r.try_get("", "effective_date")?,
            })
        })
        .collect()
}

/// Claims filed in `[from, to)` by type and currency: how many and how
/// much was claimed and approved.
pub async fn claims_by_type<C: ConnectionTrait>(
    conn: &C,
    (from, to): (i64, i64),
    carrier: &str,
) -> Result<Vec<(String, String, u64, i64, i64)>, DbErr> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT claim_type, currency, COUNT(*) AS n, \
             CAST(COALESCE(SUM(claimed_minor), 0) AS BIGINT) AS claimed, \
             CAST(COALESCE(SUM(approved_minor), 0) AS BIGINT) AS approved \
             FROM reporting_claims WHERE submitted_at >= ? AND submitted_at < ? \
             AND withdrawn_at IS NULL AND carrier_id = ? \
             GROUP BY claim_type, currency ORDER BY claimed DESC, claim_type, currency",
            vec![from.into(), to.into(), carrier.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "claim_type")?,
                r.try_get("", "currency")?,
                count(r, "n")?,
                r.try_get("", "claimed")?,
                r.try_get("", "approved")?,
            ))
        })
        .collect()
}
