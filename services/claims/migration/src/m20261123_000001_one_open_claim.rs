//! One open claim per shipment and claim type, enforced by the database so
//! that concurrent creations with different request ids cannot both
//! succeed. "Open" is every status but the final ones (closed, withdrawn);
//! a claim leaves the index when it is closed or withdrawn and a new one
//! may then be filed. PostgreSQL and SQLite both support partial indexes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OPEN_CLAIM_INDEX: &str = "ux_claims_open_shipment_type";

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {OPEN_CLAIM_INDEX} ON claims (shipment_id, claim_type) \
                 WHERE status NOT IN ('closed', 'withdrawn')"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {OPEN_CLAIM_INDEX}"))
            .await?;
        Ok(())
    }
}
