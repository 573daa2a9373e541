//! Transactional outbox and its feed.
//!
//! A service appends an event in the same transaction as the state change it
//! describes ([`OutboxTable::append`]). Rows are born without a position. A
//! relay ([`OutboxTable::assign_positions`]) later numbers every committed,
//! unnumbered row — holding a PostgreSQL advisory lock, so only one relay
//! numbers at a time across replicas — and consumers read strictly by
//! position. Positions therefore follow commit order (as the relay observed
//! it), never insert order: a transaction that began first but committed
//! last gets the later position, so a consumer resuming after position N can
//! never miss an event that was still uncommitted when it read N.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ExprTrait as _, Index, IndexCreateStatement, Order, Query, Table,
    TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};
use tokio::sync::{Notify, watch};

/// The outbox table of one service (each service owns its own).
#[derive(Debug, Clone, Copy)]
pub struct OutboxTable(pub &'static str);

/// An event to append; `payload` is the service's encoded event message.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: String,
    pub subject: String,
    /// The carrier the event concerns, for partner scoping; empty if none.
    pub carrier_id: String,
    pub payload: Vec<u8>,
}

/// An event as read by a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub position: i64,
    pub event_type: String,
    pub carrier_id: String,
    pub payload: Vec<u8>,
}

/// What a consumer wants.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// Only this carrier's events (a partner's scope).
    pub carrier_id: Option<String>,
    /// Only these types; empty = all.
    pub types: Vec<String>,
}

fn col(name: &str) -> Alias {
    Alias::new(name)
}

impl OutboxTable {
    fn table(&self) -> Alias {
        Alias::new(self.0)
    }

    /// The migration: the table and its position index.
    pub fn create_statements(&self) -> (TableCreateStatement, IndexCreateStatement) {
        let table = Table::create()
            .table(self.table())
            .if_not_exists()
            .col(
                ColumnDef::new(col("id"))
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(col("position"))
                    .big_integer()
                    .null()
                    .unique_key(),
            )
            .col(ColumnDef::new(col("event_type")).string_len(64).not_null())
            .col(ColumnDef::new(col("subject")).string_len(200).not_null())
            .col(ColumnDef::new(col("carrier_id")).string_len(36).not_null())
            .col(ColumnDef::new(col("payload")).blob().not_null())
            .col(
                ColumnDef::new(col("created_at"))
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .to_owned();
        let index = Index::create()
            .if_not_exists()
            .name(format!("idx_{}_carrier_position", self.0))
            .table(self.table())
            .col(col("carrier_id"))
            .col(col("position"))
            .to_owned();
        (table, index)
    }

    /// Appends `event` in the caller's transaction.
    pub async fn append<C: ConnectionTrait>(&self, conn: &C, event: NewEvent) -> Result<(), DbErr> {
        let insert = Query::insert()
            .into_table(self.table())
            .columns([
                col("event_type"),
                col("subject"),
                col("carrier_id"),
                col("payload"),
                col("created_at"),
            ])
            .values([
                event.event_type.into(),
                event.subject.into(),
                event.carrier_id.into(),
                event.payload.into(),
                chrono::Utc::now().into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        conn.execute(&insert).await?;
        Ok(())
    }

    /// Appends many events with one statement per thousand, in the caller's
    /// transaction (tracking ingest emits one per milestone).
    pub async fn append_many<C: ConnectionTrait>(
        &self,
        conn: &C,
        events: Vec<NewEvent>,
    ) -> Result<(), DbErr> {
        let now = chrono::Utc::now();
        for chunk in events.chunks(1_000) {
            let mut insert = Query::insert();
            insert.into_table(self.table()).columns([
                col("event_type"),
                col("subject"),
                col("carrier_id"),
                col("payload"),
                col("created_at"),
            ]);
            for event in chunk {
                insert
                    .values([
                        event.event_type.clone().into(),
                        event.subject.clone().into(),
                        event.carrier_id.clone().into(),
                        event.payload.clone().into(),
                        now.into(),
                    ])
                    .map_err(|e| DbErr::Custom(e.to_string()))?;
            }
            conn.execute(&insert).await?;
        }
        Ok(())
    }

    /// Numbers every committed, unnumbered event after the highest position
    /// so far, in id order. Returns how many were numbered.
    pub async fn assign_positions(&self, db: &DatabaseConnection) -> Result<u64, DbErr> {
        let txn = db.begin().await?;
        let backend = txn.get_database_backend();
        if backend == DbBackend::Postgres {
            // One relay at a time across all replicas of the service.
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                [self.0.into()],
            ))
            .await?;
        }
        let table = self.0;
        // One statement, one snapshot: MAX(position) is read once.
        let sql = format!(
            "WITH next AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM {table} \
             WHERE position IS NULL ORDER BY id LIMIT 50000) \
             UPDATE {table} SET position = (SELECT COALESCE(MAX(position), 0) FROM {table}) + next.rn \
             FROM next WHERE {table}.id = next.id"
        );
        let result = txn.execute_unprepared(&sql).await?;
        txn.commit().await?;
        Ok(result.rows_affected())
    }

    /// Up to `limit` events after `after`, in position order.
    pub async fn read_after<C: ConnectionTrait>(
        &self,
        conn: &C,
        after: i64,
        filter: &FeedFilter,
        limit: u64,
    ) -> Result<Vec<StoredEvent>, DbErr> {
        let mut select = Query::select()
            .columns([
                col("position"),
                col("event_type"),
                col("carrier_id"),
                col("payload"),
            ])
            .from(self.table())
            .and_where(Expr::col(col("position")).gt(after))
            .order_by(col("position"), Order::Asc)
            .limit(limit)
            .to_owned();
        if let Some(carrier) = &filter.carrier_id {
            select.and_where(Expr::col(col("carrier_id")).eq(carrier.as_str()));
        }
        if !filter.types.is_empty() {
            select.and_where(
                Expr::col(col("event_type")).is_in(filter.types.iter().map(String::as_str)),
            );
        }
        conn.query_all(&select)
            .await?
            .into_iter()
            .map(|row| {
                Ok(StoredEvent {
                    position: row.try_get("", "position")?,
                    event_type: row.try_get("", "event_type")?,
                    carrier_id: row.try_get("", "carrier_id")?,
                    payload: row.try_get("", "payload")?,
                })
            })
            .collect()
    }
}

/// Runs the relay for one outbox: numbers events soon after each commit
/// (services call [`Relay::poke`]) and on a short tick (to pick up commits
/// from other replicas), and tells feed readers when positions moved.
#[derive(Debug, Clone)]
pub struct Relay {
    poke: Arc<Notify>,
    numbered: watch::Receiver<u64>,
}

impl Relay {
    /// Spawns the relay task on the current runtime.
    pub fn spawn(table: OutboxTable, db: DatabaseConnection, tick: Duration) -> Self {
        let poke = Arc::new(Notify::new());
        let (tx, numbered) = watch::channel(0u64);
        let wake = poke.clone();
        tokio::spawn(async move {
            let mut rounds = 0u64;
            loop {
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(tick) => {}
                }
                match table.assign_positions(&db).await {
                    Ok(0) => {}
                    Ok(n) => {
                        rounds += 1;
                        tracing::debug!(
                            outbox = table.0,
                            numbered = n,
                            "outbox positions assigned"
                        );
                        tx.send_replace(rounds);
                    }
                    Err(err) => {
                        tracing::warn!(outbox = table.0, %err, "outbox relay failed; retrying")
                    }
                }
            }
        });
        Self { poke, numbered }
    }

    /// Asks the relay to number new events now.
    pub fn poke(&self) {
        self.poke.notify_one();
    }

    /// A receiver that changes whenever new positions were assigned.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.numbered.clone()
    }
}

/// What a `Subscribe(after_position, types)` call may read: a partner only
/// its own carrier's events.
pub fn feed_filter(
    caller: &crate::auth::Principal,
    after_position: i64,
    types: &[String],
) -> Result<FeedFilter, crate::ApiError> {
    if after_position < 0 {
        return Err(crate::ApiError::invalid(
            "after_position",
            "must not be negative",
        ));
    }
    Ok(FeedFilter {
        carrier_id: caller.carrier_scope().map(str::to_owned),
        types: types.to_vec(),
    })
}

/// Decodes a stored event into a service's event message and stamps the
/// position the relay gave it.
pub fn decode_event<E: prost::Message + Default>(
    stored: StoredEvent,
    set_position: impl FnOnce(&mut E, i64),
) -> Result<E, tonic::Status> {
    let mut event = E::decode(stored.payload.as_slice())
        .map_err(|_| tonic::Status::internal("corrupt event in the outbox"))?;
    set_position(&mut event, stored.position);
    Ok(event)
}

/// Events read per query while catching up.
const FEED_BATCH: u64 = 500;

/// A live feed: every event after `after` that `filter` admits, in position
/// order, then new ones as the relay numbers them, until the receiver is
/// dropped (the client went away). `decode` turns a stored event into the
/// service's message.
pub fn follow<T, F>(
    table: OutboxTable,
    db: DatabaseConnection,
    relay: &Relay,
    after: i64,
    filter: FeedFilter,
    decode: F,
) -> tokio_stream::wrappers::ReceiverStream<Result<T, tonic::Status>>
where
    T: Send + 'static,
    F: Fn(StoredEvent) -> Result<T, tonic::Status> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    let mut numbered = relay.subscribe();
    tokio::spawn(async move {
        let mut after = after;
        loop {
            let batch = match table.read_after(&db, after, &filter, FEED_BATCH).await {
                Ok(batch) => batch,
                Err(err) => {
                    tracing::error!(outbox = table.0, %err, "feed read failed");
                    let _ = tx
                        .send(Err(tonic::Status::unavailable(
                            "event feed interrupted; resume from your last position",
                        )))
                        .await;
                    return;
                }
            };
            let caught_up = (batch.len() as u64) < FEED_BATCH;
            for event in batch {
                after = event.position;
                if tx.send(decode(event)).await.is_err() {
                    return;
                }
            }
            if caught_up {
                tokio::select! {
                    _ = numbered.changed() => {}
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                    () = tx.closed() => return,
                }
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
