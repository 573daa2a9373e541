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

use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ExprTrait as _, Index, IndexCreateStatement, Order, Query, Table,
    TableAlterStatement, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};

mod relay;

pub use relay::{Relay, follow};

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
    /// Only this party's events (a 3PL account's scope); only for an outbox
    /// with a party column ([`OutboxTable::party_column_statements`]).
    pub party_id: Option<String>,
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

    /// For a service whose feed is also read by parties other than
    /// carriers (a 3PL account): a `party_id` column (empty = no party)
    /// and its `(party_id, position)` index, so a party's feed is an
    /// indexed read. Add them in a migration of that service; events are
    /// then appended with [`Self::append_for_party`].
    pub fn party_column_statements(&self) -> (TableAlterStatement, IndexCreateStatement) {
        let alter = Table::alter()
            .table(self.table())
            .add_column(
                ColumnDef::new(col("party_id"))
                    .string_len(64)
                    .not_null()
                    .default(""),
            )
            .to_owned();
        let index = Index::create()
            .if_not_exists()
            .name(format!("idx_{}_party_position", self.0))
            .table(self.table())
            .col(col("party_id"))
            .col(col("position"))
            .to_owned();
        (alter, index)
    }

    /// Appends `event` in the caller's transaction.
    pub async fn append<C: ConnectionTrait>(&self, conn: &C, event: NewEvent) -> Result<(), DbErr> {
        self.insert(conn, event, None).await
    }

    /// Appends `event` for `party` ("" for none) in the caller's
    /// transaction; the outbox must have the party column.
    pub async fn append_for_party<C: ConnectionTrait>(
        &self,
        conn: &C,
        event: NewEvent,
        party: &str,
    ) -> Result<(), DbErr> {
        self.insert(conn, event, Some(party)).await
    }

    async fn insert<C: ConnectionTrait>(
        &self,
        conn: &C,
        event: NewEvent,
        party: Option<&str>,
    ) -> Result<(), DbErr> {
        let mut columns = vec![
            col("event_type"),
            col("subject"),
            col("carrier_id"),
            col("payload"),
            col("created_at"),
        ];
        let mut values: Vec<sea_orm::sea_query::SimpleExpr> = vec![
            event.event_type.into(),
            event.subject.into(),
            event.carrier_id.into(),
            event.payload.into(),
            chrono::Utc::now().into(),
        ];
        if let Some(party) = party {
            columns.push(col("party_id"));
            values.push(party.into());
        }
        let insert = Query::insert()
            .into_table(self.table())
            .columns(columns)
            .values(values)
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
        Ok(self.assign_and_notify(db).await?.0)
    }

    /// The PostgreSQL channel the relay NOTIFYs on: the table's name.
    pub fn channel(&self) -> &'static str {
        self.0
    }

    /// Numbers committed events like [`Self::assign_positions`] and returns
    /// how many and the head position afterwards. On PostgreSQL, when any
    /// were numbered, it NOTIFYs the feed's channel with the new head in the
    /// same transaction, so every replica's listeners hear of it exactly
    /// when the positions become visible.
    pub async fn assign_and_notify(&self, db: &DatabaseConnection) -> Result<(u64, i64), DbErr> {
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
        let numbered = txn.execute_unprepared(&sql).await?.rows_affected();
        let head: i64 = txn
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COALESCE(MAX(position), 0) AS head FROM {table}"),
            ))
            .await?
            .map(|row| row.try_get("", "head"))
            .transpose()?
            .unwrap_or(0);
        if numbered > 0 && backend == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_notify($1, $2)",
                [self.channel().into(), head.to_string().into()],
            ))
            .await?;
        }
        txn.commit().await?;
        Ok((numbered, head))
    }

    /// Committed events still without a position (the relay's backlog).
    pub async fn count_unnumbered(&self, db: &DatabaseConnection) -> Result<i64, DbErr> {
        let backend = db.get_database_backend();
        let table = self.0;
        Ok(db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table} WHERE position IS NULL"),
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0))
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
        if let Some(party) = &filter.party_id {
            select.and_where(Expr::col(col("party_id")).eq(party.as_str()));
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

/// Most event types one `Subscribe` may filter on (a feed has a handful).
pub const MAX_FEED_TYPES: usize = 50;

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
    let mut v = crate::Violations::new();
    v.check(
        types.len() <= MAX_FEED_TYPES,
        "types",
        format!("must list at most {MAX_FEED_TYPES} event types"),
    );
    for (i, t) in types.iter().enumerate().take(MAX_FEED_TYPES) {
        v.check(
            (1..=64).contains(&t.len()),
            format!("types[{i}]"),
            "must be an event type of 1-64 characters",
        );
    }
    v.into_result()?;
    Ok(FeedFilter {
        carrier_id: caller.carrier_scope().map(str::to_owned),
        party_id: None,
        types: types.to_vec(),
    })
}

/// A service's event feed, served by its `EventService/Subscribe`: the
/// handler every service writes is one call to [`Feed::subscribe`].
#[derive(Debug, Clone)]
pub struct Feed {
    table: OutboxTable,
    db: DatabaseConnection,
    relay: Relay,
    parties: bool,
}

impl Feed {
    pub fn new(table: OutboxTable, db: DatabaseConnection, relay: Relay) -> Self {
        Self {
            table,
            db,
            relay,
            parties: false,
        }
    }

    /// For an outbox with the party column: a 3PL principal then reads only
    /// its account's events, through the party index.
    pub fn with_parties(mut self) -> Self {
        self.parties = true;
        self
    }

    /// `Subscribe(after_position, types)` for `caller`: refused unless the
    /// caller has one of `roles`; a carrier principal reads only its
    /// carrier's events (others' are skipped, never announced), and with
    /// [`Self::with_parties`] a 3PL only its account's; then every
    /// event after `after_position` in commit order and new ones as they
    /// come. `decode` turns a stored event into the service's message.
    pub fn subscribe<T, F>(
        &self,
        caller: &crate::auth::Principal,
        roles: &[crate::auth::Role],
        after_position: i64,
        types: &[String],
        decode: F,
    ) -> Result<tokio_stream::wrappers::ReceiverStream<Result<T, tonic::Status>>, crate::ApiError>
    where
        T: Send + 'static,
        F: Fn(StoredEvent) -> Result<T, tonic::Status> + Send + 'static,
    {
        caller.require(roles)?;
        let mut filter = feed_filter(caller, after_position, types)?;
        if self.parties {
            filter.party_id = caller.party_scope().map(str::to_owned);
        }
        Ok(follow(
            self.table,
            self.db.clone(),
            &self.relay,
            after_position,
            filter,
            decode,
        ))
    }
}

impl Feed {
    /// `GetHead()` for `caller`: the highest position it may read now (the
    /// same roles and carrier/party scope as [`Self::subscribe`]); 0 when
    /// none.
    pub async fn head(
        &self,
        caller: &crate::auth::Principal,
        roles: &[crate::auth::Role],
    ) -> Result<i64, crate::ApiError> {
        caller.require(roles)?;
        let mut filter = feed_filter(caller, 0, &[])?;
        if self.parties {
            filter.party_id = caller.party_scope().map(str::to_owned);
        }
        Ok(self.table.head(&self.db, &filter).await?)
    }
}

impl OutboxTable {
    /// The highest numbered position `filter` lets through (0 when none).
    pub async fn head<C: ConnectionTrait>(
        &self,
        conn: &C,
        filter: &FeedFilter,
    ) -> Result<i64, DbErr> {
        let mut select = Query::select()
            .expr_as(Expr::col(col("position")).max(), col("head"))
            .from(self.table())
            .and_where(Expr::col(col("position")).is_not_null())
            .to_owned();
        if let Some(carrier) = &filter.carrier_id {
            select.and_where(Expr::col(col("carrier_id")).eq(carrier.as_str()));
        }
        if let Some(party) = &filter.party_id {
            select.and_where(Expr::col(col("party_id")).eq(party.as_str()));
        }
        Ok(conn
            .query_one(&select)
            .await?
            .map(|row| row.try_get::<Option<i64>>("", "head"))
            .transpose()?
            .flatten()
            .unwrap_or(0))
    }
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
