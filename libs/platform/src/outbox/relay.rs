//! The relay that numbers a feed's events and wakes its readers.
//!
//! Every replica runs one relay per outbox. A service pokes its own relay
//! after each commit, so a replica numbers its own writes at once (the
//! advisory lock lets one relay number at a time). On PostgreSQL the relay
//! NOTIFYs the feed's channel with the new head in the numbering
//! transaction, and every replica LISTENs on it (sqlx's `PgListener`, on a
//! connection of its own), so subscribers anywhere wake as soon as the
//! positions are visible. SQLite is one process: the in-process wake is
//! all it needs. A slow tick (`fallback`) remains only for what a lost
//! poke or notification would leave behind (a relay error, a listener
//! reconnecting).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbBackend};
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::{Notify, watch};

use super::{FeedFilter, OutboxTable, StoredEvent};
use crate::metrics::{FeedStats, observe_feed};

/// Runs the relay for one outbox and tells feed readers when positions
/// moved (the watched value is the head position).
#[derive(Debug, Clone)]
pub struct Relay {
    poke: Arc<Notify>,
    numbered: watch::Receiver<u64>,
    listening: watch::Receiver<bool>,
    fallback: Duration,
    stats: Arc<FeedStats>,
}

impl Relay {
    /// Spawns the relay (and, on PostgreSQL, its listener) on the current
    /// runtime. `fallback` is the slow tick on which the relay and idle
    /// subscribers look again even without a wake-up.
    pub fn spawn(table: OutboxTable, db: DatabaseConnection, fallback: Duration) -> Self {
        let poke = Arc::new(Notify::new());
        let (tx, numbered) = watch::channel(0u64);
        let tx = Arc::new(tx);
        let stats = Arc::new(FeedStats::default());
        observe_feed(table.0, stats.clone());
        let (listening_tx, listening) = watch::channel(false);
        if db.get_database_backend() == DbBackend::Postgres {
            tokio::spawn(listen(
                table,
                db.clone(),
                tx.clone(),
                stats.clone(),
                listening_tx,
            ));
        } else {
            let _ = listening_tx.send(true);
        }
        tokio::spawn(number(table, db, poke.clone(), tx, stats.clone(), fallback));
        Self {
            poke,
            numbered,
            listening,
            fallback,
            stats,
        }
    }

    /// Asks the relay to number new events now.
    pub fn poke(&self) {
        self.poke.notify_one();
    }

    /// A receiver that changes whenever new positions were assigned (by
    /// this replica's relay or, heard through NOTIFY, another's).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.numbered.clone()
    }

    /// Completes once this replica hears other replicas' notifications
    /// (at once on SQLite).
    pub async fn listening(&self) {
        let mut listening = self.listening.clone();
        let _ = listening.wait_for(|ready| *ready).await;
    }

    /// The slow tick that stands in for a lost wake-up.
    pub fn fallback(&self) -> Duration {
        self.fallback
    }

    /// Where this feed stands, as the metrics see it.
    pub fn stats(&self) -> &Arc<FeedStats> {
        &self.stats
    }
}

/// Numbers committed events on each poke and on the fallback tick.
async fn number(
    table: OutboxTable,
    db: DatabaseConnection,
    poke: Arc<Notify>,
    tx: Arc<watch::Sender<u64>>,
    stats: Arc<FeedStats>,
    fallback: Duration,
) {
    loop {
        let ticked = tokio::select! {
            () = poke.notified() => false,
            () = tokio::time::sleep(fallback) => true,
        };
        if ticked {
            // The backlog is sampled on the slow tick only: a count per
            // write would cost a query per write.
            match table.count_unnumbered(&db).await {
                Ok(n) => stats.unnumbered.store(n, Ordering::Relaxed),
                Err(err) => tracing::warn!(outbox = table.0, %err, "counting the backlog failed"),
            }
        }
        match table.assign_and_notify(&db).await {
            Ok((0, head)) => stats.raise_head(head),
            Ok((n, head)) => {
                tracing::debug!(
                    outbox = table.0,
                    numbered = n,
                    head,
                    "outbox positions assigned"
                );
                stats.raise_head(head);
                tx.send_replace(u64::try_from(head).unwrap_or(0));
            }
            Err(err) => tracing::warn!(outbox = table.0, %err, "outbox relay failed; retrying"),
        }
    }
}

/// LISTENs on the feed's channel and wakes this process's subscribers on
/// every notification; after a reconnect (notifications may have been
/// missed) it wakes them anyway so they read again.
async fn listen(
    table: OutboxTable,
    db: DatabaseConnection,
    tx: Arc<watch::Sender<u64>>,
    stats: Arc<FeedStats>,
    listening: watch::Sender<bool>,
) {
    // Its own connection: a LISTEN connection is held for good and must
    // not take a slot of the service's pool.
    let options = db.get_postgres_connection_pool().connect_options();
    let mut listener = loop {
        let connected = async {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .max_lifetime(None)
                .idle_timeout(None)
                .connect_with((*options).clone())
                .await?;
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(table.channel()).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match connected.await {
            Ok(listener) => break listener,
            Err(err) => {
                tracing::warn!(outbox = table.0, %err, "cannot LISTEN for feed notifications; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let _ = listening.send(true);
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                let head = notification.payload().parse::<i64>().unwrap_or(0);
                stats.raise_head(head);
                tx.send_replace(u64::try_from(head).unwrap_or(0));
            }
            Ok(None) => {
                tracing::warn!(
                    outbox = table.0,
                    "feed listener reconnected; waking subscribers"
                );
                tx.send_modify(|_| {});
            }
            Err(err) => {
                tracing::warn!(outbox = table.0, %err, "feed listener failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Events read per query while catching up.
const FEED_BATCH: u64 = 500;

/// Forgets a subscriber's position when its feed ends.
struct Subscribed {
    stats: Arc<FeedStats>,
    id: u64,
}

impl Drop for Subscribed {
    fn drop(&mut self) {
        self.stats.unsubscribe(self.id);
    }
}

/// A live feed: every event after `after` that `filter` admits, in position
/// order, then new ones as the relay numbers them (woken by this replica's
/// relay or another's NOTIFY), until the receiver is dropped (the client
/// went away). `decode` turns a stored event into the service's message.
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
    let fallback = relay.fallback;
    let stats = relay.stats.clone();
    tokio::spawn(async move {
        let subscribed = Subscribed {
            id: stats.subscribe(after),
            stats,
        };
        let mut after = after;
        loop {
            // Everything up to this head is committed and numbered: once a
            // read comes back short, the subscriber has seen it all.
            let head = i64::try_from(*numbered.borrow_and_update()).unwrap_or(0);
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
            subscribed.stats.advance(
                subscribed.id,
                if caught_up { after.max(head) } else { after },
            );
            if caught_up {
                tokio::select! {
                    _ = numbered.changed() => {}
                    () = tokio::time::sleep(fallback) => {}
                    () = tx.closed() => return,
                }
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
