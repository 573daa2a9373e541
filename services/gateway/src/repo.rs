//! Storage of API keys with sea-orm: one row per key, found by its id.

mod entity;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait as _};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::domain::{ApiKey, KeyId, RateOverride, SecretHash};
use entity::api_key;

fn corrupt(what: &str, id: &str) -> DbErr {
    DbErr::Custom(format!("corrupt gateway_api_keys row {id}: {what}"))
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn row(k: &ApiKey) -> api_key::ActiveModel {
    api_key::ActiveModel {
        id: Set(k.id.as_stored()),
        display_name: Set(k.display_name.clone()),
        role: Set(k.role.as_str().to_owned()),
        scope: Set(k.scope.clone()),
        secret_hash: Set(k.secret_hash.to_hex()),
        previous_secret_hash: Set(k.previous.map(|(hash, _)| hash.to_hex())),
        previous_valid_until: Set(k.previous.map(|(_, until)| until)),
        expires_at: Set(k.expires_at),
        rate_requests_per_second: Set(k.rate.map(|r| to_i32(r.requests_per_second))),
        rate_burst: Set(k.rate.map(|r| to_i32(r.burst))),
        rate_max_streams: Set(k.rate.and_then(|r| r.max_streams).map(to_i32)),
        created_at: Set(k.created_at),
        rotated_at: Set(k.rotated_at),
        revoked_at: Set(k.revoked_at),
        last_used_at: Set(k.last_used_at),
        version: Set(k.version),
    }
}

fn from_row(m: api_key::Model) -> Result<ApiKey, DbErr> {
    let id = KeyId::parse_name(&m.id).map_err(|_| corrupt("id", &m.id))?;
    let hash = |value: &str| SecretHash::from_hex(value).ok_or_else(|| corrupt("hash", &m.id));
    let previous = match (&m.previous_secret_hash, m.previous_valid_until) {
        (Some(h), Some(until)) => Some((hash(h)?, until)),
        (None, None) => None,
        _ => return Err(corrupt("previous secret", &m.id)),
    };
    let count = |v: i32| u32::try_from(v).map_err(|_| corrupt("rate limit", &m.id));
    let rate = match (m.rate_requests_per_second, m.rate_burst) {
        (Some(rps), Some(burst)) => Some(RateOverride {
            requests_per_second: count(rps)?,
            burst: count(burst)?,
            max_streams: m.rate_max_streams.map(count).transpose()?,
        }),
        (None, None) => None,
        _ => return Err(corrupt("rate limit", &m.id)),
    };
    Ok(ApiKey {
        id,
        role: m.role.parse().map_err(|_| corrupt("role", &m.id))?,
        secret_hash: hash(&m.secret_hash)?,
        previous,
        rate,
        display_name: m.display_name,
        scope: m.scope,
        expires_at: m.expires_at,
        created_at: m.created_at,
        rotated_at: m.rotated_at,
        revoked_at: m.revoked_at,
        last_used_at: m.last_used_at,
        version: m.version,
    })
}

pub async fn insert<C: ConnectionTrait>(conn: &C, key: &ApiKey) -> Result<(), DbErr> {
    api_key::Entity::insert(row(key)).exec(conn).await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: &KeyId) -> Result<Option<ApiKey>, DbErr> {
    api_key::Entity::find_by_id(id.as_stored())
        .one(conn)
        .await?
        .map(from_row)
        .transpose()
}

/// Writes `key` over the stored one if its version is still `expected`
/// (a conditional UPDATE: concurrent writers cannot both win). The
/// last-use time is not written here; it has its own batched path.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    key: &ApiKey,
    expected: i64,
) -> Result<bool, DbErr> {
    let mut active = row(key);
    active.last_used_at = sea_orm::ActiveValue::NotSet;
    let result = api_key::Entity::update_many()
        .set(active)
        .filter(api_key::Column::Id.eq(key.id.as_stored()))
        .filter(api_key::Column::Version.eq(expected))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// One page of keys in id (creation) order after `after`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    show_revoked: bool,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<ApiKey>, DbErr> {
    let mut query = api_key::Entity::find();
    if !show_revoked {
        query = query.filter(api_key::Column::RevokedAt.is_null());
    }
    if let Some(after) = after {
        query = query.filter(api_key::Column::Id.gt(after));
    }
    query
        .order_by_asc(api_key::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// Records last-use times of many keys in one statement; a time never moves
/// backwards (another replica may have written a later one).
pub async fn record_last_use<C: ConnectionTrait>(
    conn: &C,
    uses: &[(KeyId, DateTime<Utc>)],
) -> Result<(), DbErr> {
    if uses.is_empty() {
        return Ok(());
    }
    let mut case = CaseStatement::new();
    for (id, at) in uses {
        case = case.case(api_key::Column::Id.eq(id.as_stored()), Expr::val(*at));
    }
    let ids: Vec<String> = uses.iter().map(|(id, _)| id.as_stored()).collect();
    let new_time = Expr::expr(case);
    api_key::Entity::update_many()
        .col_expr(
            api_key::Column::LastUsedAt,
            Expr::case(
                api_key::Column::LastUsedAt
                    .is_null()
                    .or(Expr::col(api_key::Column::LastUsedAt).lt(new_time.clone())),
                new_time,
            )
            .finally(Expr::col(api_key::Column::LastUsedAt))
            .into(),
        )
        .filter(api_key::Column::Id.is_in(ids))
        .exec(conn)
        .await?;
    Ok(())
}
