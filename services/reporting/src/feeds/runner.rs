//! One consumer's loop: read the stored position, subscribe after it,
//! apply each event — with whatever else has already arrived, up to
//! [`BATCH`] — and the position move in one transaction.

use std::time::Duration;

use futures::FutureExt as _;
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use tokio::sync::watch;
use tokio_stream::StreamExt as _;

use super::sources::Source;
use super::{FeedStatus, Statuses};
use crate::repo::{positions, project};

/// Most events applied in one transaction (those already received).
const BATCH: usize = 200;

/// How long to wait before reconnecting after a transient failure.
const RETRY: Duration = Duration::from_millis(500);

pub struct Runner {
    pub db: DatabaseConnection,
    pub statuses: Statuses,
    pub slot: usize,
    pub changed: std::sync::Arc<watch::Sender<u64>>,
}

/// What became of one event.
enum Outcome {
    /// Applied up to this position.
    Applied(i64),
    /// Another consumer moved the position first: read it again.
    Moved,
    /// The projection cannot apply it: stop, naming it.
    Refused(String),
    /// The database failed for a reason that may pass.
    Transient(DbErr),
}

fn transient(err: &DbErr) -> bool {
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
}

impl Runner {
    fn update(&self, f: impl FnOnce(&mut FeedStatus)) {
        if let Some(Ok(mut s)) = self.statuses.get(self.slot).map(|s| s.lock()) {
            f(&mut s);
        }
        self.changed.send_modify(|n| *n += 1);
    }

    pub async fn run<S: Source>(self, source: S) {
        let feed = S::NAME;
        // A consumer stopped by an error stays stopped across restarts
        // until a rebuild clears the error.
        match positions::last_error(&self.db, feed).await {
            Ok(error) if !error.is_empty() => {
                let position = positions::position(&self.db, feed).await.unwrap_or(0);
                self.update(|s| {
                    s.position = position;
                    s.last_error = error;
                    s.running = false;
                });
                return;
            }
            Ok(_) | Err(_) => {}
        }
        self.update(|s| s.running = true);
        loop {
            let mut position = match positions::position(&self.db, feed).await {
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
                // What else has already arrived joins it, up to BATCH: one
                // transaction (and one commit) for all of them.
                let mut batch = vec![event];
                let mut ended = false;
                while batch.len() < BATCH {
                    match stream.next().now_or_never() {
                        Some(Some(Ok(more))) => batch.push(more),
                        Some(Some(Err(status))) => {
                            tracing::warn!(feed, %status, "the feed ended; resubscribing");
                            ended = true;
                            break;
                        }
                        Some(None) => {
                            ended = true;
                            break;
                        }
                        None => break,
                    }
                }
                let at = batch.last().map_or(position, S::position);
                self.update(|s| s.head = s.head.max(at));
                match self.apply_batch::<S>(position, &batch).await {
                    Outcome::Applied(to) => {
                        position = to;
                        self.update(|s| s.position = to);
                        if ended {
                            break;
                        }
                    }
                    Outcome::Moved => break,
                    Outcome::Transient(err) => {
                        tracing::warn!(feed, %err, "applying an event failed; retrying");
                        break;
                    }
                    Outcome::Refused(error) => {
                        tracing::error!(feed, %error, "feed consumer stopped");
                        if let Err(err) = positions::record_error(&self.db, feed, &error).await {
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

    /// Applies `events` (consecutive, after `from`) in one transaction
    /// that moves the position to the last. An event whose fact cannot be
    /// made is refused after those before it are applied; a database error
    /// that is not transient is retried one event at a time, so the
    /// refusal names the event.
    async fn apply_batch<S: Source>(&self, from: i64, events: &[S::Event]) -> Outcome {
        let mut facts = Vec::with_capacity(events.len());
        let mut refused = None;
        for event in events {
            match S::fact(event) {
                Ok(fact) => facts.push((S::position(event), fact)),
                Err(why) => {
                    refused = Some(format!("{}: {why}", S::describe(event)));
                    break;
                }
            }
        }
        let mut position = from;
        if let Some((to, _)) = facts.last() {
            let to = *to;
            let result = async {
                let txn = self.db.begin().await?;
                if !positions::advance(&txn, S::NAME, from, to).await? {
                    return Ok(false);
                }
                for (at, fact) in &facts {
                    project::apply(&txn, *at, fact).await?;
                }
                txn.commit().await?;
                Ok::<_, DbErr>(true)
            }
            .await;
            match result {
                Ok(true) => position = to,
                Ok(false) => return Outcome::Moved,
                Err(err) if transient(&err) => return Outcome::Transient(err),
                Err(_) if facts.len() > 1 => {
                    for event in events.iter().take(facts.len()) {
                        match self.apply::<S>(position, event).await {
                            Outcome::Applied(to) => {
                                position = to;
                                self.update(|s| s.position = to);
                            }
                            other @ (Outcome::Moved
                            | Outcome::Refused(_)
                            | Outcome::Transient(_)) => return other,
                        }
                    }
                }
                Err(err) => {
                    let name = events.first().map(S::describe).unwrap_or_default();
                    return Outcome::Refused(format!("{name}: {err}"));
                }
            }
        }
        match refused {
            Some(error) => {
                self.update(|s| s.position = position);
                Outcome::Refused(error)
            }
            None => Outcome::Applied(position),
        }
    }

    async fn apply<S: Source>(&self, from: i64, event: &S::Event) -> Outcome {
        let at = S::position(event);
        let name = || S::describe(event);
        let fact = match S::fact(event) {
            Ok(fact) => fact,
            Err(why) => return Outcome::Refused(format!("{}: {why}", name())),
        };
        let result = async {
            let txn = self.db.begin().await?;
            if !positions::advance(&txn, S::NAME, from, at).await? {
                return Ok(false);
            }
            project::apply(&txn, at, &fact).await?;
            txn.commit().await?;
            Ok::<_, DbErr>(true)
        }
        .await;
        match result {
            Ok(true) => Outcome::Applied(at),
            Ok(false) => Outcome::Moved,
            Err(err) if transient(&err) => Outcome::Transient(err),
            Err(err) => Outcome::Refused(format!("{}: {err}", name())),
        }
    }
}
