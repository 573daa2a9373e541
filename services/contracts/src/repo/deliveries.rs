//! Delivery times: the first DELIVERED event sets one, only an explicit
//! correction changes it, and refund candidates are found by (carrier,
//! delivered time, id) through `idx_shipments_delivered_id`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::shipment;
use super::shipments::{ShipmentRecord, from_row};

/// `(id, at)` pairs as one `UPDATE shipments ... FROM (VALUES ...)` per
/// 1,000 rows; `only_first` keeps a recorded delivery. Returns the ids
/// whose delivery time was written.
async fn write<C: ConnectionTrait>(
    conn: &C,
    deliveries: &[(String, DateTime<Utc>)],
    only_first: bool,
) -> Result<Vec<String>, DbErr> {
    let backend = conn.get_database_backend();
    let mut changed = Vec::new();
    for chunk in deliveries.chunks(1_000) {
        let mut values = Vec::with_capacity(chunk.len() * 2);
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (id, at))| {
                values.push(id.as_str().into());
                values.push((*at).into());
                if backend == sea_orm::DbBackend::Postgres {
                    format!("(${}, ${})", 2 * i + 1, 2 * i + 2)
                } else {
                    "(?, ?)".to_owned()
                }
            })
            .collect();
        let guard = if only_first {
            " AND shipments.delivered_at IS NULL"
        } else {
            ""
        };
        // One CTE-driven UPDATE ... FROM, valid on PostgreSQL and SQLite.
        let sql = format!(
            "WITH v(id, at) AS (VALUES {}) \
             UPDATE shipments SET delivered_at = v.at, revision = shipments.revision + 1 FROM v \
             WHERE shipments.id = v.id{guard} \
             RETURNING shipments.id",
            rows.join(", ")
        );
        for row in conn
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                backend, sql, values,
            ))
            .await?
        {
            changed.push(row.try_get::<String>("", "id")?);
        }
    }
    Ok(changed)
}

/// Records first deliveries: a shipment that already has a delivery time
/// keeps it (a later DELIVERED event never rewrites it, whatever its
/// time). The condition is in the UPDATE, so concurrent streams cannot both
/// set it. Returns the ids that were set.
pub async fn record_first<C: ConnectionTrait>(
    conn: &C,
    deliveries: &[(String, DateTime<Utc>)],
) -> Result<Vec<String>, DbErr> {
    write(conn, deliveries, true).await
}

/// Applies delivery corrections (the latest received wins).
pub async fn correct<C: ConnectionTrait>(
    conn: &C,
    corrections: &[(String, DateTime<Utc>)],
) -> Result<Vec<String>, DbErr> {
    write(conn, corrections, false).await
}

/// Position in the refund-candidate order: delivered time, then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryKey {
    pub delivered_at: DateTime<Utc>,
    pub id: String,
}

/// Late deliveries (delivered after the promise) of a carrier delivered in
/// [since, until], after `after` in (delivered time, id) order, at most
/// `limit`: an ordered range scan of (carrier_id, delivered_at, id).
pub async fn late_between<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    after: Option<&DeliveryKey>,
    limit: u64,
) -> Result<Vec<ShipmentRecord>, DbErr> {
    let mut query = shipment::Entity::find()
        .filter(shipment::Column::CarrierId.eq(carrier_id))
        .filter(shipment::Column::DeliveredAt.gte(since))
        .filter(shipment::Column::DeliveredAt.lte(until))
        .filter(
            Expr::col(shipment::Column::DeliveredAt).gt(Expr::col(shipment::Column::PromisedAt)),
        );
    if let Some(key) = after {
        // A row-value comparison: `idx_shipments_delivered_id` is read in
        // order from the key, never sorted.
        query = query.filter(
            Expr::tuple([
                Expr::col(shipment::Column::DeliveredAt),
                Expr::col(shipment::Column::Id),
            ])
            .gt(Expr::tuple([
                Expr::value(key.delivered_at),
                Expr::value(key.id.as_str()),
            ])),
        );
    }
    query
        .order_by_asc(shipment::Column::DeliveredAt)
        .order_by_asc(shipment::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}
