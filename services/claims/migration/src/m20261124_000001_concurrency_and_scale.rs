//! What concurrency and size need of the schema (issue 8):
//!
//! - `remittances.allocated_minor`: what is allocated from a remittance, kept
//!   on its row so an allocation locks that row (`SELECT … FOR UPDATE`) and
//!   checks what is left without summing its history; `line_count` so a page
//!   of `ListRemittances` is cut by lines before any line is read. Both
//!   back-filled from the rows already there.
//! - On PostgreSQL, CHECK constraints as the last word: a remittance is never
//!   allocated beyond its amount, a claim never recovers or writes off more
//!   than it was approved (`NOT VALID`: rows written before are not
//!   re-checked, every new write is).
//! - The claims feed's party column (a 3PL account) and its index, so a 3PL's
//!   feed is an indexed read; back-filled from the claims' filing accounts.
//!   Events of claims not yet submitted when they happened (drafts) lose
//!   their carrier, so carriers' feeds skip them as they skip drafts.
//! - Indexes for the queries that page or aggregate: overdue clocks, write-offs
//!   and approvals by claim, remittances by carrier and date, and the
//!   idempotency records' `created_at` (the purge).

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::{IDEMPOTENCY, OUTBOX};

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for column in [
            big("allocated_minor").default(0).to_owned(),
            col("line_count").integer().not_null().default(0).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("remittances"))
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE remittances SET \
             allocated_minor = (SELECT COALESCE(SUM(a.amount_minor), 0) FROM allocations a \
                                WHERE a.remittance_id = remittances.id), \
             line_count = (SELECT COUNT(*) FROM remittance_lines l \
                           WHERE l.remittance_id = remittances.id)",
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE remittances ADD CONSTRAINT ck_remittances_allocated \
                 CHECK (allocated_minor >= 0 AND allocated_minor <= amount_minor) NOT VALID",
            )
            .await?;
            db.execute_unprepared(
                "ALTER TABLE claims ADD CONSTRAINT ck_claims_recovered \
                 CHECK (recovered_minor >= 0 AND written_off_minor >= 0 \
                        AND recovered_minor + written_off_minor <= COALESCE(approved_minor, 0)) \
                 NOT VALID",
            )
            .await?;
        }

        let (party, party_index) = OUTBOX.party_column_statements();
        manager.alter_table(party).await?;
        manager.create_index(party_index).await?;
        db.execute_unprepared(
            "UPDATE claims_outbox SET party_id = COALESCE((SELECT c.filing_account FROM claims c \
             WHERE 'claims/' || c.id = claims_outbox.subject), '') \
             WHERE subject LIKE 'claims/%'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE claims_outbox SET carrier_id = '' WHERE EXISTS (SELECT 1 FROM claims c \
             WHERE 'claims/' || c.id = claims_outbox.subject \
             AND (c.submitted_at IS NULL OR c.submitted_at > claims_outbox.created_at))",
        )
        .await?;

        for (name, table, cols) in [
            (
                "idx_claims_awaiting_due",
                "claims",
                &["status", "decision_due", "id"][..],
            ),
            ("idx_claims_carrier_id", "claims", &["carrier_id", "id"]),
            ("idx_write_offs_claim", "write_offs", &["claim_id"]),
            (
                "idx_claim_history_status_at",
                "claim_history",
                &["to_status", "at"],
            ),
            (
                "idx_remittances_carrier",
                "remittances",
                &["carrier_id", "id"],
            ),
            ("idx_remittances_date", "remittances", &["remittance_date"]),
        ] {
            manager
                .create_index(index(name, table, cols, false))
                .await?;
        }
        manager.create_index(IDEMPOTENCY.created_at_index()).await
    }
}
