//! Issue 12: carrier invoices, their lines and the audit findings.
//!
//! - `contracts_invoices`: one row per carrier invoice, unique per
//!   (carrier, invoice number) — a re-import is decided by that index —
//!   with the content's SHA-256 (a re-sent identical file replays the
//!   stored answer) and the audit's sums.
//! - `contracts_invoice_lines`: one row per stored line, keyed by
//!   (invoice, file line). `ux_invoice_lines_first_billing` is unique on
//!   (carrier, tracking number) over lines that are not duplicates: two
//!   invoices billing one parcel can never both be the first billing,
//!   whatever the importers do (they also serialise per carrier, see
//!   `repo::invoices::lock_carrier`).
//! - `contracts_invoice_findings`: what the audit found per line, indexed
//!   by (invoice, line).

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
                table("contracts_invoices")
                    .col(id("id").primary_key())
                    .col(id("carrier_id"))
                    .col(text("invoice_number", 64))
                    .col(col("invoice_date").date().not_null())
                    .col(col("received_date").date().not_null())
                    .col(col("dispute_deadline").date().not_null())
                    .col(text("currency", 3))
                    .col(big("total_minor"))
                    .col(big("lines_total_minor"))
                    .col(big("line_count"))
                    .col(big("lines_with_findings"))
                    .col(big("at_stake_minor"))
                    .col(text("content_sha256", 64))
                    .col(col("record_only").boolean().not_null())
                    .col(col("answer").binary().not_null())
                    .col(time("imported_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("contracts_invoice_lines")
                    .col(id("invoice_id"))
                    .col(big("line_no"))
                    .col(id("carrier_id"))
                    .col(text("tracking_number", 64))
                    .col(col("shipment_id").string_len(36).null())
                    .col(col("ship_date").date().not_null())
                    .col(text("service_level", 64))
                    .col(big("total_minor"))
                    .col(big_null("expected_total_minor"))
                    .col(text("contract_version", 128))
                    .col(big("at_stake_minor"))
                    .col(col("duplicate").boolean().not_null())
                    .col(big("finding_count"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("invoice_id"))
                            .col(Alias::new("line_no")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("contracts_invoice_findings")
                    .col(id("invoice_id"))
                    .col(big("line_no"))
                    .col(big("seq"))
                    .col(text("cause", 32))
                    .col(text("code", 64))
                    .col(text("expected", 200))
                    .col(text("billed", 200))
                    .col(big("amount_minor"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("invoice_id"))
                            .col(Alias::new("line_no"))
                            .col(Alias::new("seq")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_contracts_invoices_number",
                "contracts_invoices",
                &["carrier_id", "invoice_number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_contracts_invoices_carrier_id",
                "contracts_invoices",
                &["carrier_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_invoice_lines_tracking",
                "contracts_invoice_lines",
                &["carrier_id", "tracking_number"],
                false,
            ))
            .await?;
        // Partial unique index (PostgreSQL and SQLite both have them).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_invoice_lines_first_billing \
                 ON contracts_invoice_lines (carrier_id, tracking_number) \
                 WHERE duplicate = false",
            )
            .await?;
        Ok(())
    }
}
