//! X12 interchange control numbers and the imported interchanges
//! (migration `m20261128_000001_x12_interchanges`).

use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr, Statement};

use super::corrupt;

const INTERCHANGES: &str = "claims_x12_interchanges";

/// The next interchange control number for an export: the PostgreSQL
/// sequence (no lock held to the commit), the counter row on SQLite.
pub async fn next_control_number<C: ConnectionTrait>(conn: &C) -> Result<u32, DbErr> {
    let backend = conn.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "SELECT nextval('claims_x12_control_numbers') AS last"
    } else {
        "UPDATE claims_x12_counter SET last = last + 1 WHERE id = 1 RETURNING last"
    };
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::Custom("x12 control number counter returned nothing".into()))?;
    let last: i64 = row.try_get("", "last")?;
    match u32::try_from(last) {
        Ok(n) if n <= 999_999_999 => Ok(n),
        Ok(_) | Err(_) => Err(corrupt("x12 control number", last)),
    }
}

/// Which interchange: the importer's scope (its carrier, "" in house), the
/// ISA sender `{qualifier}:{id}` and ISA13.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterchangeId {
    pub scope: String,
    pub sender: String,
    pub control_number: u32,
}

/// The stored result of an interchange already imported.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    id: &InterchangeId,
) -> Result<Option<Vec<u8>>, DbErr> {
    let query = Query::select()
        .column(Alias::new("result"))
        .from(Alias::new(INTERCHANGES))
        .and_where(Expr::col(Alias::new("scope")).eq(id.scope.as_str()))
        .and_where(Expr::col(Alias::new("sender")).eq(id.sender.as_str()))
        .and_where(Expr::col(Alias::new("control_number")).eq(i64::from(id.control_number)))
        .to_owned();
    match conn.query_one(&query).await? {
        Some(row) => Ok(Some(row.try_get("", "result")?)),
        None => Ok(None),
    }
}

/// Records the interchange with its result unless it is there already;
/// true when this call recorded it (the primary key decides a race).
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    id: &InterchangeId,
    result: Vec<u8>,
) -> Result<bool, DbErr> {
    let cols = ["scope", "sender", "control_number", "result", "imported_at"];
    let insert = Query::insert()
        .into_table(Alias::new(INTERCHANGES))
        .columns(cols.map(Alias::new))
        .values([
            id.scope.as_str().into(),
            id.sender.as_str().into(),
            i64::from(id.control_number).into(),
            result.into(),
            Utc::now().into(),
        ])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::columns(["scope", "sender", "control_number"].map(Alias::new))
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    let done = conn.execute(&insert).await?;
    Ok(done.rows_affected() == 1)
}
