//! Tracking events: written in batches with one insert that skips (and so
//! deduplicates) events already stored under the carrier's event id.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, OnConflict, Query, ReturningClause};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};

use recourse_contracts_domain::tracking::EventKind;

use super::entity::tracking_event;

/// One event ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub carrier_event_id: String,
    pub shipment_id: String,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub location: String,
    pub exception_reason: String,
}

/// Rows per INSERT statement: 8 bind parameters each stays well under the
/// PostgreSQL (65535) and SQLite (32766) limits.
const ROWS_PER_STATEMENT: usize = 2_000;

/// Inserts `rows` for `carrier_id`, skipping ids already stored. Returns the
/// carrier event ids that were new.
pub async fn insert_new<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    rows: &[EventRow],
    received_at: DateTime<Utc>,
) -> Result<HashSet<String>, DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        insert_new_from_json(conn, carrier_id, rows, received_at).await
    } else {
        insert_new_from_values(conn, carrier_id, rows, received_at).await
    }
}

/// PostgreSQL: the batch as one JSON parameter expanded by
/// `json_to_recordset`. A multi-row `VALUES` binds 8 parameters per row, and
/// PostgreSQL parses and plans 16,000 of them for every 2,000 rows; one text
/// parameter is parsed once, and the plan no longer depends on the batch
/// size (the load benchmark's ingest/COPY ratio, README "Performance").
async fn insert_new_from_json<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    rows: &[EventRow],
    received_at: DateTime<Utc>,
) -> Result<HashSet<String>, DbErr> {
    const SQL: &str = "INSERT INTO tracking_events (carrier_id, carrier_event_id, shipment_id, \
         event_type, occurred_at, location, exception_reason, received_at) \
         SELECT $1, e.i, e.s, e.t, e.o, e.l, e.x, $2 \
         FROM json_to_recordset($3::json) AS e(i text, s text, t text, o timestamptz, l text, x text) \
         ON CONFLICT (carrier_id, carrier_event_id) DO NOTHING RETURNING carrier_event_id";
    let mut stored = HashSet::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let batch: Vec<serde_json::Value> = chunk
            .iter()
            .map(|row| {
                serde_json::json!({
                    "i": row.carrier_event_id,
                    "s": row.shipment_id,
                    "t": row.kind.as_str(),
                    "o": row.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    "l": row.location,
                    "x": row.exception_reason,
                })
            })
            .collect();
        let batch = serde_json::to_string(&batch).map_err(|e| DbErr::Custom(e.to_string()))?;
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            SQL,
            [carrier_id.into(), received_at.into(), batch.into()],
        );
        for result in conn.query_all_raw(statement).await? {
            stored.insert(result.try_get::<String>("", "carrier_event_id")?);
        }
    }
    Ok(stored)
}

/// SQLite: multi-row `INSERT … VALUES … ON CONFLICT DO NOTHING RETURNING`.
async fn insert_new_from_values<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    rows: &[EventRow],
    received_at: DateTime<Utc>,
) -> Result<HashSet<String>, DbErr> {
    let mut stored = HashSet::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("tracking_events"))
            .columns([
                Alias::new("carrier_id"),
                Alias::new("carrier_event_id"),
                Alias::new("shipment_id"),
                Alias::new("event_type"),
                Alias::new("occurred_at"),
                Alias::new("location"),
                Alias::new("exception_reason"),
                Alias::new("received_at"),
            ])
            .on_conflict(
                OnConflict::columns([Alias::new("carrier_id"), Alias::new("carrier_event_id")])
                    .do_nothing()
                    .to_owned(),
            )
            .returning(ReturningClause::Columns(vec![
                Alias::new("carrier_event_id").into(),
            ]));
        for row in chunk {
            insert
                .values([
                    carrier_id.into(),
                    row.carrier_event_id.as_str().into(),
                    row.shipment_id.as_str().into(),
                    row.kind.as_str().into(),
                    row.occurred_at.into(),
                    row.location.as_str().into(),
                    row.exception_reason.as_str().into(),
                    received_at.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        for result in conn.query_all(&insert).await? {
            stored.insert(result.try_get::<String>("", "carrier_event_id")?);
        }
    }
    Ok(stored)
}

/// A stored tracking event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub carrier_event_id: String,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub location: String,
    pub exception_reason: String,
}

fn stored(row: tracking_event::Model) -> Result<StoredEvent, DbErr> {
    Ok(StoredEvent {
        kind: EventKind::parse(&row.event_type)
            .ok_or_else(|| super::corrupt("event type", &row.event_type))?,
        carrier_event_id: row.carrier_event_id,
        occurred_at: row.occurred_at,
        location: row.location,
        exception_reason: row.exception_reason,
    })
}

/// Events of one shipment in occurrence order.
pub async fn of_shipment<C: ConnectionTrait>(
    conn: &C,
    shipment_id: &str,
) -> Result<Vec<StoredEvent>, DbErr> {
    tracking_event::Entity::find()
        .filter(tracking_event::Column::ShipmentId.eq(shipment_id))
        .order_by_asc(tracking_event::Column::OccurredAt)
        .order_by_asc(tracking_event::Column::CarrierEventId)
        .all(conn)
        .await?
        .into_iter()
        .map(stored)
        .collect()
}

/// The type of a shipment's latest event (by occurrence, then event id):
/// one row read through `idx_tracking_events_latest`, however long the
/// shipment's history.
pub async fn latest_type<C: ConnectionTrait>(
    conn: &C,
    shipment_id: &str,
) -> Result<Option<String>, DbErr> {
    Ok(tracking_event::Entity::find()
        .filter(tracking_event::Column::ShipmentId.eq(shipment_id))
        .order_by_desc(tracking_event::Column::OccurredAt)
        .order_by_desc(tracking_event::Column::CarrierEventId)
        .limit(1)
        .one(conn)
        .await?
        .map(|e| e.event_type))
}

/// Events of many shipments, grouped by shipment, in occurrence order.
pub async fn of_shipments<C: ConnectionTrait>(
    conn: &C,
    ids: &[String],
) -> Result<HashMap<String, Vec<StoredEvent>>, DbErr> {
    let mut out: HashMap<String, Vec<StoredEvent>> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        let rows = tracking_event::Entity::find()
            .filter(tracking_event::Column::ShipmentId.is_in(chunk.iter().map(String::as_str)))
            .order_by_asc(tracking_event::Column::OccurredAt)
            .all(conn)
            .await?;
        for row in rows {
            let shipment = row.shipment_id.clone();
            out.entry(shipment).or_default().push(stored(row)?);
        }
    }
    Ok(out)
}
