//! The gateway: one gRPC endpoint in front of every Recourse service. It
//! authenticates API keys, internal tokens and (optionally) SSO tokens,
//! limits each principal's rate, forwards every call to its service with a
//! short-lived internal token and the trace context, and serves health and
//! reflection for everything it routes.
//!
//! proto (`recourse.gateway.v1`) → [`api`] (gRPC glue for API keys) →
//! [`keys`] (use cases) → [`domain`] (key format and lifecycle, rate
//! arithmetic) and `repo` (sea-orm) → the migration crate; the proxy
//! ([`proxy`]), credentials ([`auth`]), limits ([`limits`]) and health
//! ([`health`]) are assembled by [`Gateway`].

#![warn(clippy::wildcard_enum_match_arm)] // no `_ =>` over our own enums: a new variant must be handled

pub mod api;
pub mod auth;
mod convert;
pub mod domain;
pub mod health;
pub mod keys;
pub mod limits;
pub mod proxy;
mod repo;
pub mod rest;
mod server;

pub use recourse_gateway_migration::Migrator;
pub use server::{Gateway, GatewayError};

use recourse_platform::config::DatabaseSettings;
use recourse_platform::database::{DatabaseError, connect_and_migrate};
use sea_orm::DatabaseConnection;

/// Name used for the gateway's database.
pub const SERVICE: &str = "gateway";

/// The upstream name of the gateway's own API (`recourse.gateway.v1`).
pub const OWN_UPSTREAM: &str = "gateway";

/// Connects to the gateway database and brings its schema up to date.
pub async fn database(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    connect_and_migrate::<Migrator>(settings, SERVICE).await
}
