//! Events (stored once), deliveries (one per event and endpoint) and the
//! delivery log read back.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

use super::{at, count, get, ms, stmt};
use crate::model::{Attempt, Delivery, DeliveryState};

/// How many attempts a delivery shows in the log.
pub const LOG_ATTEMPTS: i32 = 10;

/// A feed event to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: String,
    pub feed: &'static str,
    pub position: i64,
    pub event_type: String,
    pub subject: String,
    pub occurred_at: DateTime<Utc>,
    pub body: String,
}

pub async fn insert_event<C: ConnectionTrait>(conn: &C, e: &StoredEvent) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO webhooks_events (id, feed, position, event_type, subject, occurred_at, body) \
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        vec![
            e.id.clone().into(),
            e.feed.into(),
            e.position.into(),
            e.event_type.clone().into(),
            e.subject.clone().into(),
            ms(e.occurred_at).into(),
            e.body.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// A pending delivery of `event_id` to `endpoint_id`, due at `now` (none
/// twice: the pair is unique).
pub async fn insert_delivery<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    endpoint_id: &str,
    event_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO webhooks_deliveries (id, endpoint_id, event_id, state, attempts, round_from, \
         manual, next_attempt_at, first_attempt_at, created_at) \
         VALUES (?, ?, ?, 'pending', 0, 0, 0, ?, NULL, ?) \
         ON CONFLICT (endpoint_id, event_id) DO NOTHING",
        vec![
            id.into(),
            endpoint_id.into(),
            event_id.into(),
            ms(now).into(),
            ms(now).into(),
        ],
    ))
    .await?;
    Ok(())
}

const SELECT: &str = "SELECT d.id, d.endpoint_id, d.event_id, d.state, d.attempts, \
     d.next_attempt_at, d.created_at, e.event_type, e.subject \
     FROM webhooks_deliveries d JOIN webhooks_events e ON e.id = d.event_id";

fn from_row(row: &QueryResult) -> Result<Delivery, DbErr> {
    let state: String = get(row, "state")?;
    Ok(Delivery {
        state: DeliveryState::parse(&state)
            .ok_or_else(|| DbErr::Custom(format!("corrupt delivery state `{state}`")))?,
        id: get(row, "id")?,
        endpoint_id: get(row, "endpoint_id")?,
        event_id: get(row, "event_id")?,
        event_type: get(row, "event_type")?,
        subject: get(row, "subject")?,
        attempts: count(get(row, "attempts")?),
        next_attempt_at: get::<Option<i64>>(row, "next_attempt_at")?.map(at),
        log: Vec::new(),
        created_at: at(get(row, "created_at")?),
    })
}

/// Fills each delivery's log with its last [`LOG_ATTEMPTS`] attempts.
async fn with_log<C: ConnectionTrait>(
    conn: &C,
    mut deliveries: Vec<Delivery>,
) -> Result<Vec<Delivery>, DbErr> {
    if deliveries.is_empty() {
        return Ok(deliveries);
    }
    let marks = vec!["?"; deliveries.len()].join(", ");
    let mut v: Vec<Value> = vec![LOG_ATTEMPTS.into()];
    v.extend(deliveries.iter().map(|d| Value::from(d.id.clone())));
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT a.delivery_id, a.number, a.at, a.status_code, a.latency_ms, a.error, \
                 a.manual FROM webhooks_attempts a \
                 JOIN webhooks_deliveries d ON d.id = a.delivery_id \
                 WHERE a.number > d.attempts - ? AND a.delivery_id IN ({marks}) \
                 ORDER BY a.delivery_id, a.number DESC"
            ),
            v,
        ))
        .await?;
    let mut logs: HashMap<String, Vec<Attempt>> = HashMap::new();
    for row in &rows {
        logs.entry(get(row, "delivery_id")?)
            .or_default()
            .push(Attempt {
                number: count(get(row, "number")?),
                at: at(get(row, "at")?),
                status_code: count(get(row, "status_code")?),
                latency_ms: u32::try_from(get::<i64>(row, "latency_ms")?).unwrap_or(u32::MAX),
                error: get(row, "error")?,
                manual: get::<i32>(row, "manual")? != 0,
            });
    }
    for d in &mut deliveries {
        d.log = logs.remove(&d.id).unwrap_or_default();
    }
    Ok(deliveries)
}

/// One page of an endpoint's deliveries, newest first (ids are UUIDv7),
/// before the key `before`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    endpoint_id: &str,
    state: Option<DeliveryState>,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<Delivery>, DbErr> {
    let mut sql = format!("{SELECT} WHERE d.endpoint_id = ?");
    let mut v: Vec<Value> = vec![endpoint_id.into()];
    if let Some(s) = state {
        sql.push_str(" AND d.state = ?");
        v.push(s.as_str().into());
    }
    if let Some(b) = before {
        sql.push_str(" AND d.id < ?");
        v.push(b.into());
    }
    sql.push_str(" ORDER BY d.id DESC LIMIT ?");
    v.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, v))
        .await?;
    let deliveries = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    with_log(conn, deliveries).await
}

pub async fn find<C: ConnectionTrait>(
    conn: &C,
    endpoint_id: &str,
    id: &str,
) -> Result<Option<Delivery>, DbErr> {
    let row = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            &format!("{SELECT} WHERE d.endpoint_id = ? AND d.id = ?"),
            vec![endpoint_id.into(), id.into()],
        ))
        .await?;
    let Some(delivery) = row.as_ref().map(from_row).transpose()? else {
        return Ok(None);
    };
    Ok(with_log(conn, vec![delivery]).await?.pop())
}

/// Makes the delivery due now as a manual attempt, its retry schedule
/// starting over from it.
pub async fn redeliver<C: ConnectionTrait>(
    conn: &C,
    endpoint_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = conn
        .execute_raw(stmt(
            conn.get_database_backend(),
            "UPDATE webhooks_deliveries SET state = 'pending', next_attempt_at = ?, \
             first_attempt_at = NULL, round_from = attempts, manual = 1 \
             WHERE endpoint_id = ? AND id = ?",
            vec![ms(now).into(), endpoint_id.into(), id.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}
