//! The escalation queue's rows and notes. Inserts do nothing on any
//! unique conflict (the same occurrence, or an open item of the subject);
//! the caller learns whether it created the row.

use chrono::NaiveDate;
use recourse_claims_domain::escalation::EscalationState;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};

use super::entity::{escalation, escalation_note};

pub use escalation::Model as EscalationRow;
pub use escalation_note::Model as NoteRow;

/// Inserts `row` unless an item of the same occurrence exists or the
/// subject has an open one; `true` when inserted.
pub async fn insert_new<C: ConnectionTrait>(conn: &C, row: &EscalationRow) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    let params: Vec<String> = (1..=12)
        .map(|i| {
            if backend == DbBackend::Postgres {
                format!("${i}")
            } else {
                "?".to_owned()
            }
        })
        .collect();
    let due = if backend == DbBackend::Postgres {
        format!("CAST({} AS DATE)", params[6])
    } else {
        params[6].clone()
    };
    let sql = format!(
        "INSERT INTO claims_escalations (id, kind, subject, occurrence, carrier_id, owner, \
         due_date, state, summary, revision, created_at, updated_at) VALUES \
         ({}, {}, {}, {}, {}, {}, {due}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING",
        params[0],
        params[1],
        params[2],
        params[3],
        params[4],
        params[5],
        params[7],
        params[8],
        params[9],
        params[10],
        params[11],
    );
    let values: Vec<sea_orm::Value> = vec![
        row.id.as_str().into(),
        row.kind.as_str().into(),
        row.subject.as_str().into(),
        row.occurrence.as_str().into(),
        row.carrier_id.as_str().into(),
        row.owner.as_str().into(),
        row.due_date.into(),
        row.state.as_str().into(),
        row.summary.as_str().into(),
        row.revision.into(),
        row.created_at.into(),
        row.updated_at.into(),
    ];
    let done = conn
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<EscalationRow>, DbErr> {
    escalation::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await
}

/// The subject's open (not resolved) item.
pub async fn open_of<C: ConnectionTrait>(
    conn: &C,
    subject: &str,
) -> Result<Option<EscalationRow>, DbErr> {
    escalation::Entity::find()
        .filter(escalation::Column::Subject.eq(subject))
        .filter(escalation::Column::State.ne(EscalationState::Resolved.as_str()))
        .one(conn)
        .await
}

/// Writes `row` if its revision is still `given`.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    row: &EscalationRow,
    given: i64,
) -> Result<bool, DbErr> {
    let done = escalation::Entity::update_many()
        .col_expr(escalation::Column::Owner, Expr::value(row.owner.clone()))
        .col_expr(escalation::Column::State, Expr::value(row.state.clone()))
        .col_expr(escalation::Column::DueDate, Expr::value(row.due_date))
        .col_expr(escalation::Column::Revision, Expr::value(row.revision))
        .col_expr(escalation::Column::UpdatedAt, Expr::value(row.updated_at))
        .filter(escalation::Column::Id.eq(row.id.as_str()))
        .filter(escalation::Column::Revision.eq(given))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// What ListEscalations asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscalationFilter {
    pub owner: Option<String>,
    pub kind: Option<String>,
    pub carrier_id: Option<String>,
    pub due_before: Option<NaiveDate>,
    /// `None`: every state but resolved.
    pub state: Option<EscalationState>,
}

/// Up to `limit` items after `(due, id)`, earliest due first.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    f: &EscalationFilter,
    after: Option<(NaiveDate, String)>,
    limit: u64,
) -> Result<Vec<EscalationRow>, DbErr> {
    let mut query = escalation::Entity::find();
    query = match f.state {
        Some(s) => query.filter(escalation::Column::State.eq(s.as_str())),
        None => query.filter(escalation::Column::State.ne(EscalationState::Resolved.as_str())),
    };
    if let Some(o) = &f.owner {
        query = query.filter(escalation::Column::Owner.eq(o.as_str()));
    }
    if let Some(k) = &f.kind {
        query = query.filter(escalation::Column::Kind.eq(k.as_str()));
    }
    if let Some(c) = &f.carrier_id {
        query = query.filter(escalation::Column::CarrierId.eq(c.as_str()));
    }
    if let Some(d) = f.due_before {
        query = query.filter(escalation::Column::DueDate.lte(d));
    }
    if let Some((due, id)) = after {
        query = query.filter(
            Expr::tuple([
                Expr::col(escalation::Column::DueDate),
                Expr::col(escalation::Column::Id),
            ])
            .gt(Expr::tuple([Expr::value(due), Expr::value(id)])),
        );
    }
    query
        .order_by_asc(escalation::Column::DueDate)
        .order_by_asc(escalation::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn add_note<C: ConnectionTrait>(
    conn: &C,
    escalation_id: &str,
    author: &str,
    text: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    escalation_note::Entity::insert(escalation_note::ActiveModel {
        id: NotSet,
        escalation_id: Set(escalation_id.to_owned()),
        author: Set(author.to_owned()),
        text: Set(text.to_owned()),
        at: Set(at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn note_count<C: ConnectionTrait>(conn: &C, escalation_id: &str) -> Result<u64, DbErr> {
    escalation_note::Entity::find()
        .filter(escalation_note::Column::EscalationId.eq(escalation_id))
        .count(conn)
        .await
}

/// Notes of these items, oldest first.
pub async fn notes_of<C: ConnectionTrait>(conn: &C, ids: &[&str]) -> Result<Vec<NoteRow>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    escalation_note::Entity::find()
        .filter(escalation_note::Column::EscalationId.is_in(ids.iter().copied()))
        .order_by_asc(escalation_note::Column::Id)
        .all(conn)
        .await
}
