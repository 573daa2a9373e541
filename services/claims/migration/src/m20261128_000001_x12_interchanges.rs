//! Issue 13, X12 EDI:
//!
//! - `claims_x12_interchanges`: every 926 interchange imported, keyed by
//!   (importer scope, ISA sender, ISA13 control number), with the result
//!   it gave, so a re-sent interchange changes nothing and gets the same
//!   answer. The primary key decides between concurrent imports.
//! - The interchange control numbers of exported 920s: on PostgreSQL the
//!   sequence `claims_x12_control_numbers` (1 to 999 999 999, ISA13's
//!   nine digits), on SQLite the one-row `claims_x12_counter`.

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
                table("claims_x12_interchanges")
                    .col(text("scope", 64))
                    .col(text("sender", 40))
                    .col(big("control_number"))
                    .col(col("result").blob().not_null())
                    .col(time("imported_at"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("scope"))
                            .col(Alias::new("sender"))
                            .col(Alias::new("control_number")),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "CREATE SEQUENCE claims_x12_control_numbers AS bigint MINVALUE 1 MAXVALUE 999999999",
            )
            .await?;
        } else {
            manager
                .create_table(
                    table("claims_x12_counter")
                        .col(col("id").integer().not_null().primary_key())
                        .col(big("last"))
                        .to_owned(),
                )
                .await?;
            db.execute_unprepared("INSERT INTO claims_x12_counter (id, last) VALUES (1, 0)")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP SEQUENCE claims_x12_control_numbers")
                .await?;
        } else {
            db.execute_unprepared("DROP TABLE claims_x12_counter")
                .await?;
        }
        db.execute_unprepared("DROP TABLE claims_x12_interchanges")
            .await?;
        Ok(())
    }
}
