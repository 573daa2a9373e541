//! Schema of the gateway. Every table is prefixed `gateway_` so it can share
//! a PostgreSQL database with the services; its migration history lives in
//! `gateway_migrations`.

#![warn(clippy::wildcard_enum_match_arm)] // no `_ =>` over our own enums: a new variant must be handled

use sea_orm_migration::prelude::*;

mod m20261123_000001_create_api_keys;

/// The idempotency table of the gateway.
pub const IDEMPOTENCY: recourse_platform::idempotency::IdempotencyTable =
    recourse_platform::idempotency::IdempotencyTable("gateway_idempotency");

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261123_000001_create_api_keys::Migration)]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("gateway_migrations").into_iden()
    }
}
