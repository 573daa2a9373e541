//! The dispute and bonus side of the reconciliation, summed by the
//! database per (carrier, currency) as `reconciliation` sums the claims:
//! one aggregate query each, nothing proportional to history read back.
//!
//! - Disputes submitted by the end of the day (a `submitted` history row
//!   by then); answered by then when an accepted, partially accepted or
//!   rejected row is (answers are final, so the accepted amount is the
//!   dispute's); credited = Σ credits booked by then from remittances
//!   dated by then.
//! - Bonuses: each SLA evaluation's latest revision received by then whose
//!   period ended by then.

use recourse_claims_domain::reconciliation::DisputeTotals;
use recourse_money::Money;
use sea_orm::{ConnectionTrait, Value};

use super::reconciliation::{
    RowKey, Scope, SumError, end_of, overflowed, row_key, statement, total,
};

const DISPUTE_TOTALS: &str = "\
WITH submitted AS (
  SELECT DISTINCT dispute_id FROM claims_dispute_history WHERE to_status = 'submitted' AND at < ?
),
answered AS (
  SELECT DISTINCT dispute_id FROM claims_dispute_history
  WHERE to_status IN ('accepted', 'partially_accepted', 'rejected') AND at < ?
),
credited AS (
  SELECT c.dispute_id, SUM(CAST(c.amount_minor AS NUMERIC)) AS total
  FROM dispute_credits c JOIN remittances r ON r.id = c.remittance_id
  WHERE c.created_at < ? AND r.remittance_date <= ?
  GROUP BY c.dispute_id
),
books AS (
  SELECT d.carrier_id, d.currency, CAST(d.amount_minor AS NUMERIC) AS disputed,
         COALESCE(cr.total, 0) AS credited,
         CASE WHEN an.dispute_id IS NULL
              THEN CAST(d.amount_minor AS NUMERIC) - COALESCE(cr.total, 0)
              ELSE CAST(COALESCE(d.accepted_minor, 0) AS NUMERIC) - COALESCE(cr.total, 0)
         END AS outstanding,
         CASE WHEN an.dispute_id IS NULL THEN 0
              ELSE CAST(d.amount_minor AS NUMERIC) - CAST(COALESCE(d.accepted_minor, 0) AS NUMERIC)
         END AS declined
  FROM claims_disputes d
  JOIN submitted s ON s.dispute_id = d.id
  LEFT JOIN answered an ON an.dispute_id = d.id
  LEFT JOIN credited cr ON cr.dispute_id = d.id
  WHERE 1 = 1";

const DISPUTE_TOTALS_SELECT: &str = "
)
SELECT carrier_id, currency, COUNT(*) AS disputes,
  CAST(SUM(disputed) AS TEXT) AS disputed,
  CAST(SUM(credited) AS TEXT) AS credited,
  CAST(SUM(outstanding) AS TEXT) AS dispute_outstanding,
  CAST(SUM(declined) AS TEXT) AS dispute_declined
FROM books GROUP BY carrier_id, currency";

/// Each (carrier, currency)'s disputes as of the end of `scope.as_of`.
pub async fn disputes<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope<'_>,
) -> Result<Vec<(String, DisputeTotals)>, SumError> {
    let end = end_of(scope.as_of);
    let mut values: Vec<Value> = vec![end.into(), end.into(), end.into(), scope.as_of.into()];
    let filters = scope.filters("d", &mut values);
    let sql = format!("{DISPUTE_TOTALS}{filters}{DISPUTE_TOTALS_SELECT}");
    let rows = conn
        .query_all_raw(statement(conn.get_database_backend(), &sql, values))
        .await
        .map_err(|e| overflowed(e, "disputed"))?;
    rows.iter()
        .map(|r| {
            let RowKey {
                carrier,
                currency,
                key,
            } = row_key(r)?;
            let sum = |field| total(r, &key, field, currency);
            let count: i64 = r.try_get("", "disputes")?;
            Ok((
                carrier,
                DisputeTotals {
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                    disputed: sum("disputed")?,
                    credited: sum("credited")?,
                    outstanding: sum("dispute_outstanding")?,
                    declined: sum("dispute_declined")?,
                },
            ))
        })
        .collect()
}

/// Each (carrier, currency)'s bonuses payable as of the end of
/// `scope.as_of`.
pub async fn bonuses<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope<'_>,
) -> Result<Vec<(String, Money)>, SumError> {
    let mut values: Vec<Value> = vec![end_of(scope.as_of).into(), scope.as_of.into()];
    let filters = scope.filters("b", &mut values);
    let sql = format!(
        "SELECT carrier_id, currency, \
           CAST(SUM(CAST(bonus_minor AS NUMERIC)) AS TEXT) AS bonuses_payable \
         FROM (SELECT b.carrier_id, b.currency, b.bonus_minor, \
                 ROW_NUMBER() OVER (PARTITION BY b.evaluation ORDER BY b.revision DESC) AS rn \
               FROM claims_sla_bonuses b \
               WHERE b.evaluated_at < ? AND b.period_end <= ?{filters}) latest \
         WHERE rn = 1 AND bonus_minor > 0 GROUP BY carrier_id, currency"
    );
    let rows = conn
        .query_all_raw(statement(conn.get_database_backend(), &sql, values))
        .await
        .map_err(|e| overflowed(e, "bonuses_payable"))?;
    rows.iter()
        .map(|r| {
            let row = row_key(r)?;
            Ok((
                row.carrier,
                total(r, &row.key, "bonuses_payable", row.currency)?,
            ))
        })
        .collect()
}
