use sea_orm_migration::prelude::*;

use crate::IDEMPOTENCY;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GatewayApiKeys {
    Table,
    Id,
    DisplayName,
    Role,
    Scope,
    SecretHash,
    PreviousSecretHash,
    PreviousValidUntil,
    ExpiresAt,
    RateRequestsPerSecond,
    RateBurst,
    RateMaxStreams,
    CreatedAt,
    RotatedAt,
    RevokedAt,
    LastUsedAt,
    Version,
}

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GatewayApiKeys::Table)
                    .if_not_exists()
                    // UUIDv7: time-ordered, so listing by id lists by age.
                    .col(
                        ColumnDef::new(GatewayApiKeys::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::DisplayName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::Role)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(GatewayApiKeys::Scope).string_len(64).null())
                    // Hex SHA-256 of the secret; the secret itself is never stored.
                    .col(
                        ColumnDef::new(GatewayApiKeys::SecretHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::PreviousSecretHash)
                            .string_len(64)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::PreviousValidUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::RateRequestsPerSecond)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(GatewayApiKeys::RateBurst).integer().null())
                    .col(
                        ColumnDef::new(GatewayApiKeys::RateMaxStreams)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::RotatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(GatewayApiKeys::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager.create_table(IDEMPOTENCY.create_statement()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(IDEMPOTENCY.0)).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(GatewayApiKeys::Table).to_owned())
            .await
    }
}
