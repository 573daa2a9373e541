//! Carrier invoices, their lines and findings. Lines and findings are
//! written with multi-row inserts of at most 1,000 rows (about 15,000
//! bind values, under PostgreSQL's 65,535 and SQLite's 32,766).

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use super::entity::{invoice, invoice_finding, invoice_line, tracking_event};

pub use invoice::Model as InvoiceRow;
pub use invoice_finding::Model as FindingRow;
pub use invoice_line::Model as LineRow;

/// Serialises the invoice imports of one carrier (PostgreSQL: a
/// transaction-scoped advisory lock), so "billed before" is decided on
/// what the previous import committed. SQLite has one writer connection.
pub async fn lock_carrier<C: ConnectionTrait>(conn: &C, carrier_id: &str) -> Result<(), DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [format!("contracts_invoices:{carrier_id}").into()],
        ))
        .await?;
    }
    Ok(())
}

pub async fn find_by_number<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    number: &str,
) -> Result<Option<InvoiceRow>, DbErr> {
    invoice::Entity::find()
        .filter(invoice::Column::CarrierId.eq(carrier_id))
        .filter(invoice::Column::InvoiceNumber.eq(number))
        .one(conn)
        .await
}

/// The invoice `id`, if it is of `carrier` (when given).
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    carrier: Option<&str>,
) -> Result<Option<InvoiceRow>, DbErr> {
    let mut query = invoice::Entity::find_by_id(id.to_owned());
    if let Some(carrier) = carrier {
        query = query.filter(invoice::Column::CarrierId.eq(carrier));
    }
    query.one(conn).await
}

pub async fn insert<C: ConnectionTrait>(conn: &C, row: InvoiceRow) -> Result<(), DbErr> {
    invoice::Entity::insert(row.into_active_model())
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// Writes the audit's sums and the answer a replay returns.
pub async fn finish<C: ConnectionTrait>(conn: &C, row: &InvoiceRow) -> Result<(), DbErr> {
    invoice::Entity::update_many()
        .col_expr(
            invoice::Column::LinesTotalMinor,
            Expr::value(row.lines_total_minor),
        )
        .col_expr(invoice::Column::LineCount, Expr::value(row.line_count))
        .col_expr(
            invoice::Column::LinesWithFindings,
            Expr::value(row.lines_with_findings),
        )
        .col_expr(
            invoice::Column::AtStakeMinor,
            Expr::value(row.at_stake_minor),
        )
        .col_expr(invoice::Column::Answer, Expr::value(row.answer.clone()))
        .filter(invoice::Column::Id.eq(row.id.as_str()))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Where each of these tracking numbers was first billed by the carrier:
/// `(invoice number, line)`.
pub async fn first_billings<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    numbers: &[&str],
) -> Result<HashMap<String, (String, i64)>, DbErr> {
    let mut found: Vec<(String, String, i64)> = Vec::new();
    for chunk in numbers.chunks(1_000) {
        let rows: Vec<(String, String, i64)> = invoice_line::Entity::find()
            .select_only()
            .column(invoice_line::Column::TrackingNumber)
            .column(invoice_line::Column::InvoiceId)
            .column(invoice_line::Column::LineNo)
            .filter(invoice_line::Column::CarrierId.eq(carrier_id))
            .filter(invoice_line::Column::Duplicate.eq(false))
            .filter(invoice_line::Column::TrackingNumber.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(rows);
    }
    let ids: HashSet<&str> = found.iter().map(|(_, id, _)| id.as_str()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut numbers_of: HashMap<String, String> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let rows: Vec<(String, String)> = invoice::Entity::find()
            .select_only()
            .column(invoice::Column::Id)
            .column(invoice::Column::InvoiceNumber)
            .filter(invoice::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        numbers_of.extend(rows);
    }
    Ok(found
        .into_iter()
        .map(|(tracking, id, line)| {
            let number = numbers_of.get(&id).cloned().unwrap_or(id);
            (tracking, (number, line))
        })
        .collect())
}

/// Which of these shipments have at least one tracking event.
pub async fn scanned<C: ConnectionTrait>(
    conn: &C,
    shipment_ids: &[&str],
) -> Result<HashSet<String>, DbErr> {
    let mut out = HashSet::new();
    for chunk in shipment_ids.chunks(1_000) {
        let rows: Vec<String> = tracking_event::Entity::find()
            .select_only()
            .column(tracking_event::Column::ShipmentId)
            .distinct()
            .filter(tracking_event::Column::ShipmentId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn insert_lines<C: ConnectionTrait>(conn: &C, rows: Vec<LineRow>) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<invoice_line::ActiveModel> = rows
            .by_ref()
            .take(1_000)
            .map(IntoActiveModel::into_active_model)
            .collect();
        invoice_line::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_findings<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<FindingRow>,
) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<invoice_finding::ActiveModel> = rows
            .by_ref()
            .take(1_000)
            .map(IntoActiveModel::into_active_model)
            .collect();
        invoice_finding::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Up to `limit` lines of an invoice after file line `after`, in file
/// order, with their findings.
pub async fn lines<C: ConnectionTrait>(
    conn: &C,
    invoice_id: &str,
    after: i64,
    limit: u64,
    only_findings: bool,
) -> Result<Vec<(LineRow, Vec<FindingRow>)>, DbErr> {
    let mut query = invoice_line::Entity::find()
        .filter(invoice_line::Column::InvoiceId.eq(invoice_id))
        .filter(invoice_line::Column::LineNo.gt(after));
    if only_findings {
        query = query.filter(invoice_line::Column::FindingCount.gt(0));
    }
    let lines = query
        .order_by_asc(invoice_line::Column::LineNo)
        .limit(limit)
        .all(conn)
        .await?;
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return Ok(Vec::new());
    };
    let findings = invoice_finding::Entity::find()
        .filter(invoice_finding::Column::InvoiceId.eq(invoice_id))
        .filter(invoice_finding::Column::LineNo.gte(first.line_no))
        .filter(invoice_finding::Column::LineNo.lte(last.line_no))
        .order_by_asc(invoice_finding::Column::LineNo)
        .order_by_asc(invoice_finding::Column::Seq)
        .all(conn)
        .await?;
    let mut by_line: HashMap<i64, Vec<FindingRow>> = HashMap::new();
    for f in findings {
        by_line.entry(f.line_no).or_default().push(f);
    }
    Ok(lines
        .into_iter()
        .map(|l| {
            let found = by_line.remove(&l.line_no).unwrap_or_default();
            (l, found)
        })
        .collect())
}

/// Billing facts from an invoice: `(shipment id, invoice date, billed
/// total, billed base)`, one `UPDATE shipments … FROM (VALUES …)` per
/// 1,000; each write bumps the shipment's revision (its etag).
pub async fn record_billing<C: ConnectionTrait>(
    conn: &C,
    facts: &[(String, chrono::NaiveDate, i64, Option<i64>)],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for chunk in facts.chunks(1_000) {
        let mut values = Vec::with_capacity(chunk.len() * 4);
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (id, date, total, base))| {
                values.push(id.as_str().into());
                values.push((*date).into());
                values.push((*total).into());
                values.push((*base).into());
                if backend == DbBackend::Postgres {
                    let n = 4 * i;
                    format!(
                        "(${}, CAST(${} AS DATE), CAST(${} AS BIGINT), CAST(${} AS BIGINT))",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4
                    )
                } else {
                    "(?, ?, ?, ?)".to_owned()
                }
            })
            .collect();
        let sql = format!(
            "WITH v(id, invoice_date, total, base) AS (VALUES {}) \
             UPDATE shipments SET invoice_date = v.invoice_date, billed_charge_minor = v.total, \
             billed_transportation_minor = v.base, revision = shipments.revision + 1 FROM v \
             WHERE shipments.id = v.id",
            rows.join(", ")
        );
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// The carrier's shipments with these tracking numbers, whole.
pub async fn shipments_by_tracking<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    numbers: &[&str],
) -> Result<HashMap<String, super::shipments::ShipmentRecord>, DbErr> {
    use super::entity::shipment;
    let mut out = HashMap::with_capacity(numbers.len());
    for chunk in numbers.chunks(1_000) {
        let rows = shipment::Entity::find()
            .filter(shipment::Column::CarrierId.eq(carrier_id))
            .filter(shipment::Column::TrackingNumber.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        for row in rows {
            let record = super::shipments::from_row(row)?;
            out.insert(record.tracking_number.clone(), record);
        }
    }
    Ok(out)
}
