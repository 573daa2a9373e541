//! What the books held at the end of a day, for a point-in-time
//! reconciliation: approvals and withdrawals recorded by then, money
//! allocated by then from remittances dated by then, write-offs made by
//! then, and remittances dated by then. Sums are done by the database and
//! read back as text (PostgreSQL sums bigints exactly as numeric), then
//! parsed with a range check, so an overflow is reported, never wrapped.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use recourse_claims_domain::lifecycle::ClaimStatus;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{allocation, history, remittance, write_off};

/// A sum that does not fit 64-bit minor units, or a failed query.
#[derive(Debug)]
pub enum SumError {
    /// The total of `what` is beyond ±9.2 × 10^18 minor units.
    Overflow {
        what: &'static str,
    },
    Db(DbErr),
}

impl From<DbErr> for SumError {
    fn from(err: DbErr) -> Self {
        SumError::Db(err)
    }
}

/// SQLite reports an integer SUM beyond 64 bits as "integer overflow".
fn overflowed(err: DbErr, what: &'static str) -> SumError {
    if err.to_string().contains("integer overflow") {
        SumError::Overflow { what }
    } else {
        SumError::Db(err)
    }
}

/// `(key, total)` rows of a grouped `CAST(SUM(..) AS TEXT)` query.
async fn sums<C: ConnectionTrait>(
    conn: &C,
    select: SelectStatement,
    what: &'static str,
) -> Result<HashMap<String, i64>, SumError> {
    let rows = conn
        .query_all(&select)
        .await
        .map_err(|e| overflowed(e, what))?;
    let mut out = HashMap::new();
    for row in rows {
        let key: String = row.try_get("", "key")?;
        let total: String = row.try_get("", "total")?;
        let total = total
            .trim()
            .parse::<i128>()
            .ok()
            .and_then(|t| i64::try_from(t).ok())
            .ok_or(SumError::Overflow { what })?;
        out.insert(key, total);
    }
    Ok(out)
}

/// The end of `day` (UTC): instants before it happened on or before `day`.
pub fn end_of(day: NaiveDate) -> DateTime<Utc> {
    day.succ_opt()
        .unwrap_or(NaiveDate::MAX)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

/// Allocated minor units per `group` (claim or remittance id), counting
/// allocations booked before `end` from remittances dated on or before
/// `as_of`.
pub async fn allocated_until<C: ConnectionTrait>(
    conn: &C,
    group: allocation::Column,
    as_of: NaiveDate,
    end: DateTime<Utc>,
) -> Result<HashMap<String, i64>, SumError> {
    let select = Query::select()
        .expr_as(Expr::col((allocation::Entity, group)), Alias::new("key"))
        .expr_as(
            Expr::cust("CAST(SUM(allocations.amount_minor) AS TEXT)"),
            Alias::new("total"),
        )
        .from(allocation::Entity)
        .inner_join(
            remittance::Entity,
            Expr::col((remittance::Entity, remittance::Column::Id))
                .equals((allocation::Entity, allocation::Column::RemittanceId)),
        )
        .and_where(Expr::col((allocation::Entity, allocation::Column::CreatedAt)).lt(end))
        .and_where(Expr::col((remittance::Entity, remittance::Column::RemittanceDate)).lte(as_of))
        .group_by_col((allocation::Entity, group))
        .to_owned();
    sums(conn, select, "allocations").await
}

/// Written-off minor units per claim id, for write-offs before `end`.
pub async fn written_off_until<C: ConnectionTrait>(
    conn: &C,
    end: DateTime<Utc>,
) -> Result<HashMap<String, i64>, SumError> {
    let select = Query::select()
        .expr_as(Expr::col(write_off::Column::ClaimId), Alias::new("key"))
        .expr_as(
            Expr::cust("CAST(SUM(amount_minor) AS TEXT)"),
            Alias::new("total"),
        )
        .from(write_off::Entity)
        .and_where(Expr::col(write_off::Column::At).lt(end))
        .group_by_col(write_off::Column::ClaimId)
        .to_owned();
    sums(conn, select, "write-offs").await
}

/// A claim's decisions and withdrawal as they stood at the end of a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandingAt {
    /// The latest approval recorded by then: amount and UTC date.
    pub approval: Option<(i64, NaiveDate)>,
    /// Withdrawn by then.
    pub withdrawn: bool,
}

/// Per claim id: the latest approval and any withdrawal recorded before
/// `end`, from the claims' history.
pub async fn standing_until<C: ConnectionTrait>(
    conn: &C,
    end: DateTime<Utc>,
) -> Result<HashMap<String, StandingAt>, DbErr> {
    let statuses = [
        ClaimStatus::Approved,
        ClaimStatus::PartiallyApproved,
        ClaimStatus::Withdrawn,
    ];
    let rows = history::Entity::find()
        .filter(history::Column::ToStatus.is_in(statuses.map(ClaimStatus::as_str)))
        .filter(history::Column::At.lt(end))
        .order_by(history::Column::Id, Order::Asc)
        .all(conn)
        .await?;
    let mut out: HashMap<String, StandingAt> = HashMap::new();
    for h in rows {
        let entry = out.entry(h.claim_id).or_default();
        if h.to_status == ClaimStatus::Withdrawn.as_str() {
            entry.withdrawn = true;
        } else if let Some(amount) = h.amount_minor {
            // History is in id (= time) order: the last approval wins.
            entry.approval = Some((amount, h.at.date_naive()));
        }
    }
    Ok(out)
}

/// Remittances dated on or before `as_of`, optionally of one carrier.
pub async fn remittances_until<C: ConnectionTrait>(
    conn: &C,
    carrier_id: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<remittance::Model>, DbErr> {
    let mut query =
        remittance::Entity::find().filter(remittance::Column::RemittanceDate.lte(as_of));
    if let Some(c) = carrier_id {
        query = query.filter(remittance::Column::CarrierId.eq(c));
    }
    query.order_by_asc(remittance::Column::Id).all(conn).await
}
