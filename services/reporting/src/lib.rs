//! The reporting service: read models built only from the carriers,
//! contracts and claims event feeds (through their generated clients,
//! never their tables or crates), and the reports served from them —
//! carrier scorecards, carrier comparison, claims aging, recovery
//! reconciliation — over gRPC and as CSV.
//!
//! proto (`recourse.reporting.v1`) → [`api`] (gRPC glue) → `convert`
//! (protobuf ⇄ domain; feed events into facts) → [`reports`] (use cases,
//! one snapshot each) and [`feeds`] (one consumer per feed: each event's
//! fact and the feed position in one transaction) → [`domain`] (pure
//! rules) and `repo` (SQL) → the migration crate.

#![warn(clippy::wildcard_enum_match_arm)]

pub mod api;
mod convert;
pub mod domain;
pub mod error;
pub mod feeds;
mod repo;
pub mod reports;

use std::sync::Arc;

use recourse_platform::auth::{AuthInterceptor, TokenKeys};
use recourse_platform::config::DatabaseSettings;
use recourse_platform::database::{DatabaseError, connect_and_migrate};
use recourse_platform::server::Host;
use recourse_proto::reporting::reporting_service_server::ReportingServiceServer;
use sea_orm::DatabaseConnection;
use tonic::transport::Channel;

pub use feeds::sources::Upstream;
pub use feeds::{Consumers, FeedStatus, Upstreams};
pub use recourse_reporting_migration::Migrator;

/// Name used for the service's database.
pub const SERVICE: &str = "reporting";

pub async fn database(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    connect_and_migrate::<Migrator>(settings, SERVICE).await
}

/// The channels to the three services whose feeds reporting reads.
#[derive(Clone)]
pub struct FeedChannels {
    pub carriers: Channel,
    pub contracts: Channel,
    pub claims: Channel,
}

/// Mounts `ReportingService` on `host` (every call authenticated), starts
/// the three feed consumers on the current runtime and reports them in
/// health as `reporting.feed.<name>`. Returns the consumers (tests stop
/// and restart them).
pub fn mount(
    host: &mut Host,
    db: DatabaseConnection,
    keys: Arc<TokenKeys>,
    channels: FeedChannels,
) -> Consumers {
    let upstream = |channel: Channel| Upstream::new(channel, keys.clone());
    let consumers = Consumers::new(
        db.clone(),
        Upstreams {
            carriers: upstream(channels.carriers),
            contracts: upstream(channels.contracts),
            claims: upstream(channels.claims),
        },
    );
    consumers.start();
    let watcher = consumers.clone();
    host.watch_health(Box::new(move |reporter| watcher.report_health(reporter)));
    host.add_service(ReportingServiceServer::with_interceptor(
        api::ReportingApi::new(reports::Reports::new(db), consumers.clone()),
        AuthInterceptor::new(keys),
    ));
    consumers
}
