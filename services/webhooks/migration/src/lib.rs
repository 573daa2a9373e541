//! Schema of the webhooks service: endpoints, the events read from the
//! claims and contracts feeds (once each), one delivery per event and
//! endpoint, each delivery's attempts, and the feeds' positions. Every
//! table is prefixed `webhooks_`; migration history lives in
//! `webhooks_migrations`. Instants are UTC epoch milliseconds, so both
//! databases compare them the same way.

#![warn(clippy::wildcard_enum_match_arm)]

use recourse_platform::feed_consumer::FeedPositions;
use recourse_platform::idempotency::IdempotencyTable;
use sea_orm_migration::prelude::*;

mod m20261201_000001_create_webhooks;

/// The idempotency table of this service.
pub const IDEMPOTENCY: IdempotencyTable = IdempotencyTable("webhooks_idempotency");

/// Where each feed's consumer stands.
pub const POSITIONS: FeedPositions = FeedPositions("webhooks_feed_positions");

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261201_000001_create_webhooks::Migration)]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("webhooks_migrations").into_iden()
    }
}
