//! Issue 10: the carriers service gets an event feed (reporting's read
//! models follow the registry through it), so it gets an outbox.

use sea_orm_migration::prelude::*;

use crate::OUTBOX;

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (table, index) = OUTBOX.create_statements();
        manager.create_table(table).await?;
        manager.create_index(index).await
    }
}
