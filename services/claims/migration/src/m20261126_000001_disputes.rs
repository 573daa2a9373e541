//! Issue 12: invoice disputes and their history.
//!
//! `ux_claims_disputes_line` makes one dispute per carrier invoice line
//! (invoice id + file line) whoever asks and however concurrently; the
//! insert runs `ON CONFLICT DO NOTHING` so a loser learns which line was
//! already disputed without failing its transaction. Lists read
//! (carrier, id) and (invoice, line) in order.

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
                table("claims_disputes")
                    .col(id("id").primary_key())
                    .col(id("carrier_id"))
                    .col(id("invoice_id"))
                    .col(text("invoice_number", 64))
                    .col(big("line_no"))
                    .col(text("tracking_number", 64))
                    .col(col("shipment_id").string_len(36).null())
                    .col(text("currency", 3))
                    .col(big("amount_minor"))
                    .col(big_null("accepted_minor"))
                    .col(big("credited_minor"))
                    .col(text("reasons", 500))
                    .col(col("deadline").date().not_null())
                    .col(text("status", 32))
                    .col(big("revision"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("claims_dispute_history")
                    .col(
                        col("id")
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(id("dispute_id"))
                    .col(text("from_status", 32))
                    .col(text("to_status", 32))
                    .col(text("actor", 200))
                    .col(long_text("note"))
                    .col(time("at"))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols, unique) in [
            (
                "ux_claims_disputes_line",
                "claims_disputes",
                &["invoice_id", "line_no"][..],
                true,
            ),
            (
                "idx_claims_disputes_carrier_id",
                "claims_disputes",
                &["carrier_id", "id"][..],
                false,
            ),
            (
                "idx_claims_disputes_status_deadline",
                "claims_disputes",
                &["status", "deadline"][..],
                false,
            ),
            (
                "idx_claims_dispute_history_dispute",
                "claims_dispute_history",
                &["dispute_id", "id"][..],
                false,
            ),
        ] {
            manager
                .create_index(index(name, table, cols, unique))
                .await?;
        }
        Ok(())
    }
}
