//! The delivery worker's statements: claim due deliveries (PostgreSQL:
//! `FOR UPDATE SKIP LOCKED`, so replicas never claim the same one), record
//! an attempt under the claim it was made for, keep each endpoint's
//! failure streak.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

use super::{at, count, get, ms, stmt};

/// A delivery claimed for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub delivery_id: String,
    pub endpoint_id: String,
    pub event_id: String,
    /// This attempt's number (1-based, over the delivery's life).
    pub attempt: u32,
    /// The attempt number within the current schedule (1-based).
    pub round_attempt: u32,
    pub first_attempt_at: DateTime<Utc>,
    pub manual: bool,
    /// The claim's lease: the attempt is recorded only while the delivery
    /// still holds it.
    pub lease_until: i64,
}

/// Claims up to `limit` due deliveries of enabled endpoints: each gets its
/// next attempt number and is leased until `lease_until` (due again then,
/// should this worker die before recording).
pub async fn claim_due<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Claimed>, DbErr> {
    let b = conn.get_database_backend();
    // SQLite has one writer at a time (one pooled connection): no lock
    // clause needed, nor known.
    let lock = if b == DbBackend::Postgres {
        " FOR UPDATE OF d SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE webhooks_deliveries SET attempts = attempts + 1, next_attempt_at = ?, \
         first_attempt_at = COALESCE(first_attempt_at, ?) \
         WHERE id IN (SELECT d.id FROM webhooks_deliveries d \
           JOIN webhooks_endpoints e ON e.id = d.endpoint_id \
           WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND e.state = 'enabled' \
           ORDER BY d.next_attempt_at LIMIT ?{lock}) \
         RETURNING id, endpoint_id, event_id, attempts, round_from, first_attempt_at, manual"
    );
    let rows = conn
        .query_all_raw(stmt(
            b,
            &sql,
            vec![
                ms(lease_until).into(),
                ms(now).into(),
                ms(now).into(),
                i64::try_from(limit).unwrap_or(i64::MAX).into(),
            ],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let attempts = count(get(row, "attempts")?);
            let round_from = count(get(row, "round_from")?);
            Ok(Claimed {
                delivery_id: get(row, "id")?,
                endpoint_id: get(row, "endpoint_id")?,
                event_id: get(row, "event_id")?,
                attempt: attempts,
                round_attempt: attempts.saturating_sub(round_from).max(1),
                first_attempt_at: at(get::<Option<i64>>(row, "first_attempt_at")?.unwrap_or(0)),
                manual: get::<i32>(row, "manual")? != 0,
                lease_until: ms(lease_until),
            })
        })
        .collect()
}

/// The body of event `id`.
pub async fn event_body<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<String>, DbErr> {
    let row = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            "SELECT body FROM webhooks_events WHERE id = ?",
            vec![id.into()],
        ))
        .await?;
    row.map(|r| get::<String>(&r, "body")).transpose()
}

/// One attempt's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub at: DateTime<Utc>,
    pub status_code: u16,
    pub latency_ms: i64,
    pub error: String,
}

/// Logs the attempt (at most once per number: the primary key) and moves
/// the delivery to `state` / `next_at` if it still holds `claim`'s lease.
/// Returns whether the delivery moved.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    claim: &Claimed,
    attempt: &AttemptRow,
    state: &str,
    next_at: Option<DateTime<Utc>>,
) -> Result<bool, DbErr> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "INSERT INTO webhooks_attempts (delivery_id, number, at, status_code, latency_ms, error, \
         manual) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            claim.delivery_id.clone().into(),
            i32::try_from(claim.attempt).unwrap_or(i32::MAX).into(),
            ms(attempt.at).into(),
            i32::from(attempt.status_code).into(),
            attempt.latency_ms.into(),
            attempt.error.clone().into(),
            i32::from(claim.manual).into(),
        ],
    ))
    .await?;
    let done = conn
        .execute_raw(stmt(
            b,
            "UPDATE webhooks_deliveries SET state = ?, next_attempt_at = ?, manual = 0 \
             WHERE id = ? AND attempts = ? AND next_attempt_at = ? AND state = 'pending'",
            vec![
                state.into(),
                next_at.map(ms).into(),
                claim.delivery_id.clone().into(),
                i32::try_from(claim.attempt).unwrap_or(i32::MAX).into(),
                claim.lease_until.into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// An endpoint's failure streak, read under a row lock on PostgreSQL so
/// concurrent attempts of one endpoint count one after another.
pub async fn streak<C: ConnectionTrait>(
    conn: &C,
    endpoint_id: &str,
) -> Result<Option<(u32, Option<DateTime<Utc>>, String)>, DbErr> {
    let b = conn.get_database_backend();
    let lock = if b == DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = conn
        .query_one_raw(stmt(
            b,
            &format!(
                "SELECT failures, failing_since, state FROM webhooks_endpoints WHERE id = ?{lock}"
            ),
            vec![endpoint_id.into()],
        ))
        .await?;
    row.map(|r| {
        Ok((
            count(get(&r, "failures")?),
            get::<Option<i64>>(&r, "failing_since")?.map(at),
            get::<String>(&r, "state")?,
        ))
    })
    .transpose()
}

pub async fn set_streak<C: ConnectionTrait>(
    conn: &C,
    endpoint_id: &str,
    failures: u32,
    since: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE webhooks_endpoints SET failures = ?, failing_since = ? WHERE id = ?",
        vec![
            i32::try_from(failures).unwrap_or(i32::MAX).into(),
            since.map(ms).into(),
            endpoint_id.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Disables the endpoint after persistent failure and owes an escalation.
pub async fn disable<C: ConnectionTrait>(
    conn: &C,
    endpoint_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE webhooks_endpoints SET state = 'disabled', disabled_reason = ?, \
         escalation_due = 1, revision = revision + 1, updated_at = ? \
         WHERE id = ? AND state = 'enabled'",
        vec![reason.into(), ms(now).into(), endpoint_id.into()],
    ))
    .await?;
    Ok(())
}

/// An endpoint whose disable owes an escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub endpoint_id: String,
    pub carrier_id: String,
    pub url: String,
    pub reason: String,
}

pub async fn owed_escalations<C: ConnectionTrait>(conn: &C) -> Result<Vec<Owed>, DbErr> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT id, carrier_id, url, disabled_reason FROM webhooks_endpoints \
             WHERE escalation_due = 1 ORDER BY id LIMIT 50",
            vec![],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Owed {
                endpoint_id: get(r, "id")?,
                carrier_id: get(r, "carrier_id")?,
                url: get(r, "url")?,
                reason: get(r, "disabled_reason")?,
            })
        })
        .collect()
}

pub async fn escalated<C: ConnectionTrait>(
    conn: &C,
    endpoint_id: &str,
    escalation: &str,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE webhooks_endpoints SET escalation_due = 0, escalation = ? \
         WHERE id = ? AND escalation_due = 1",
        vec![Value::from(escalation), endpoint_id.into()],
    ))
    .await?;
    Ok(())
}
