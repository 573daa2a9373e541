//! The books as they stood at the end of a day, summed by the database:
//! one row per (carrier, currency) comes back, never a claim or a history
//! row, so a reconciliation costs two aggregate queries whatever the
//! history holds. The rules are the domain's
//! (`recourse_claims_domain::reconciliation`): claims submitted by then and
//! not withdrawn by then; each claim's latest approval recorded by then;
//! allocations booked by then from remittances dated by then; write-offs
//! made by then; remittances dated by then.
//!
//! Sums are exact: PostgreSQL adds the amounts as `numeric` and SQLite
//! refuses an integer sum beyond 64 bits ("integer overflow"); totals are
//! read back as text and range-checked, so a sum beyond 64-bit minor units
//! (only rows stored before amounts were bounded can get there) is
//! reported with its row and field, never wrapped and never INTERNAL.

use chrono::{DateTime, NaiveDate, Utc};
use recourse_claims_domain::reconciliation::{Aging, DisputeTotals, Row, bucket_starts};
use recourse_money::{Currency, Money};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement, Value};

use super::corrupt;

/// A total that does not fit 64-bit minor units, or a failed query.
#[derive(Debug)]
pub enum SumError {
    /// The total of `field`, in `row` (`carrier, currency`) when known.
    Overflow {
        row: Option<(String, String)>,
        field: &'static str,
    },
    Db(DbErr),
}

impl From<DbErr> for SumError {
    fn from(err: DbErr) -> Self {
        SumError::Db(err)
    }
}

/// The end of `day` (UTC): instants before it happened on or before `day`.
pub fn end_of(day: NaiveDate) -> DateTime<Utc> {
    start_of(day.succ_opt().unwrap_or(NaiveDate::MAX))
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// `?` placeholders as the backend spells them.
pub(super) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut n = 0;
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// What to sum: the day, and optional carrier and currency filters.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    pub as_of: NaiveDate,
    pub carrier_id: Option<&'a str>,
    pub currency: Option<Currency>,
}

impl Scope<'_> {
    /// ` AND {table}.carrier_id = ? AND {table}.currency = ?` as set.
    pub(super) fn filters(&self, table: &str, values: &mut Vec<Value>) -> String {
        let mut sql = String::new();
        if let Some(c) = self.carrier_id {
            sql.push_str(&format!(" AND {table}.carrier_id = ?"));
            values.push(c.into());
        }
        if let Some(c) = self.currency {
            sql.push_str(&format!(" AND {table}.currency = ?"));
            values.push(c.as_str().into());
        }
        sql
    }
}

const CLAIM_TOTALS: &str = "\
WITH approval AS (
  SELECT claim_id, amount_minor, at FROM (
    SELECT h.claim_id, h.amount_minor, h.at,
           ROW_NUMBER() OVER (PARTITION BY h.claim_id ORDER BY h.id DESC) AS rn
    FROM claim_history h
    WHERE h.to_status IN ('approved', 'partially_approved')
      AND h.amount_minor IS NOT NULL AND h.at < ?
  ) latest WHERE rn = 1
),
withdrawn AS (
  SELECT DISTINCT claim_id FROM claim_history WHERE to_status = 'withdrawn' AND at < ?
),
recovered AS (
  SELECT a.claim_id, SUM(CAST(a.amount_minor AS NUMERIC)) AS total
  FROM allocations a JOIN remittances r ON r.id = a.remittance_id
  WHERE a.created_at < ? AND r.remittance_date <= ?
  GROUP BY a.claim_id
),
written AS (
  SELECT claim_id, SUM(CAST(amount_minor AS NUMERIC)) AS total
  FROM write_offs WHERE at < ? GROUP BY claim_id
),
owed AS (
  SELECT c.carrier_id, c.currency, CAST(c.claimed_minor AS NUMERIC) AS claimed,
         CAST(ap.amount_minor AS NUMERIC) AS approved, ap.at AS approved_at,
         CASE WHEN ap.amount_minor IS NULL THEN 0 ELSE COALESCE(rec.total, 0) END AS recovered,
         CASE WHEN ap.amount_minor IS NULL THEN 0 ELSE COALESCE(wo.total, 0) END AS written_off,
         CASE WHEN ap.amount_minor IS NULL THEN 0
              ELSE CAST(ap.amount_minor AS NUMERIC) - COALESCE(rec.total, 0) - COALESCE(wo.total, 0)
         END AS outstanding
  FROM claims c
  LEFT JOIN approval ap ON ap.claim_id = c.id
  LEFT JOIN recovered rec ON rec.claim_id = c.id
  LEFT JOIN written wo ON wo.claim_id = c.id
  WHERE c.submitted_at IS NOT NULL AND c.submitted_at < ? AND c.status <> 'draft'
    AND c.id NOT IN (SELECT claim_id FROM withdrawn)";

const CLAIM_TOTALS_SELECT: &str = "
)
SELECT carrier_id, currency, COUNT(*) AS claims,
  CAST(SUM(claimed) AS TEXT) AS claimed,
  CAST(COALESCE(SUM(approved), 0) AS TEXT) AS approved,
  CAST(SUM(recovered) AS TEXT) AS recovered,
  CAST(SUM(written_off) AS TEXT) AS written_off,
  CAST(SUM(outstanding) AS TEXT) AS outstanding,
  CAST(SUM(CASE WHEN approved_at >= ? THEN outstanding ELSE 0 END) AS TEXT) AS days_0_30,
  CAST(SUM(CASE WHEN approved_at >= ? AND approved_at < ? THEN outstanding ELSE 0 END) AS TEXT)
    AS days_31_60,
  CAST(SUM(CASE WHEN approved_at >= ? AND approved_at < ? THEN outstanding ELSE 0 END) AS TEXT)
    AS days_61_90,
  CAST(SUM(CASE WHEN approved_at < ? THEN outstanding ELSE 0 END) AS TEXT) AS days_over_90
FROM owed GROUP BY carrier_id, currency";

/// SQLite reports an integer SUM beyond 64 bits as "integer overflow".
pub(super) fn overflowed(err: DbErr, field: &'static str) -> SumError {
    if err.to_string().contains("integer overflow") {
        SumError::Overflow { row: None, field }
    } else {
        SumError::Db(err)
    }
}

/// The (carrier, currency) a summed row is about.
pub(super) struct RowKey {
    pub(super) carrier: String,
    pub(super) currency: Currency,
    pub(super) key: (String, String),
}

pub(super) fn row_key(row: &QueryResult) -> Result<RowKey, SumError> {
    let carrier: String = row.try_get("", "carrier_id")?;
    let code: String = row.try_get("", "currency")?;
    let currency = Currency::parse(&code).map_err(|_| corrupt("currency", &code))?;
    Ok(RowKey {
        key: (carrier.clone(), code),
        carrier,
        currency,
    })
}

/// A summed column read back as text and range-checked.
pub(super) fn total(
    row: &QueryResult,
    key: &(String, String),
    field: &'static str,
    currency: Currency,
) -> Result<Money, SumError> {
    let text: Option<String> = row.try_get("", field)?;
    let text = text.unwrap_or_else(|| "0".to_owned());
    text.trim()
        .parse::<i128>()
        .ok()
        .and_then(|t| i64::try_from(t).ok())
        .map(|minor| Money::new(minor, currency))
        .ok_or_else(|| SumError::Overflow {
            row: Some(key.clone()),
            field,
        })
}

/// The claim side of each (carrier, currency) row as of the end of
/// `scope.as_of` (unallocated money not yet added).
pub async fn claim_rows<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope<'_>,
) -> Result<Vec<Row>, SumError> {
    let end = end_of(scope.as_of);
    let [d30, d60, d90] = bucket_starts(scope.as_of).map(start_of);
    let mut values: Vec<Value> = vec![
        end.into(),
        end.into(),
        end.into(),
        scope.as_of.into(),
        end.into(),
        end.into(),
    ];
    let filters = scope.filters("c", &mut values);
    values.extend([d30, d60, d30, d90, d60, d90].map(Value::from));
    let sql = format!("{CLAIM_TOTALS}{filters}{CLAIM_TOTALS_SELECT}");
    let rows = conn
        .query_all_raw(statement(conn.get_database_backend(), &sql, values))
        .await
        .map_err(|e| overflowed(e, "claims"))?;
    rows.iter()
        .map(|r| {
            let RowKey {
                carrier,
                currency,
                key,
            } = row_key(r)?;
            let sum = |field| total(r, &key, field, currency);
            let claims: i64 = r.try_get("", "claims")?;
            Ok(Row {
                claims: u32::try_from(claims).unwrap_or(u32::MAX),
                claimed: sum("claimed")?,
                approved: sum("approved")?,
                recovered: sum("recovered")?,
                written_off: sum("written_off")?,
                outstanding: sum("outstanding")?,
                aging: Aging {
                    days_0_30: sum("days_0_30")?,
                    days_31_60: sum("days_31_60")?,
                    days_61_90: sum("days_61_90")?,
                    days_over_90: sum("days_over_90")?,
                },
                unallocated: Money::zero(currency),
                disputes: DisputeTotals::zero(currency),
                bonuses_payable: Money::zero(currency),
                carrier,
                currency,
            })
        })
        .collect()
}

/// What is left of each carrier's remittances dated by `scope.as_of`, per
/// currency, counting allocations and dispute credits booked by the end of
/// that day.
pub async fn unallocated<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope<'_>,
) -> Result<Vec<(String, Money)>, SumError> {
    let end = end_of(scope.as_of);
    let mut values: Vec<Value> = vec![end.into(), end.into(), scope.as_of.into()];
    let filters = scope.filters("r", &mut values);
    let sql = format!(
        "SELECT r.carrier_id, r.currency, \
         CAST(SUM(CAST(r.amount_minor AS NUMERIC) - COALESCE(al.total, 0) \
                  - COALESCE(dc.total, 0)) AS TEXT) \
           AS unallocated_remittances \
         FROM remittances r LEFT JOIN (\
           SELECT remittance_id, SUM(CAST(amount_minor AS NUMERIC)) AS total \
           FROM allocations WHERE created_at < ? GROUP BY remittance_id\
         ) al ON al.remittance_id = r.id LEFT JOIN (\
           SELECT remittance_id, SUM(CAST(amount_minor AS NUMERIC)) AS total \
           FROM dispute_credits WHERE created_at < ? GROUP BY remittance_id\
         ) dc ON dc.remittance_id = r.id \
         WHERE r.remittance_date <= ?{filters} GROUP BY r.carrier_id, r.currency"
    );
    let rows = conn
        .query_all_raw(statement(conn.get_database_backend(), &sql, values))
        .await
        .map_err(|e| overflowed(e, "unallocated_remittances"))?;
    rows.iter()
        .map(|r| {
            let row = row_key(r)?;
            let left = total(r, &row.key, "unallocated_remittances", row.currency)?;
            Ok((row.carrier, left))
        })
        .collect()
}
