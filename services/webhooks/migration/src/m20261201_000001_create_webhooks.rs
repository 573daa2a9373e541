//! Issue 13: webhook endpoints, events, deliveries and their attempts.

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

use crate::{IDEMPOTENCY, POSITIONS};

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
        manager.create_table(POSITIONS.create_statement()).await?;
        manager.create_table(IDEMPOTENCY.create_statement()).await?;
        manager.create_index(IDEMPOTENCY.created_at_index()).await?;
        // One row per endpoint. carrier_id / account_id are "" when
        // unscoped; event_types is newline-joined patterns.
        manager
            .create_table(
                table("webhooks_endpoints")
                    .col(id("id").primary_key())
                    .col(text("url", 2000))
                    .col(text("description", 500))
                    .col(long_text("event_types"))
                    // carrier, account or in_house (docs/rules.md, "Webhooks").
                    .col(text("owner", 16))
                    .col(text("carrier_id", 64))
                    .col(text("account_id", 64))
                    .col(text("secret", 200))
                    .col(text("old_secret", 200))
                    .col(big("old_secret_until"))
                    .col(text("state", 16))
                    .col(long_text("disabled_reason"))
                    .col(int("failures"))
                    .col(big_null("failing_since"))
                    // 1 while an escalation is owed for a disable after
                    // persistent failure (raised by the worker, retried).
                    .col(int("escalation_due"))
                    .col(text("escalation", 80))
                    .col(big("revision"))
                    .col(big("created_at"))
                    .col(big("updated_at"))
                    .to_owned(),
            )
            .await?;
        // Each feed event any endpoint matched, stored once: its id and
        // body are the same for every endpoint and attempt.
        manager
            .create_table(
                table("webhooks_events")
                    // "evt_{feed}_{position}": the same after any replay.
                    .col(text("id", 64).primary_key())
                    .col(text("feed", 32))
                    .col(big("position"))
                    .col(text("event_type", 64))
                    .col(text("subject", 200))
                    .col(big("occurred_at"))
                    .col(long_text("body"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("webhooks_deliveries")
                    .col(id("id").primary_key())
                    .col(id("endpoint_id"))
                    .col(text("event_id", 64))
                    .col(text("state", 16))
                    .col(int("attempts"))
                    // The attempt count when the current schedule began
                    // (0, or where a manual redelivery restarted it).
                    .col(int("round_from"))
                    // 1 when the next attempt was asked for by hand.
                    .col(int("manual"))
                    .col(big_null("next_attempt_at"))
                    .col(big_null("first_attempt_at"))
                    .col(big("created_at"))
                    .to_owned(),
            )
            .await?;
        // One row per attempt number: the primary key is what makes a
        // second send of the same attempt impossible to record.
        manager
            .create_table(
                table("webhooks_attempts")
                    .col(id("delivery_id"))
                    .col(int("number"))
                    .col(big("at"))
                    .col(int("status_code"))
                    .col(big("latency_ms"))
                    .col(long_text("error"))
                    .col(int("manual"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("delivery_id"))
                            .col(Alias::new("number")),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, cols, unique) in [
            (
                "uq_webhooks_events_position",
                "webhooks_events",
                &["feed", "position"][..],
                true,
            ),
            (
                "uq_webhooks_deliveries_event",
                "webhooks_deliveries",
                &["endpoint_id", "event_id"],
                true,
            ),
            (
                "idx_webhooks_deliveries_due",
                "webhooks_deliveries",
                &["state", "next_attempt_at"],
                false,
            ),
            (
                "idx_webhooks_deliveries_endpoint",
                "webhooks_deliveries",
                &["endpoint_id", "id"],
                false,
            ),
            (
                "idx_webhooks_endpoints_carrier",
                "webhooks_endpoints",
                &["carrier_id", "id"],
                false,
            ),
            (
                "idx_webhooks_endpoints_account",
                "webhooks_endpoints",
                &["account_id", "id"],
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
