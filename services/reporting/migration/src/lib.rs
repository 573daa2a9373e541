//! Schema of the reporting service: read models built only from the other
//! services' event feeds, and each feed's position. Every table is
//! prefixed `reporting_`; migration history lives in
//! `reporting_migrations`. Instants are stored as UTC epoch seconds and
//! dates as ISO `YYYY-MM-DD` text, so both databases compare and group
//! them the same way.

#![warn(clippy::wildcard_enum_match_arm)]

use sea_orm_migration::prelude::*;

mod m20261126_000001_create_reporting;
mod m20261201_000002_scorecard_facts;

/// The read-model tables, in the order a rebuild empties them.
pub const READ_MODELS: &[&str] = &[
    "reporting_carriers",
    "reporting_targets",
    "reporting_shipments",
    "reporting_claims",
    "reporting_claim_movements",
    "reporting_allocations",
    "reporting_sla_evaluations",
    "reporting_escalations",
];

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_reporting::Migration),
            Box::new(m20261201_000002_scorecard_facts::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("reporting_migrations").into_iden()
    }
}
