//! Issue 10 (the rest) and 11: what the scorecard's tracking, billing,
//! tender and escalation figures need — each shipment's scan compliance,
//! the scan target, the carriers' allocations, the SLA evaluations' credits
//! and bonuses, and the escalations' states.

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn int(name: &str) -> ColumnDef {
    col(name).integer().not_null().default(0).to_owned()
}

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // 1 compliant, 0 not, NULL not stated (events from before the
        // field: left out of the KPI). One column per ALTER for SQLite.
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("reporting_shipments"))
                    .add_column(col("scan_compliant").integer().null().to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("reporting_targets"))
                    .add_column(int("scan_min_bp"))
                    .to_owned(),
            )
            .await?;
        // A carrier's allocations: its daily one (first_day 0000-01-01,
        // last_day 9999-12-31) and each peak window; replaced whole on
        // every carrier event.
        manager
            .create_table(
                table("reporting_allocations")
                    .col(id("carrier_id"))
                    .col(text("first_day", 10))
                    .col(text("last_day", 10))
                    .col(int("peak"))
                    .col(int("daily_parcels"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("carrier_id"))
                            .col(Alias::new("peak"))
                            .col(Alias::new("first_day")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("reporting_sla_evaluations")
                    .col(id("evaluation_id").primary_key())
                    .col(id("carrier_id"))
                    .col(text("service_level", 32))
                    .col(text("period_last", 10))
                    .col(text("currency", 3))
                    .col(big("credit_minor"))
                    .col(big_null("bonus_minor"))
                    .col(int("breached"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("reporting_escalations")
                    .col(id("escalation_id").primary_key())
                    .col(text("carrier_id", 36))
                    .col(text("kind", 64))
                    .col(int("resolved"))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "idx_reporting_evaluations_period",
                "reporting_sla_evaluations",
                &["period_last", "carrier_id"][..],
            ),
            (
                "idx_reporting_escalations_carrier",
                "reporting_escalations",
                &["carrier_id", "resolved"],
            ),
        ] {
            manager
                .create_index(index(name, table, cols, false))
                .await?;
        }
        Ok(())
    }
}
