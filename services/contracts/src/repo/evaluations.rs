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

pub async fn find<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id.to_owned()).one(conn).await
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

#[allow(clippy::too_many_arguments)]
pub async fn save<C: ConnectionTrait>(
    conn: &C,
    existing: Option<&Model>,
    id: &str,
    carrier_id: &str,
    service_level: &str,
    period: &str,
    start: NaiveDate,
    revision: i64,
    body: Vec<u8>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = evaluation::ActiveModel {
        id: Set(id.to_owned()),
        carrier_id: Set(carrier_id.to_owned()),
        service_level: Set(service_level.to_owned()),
        period: Set(period.to_owned()),
        period_start: Set(start),
        revision: Set(revision),
        body: Set(body),
        evaluated_at: Set(at),
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
