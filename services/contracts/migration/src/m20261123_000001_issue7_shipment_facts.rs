//! Issue 7: shipments carry their time zones, 3PL account, requested
//! services, invoice date and billed transportation charge, a recorded
//! promise override and a revision (etag); deliveries are found by
//! (carrier, delivered time); stored SLA evaluations can be marked stale
//! when a delivery they counted is corrected.

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn add(table: &str, column: ColumnDef) -> TableAlterStatement {
    Table::alter()
        .table(Alias::new(table))
        .add_column(column)
        .to_owned()
}

fn text_default(name: &str, len: u32) -> ColumnDef {
    col(name).string_len(len).not_null().default("").to_owned()
}

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds one at a time.
        for column in [
            text_default("origin_time_zone", 64),
            text_default("destination_time_zone", 64),
            date_null("invoice_date"),
            text_default("shipper_account", 64),
            // Accessorial codes requested at tender, comma-separated.
            text_default("requested_services", 400),
            big_null("billed_transportation_minor"),
            col("promise_overridden")
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            text_default("promise_override_reason", 500),
            col("revision")
                .big_integer()
                .not_null()
                .default(1)
                .to_owned(),
        ] {
            manager.alter_table(add("shipments", column)).await?;
        }
        manager
            .create_index(index(
                "idx_shipments_delivered",
                "shipments",
                &["carrier_id", "delivered_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_shipments_shipper_account",
                "shipments",
                &["shipper_account", "id"],
                false,
            ))
            .await?;
        manager
            .alter_table(add(
                "sla_evaluations",
                col("stale").boolean().not_null().default(false).to_owned(),
            ))
            .await
    }
}
