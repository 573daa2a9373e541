//! Issue 12 (credits on disputes) and issue 11 (bonuses payable):
//!
//! - `dispute_credits`: money of a remittance (and maybe one of its lines)
//!   placed on a dispute, as `allocations` places it on a claim. The
//!   remittance's `allocated_minor` counts both, so a remittance is never
//!   placed beyond its amount whatever it pays. A dispute's running total
//!   is `claims_disputes.credited_minor`, raised by a conditional update;
//!   on PostgreSQL a CHECK is the last word (never below 0, never beyond
//!   the disputed amount, never beyond an accepted amount).
//! - `remittance_lines.dispute_ref`: the dispute a line names
//!   (`disputes/{id}`), "" when it names a claim or a parcel.
//! - `claims_sla_bonuses`: each SLA evaluation revision read from the
//!   contracts service's feed (bonus owed to the carrier, credit owed by
//!   it), keyed by (evaluation, revision) so a replayed event stores
//!   nothing twice; the reconciliation's bonuses payable.
//! - `claims_feed_positions`: where the claims service stands in another
//!   service's feed, moved in the transaction that applies the event.

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("dispute_credits")
                    .col(id("id").primary_key())
                    .col(id("remittance_id"))
                    .col(col("line_id").string_len(36).null())
                    .col(id("dispute_id"))
                    .col(big("amount_minor"))
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("remittance_lines"))
                    .add_column(text("dispute_ref", 64).default("").to_owned())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("claims_sla_bonuses")
                    .col(text("evaluation", 200))
                    .col(big("revision"))
                    .col(id("carrier_id"))
                    .col(text("currency", 3))
                    .col(big("bonus_minor"))
                    .col(big("credit_minor"))
                    .col(col("period_end").date().not_null())
                    .col(time("evaluated_at"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("evaluation"))
                            .col(Alias::new("revision")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("claims_feed_positions")
                    .col(text("feed", 64).primary_key())
                    .col(big("position"))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "idx_dispute_credits_dispute",
                "dispute_credits",
                &["dispute_id"][..],
            ),
            (
                "idx_dispute_credits_remittance",
                "dispute_credits",
                &["remittance_id"][..],
            ),
            (
                "idx_claims_sla_bonuses_carrier",
                "claims_sla_bonuses",
                &["carrier_id", "evaluated_at"][..],
            ),
        ] {
            manager
                .create_index(index(name, table, cols, false))
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE claims_disputes ADD CONSTRAINT ck_claims_disputes_credited \
                     CHECK (credited_minor >= 0 AND credited_minor <= amount_minor \
                            AND (accepted_minor IS NULL OR credited_minor <= accepted_minor))",
                )
                .await?;
        }
        Ok(())
    }
}
