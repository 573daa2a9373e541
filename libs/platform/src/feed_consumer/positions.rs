//! Each feed's position (and the error that stopped its consumer) in the
//! reader's own table, and the one-statement-for-both-databases helper.

use sea_orm::sea_query::TableCreateStatement;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

use crate::schema::{big, long_text, table, text};

/// `sql` with its `?` placeholders in the backend's syntax (`$1`, … for
/// PostgreSQL), so one statement serves both databases.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// A reader's table of feed positions: one row per feed, moved in the
/// transaction of whatever an event changed.
#[derive(Debug, Clone, Copy)]
pub struct FeedPositions(pub &'static str);

impl FeedPositions {
    /// The table: feed (key), position, last_error, updated_at (epoch s).
    pub fn create_statement(&self) -> TableCreateStatement {
        table(self.0)
            .col(text("feed", 32).primary_key())
            .col(big("position"))
            .col(long_text("last_error"))
            .col(big("updated_at"))
            .to_owned()
    }

    /// Makes sure `feed` has a row (position 0) and returns its position.
    pub async fn position<C: ConnectionTrait>(&self, conn: &C, feed: &str) -> Result<i64, DbErr> {
        let b = conn.get_database_backend();
        conn.execute_raw(stmt(
            b,
            &format!(
                "INSERT INTO {} (feed, position, last_error, updated_at) \
                 VALUES (?, 0, '', 0) ON CONFLICT (feed) DO NOTHING",
                self.0
            ),
            vec![feed.into()],
        ))
        .await?;
        self.read::<i64, _>(conn, feed, "position").await
    }

    async fn read<T, C>(&self, conn: &C, feed: &str, column: &str) -> Result<T, DbErr>
    where
        T: sea_orm::TryGetable + Default,
        C: ConnectionTrait,
    {
        let b = conn.get_database_backend();
        let row = conn
            .query_one_raw(stmt(
                b,
                &format!("SELECT {column} FROM {} WHERE feed = ?", self.0),
                vec![feed.into()],
            ))
            .await?;
        row.map(|r| r.try_get::<T>("", column))
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// Moves `feed` from `from` to `to`; false when its position was not
    /// `from` any more (another consumer moved it: the caller rolls back).
    pub async fn advance<C: ConnectionTrait>(
        &self,
        conn: &C,
        feed: &str,
        from: i64,
        to: i64,
    ) -> Result<bool, DbErr> {
        let b = conn.get_database_backend();
        let done = conn
            .execute_raw(stmt(
                b,
                &format!(
                    "UPDATE {} SET position = ?, last_error = '', updated_at = ? \
                     WHERE feed = ? AND position = ?",
                    self.0
                ),
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
        &self,
        conn: &C,
        feed: &str,
        error: &str,
    ) -> Result<(), DbErr> {
        let b = conn.get_database_backend();
        conn.execute_raw(stmt(
            b,
            &format!("UPDATE {} SET last_error = ? WHERE feed = ?", self.0),
            vec![error.into(), feed.into()],
        ))
        .await?;
        Ok(())
    }

    /// The stored error of `feed` ("" when none).
    pub async fn last_error<C: ConnectionTrait>(
        &self,
        conn: &C,
        feed: &str,
    ) -> Result<String, DbErr> {
        self.read::<String, _>(conn, feed, "last_error").await
    }
}
