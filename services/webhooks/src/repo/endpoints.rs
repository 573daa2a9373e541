//! Endpoints: one row each, written under their revision.

use recourse_webhooks_domain::endpoint::EventTypes;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

use super::{at, count, get, ms, stmt};
use crate::model::{Endpoint, EndpointState};

/// Whose endpoints a caller may touch: a partner's own (owner kind and
/// id), or any (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Any,
    Carrier(String),
    Account(String),
}

impl Scope {
    /// The SQL condition (on alias-free columns) and its values.
    fn condition(&self) -> (&'static str, Vec<Value>) {
        match self {
            Scope::Any => ("1 = 1", vec![]),
            Scope::Carrier(c) => (
                "owner = 'carrier' AND carrier_id = ?",
                vec![c.clone().into()],
            ),
            Scope::Account(a) => (
                "owner = 'account' AND account_id = ?",
                vec![a.clone().into()],
            ),
        }
    }
}

const COLUMNS: &str = "id, url, description, event_types, owner, carrier_id, account_id, secret, \
     old_secret, old_secret_until, state, disabled_reason, failures, failing_since, escalation, \
     revision, created_at, updated_at";

fn corrupt(what: &str, value: &str) -> DbErr {
    DbErr::Custom(format!("corrupt webhooks_endpoints row: {what} `{value}`"))
}

pub fn from_row(row: &QueryResult) -> Result<Endpoint, DbErr> {
    let kind: String = get(row, "owner")?;
    let state: String = get(row, "state")?;
    let types: String = get(row, "event_types")?;
    Ok(Endpoint {
        owner: Endpoint::owner_from(&kind, get(row, "carrier_id")?, get(row, "account_id")?)
            .ok_or_else(|| corrupt("owner", &kind))?,
        state: EndpointState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        event_types: EventTypes::from_stored(types.lines().map(str::to_owned).collect()),
        id: get(row, "id")?,
        url: get(row, "url")?,
        description: get(row, "description")?,
        disabled_reason: get(row, "disabled_reason")?,
        secret: get(row, "secret")?,
        old_secret: get(row, "old_secret")?,
        old_secret_until: at(get(row, "old_secret_until")?),
        failures: count(get(row, "failures")?),
        failing_since: get::<Option<i64>>(row, "failing_since")?.map(at),
        escalation: get(row, "escalation")?,
        revision: get(row, "revision")?,
        created_at: at(get(row, "created_at")?),
        updated_at: at(get(row, "updated_at")?),
    })
}

fn values(e: &Endpoint) -> Vec<Value> {
    let (kind, carrier, account) = Endpoint::scope_columns(&e.owner);
    vec![
        e.url.clone().into(),
        e.description.clone().into(),
        e.event_types.as_slice().join("\n").into(),
        kind.into(),
        carrier.into(),
        account.into(),
        e.secret.clone().into(),
        e.old_secret.clone().into(),
        ms(e.old_secret_until).into(),
        e.state.as_str().into(),
        e.disabled_reason.clone().into(),
        e.revision.into(),
        ms(e.updated_at).into(),
    ]
}

pub async fn insert<C: ConnectionTrait>(conn: &C, e: &Endpoint) -> Result<(), DbErr> {
    let mut v = values(e);
    v.push(ms(e.created_at).into());
    v.push(e.id.clone().into());
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO webhooks_endpoints (url, description, event_types, owner, carrier_id, \
         account_id, secret, old_secret, old_secret_until, state, disabled_reason, revision, \
         updated_at, failures, escalation, escalation_due, created_at, id) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', 0, ?, ?)",
        v,
    ))
    .await?;
    Ok(())
}

/// Writes `e` (its revision already moved on) if the stored revision is
/// still `expected`; false when it moved.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    e: &Endpoint,
    expected: i64,
) -> Result<bool, DbErr> {
    let mut v = values(e);
    v.push(e.id.clone().into());
    v.push(expected.into());
    let done = conn
        .execute_raw(stmt(
            conn.get_database_backend(),
            "UPDATE webhooks_endpoints SET url = ?, description = ?, event_types = ?, owner = ?, \
             carrier_id = ?, account_id = ?, secret = ?, old_secret = ?, old_secret_until = ?, \
             state = ?, disabled_reason = ?, revision = ?, updated_at = ? \
             WHERE id = ? AND revision = ?",
            v,
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Clears the failure streak and any owed escalation (a re-enable).
pub async fn clear_streak<C: ConnectionTrait>(conn: &C, id: &str) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "UPDATE webhooks_endpoints SET failures = 0, failing_since = NULL, escalation_due = 0, \
         escalation = '' WHERE id = ?",
        vec![id.into()],
    ))
    .await?;
    Ok(())
}

/// The endpoint `id` if it exists within `scope`.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    scope: &Scope,
) -> Result<Option<Endpoint>, DbErr> {
    let (cond, mut v) = scope.condition();
    v.insert(0, id.into());
    let row = conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            &format!("SELECT {COLUMNS} FROM webhooks_endpoints WHERE id = ? AND {cond}"),
            v,
        ))
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// One page in id order after `after`, within `scope`, optionally of one
/// carrier.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    carrier: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Endpoint>, DbErr> {
    let (cond, mut v) = scope.condition();
    let mut sql = format!("SELECT {COLUMNS} FROM webhooks_endpoints WHERE {cond}");
    if let Some(c) = carrier {
        sql.push_str(" AND carrier_id = ?");
        v.push(c.into());
    }
    if let Some(a) = after {
        sql.push_str(" AND id > ?");
        v.push(a.into());
    }
    sql.push_str(" ORDER BY id LIMIT ?");
    v.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, v))
        .await?;
    rows.iter().map(from_row).collect()
}

/// Enabled endpoints that may want an event of `carrier` / `account`:
/// that carrier's, that account's and the in-house ones (the domain then
/// decides).
pub async fn candidates<C: ConnectionTrait>(
    conn: &C,
    carrier: &str,
    account: &str,
) -> Result<Vec<Endpoint>, DbErr> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM webhooks_endpoints WHERE state = 'enabled' AND \
                 ((owner = 'carrier' AND carrier_id = ?) OR (owner = 'account' AND account_id = ?) \
                  OR (owner = 'in_house' AND (carrier_id = '' OR carrier_id = ?))) ORDER BY id"
            ),
            vec![carrier.into(), account.into(), carrier.into()],
        ))
        .await?;
    rows.iter().map(from_row).collect()
}

/// Removes the endpoint, its deliveries and their attempts.
pub async fn delete<C: ConnectionTrait>(conn: &C, id: &str) -> Result<bool, DbErr> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "DELETE FROM webhooks_attempts WHERE delivery_id IN \
         (SELECT id FROM webhooks_deliveries WHERE endpoint_id = ?)",
        vec![id.into()],
    ))
    .await?;
    conn.execute_raw(stmt(
        b,
        "DELETE FROM webhooks_deliveries WHERE endpoint_id = ?",
        vec![id.into()],
    ))
    .await?;
    let done = conn
        .execute_raw(stmt(
            b,
            "DELETE FROM webhooks_endpoints WHERE id = ?",
            vec![id.into()],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}
