//! Issue 12: the escalation queue and its notes.
//!
//! - `ux_claims_escalations_occurrence` (kind, subject, occurrence): a scan
//!   that finds the same clock twice creates one item.
//! - `ux_claims_escalations_open_subject` (subject) where the state is not
//!   resolved: at most one open item per subject, whoever creates it and
//!   however concurrently. Inserts run `ON CONFLICT DO NOTHING` (any
//!   unique index) so the loser learns it lost without failing its
//!   transaction.
//! - Lists read (state, due date, id), filtered by owner, kind, carrier.

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
                table("claims_escalations")
                    .col(id("id").primary_key())
                    .col(text("kind", 40))
                    .col(text("subject", 80))
                    .col(text("occurrence", 80))
                    .col(text("carrier_id", 36))
                    .col(text("owner", 200))
                    .col(col("due_date").date().not_null())
                    .col(text("state", 20))
                    .col(text("summary", 500))
                    .col(big("revision"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("claims_escalation_notes")
                    .col(
                        col("id")
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(id("escalation_id"))
                    .col(text("author", 200))
                    .col(long_text("text"))
                    .col(time("at"))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols, unique) in [
            (
                "ux_claims_escalations_occurrence",
                "claims_escalations",
                &["kind", "subject", "occurrence"][..],
                true,
            ),
            (
                "idx_claims_escalations_due",
                "claims_escalations",
                &["state", "due_date", "id"][..],
                false,
            ),
            (
                "idx_claims_escalation_notes",
                "claims_escalation_notes",
                &["escalation_id", "id"][..],
                false,
            ),
        ] {
            manager
                .create_index(index(name, table, cols, unique))
                .await?;
        }
        // Partial unique index (PostgreSQL and SQLite both have them).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_claims_escalations_open_subject \
                 ON claims_escalations (subject) WHERE state <> 'resolved'",
            )
            .await?;
        Ok(())
    }
}
