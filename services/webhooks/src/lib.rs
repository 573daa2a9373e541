//! The webhooks service: partners register HTTP endpoints for the events
//! of the claims and contracts feeds they may see; each event is
//! delivered at least once, signed (Stripe-style HMAC-SHA256 over
//! timestamp and body), retried with exponential backoff and jitter for
//! up to three days; the delivery log is theirs to read, any delivery can
//! be sent again, and an endpoint that keeps failing is disabled with an
//! escalation item in the claims service's queue.
//!
//! proto (`recourse.webhooks.v1`) → [`api`] (gRPC glue) → `convert`
//! (protobuf ⇄ values) → [`endpoints`] (use cases) and [`feeds`] (feed
//! events into deliveries, with the feed position, in one transaction) and
//! [`worker`] (sending) → the pure rules (`recourse-webhooks-domain`) and
//! `repo` (SQL) → the migration crate.

#![warn(clippy::wildcard_enum_match_arm)]

pub mod api;
pub mod clock;
mod convert;
pub mod endpoints;
mod envelope;
pub mod error;
mod escalate;
pub mod feeds;
pub mod model;
mod repo;
mod sender;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use recourse_platform::auth::{AuthInterceptor, TokenKeys};
use recourse_platform::config::DatabaseSettings;
use recourse_platform::database::{DatabaseError, connect_and_migrate};
use recourse_platform::feed_consumer::{Consumer, Upstream};
use recourse_platform::server::Host;
use recourse_proto::webhooks::webhook_service_server::WebhookServiceServer;
use sea_orm::DatabaseConnection;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tonic::transport::Channel;

pub use recourse_webhooks_migration::{IDEMPOTENCY, Migrator, POSITIONS};

/// Name used for the service's database.
pub const SERVICE: &str = "webhooks";

pub async fn database(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    connect_and_migrate::<Migrator>(settings, SERVICE).await
}

/// The services webhooks reads (feeds) and writes (escalations) to.
#[derive(Clone)]
pub struct Channels {
    pub claims: Channel,
    pub contracts: Channel,
}

/// How the service runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub clock: clock::Clock,
    pub jitter: clock::Jitter,
    /// How long an attempt waits for the answer's status.
    pub timeout: Duration,
    /// The worker's tick (new deliveries also wake it); `None`: no
    /// background worker (tests drive [`Webhooks::worker`] themselves).
    pub poll: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            clock: clock::Clock::system(),
            jitter: clock::Jitter::random(),
            timeout: Duration::from_secs(10),
            poll: Some(Duration::from_secs(1)),
        }
    }
}

/// The running parts: the two feed consumers and the worker.
#[derive(Debug)]
pub struct Webhooks {
    pub consumers: Vec<Arc<Consumer>>,
    pub worker: worker::Worker,
    task: Option<JoinHandle<()>>,
}

impl Webhooks {
    /// Stops the consumers (a transaction in flight rolls back) and the
    /// background worker.
    pub async fn stop(&self) {
        for c in &self.consumers {
            c.stop().await;
        }
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Reports each feed consumer as `webhooks.feed.<name>` in health: SERVING
/// unless an event stopped it (its error is stored and logged).
fn report_health(consumers: Vec<Arc<Consumer>>, reporter: tonic_health::server::HealthReporter) {
    for consumer in consumers {
        let reporter = reporter.clone();
        let mut changes = consumer.watch();
        tokio::spawn(async move {
            loop {
                let (feed, stopped) = {
                    let s = changes.borrow_and_update();
                    (s.feed, !s.last_error.is_empty())
                };
                let status = if stopped {
                    tonic_health::ServingStatus::NotServing
                } else {
                    tonic_health::ServingStatus::Serving
                };
                reporter
                    .set_service_status(format!("webhooks.feed.{feed}"), status)
                    .await;
                if changes.changed().await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Mounts `WebhookService` on `host` (every call authenticated) and starts
/// the feed consumers and the delivery worker on the current runtime.
pub fn mount(
    host: &mut Host,
    db: DatabaseConnection,
    keys: Arc<TokenKeys>,
    channels: Channels,
    options: Options,
) -> Webhooks {
    let wake = Arc::new(Notify::new());
    let sink = Arc::new(feeds::Sink {
        clock: options.clock.clone(),
        wake: wake.clone(),
    });
    let upstream = |channel: Channel| Upstream::new(channel, keys.clone(), escalate::SUBJECT);
    let consumers = vec![
        Consumer::spawn(
            db.clone(),
            POSITIONS,
            feeds::ClaimsFeed(upstream(channels.claims.clone())),
            sink.clone(),
        ),
        Consumer::spawn(
            db.clone(),
            POSITIONS,
            feeds::ContractsFeed(upstream(channels.contracts)),
            sink,
        ),
    ];
    let worker = worker::Worker::new(
        db.clone(),
        options.clock.clone(),
        options.jitter,
        options.timeout,
        escalate::Escalations::new(channels.claims, keys.clone()),
        wake.clone(),
    );
    let task = options.poll.map(|every| worker.clone().spawn(every));
    let watched = consumers.clone();
    host.watch_health(Box::new(move |reporter| report_health(watched, reporter)));
    host.add_service(WebhookServiceServer::with_interceptor(
        api::WebhookApi::new(endpoints::Desk::new(db, options.clock, wake)),
        AuthInterceptor::new(keys),
    ));
    Webhooks {
        consumers,
        worker,
        task,
    }
}
