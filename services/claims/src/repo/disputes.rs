//! Disputes and their history. One dispute per invoice line is the
//! database's rule (`ux_claims_disputes_line`); the insert does nothing on
//! that conflict, so the caller learns the line was taken and its
//! transaction goes on.

use recourse_claims_domain::dispute::DisputeStatus;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, TryInsertResult,
};

use super::entity::{dispute, dispute_history};

pub use dispute::Model as DisputeRow;
pub use dispute_history::Model as HistoryRow;

/// Inserts `row` unless its invoice line is already disputed; `false`
/// when it was.
pub async fn insert_new<C: ConnectionTrait>(conn: &C, row: DisputeRow) -> Result<bool, DbErr> {
    let result = dispute::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([dispute::Column::InvoiceId, dispute::Column::LineNo])
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec_without_returning(conn)
        .await?;
    Ok(match result {
        TryInsertResult::Inserted(n) => n > 0,
        TryInsertResult::Empty | TryInsertResult::Conflicted => false,
    })
}

/// The dispute of an invoice line.
pub async fn of_line<C: ConnectionTrait>(
    conn: &C,
    invoice_id: &str,
    line_no: i64,
) -> Result<Option<DisputeRow>, DbErr> {
    dispute::Entity::find()
        .filter(dispute::Column::InvoiceId.eq(invoice_id))
        .filter(dispute::Column::LineNo.eq(line_no))
        .one(conn)
        .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<DisputeRow>, DbErr> {
    dispute::Entity::find_by_id(id.to_owned()).one(conn).await
}

/// Writes `row` if its revision is still `given`; `false` when it moved.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    row: &DisputeRow,
    given: i64,
) -> Result<bool, DbErr> {
    let done = dispute::Entity::update_many()
        .col_expr(dispute::Column::Status, Expr::value(row.status.clone()))
        .col_expr(
            dispute::Column::AcceptedMinor,
            Expr::value(row.accepted_minor),
        )
        .col_expr(dispute::Column::Revision, Expr::value(row.revision))
        .col_expr(dispute::Column::UpdatedAt, Expr::value(row.updated_at))
        .filter(dispute::Column::Id.eq(row.id.as_str()))
        .filter(dispute::Column::Revision.eq(given))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// What a list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisputeFilter {
    pub carrier_id: Option<String>,
    pub invoice_id: Option<String>,
    pub status: Option<DisputeStatus>,
    /// A carrier principal sees only submitted (or answered) disputes.
    pub submitted_only: bool,
}

/// Up to `limit` disputes after `after` (id order: time-ordered v7 ids).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &DisputeFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<DisputeRow>, DbErr> {
    let mut query = dispute::Entity::find();
    if let Some(c) = &filter.carrier_id {
        query = query.filter(dispute::Column::CarrierId.eq(c.as_str()));
    }
    if let Some(i) = &filter.invoice_id {
        query = query.filter(dispute::Column::InvoiceId.eq(i.as_str()));
    }
    if let Some(s) = filter.status {
        query = query.filter(dispute::Column::Status.eq(s.as_str()));
    }
    if filter.submitted_only {
        query = query.filter(dispute::Column::Status.ne(DisputeStatus::Open.as_str()));
    }
    if let Some(a) = after {
        query = query.filter(dispute::Column::Id.gt(a));
    }
    query
        .order_by_asc(dispute::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn append_history<C: ConnectionTrait>(
    conn: &C,
    dispute_id: &str,
    from: DisputeStatus,
    to: DisputeStatus,
    actor: &str,
    note: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    dispute_history::Entity::insert(dispute_history::ActiveModel {
        id: NotSet,
        dispute_id: Set(dispute_id.to_owned()),
        from_status: Set(from.as_str().to_owned()),
        to_status: Set(to.as_str().to_owned()),
        actor: Set(actor.to_owned()),
        note: Set(note.to_owned()),
        at: Set(at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn history<C: ConnectionTrait>(
    conn: &C,
    dispute_id: &str,
) -> Result<Vec<HistoryRow>, DbErr> {
    dispute_history::Entity::find()
        .filter(dispute_history::Column::DisputeId.eq(dispute_id))
        .order_by_asc(dispute_history::Column::Id)
        .limit(10_000)
        .all(conn)
        .await
}

/// Open disputes whose deadline is on or before `until`, after `after` in
/// id order (the escalation scan, a page at a time).
pub async fn open_due_by<C: ConnectionTrait>(
    conn: &C,
    until: chrono::NaiveDate,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<DisputeRow>, DbErr> {
    let mut query = dispute::Entity::find()
        .filter(dispute::Column::Status.eq(DisputeStatus::Open.as_str()))
        .filter(dispute::Column::Deadline.lte(until));
    if let Some(a) = after {
        query = query.filter(dispute::Column::Id.gt(a));
    }
    query
        .order_by_asc(dispute::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// The disputes `ids`, locked for the caller's transaction on PostgreSQL,
/// in id order (after the remittance and its claims: the one lock order).
pub async fn lock<C: ConnectionTrait>(conn: &C, ids: &[String]) -> Result<Vec<DisputeRow>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    dispute::Entity::find()
        .filter(dispute::Column::Id.is_in(ids.iter().map(String::as_str)))
        .order_by_asc(dispute::Column::Id)
        .lock_exclusive()
        .all(conn)
        .await
}

/// Raises a dispute's credited total by `amount` (with its new status and
/// accepted amount when the credit answered it), bumping its revision —
/// only while the dispute takes credit and the total stays within its
/// cap (the accepted amount once answered, else the disputed amount);
/// `false` when it would not.
pub async fn add_credit<C: ConnectionTrait>(
    conn: &C,
    row: &DisputeRow,
    amount: i64,
) -> Result<bool, DbErr> {
    let credited = || Expr::col(dispute::Column::CreditedMinor);
    let cap = Expr::cust("COALESCE(accepted_minor, amount_minor)");
    let done = dispute::Entity::update_many()
        .col_expr(dispute::Column::CreditedMinor, credited().add(amount))
        .col_expr(dispute::Column::Status, Expr::value(row.status.clone()))
        .col_expr(
            dispute::Column::AcceptedMinor,
            Expr::value(row.accepted_minor),
        )
        .col_expr(
            dispute::Column::Revision,
            Expr::col(dispute::Column::Revision).add(1),
        )
        .col_expr(dispute::Column::UpdatedAt, Expr::value(row.updated_at))
        .filter(dispute::Column::Id.eq(row.id.as_str()))
        .filter(dispute::Column::Status.is_in([
            DisputeStatus::Submitted.as_str(),
            DisputeStatus::Accepted.as_str(),
            DisputeStatus::PartiallyAccepted.as_str(),
        ]))
        .filter(credited().add(amount).lte(cap))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}
