//! Issue 11: planning carriers.
//!
//! - `contracts_daily_tenders`: shipments tendered per carrier × service
//!   level × local ship date, bumped by one upsert in the registering
//!   transaction. Rate shopping reads a day's count (is the carrier's
//!   allocation exhausted?) and the capacity plan a week's without reading
//!   a single shipment. Shipments registered before this migration are not
//!   counted (the tally starts here).
//! - `contracts_forecasts`: forecast parcels per carrier × service level ×
//!   ISO week (its Monday), replaced by each RecordForecast or import row.
//!
//! - `shipments.return_of` (+ the label cost and payer of a return), with
//!   an index, so a return's outbound and an outbound's returns are one
//!   indexed lookup.
//!
//! The two tables are keyed by their whole identity, so the upserts need no lock: two
//! registrations racing on one day add up in the row.

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("contracts_daily_tenders")
                    .col(id("carrier_id"))
                    .col(text("service_level", 32))
                    .col(ColumnDef::new(Alias::new("ship_date")).date().not_null())
                    .col(big("tendered"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("carrier_id"))
                            .col(Alias::new("ship_date"))
                            .col(Alias::new("service_level")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("contracts_forecasts")
                    .col(id("carrier_id"))
                    .col(text("service_level", 32))
                    .col(ColumnDef::new(Alias::new("week_start")).date().not_null())
                    .col(big("parcels"))
                    .col(time("updated_at"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("carrier_id"))
                            .col(Alias::new("week_start"))
                            .col(Alias::new("service_level")),
                    )
                    .to_owned(),
            )
            .await?;
        // The capacity plan reads a range of weeks across carriers.
        manager
            .create_index(index(
                "idx_contracts_forecasts_week",
                "contracts_forecasts",
                &["week_start", "carrier_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_contracts_daily_tenders_date",
                "contracts_daily_tenders",
                &["ship_date", "carrier_id"],
                false,
            ))
            .await?;
        // Returns: a return shipment names its outbound shipment, and
        // keeps the label cost and payer of the contract in force on its
        // ship date (fixed at tender, like the promise).
        for column in [
            col("return_of").string_len(36).null().to_owned(),
            big_null("return_label_cost_minor"),
            col("return_payer")
                .string_len(16)
                .not_null()
                .default("")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("shipments"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index(
                "idx_shipments_return_of",
                "shipments",
                &["return_of"],
                false,
            ))
            .await
    }
}
