//! Claim numbers leave the creating transaction's lock (issue 8).
//!
//! The per-year counter row (`claim_sequences`) was bumped inside CreateClaim's
//! transaction and so stayed locked until its commit: every creation waited
//! for the previous one's WAL flush, a queue of 64 at 64 in flight. On
//! PostgreSQL numbers now come from the sequence `claim_numbers` (`nextval`
//! takes no lock that lives to the commit); on SQLite, which has one writer
//! anyway, from the one-row `claim_number_counter` bumped in the transaction.
//! Both count across years (the year in `CLM-2026-000123` is the year of
//! creation, the number is unique across all years), and both start after the
//! highest number already issued, so no number is issued twice. A rolled-back
//! creation leaves a gap on PostgreSQL.

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
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("CREATE SEQUENCE claim_numbers AS bigint MINVALUE 1")
                .await?;
            // `is_called = false` when nothing was issued: the first number is 1.
            db.execute_unprepared(
                "SELECT setval('claim_numbers', GREATEST(COALESCE(MAX(last), 0), 1), \
                 COALESCE(MAX(last), 0) > 0) FROM claim_sequences",
            )
            .await?;
        } else {
            manager
                .create_table(
                    table("claim_number_counter")
                        .col(col("id").integer().not_null().primary_key())
                        .col(big("last"))
                        .to_owned(),
                )
                .await?;
            db.execute_unprepared(
                "INSERT INTO claim_number_counter (id, last) \
                 SELECT 1, COALESCE(MAX(last), 0) FROM claim_sequences",
            )
            .await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("claim_sequences"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("claim_sequences")
                    .col(col("year").integer().not_null().primary_key())
                    .col(big("last"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "INSERT INTO claim_sequences (year, last) \
                 SELECT CAST(date_part('year', now()) AS integer), last_value FROM claim_numbers",
            )
            .await?;
            db.execute_unprepared("DROP SEQUENCE claim_numbers").await?;
            Ok(())
        } else {
            db.execute_unprepared(
                "INSERT INTO claim_sequences (year, last) \
                 SELECT CAST(strftime('%Y', 'now') AS integer), last FROM claim_number_counter",
            )
            .await?;
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new("claim_number_counter"))
                        .to_owned(),
                )
                .await
        }
    }
}
