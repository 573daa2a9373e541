//! Issue 10: feed positions and the read models of the scorecard, aging
//! and reconciliation reports.

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn int(name: &str) -> ColumnDef {
    col(name).integer().not_null().default(0).to_owned()
}

/// ISO `YYYY-MM-DD` (sorts and compares as the date does).
fn day(name: &str) -> ColumnDef {
    text(name, 10)
}

fn day_null(name: &str) -> ColumnDef {
    col(name).string_len(10).null().to_owned()
}

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One row per feed; the position moves in the same transaction as
        // the projection rows an event changed.
        manager
            .create_table(
                table("reporting_feed_positions")
                    .col(text("feed", 32).primary_key())
                    .col(big("position"))
                    .col(long_text("last_error"))
                    .col(big("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("reporting_carriers")
                    .col(id("carrier_id").primary_key())
                    .col(text("code", 64))
                    .col(text("display_name", 200))
                    .col(text("status", 32))
                    .to_owned(),
            )
            .await?;
        // SLA targets of each non-draft contract version per service level.
        manager
            .create_table(
                table("reporting_targets")
                    .col(text("version", 120))
                    .col(id("carrier_id"))
                    .col(text("service_level", 32))
                    .col(day("effective_from"))
                    .col(day_null("effective_to"))
                    .col(int("on_time_min_bp"))
                    .col(int("exception_max_bp"))
                    .col(int("claims_max_bp"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("version"))
                            .col(Alias::new("service_level")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("reporting_shipments")
                    .col(id("shipment_id").primary_key())
                    .col(id("carrier_id"))
                    .col(text("service_level", 32))
                    .col(day("ship_date"))
                    .col(big_null("due_at"))
                    .col(big_null("delivered_at"))
                    .col(text("verdict", 16))
                    .col(big_null("charge_minor"))
                    .col(text("currency", 3))
                    .col(int("excused"))
                    .col(int("with_exception"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("reporting_claims")
                    .col(id("claim_id").primary_key())
                    .col(text("number", 32))
                    .col(id("carrier_id"))
                    .col(text("service_level", 32))
                    .col(text("claim_type", 40))
                    .col(text("status", 40))
                    .col(text("currency", 3))
                    .col(big("claimed_minor"))
                    .col(big_null("approved_minor"))
                    .col(big("recovered_minor"))
                    .col(big("written_off_minor"))
                    .col(big_null("submitted_at"))
                    .col(big_null("decided_at"))
                    .col(big_null("acknowledged_at"))
                    .col(day_null("acknowledge_due"))
                    .col(day_null("decision_due"))
                    .col(big_null("withdrawn_at"))
                    .to_owned(),
            )
            .await?;
        // Money moved on a claim, dated as the claims service's
        // reconciliation dates it; keyed by the feed position that moved it.
        manager
            .create_table(
                table("reporting_claim_movements")
                    .col(big("position").primary_key())
                    .col(id("claim_id"))
                    .col(id("carrier_id"))
                    .col(text("kind", 16))
                    .col(big("amount_minor"))
                    .col(text("currency", 3))
                    .col(day("effective_date"))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "idx_reporting_shipments_period",
                "reporting_shipments",
                &["carrier_id", "service_level", "ship_date"][..],
            ),
            (
                "idx_reporting_claims_carrier",
                "reporting_claims",
                &["carrier_id", "status"],
            ),
            (
                "idx_reporting_movements_carrier",
                "reporting_claim_movements",
                &["carrier_id", "effective_date"],
            ),
        ] {
            manager
                .create_index(index(name, table, cols, false))
                .await?;
        }
        Ok(())
    }
}
