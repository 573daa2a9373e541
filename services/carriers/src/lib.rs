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
pub mod registry;
mod repo;

use std::sync::Arc;

use recourse_platform::auth::{AuthInterceptor, TokenKeys};
use recourse_platform::config::DatabaseSettings;
use recourse_platform::database::{DatabaseError, connect_and_migrate};
use recourse_proto::carriers::carrier_service_server::CarrierServiceServer;
use sea_orm::DatabaseConnection;
use tonic::service::interceptor::InterceptedService;

pub use recourse_carriers_migration::Migrator;

/// Name used for the service's database and its health entry.
pub const SERVICE: &str = "carriers";

pub type CarrierServer = InterceptedService<CarrierServiceServer<api::CarrierApi>, AuthInterceptor>;

/// Connects to the carriers database and brings its schema up to date.
pub async fn database(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    connect_and_migrate::<Migrator>(settings, SERVICE).await
}

/// The gRPC service, with every call authenticated.
pub fn grpc_service(db: DatabaseConnection, keys: Arc<TokenKeys>) -> CarrierServer {
    let api = api::CarrierApi::new(registry::Registry::new(db));
    CarrierServiceServer::with_interceptor(api, AuthInterceptor::new(keys))
}
