//! Each feed's position (and the error that stopped its consumer), moved
//! in the transaction of the projection rows an event changed.

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

use super::stmt;

/// Makes sure `feed` has a row (position 0) and returns its position.
pub async fn position<C: ConnectionTrait>(conn: &C, feed: &str) -> Result<i64, DbErr> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "INSERT INTO reporting_feed_positions (feed, position, last_error, updated_at) \
         VALUES (?, 0, '', 0) ON CONFLICT (feed) DO NOTHING",
        vec![feed.into()],
    ))
    .await?;
    let row = conn
        .query_one_raw(stmt(
            b,
            "SELECT position FROM reporting_feed_positions WHERE feed = ?",
            vec![feed.into()],
        ))
        .await?;
    row.map(|r| r.try_get::<i64>("", "position"))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Moves `feed` from `from` to `to`; false when its position was not
/// `from` any more (another consumer moved it: the caller rolls back).
pub async fn advance<C: ConnectionTrait>(
    conn: &C,
    feed: &str,
    from: i64,
    to: i64,
) -> Result<bool, DbErr> {
    let b = conn.get_database_backend();
    let done = conn
        .execute_raw(stmt(
            b,
            "UPDATE reporting_feed_positions SET position = ?, last_error = '', updated_at = ? \
             WHERE feed = ? AND position = ?",
            vec![
                to.into(),
                chrono::Utc::now().timestamp().into(),
                feed.into(),
                from.into(),
            ],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records why `feed`'s consumer stopped.
pub async fn record_error<C: ConnectionTrait>(
    conn: &C,
    feed: &str,
    error: &str,
) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    conn.execute_raw(stmt(
        b,
        "UPDATE reporting_feed_positions SET last_error = ? WHERE feed = ?",
        vec![error.into(), feed.into()],
    ))
    .await?;
    Ok(())
}

/// The stored error of `feed` ("" when none).
pub async fn last_error<C: ConnectionTrait>(conn: &C, feed: &str) -> Result<String, DbErr> {
    let b = conn.get_database_backend();
    let row = conn
        .query_one_raw(stmt(
            b,
            "SELECT last_error FROM reporting_feed_positions WHERE feed = ?",
            vec![feed.into()],
        ))
        .await?;
    row.map(|r| r.try_get::<String>("", "last_error"))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Empties every read model and puts every feed back to position 0, in one
/// transaction. The positions are reset first: that waits for any
/// consumer transaction in flight (each takes its feed's position row
/// first), so the deletes see its rows, and a consumer of another replica
/// then finds its position moved and starts again from 0.
pub async fn clear(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    txn.execute_unprepared(
        "UPDATE reporting_feed_positions SET position = 0, last_error = '', updated_at = 0",
    )
    .await?;
    for table in recourse_reporting_migration::READ_MODELS {
        txn.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    txn.commit().await
}
