//! Schema of the claims service: claims, their history and documents, claim
//! numbering (a PostgreSQL sequence; a counter row on SQLite), remittances
//! with their lines and allocations, write-offs, disputes, escalations, plus
//! its idempotency and outbox tables. History lives in `claims_migrations`.

#![warn(clippy::wildcard_enum_match_arm)]

use recourse_platform::idempotency::IdempotencyTable;
use recourse_platform::outbox::OutboxTable;
use sea_orm_migration::prelude::*;

mod m20261122_000001_create_claims;
mod m20261123_000001_one_open_claim;
mod m20261123_000002_claim_filer;
mod m20261124_000001_concurrency_and_scale;
mod m20261126_000001_disputes;
mod m20261126_000002_escalations;
mod m20261127_000001_dispute_credits;
mod m20261127_000009_claim_number_sequence;
mod m20261128_000001_x12_interchanges;

pub const IDEMPOTENCY: IdempotencyTable = IdempotencyTable("claims_idempotency");
pub const OUTBOX: OutboxTable = OutboxTable("claims_outbox");

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_claims::Migration),
            Box::new(m20261123_000001_one_open_claim::Migration),
            Box::new(m20261123_000002_claim_filer::Migration),
            Box::new(m20261124_000001_concurrency_and_scale::Migration),
            Box::new(m20261126_000001_disputes::Migration),
            Box::new(m20261126_000002_escalations::Migration),
            Box::new(m20261127_000001_dispute_credits::Migration),
            Box::new(m20261127_000009_claim_number_sequence::Migration),
            Box::new(m20261128_000001_x12_interchanges::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("claims_migrations").into_iden()
    }
}
