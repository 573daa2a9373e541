//! The webhooks tables in SQL (one statement text for both databases,
//! `?` placeholders numbered for PostgreSQL by `stmt`). Instants are epoch
//! milliseconds.

pub mod deliveries;
pub mod endpoints;
pub mod worker;

use chrono::{DateTime, Utc};
use sea_orm::{DbErr, QueryResult};

pub use recourse_platform::feed_consumer::stmt;

pub fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T, DbErr> {
    row.try_get::<T>("", column)
}

/// A stored count (non-negative by construction) as `u32`.
pub fn count(value: i32) -> u32 {
    u32::try_from(value).unwrap_or(0)
}
