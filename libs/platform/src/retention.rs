//! How long bookkeeping is kept, and the task that purges it.
//!
//! Bookkeeping is what exists only so the API behaves well, not as a record
//! of the business: the idempotency rows (a request id's hash and first
//! response), which matter only while a client may still retry. They are
//! kept `retention.idempotency_days` (default 30) and then deleted; a retry
//! older than that runs as a new request. Everything else is history and is
//! kept: the outbox is the feed a consumer may resume from position 0, and
//! claim history, tracking events and evaluations are the business record.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::config::RetentionSettings;
use crate::idempotency::IdempotencyTable;

/// Deletes the idempotency rows of `tables` recorded before `now` minus the
/// retention. Returns how many were deleted.
pub async fn purge_once(
    db: &DatabaseConnection,
    tables: &[IdempotencyTable],
    settings: &RetentionSettings,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let cutoff = now - chrono::Duration::days(i64::from(settings.idempotency_days));
    let mut deleted = 0;
    for table in tables {
        deleted += table.purge_before(db, cutoff).await?;
    }
    Ok(deleted)
}

/// Spawns the purge task of one service: a purge at start, then one every
/// `retention.purge_interval_seconds`. Failures are logged and retried on
/// the next round.
pub fn spawn_purger(
    service: &'static str,
    db: DatabaseConnection,
    tables: Vec<IdempotencyTable>,
    settings: RetentionSettings,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let interval = Duration::from_secs(settings.purge_interval_seconds);
        loop {
            match purge_once(&db, &tables, &settings, Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(service, deleted = n, "purged expired idempotency records"),
                Err(err) => tracing::warn!(service, %err, "purging idempotency records failed"),
            }
            tokio::time::sleep(interval).await;
        }
    })
}
