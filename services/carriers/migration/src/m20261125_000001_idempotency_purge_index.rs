//! Issue 8: the idempotency purge finds expired records by `created_at`
//! through an index instead of scanning the table.

use sea_orm_migration::prelude::*;

use crate::IDEMPOTENCY;

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(IDEMPOTENCY.created_at_index()).await
    }
}
