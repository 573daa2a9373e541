use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

use crate::{IDEMPOTENCY, OUTBOX};

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("claims")
                    .col(id("id").primary_key())
                    .col(text("number", 32))
                    .col(id("carrier_id"))
                    .col(id("shipment_id"))
                    .col(text("tracking_number", 64))
                    .col(text("service_level", 32))
                    .col(text("claim_type", 40))
                    .col(text("status", 24))
                    .col(text("claimant_kind", 40))
                    .col(text("claimant_name", 200))
                    .col(text("on_behalf_of", 200))
                    .col(col("line_items").blob().not_null())
                    .col(big_null("declared_value_minor"))
                    .col(text("currency", 3))
                    .col(big("claimed_minor"))
                    .col(long_text("notes"))
                    .col(col("terms").blob().null())
                    .col(big_null("liability_cap_minor"))
                    .col(big_null("approved_minor"))
                    .col(date_null("approved_on"))
                    .col(big("recovered_minor"))
                    .col(big("written_off_minor"))
                    .col(time_null("submitted_at"))
                    .col(time_null("approved_at"))
                    .col(date_null("acknowledge_due"))
                    .col(date_null("decision_due"))
                    .col(big("revision"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("ux_claims_number", &["number"][..], true),
            (
                "idx_claims_carrier_status",
                &["carrier_id", "status"],
                false,
            ),
            ("idx_claims_shipment", &["shipment_id"], false),
            (
                "idx_claims_tracking",
                &["carrier_id", "tracking_number"],
                false,
            ),
        ] {
            manager
                .create_index(index(name, "claims", cols, unique))
                .await?;
        }
        manager
            .create_table(
                table("claim_history")
                    .col(
                        col("id")
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(id("claim_id"))
                    .col(text("from_status", 24))
                    .col(text("to_status", 24))
                    .col(text("actor", 200))
                    .col(text("actor_role", 16))
                    .col(long_text("reason"))
                    .col(big_null("amount_minor"))
                    .col(time("at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_claim_history_claim",
                "claim_history",
                &["claim_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                table("claim_documents")
                    .col(id("id").primary_key())
                    .col(id("claim_id"))
                    .col(text("kind", 40))
                    .col(text("file_name", 255))
                    .col(big("size_bytes"))
                    .col(text("sha256", 64))
                    .col(long_text("storage_uri"))
                    .col(col("verified").boolean().not_null())
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_claim_documents_claim",
                "claim_documents",
                &["claim_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                table("claim_sequences")
                    .col(col("year").integer().not_null().primary_key())
                    .col(big("last"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("remittances")
                    .col(id("id").primary_key())
                    .col(id("carrier_id"))
                    .col(text("kind", 40))
                    .col(text("reference", 64))
                    .col(text("invoice_reference", 64))
                    .col(col("remittance_date").date().not_null())
                    .col(big("amount_minor"))
                    .col(text("currency", 3))
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_remittances_reference",
                "remittances",
                &["carrier_id", "reference"],
                true,
            ))
            .await?;
        manager
            .create_table(
                table("remittance_lines")
                    .col(id("id").primary_key())
                    .col(id("remittance_id"))
                    .col(col("position").integer().not_null())
                    .col(text("claim_ref", 64))
                    .col(text("tracking_number", 64))
                    .col(big("amount_minor"))
                    .col(text("unmatched_reason", 200))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_remittance_lines_remittance",
                "remittance_lines",
                &["remittance_id", "position"],
                false,
            ))
            .await?;
        manager
            .create_table(
                table("allocations")
                    .col(id("id").primary_key())
                    .col(id("remittance_id"))
                    .col(col("line_id").string_len(36).null())
                    .col(id("claim_id"))
                    .col(big("amount_minor"))
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_allocations_remittance",
                "allocations",
                &["remittance_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_allocations_claim",
                "allocations",
                &["claim_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                table("write_offs")
                    .col(id("id").primary_key())
                    .col(id("claim_id"))
                    .col(big("amount_minor"))
                    .col(long_text("reason"))
                    .col(text("actor", 200))
                    .col(time("at"))
                    .to_owned(),
            )
            .await?;
        manager.create_table(IDEMPOTENCY.create_statement()).await?;
        let (outbox, outbox_index) = OUTBOX.create_statements();
        manager.create_table(outbox).await?;
        manager.create_index(outbox_index).await
    }
}
