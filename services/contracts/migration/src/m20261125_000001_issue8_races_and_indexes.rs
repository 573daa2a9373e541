//! Issue 8: invariants decided by the database and indexes for every query
//! a request makes (none reads a history whole).
//!
//! - `contracts.last_version`: the version counter, bumped by one
//!   `UPDATE … RETURNING` per new version, so concurrent creations get
//!   distinct numbers (backfilled from the versions stored).
//! - PostgreSQL: `ex_contract_versions_in_force`, an exclusion constraint
//!   (btree_gist) — no two non-draft versions of one carrier cover the same
//!   day. SQLite has one writer and the activation checks inside its write
//!   transaction.
//! - Keyset indexes: contracts and SLA evaluations by (carrier, id),
//!   shipments by (carrier, id), SLA periods by (carrier, service level,
//!   ship time, id), late deliveries by (carrier, delivered time, id), a
//!   shipment's latest event by (shipment, occurred time, event id), and
//!   the idempotency purge by `created_at`. Keyset pages compare row
//!   values, `(a, id) > (x, y)`, so these are read in order from the key.

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::IDEMPOTENCY;

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("contracts"))
                    .add_column(col("last_version").integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE contracts SET last_version = (SELECT COALESCE(MAX(version), 0) \
             FROM contract_versions WHERE contract_versions.contract_id = contracts.id)",
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            // btree_gist is a trusted extension (PostgreSQL 13+): the
            // database's owner may create it.
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist")
                .await?;
            db.execute_unprepared(
                "ALTER TABLE contract_versions ADD CONSTRAINT ex_contract_versions_in_force \
                 EXCLUDE USING gist (carrier_id WITH =, \
                 daterange(effective_from, effective_to, '[]') WITH &&) \
                 WHERE (status <> 'draft')",
            )
            .await?;
        }
        for (name, table, cols) in [
            (
                "idx_contracts_carrier_id",
                "contracts",
                &["carrier_id", "id"][..],
            ),
            (
                "idx_sla_evaluations_carrier_id",
                "sla_evaluations",
                &["carrier_id", "id"][..],
            ),
            (
                "idx_shipments_carrier_id",
                "shipments",
                &["carrier_id", "id"][..],
            ),
            (
                "idx_shipments_period_id",
                "shipments",
                &["carrier_id", "service_level", "ship_time", "id"][..],
            ),
            (
                "idx_shipments_delivered_id",
                "shipments",
                &["carrier_id", "delivered_at", "id"][..],
            ),
            (
                "idx_tracking_events_latest",
                "tracking_events",
                &["shipment_id", "occurred_at", "carrier_event_id"][..],
            ),
        ] {
            manager
                .create_index(index(name, table, cols, false))
                .await?;
        }
        // Superseded by the two above (same leading columns, plus the key
        // the queries order by).
        manager
            .drop_index(
                Index::drop()
                    .name("idx_shipments_period")
                    .table(Alias::new("shipments"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_shipments_delivered")
                    .table(Alias::new("shipments"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tracking_events_shipment")
                    .table(Alias::new("tracking_events"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(IDEMPOTENCY.created_at_index()).await
    }
}
