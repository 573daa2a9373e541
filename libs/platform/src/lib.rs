//! The shared platform every Recourse service is built on: configuration,
//! telemetry, database, the gRPC server bootstrap, authentication, errors,
//! pagination and idempotency. Services never copy any of this.

#![warn(clippy::wildcard_enum_match_arm)] // no `_ =>` over our own enums: a new variant must be handled

pub mod auth;
pub mod client;
pub mod config;
pub mod database;
pub mod deadline;
pub mod error;
pub mod etag;
pub mod event_api;
pub mod feed_consumer;
pub mod field_mask;
pub mod gateway_settings;
pub mod idempotency;
pub mod metrics;
pub mod names;
pub mod outbox;
pub mod pagination;
pub mod proto_types;
pub mod retention;
pub mod schema;
pub mod server;
pub mod telemetry;
pub mod visibility;

pub use error::{ApiError, Violations};
