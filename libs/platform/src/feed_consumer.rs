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

mod positions;
mod runner;

use std::sync::{Arc, Mutex};

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Status, Streaming};

use crate::auth::{Principal, Role, TokenKeys};
use crate::client::OutboundInterceptor;

pub use positions::{FeedPositions, stmt};
use runner::Runner;

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
