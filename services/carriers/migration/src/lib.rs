//! Schema of the carriers service. Every table is prefixed `carrier` so the
//! service can share a PostgreSQL database with others without collisions;
//! its migration history lives in `carriers_migrations`.

#![warn(clippy::wildcard_enum_match_arm)]

use sea_orm_migration::prelude::*;

mod m20261122_000001_create_carriers;
mod m20261125_000001_idempotency_purge_index;
mod m20261126_000001_outbox;

/// The idempotency table of this service.
pub const IDEMPOTENCY: recourse_platform::idempotency::IdempotencyTable =
    recourse_platform::idempotency::IdempotencyTable("carriers_idempotency");

/// The outbox behind the service's event feed.
pub const OUTBOX: recourse_platform::outbox::OutboxTable =
    recourse_platform::outbox::OutboxTable("carriers_outbox");

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_carriers::Migration),
            Box::new(m20261125_000001_idempotency_purge_index::Migration),
            Box::new(m20261126_000001_outbox::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("carriers_migrations").into_iden()
    }
}
