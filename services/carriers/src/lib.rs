//! The carriers service: the registry of parcel carriers, their service
//! levels, coverage, capacity and onboarding status.
//!
//! proto (`recourse.carriers.v1`) → [`api`] (gRPC glue) → [`registry`] (use
//! cases) → [`domain`] (pure rules) and `repo` (sea-orm) → the migration
//! crate.

#![warn(clippy::wildcard_enum_match_arm)]

pub mod api;
mod convert;
pub mod domain;
mod events;
pub mod registry;
mod repo;

use std::sync::Arc;
use std::time::Duration;

use recourse_platform::auth::{AuthInterceptor, TokenKeys};
use recourse_platform::config::DatabaseSettings;
use recourse_platform::database::{DatabaseError, connect_and_migrate};
use recourse_platform::outbox::{Feed, Relay};
use recourse_platform::server::Host;
use recourse_proto::carriers::carrier_service_server::CarrierServiceServer;
use recourse_proto::carriers::event_service_server::EventServiceServer;
use sea_orm::DatabaseConnection;

pub use recourse_carriers_migration::{Migrator, OUTBOX};

/// Name used for the service's database and its health entry.
pub const SERVICE: &str = "carriers";

/// Connects to the carriers database and brings its schema up to date.
pub async fn database(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    connect_and_migrate::<Migrator>(settings, SERVICE).await
}

/// The outbox relay's fallback tick: writes poke it and other replicas'
/// positions arrive by NOTIFY, so this only covers a lost wake-up.
const RELAY_TICK: Duration = Duration::from_secs(5);

/// Mounts `CarrierService` and the carriers `EventService` on `host`, every
/// call authenticated, and starts the outbox relay on the current runtime.
pub fn mount(host: &mut Host, db: DatabaseConnection, keys: Arc<TokenKeys>) {
    let relay = Relay::spawn(OUTBOX, db.clone(), RELAY_TICK);
    let auth = AuthInterceptor::new(keys);
    let registry = registry::Registry::new(db.clone(), relay.clone());
    host.add_service(CarrierServiceServer::with_interceptor(
        api::CarrierApi::new(registry),
        auth.clone(),
    ));
    host.add_service(EventServiceServer::with_interceptor(
        api::events::EventApi::new(Feed::new(OUTBOX, db, relay)),
        auth,
    ));
}
