//! One consumer's loop: read the stored position, subscribe after it,
//! apply each event with the position move in one transaction.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use tokio_stream::StreamExt as _;

use super::{ApplyError, Consumer, FeedPositions, FeedSink, FeedSource, FeedStatus};

/// How long to wait before reconnecting after a transient failure.
const RETRY: Duration = Duration::from_millis(500);

pub(super) struct Runner {
    pub(super) db: DatabaseConnection,
    pub(super) positions: FeedPositions,
    pub(super) consumer: Arc<Consumer>,
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

    pub(super) async fn run<S: FeedSource, K: FeedSink<S::Event>>(self, source: S, sink: Arc<K>) {
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
