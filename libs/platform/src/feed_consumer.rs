//! Reading another service's event feed into this service's own tables:
//! one task per feed subscribes after the stored position (through the
//! feed's generated `EventService` client, with a short-lived internal
//! token of the reader's own) and applies each event with the position
//! move in one transaction, so a crash between events — or a kill
//! mid-event: the transaction rolls back — neither loses nor repeats one.
//! An event the reader refuses stops that consumer with the event named
//! (stored; it stays stopped across restarts); a transient database
//! failure resubscribes.
//!
//! A reader declares its feeds with [`feed_source!`](crate::feed_source),
//! implements [`FeedSink`] for their events, keeps its positions in a
//! [`FeedPositions`] table and starts each with [`Consumer::spawn`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::sea_query::TableCreateStatement;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait, Value,
};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_stream::StreamExt as _;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Status, Streaming};

use crate::auth::{Principal, Role, TokenKeys};
use crate::client::OutboundInterceptor;
use crate::schema::{big, long_text, table, text};

/// How long to wait before reconnecting after a transient failure.
const RETRY: Duration = Duration::from_millis(500);

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

/// A channel to a feed-owning service and the keys to mint the reader's
/// own internal token (`subject`, e.g. "service:webhooks").
#[derive(Clone)]
pub struct Upstream {
    channel: Channel,
    keys: Arc<TokenKeys>,
    subject: &'static str,
}

impl Upstream {
    pub fn new(channel: Channel, keys: Arc<TokenKeys>, subject: &'static str) -> Self {
        Self {
            channel,
            keys,
            subject,
        }
    }

    /// The channel with a fresh five-minute internal token.
    pub fn authed(&self) -> Result<InterceptedService<Channel, OutboundInterceptor>, Status> {
        let me = Principal::new(self.subject, Role::Internal, None)
            .map_err(|e| Status::internal(e.to_string()))?;
        let token = self
            .keys
            .mint(&me, 300)
            .map_err(|e| Status::internal(e.to_string()))?;
        let interceptor = OutboundInterceptor::new(Some(&token)).map_err(Status::internal)?;
        Ok(InterceptedService::new(self.channel.clone(), interceptor))
    }
}

/// One feed: how to subscribe after a position and how to name an event.
#[tonic::async_trait]
pub trait FeedSource: Send + Sync + 'static {
    type Event: Send + Sync + 'static;
    /// "claims", "contracts", ...
    const NAME: &'static str;
    async fn subscribe(&self, after: i64) -> Result<Streaming<Self::Event>, Status>;
    fn position(event: &Self::Event) -> i64;
    /// "position 12 (claim.submitted claims/…)", for errors.
    fn describe(event: &Self::Event) -> String;
}

/// Defines `pub struct $source(pub Upstream)` reading the `EventService`
/// of proto package `$pb` (in scope at the call site) as feed `$name`.
///
/// ```ignore
/// use recourse_proto::claims;
/// recourse_platform::feed_source!(Claims, claims, "claims");
/// ```
#[macro_export]
macro_rules! feed_source {
    ($source:ident, $pb:ident, $name:literal) => {
        pub struct $source(pub $crate::feed_consumer::Upstream);

        #[::tonic::async_trait]
        impl $crate::feed_consumer::FeedSource for $source {
            type Event = $pb::Event;
            const NAME: &'static str = $name;
            async fn subscribe(
                &self,
                after: i64,
            ) -> ::std::result::Result<::tonic::Streaming<Self::Event>, ::tonic::Status> {
                let mut client =
                    $pb::event_service_client::EventServiceClient::new(self.0.authed()?);
                let request = $pb::SubscribeRequest {
                    after_position: after,
                    types: vec![],
                };
                Ok(client.subscribe(request).await?.into_inner())
            }
            fn position(e: &Self::Event) -> i64 {
                e.position
            }
            fn describe(e: &Self::Event) -> String {
                format!("position {} ({} {})", e.position, e.r#type, e.subject)
            }
        }
    };
}

/// Why an event was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The reader cannot apply it: the consumer stops, naming it.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What a reader does with one event, inside the transaction that also
/// moves the feed's position.
#[tonic::async_trait]
pub trait FeedSink<E>: Send + Sync + 'static {
    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        feed: &'static str,
        event: &E,
    ) -> Result<(), ApplyError>;

    /// Called after an event's transaction committed (e.g. to wake a worker).
    fn committed(&self) {}
}

/// Where one consumer stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedStatus {
    pub feed: &'static str,
    pub position: i64,
    pub head: i64,
    pub last_error: String,
    pub running: bool,
}

/// A running consumer of one feed.
pub struct Consumer {
    status: watch::Sender<FeedStatus>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Consumer")
            .field(&*self.status.borrow())
            .finish()
    }
}

impl Consumer {
    /// Starts consuming `source` into `sink` on the current runtime.
    pub fn spawn<S, K>(
        db: DatabaseConnection,
        positions: FeedPositions,
        source: S,
        sink: Arc<K>,
    ) -> Arc<Self>
    where
        S: FeedSource,
        K: FeedSink<S::Event>,
    {
        let (status, _) = watch::channel(FeedStatus {
            feed: S::NAME,
            ..FeedStatus::default()
        });
        let consumer = Arc::new(Self {
            status,
            task: Mutex::new(None),
        });
        let runner = Runner {
            db,
            positions,
            consumer: consumer.clone(),
        };
        let task = tokio::spawn(runner.run(source, sink));
        *consumer
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
        consumer
    }

    pub fn status(&self) -> FeedStatus {
        self.status.borrow().clone()
    }

    /// A receiver that changes whenever the status does.
    pub fn watch(&self) -> watch::Receiver<FeedStatus> {
        self.status.subscribe()
    }

    /// Stops the consumer (a transaction in flight rolls back) and waits.
    pub async fn stop(&self) {
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        self.status.send_modify(|s| s.running = false);
    }
}

struct Runner {
    db: DatabaseConnection,
    positions: FeedPositions,
    consumer: Arc<Consumer>,
}

fn transient(err: &DbErr) -> bool {
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
}

/// What became of one event.
enum Outcome {
    Applied,
    /// Another consumer moved the position first: read it again.
    Moved,
    Refused(String),
    Transient(DbErr),
}

impl Runner {
    fn update(&self, f: impl FnOnce(&mut FeedStatus)) {
        self.consumer.status.send_modify(f);
    }

    async fn run<S: FeedSource, K: FeedSink<S::Event>>(self, source: S, sink: Arc<K>) {
        let feed = S::NAME;
        if let Ok(error) = self.positions.last_error(&self.db, feed).await
            && !error.is_empty()
        {
            let position = self.positions.position(&self.db, feed).await.unwrap_or(0);
            self.update(|s| {
                s.position = position;
                s.last_error = error;
            });
            return;
        }
        self.update(|s| s.running = true);
        loop {
            let mut position = match self.positions.position(&self.db, feed).await {
                Ok(p) => p,
                Err(err) => {
                    tracing::warn!(feed, %err, "reading the feed position failed; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            self.update(|s| {
                s.position = position;
                s.head = s.head.max(position);
            });
            let mut stream = match source.subscribe(position).await {
                Ok(stream) => stream,
                Err(status) => {
                    tracing::warn!(feed, %status, "subscribing to the feed failed; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            while let Some(item) = stream.next().await {
                let event = match item {
                    Ok(event) => event,
                    Err(status) => {
                        tracing::warn!(feed, %status, "the feed ended; resubscribing");
                        break;
                    }
                };
                let at = S::position(&event);
                self.update(|s| s.head = s.head.max(at));
                match self.apply::<S, K>(&sink, position, &event).await {
                    Outcome::Applied => {
                        position = at;
                        sink.committed();
                        self.update(|s| s.position = at);
                    }
                    Outcome::Moved => break,
                    Outcome::Transient(err) => {
                        tracing::warn!(feed, %err, "applying an event failed; retrying");
                        break;
                    }
                    Outcome::Refused(error) => {
                        tracing::error!(feed, %error, "feed consumer stopped");
                        if let Err(err) = self.positions.record_error(&self.db, feed, &error).await
                        {
                            tracing::warn!(feed, %err, "could not store the consumer's error");
                        }
                        self.update(|s| {
                            s.last_error = error;
                            s.running = false;
                        });
                        return;
                    }
                }
            }
            tokio::time::sleep(RETRY).await;
        }
    }

    async fn apply<S: FeedSource, K: FeedSink<S::Event>>(
        &self,
        sink: &K,
        from: i64,
        event: &S::Event,
    ) -> Outcome {
        let at = S::position(event);
        let result = async {
            let txn = self.db.begin().await?;
            if !self.positions.advance(&txn, S::NAME, from, at).await? {
                return Ok(false);
            }
            sink.apply(&txn, S::NAME, event).await?;
            txn.commit().await?;
            Ok::<_, ApplyError>(true)
        }
        .await;
        match result {
            Ok(true) => Outcome::Applied,
            Ok(false) => Outcome::Moved,
            Err(ApplyError::Database(err)) if transient(&err) => Outcome::Transient(err),
            Err(err) => Outcome::Refused(format!("{}: {err}", S::describe(event))),
        }
    }
}
