//! Who filed each claim: the principal's subject and role, and for a 3PL
//! the account it acts for. A 3PL sees only the claims its account filed
//! (hence the index), and nobody decides a claim they filed. Claims filed
//! before this migration have no recorded filer ("").

use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for (name, len) in [
            ("filed_by", 128),
            ("filed_by_role", 16),
            ("filing_account", 64),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("claims"))
                        .add_column(text(name, len).default(""))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index(
                "idx_claims_filing_account",
                "claims",
                &["filing_account", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_claims_filing_account")
                    .table(Alias::new("claims"))
                    .to_owned(),
            )
            .await?;
        for name in ["filed_by", "filed_by_role", "filing_account"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("claims"))
                        .drop_column(Alias::new(name))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
