//! Stored SLA evaluations: one row per carrier × service level × period,
//! rewritten (revision + 1) when the period is evaluated again.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::evaluation::{self, Column, Entity, Model};

pub async fn find_period<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    service_level: &str,
    period: &str,
    start: NaiveDate,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::CarrierId.eq(carrier_id))
        .filter(Column::ServiceLevel.eq(service_level))
        .filter(Column::Period.eq(period))
        .filter(Column::PeriodStart.eq(start))
        .one(conn)
        .await
}

/// The evaluation `id`; with `scope`, only if it is that carrier's.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    scope: Option<&str>,
) -> Result<Option<Model>, DbErr> {
    let mut query = Entity::find_by_id(id.to_owned());
    if let Some(carrier) = scope {
        query = query.filter(Column::CarrierId.eq(carrier));
    }
    query.one(conn).await
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    carrier_id: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find();
    if let Some(c) = carrier_id {
        query = query.filter(Column::CarrierId.eq(c));
    }
    if let Some(after) = after {
        query = query.filter(Column::Id.gt(after));
    }
    query.order_by_asc(Column::Id).limit(limit).all(conn).await
}

/// One period's evaluation to store.
#[derive(Debug, Clone)]
pub struct EvaluationRow {
    pub id: String,
    pub carrier_id: String,
    pub service_level: String,
    pub period: &'static str,
    pub start: NaiveDate,
    pub revision: i64,
    /// The evaluation document (`convert::sla` encodes it).
    pub body: Vec<u8>,
    pub at: DateTime<Utc>,
}

/// Inserts the period's first evaluation, or replaces `existing` if it is
/// still the revision read (`RecordNotUpdated` otherwise).
pub async fn save<C: ConnectionTrait>(
    conn: &C,
    existing: Option<&Model>,
    e: EvaluationRow,
) -> Result<(), DbErr> {
    let row = evaluation::ActiveModel {
        id: Set(e.id),
        carrier_id: Set(e.carrier_id),
        service_level: Set(e.service_level),
        period: Set(e.period.to_owned()),
        period_start: Set(e.start),
        revision: Set(e.revision),
        body: Set(e.body),
        evaluated_at: Set(e.at),
        stale: Set(false),
    };
    match existing {
        None => {
            Entity::insert(row).exec(conn).await?;
        }
        Some(old) => {
            let result = Entity::update_many()
                .set(row)
                .filter(Column::Id.eq(old.id.as_str()))
                .filter(Column::Revision.eq(old.revision))
                .exec(conn)
                .await?;
            if result.rows_affected != 1 {
                return Err(DbErr::RecordNotUpdated);
            }
        }
    }
    Ok(())
}

/// Marks the stored evaluations of a carrier and service level whose period
/// starts on one of `starts` (period name, first day) as stale: a delivery
/// they counted was corrected. Re-evaluating clears the mark.
pub async fn mark_stale<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    service_level: &str,
    starts: &[(&str, NaiveDate)],
) -> Result<u64, DbErr> {
    let mut periods = sea_orm::Condition::any();
    for (period, start) in starts {
        periods = periods.add(
            sea_orm::Condition::all()
                .add(Column::Period.eq(*period))
                .add(Column::PeriodStart.eq(*start)),
        );
    }
    let result = Entity::update_many()
        .col_expr(Column::Stale, sea_orm::sea_query::Expr::value(true))
        .filter(Column::CarrierId.eq(carrier_id))
        .filter(Column::ServiceLevel.eq(service_level))
        .filter(periods)
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
