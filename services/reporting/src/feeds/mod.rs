//! The feed consumers: one task per feed applies each event's fact and
//! moves that feed's position in one transaction, so a crash between
//! events (or a kill mid-event: the transaction rolls back) neither loses
//! nor double-counts one. An event a projection cannot apply stops that
//! consumer with the event named (stored, shown by `GetFeedStatus` and as
//! NOT_SERVING under `reporting.feed.<name>` in health); the other feeds go
//! on. A rebuild stops all three, empties the read models and replays
//! from position 0.

mod runner;
pub mod sources;

use std::sync::{Arc, Mutex};

use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use sources::{Carriers, Claims, Contracts, Source, Upstream};

/// Where one consumer stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedStatus {
    pub feed: &'static str,
    pub position: i64,
    pub head: i64,
    pub last_error: String,
    pub running: bool,
}

/// Every consumer's status, shared with the API and the health watcher.
pub type Statuses = Arc<[Mutex<FeedStatus>; 3]>;

/// The feed names, in the order of [`Statuses`].
pub const FEEDS: [&str; 3] = ["carriers", "contracts", "claims"];

/// The three upstreams reporting reads.
#[derive(Clone)]
pub struct Upstreams {
    pub carriers: Upstream,
    pub contracts: Upstream,
    pub claims: Upstream,
}

#[derive(Clone)]
pub struct Consumers {
    db: DatabaseConnection,
    upstreams: Upstreams,
    statuses: Statuses,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    /// Bumped on every status change (health and tests wait on it).
    changed: Arc<watch::Sender<u64>>,
}

impl Consumers {
    pub fn new(db: DatabaseConnection, upstreams: Upstreams) -> Self {
        let statuses: Statuses = Arc::new(FEEDS.map(|feed| {
            Mutex::new(FeedStatus {
                feed,
                ..FeedStatus::default()
            })
        }));
        observe(&statuses);
        Self {
            db,
            upstreams,
            statuses,
            tasks: Arc::default(),
            changed: Arc::new(watch::channel(0).0),
        }
    }

    /// Starts the three consumers on the current runtime, and the task
    /// that asks the producers for their heads every [`HEAD_EVERY`].
    pub fn start(&self) {
        let u = self.upstreams.clone();
        let heads = self.clone();
        let started = [
            self.spawn(0, Carriers(u.carriers)),
            self.spawn(1, Contracts(u.contracts)),
            self.spawn(2, Claims(u.claims)),
            tokio::spawn(async move {
                loop {
                    heads.refresh_heads().await;
                    tokio::time::sleep(HEAD_EVERY).await;
                }
            }),
        ];
        self.tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(started);
    }

    fn spawn<S: Source>(&self, slot: usize, source: S) -> JoinHandle<()> {
        let runner = runner::Runner {
            db: self.db.clone(),
            statuses: self.statuses.clone(),
            slot,
            changed: self.changed.clone(),
        };
        tokio::spawn(runner.run(source))
    }

    /// Stops every consumer (a transaction in flight rolls back) and
    /// waits until they are gone.
    pub async fn stop(&self) {
        let tasks: Vec<JoinHandle<()>> = self
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .drain(..)
            .collect();
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
        for status in self.statuses.iter() {
            if let Ok(mut s) = status.lock() {
                s.running = false;
            }
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// Drops the read models and replays every feed from position 0.
    pub async fn rebuild(&self) -> Result<(), DbErr> {
        self.stop().await;
        crate::repo::positions::clear(&self.db).await?;
        for status in self.statuses.iter() {
            if let Ok(mut s) = status.lock() {
                let feed = s.feed;
                *s = FeedStatus {
                    feed,
                    ..FeedStatus::default()
                };
            }
        }
        self.start();
        Ok(())
    }

    /// Asks each producer for its head (`EventService.GetHead`, at most
    /// [`HEAD_TIMEOUT`] each) and records it; a producer that cannot be
    /// reached keeps the head last known (at least the highest position
    /// received).
    pub async fn refresh_heads(&self) {
        let u = &self.upstreams;
        let heads = futures::join!(
            ask(Carriers(u.carriers.clone())),
            ask(Contracts(u.contracts.clone())),
            ask(Claims(u.claims.clone())),
        );
        for (slot, head) in [heads.0, heads.1, heads.2].into_iter().enumerate() {
            let Some(head) = head else { continue };
            if let Some(Ok(mut s)) = self.statuses.get(slot).map(|s| s.lock()) {
                s.head = head.max(s.position);
            }
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// Every consumer's status now.
    pub fn statuses(&self) -> Vec<FeedStatus> {
        self.statuses
            .iter()
            .filter_map(|s| s.lock().ok().map(|s| s.clone()))
            .collect()
    }

    /// A receiver that changes whenever a status does.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Reports each consumer as `reporting.feed.<name>` in health:
    /// SERVING while it runs, NOT_SERVING once stopped by an error.
    pub fn report_health(&self, reporter: tonic_health::server::HealthReporter) {
        let consumers = self.clone();
        let mut changed = self.watch();
        tokio::spawn(async move {
            loop {
                for s in consumers.statuses() {
                    let status = if s.last_error.is_empty() {
                        tonic_health::ServingStatus::Serving
                    } else {
                        tonic_health::ServingStatus::NotServing
                    };
                    reporter
                        .set_service_status(format!("reporting.feed.{}", s.feed), status)
                        .await;
                }
                if changed.changed().await.is_err() {
                    return;
                }
            }
        });
    }
}

/// How often the producers' heads are asked for (and so how stale the
/// lag metric may be).
pub const HEAD_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// How long one head question may take.
const HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

async fn ask<S: Source>(source: S) -> Option<i64> {
    match tokio::time::timeout(HEAD_TIMEOUT, source.head()).await {
        Ok(Ok(head)) => Some(head),
        Ok(Err(status)) => {
            tracing::debug!(feed = S::NAME, %status, "the producer's head is unknown");
            None
        }
        Err(_) => None,
    }
}

/// The gauges `reporting.feed.position` and `reporting.feed.lag` (head −
/// position) per feed.
fn observe(statuses: &Statuses) {
    use opentelemetry::KeyValue;
    let meter = recourse_platform::metrics::meter();
    type Pick = fn(&FeedStatus) -> i64;
    let gauges: [(&'static str, &'static str, Pick); 2] = [
        (
            "reporting.feed.position",
            "The last event of the feed applied to reporting's read models",
            |s| s.position,
        ),
        (
            "reporting.feed.lag",
            "Events of the feed not yet applied: the producer's head - position",
            |s| (s.head - s.position).max(0),
        ),
    ];
    for (name, description, pick) in gauges {
        let statuses = statuses.clone();
        meter
            .i64_observable_gauge(name)
            .with_description(description)
            .with_unit("{event}")
            .with_callback(move |o| {
                for s in statuses.iter() {
                    if let Ok(s) = s.lock() {
                        o.observe(pick(&s), &[KeyValue::new("feed", s.feed)]);
                    }
                }
            })
            .build();
    }
}
