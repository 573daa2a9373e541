//! Schema of the contracts service: contracts and their versions, shipments
//! and tracking events, SLA evaluations, plus its idempotency and outbox
//! tables. Migration history lives in `contracts_migrations`.

#![warn(clippy::wildcard_enum_match_arm)]

use recourse_platform::idempotency::IdempotencyTable;
use recourse_platform::outbox::OutboxTable;
use sea_orm_migration::prelude::*;

mod m20261122_000001_create_contracts;
mod m20261123_000001_issue7_shipment_facts;
mod m20261125_000001_issue8_races_and_indexes;
mod m20261126_000001_issue12_invoices;
mod m20261126_000011_issue11_shop;

pub const IDEMPOTENCY: IdempotencyTable = IdempotencyTable("contracts_idempotency");
pub const OUTBOX: OutboxTable = OutboxTable("contracts_outbox");

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_contracts::Migration),
            Box::new(m20261123_000001_issue7_shipment_facts::Migration),
            Box::new(m20261125_000001_issue8_races_and_indexes::Migration),
            Box::new(m20261126_000001_issue12_invoices::Migration),
            Box::new(m20261126_000011_issue11_shop::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("contracts_migrations").into_iden()
    }
}
