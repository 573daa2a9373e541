use sea_orm_migration::prelude::*;

use crate::IDEMPOTENCY;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Carriers {
    Table,
    Id,
    Code,
    DisplayName,
    Kind,
    Status,
    StatusReason,
    ContactEmail,
    DailyParcels,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CarrierServiceLevels {
    Table,
    CarrierId,
    Code,
    Position,
    DisplayName,
    Guaranteed,
    TransitDaysMin,
    TransitDaysMax,
}

#[derive(DeriveIden)]
enum CarrierRegions {
    Table,
    CarrierId,
    Region,
}

#[derive(DeriveIden)]
enum CarrierPeakAllocations {
    Table,
    CarrierId,
    StartDate,
    EndDate,
    DailyParcels,
}

fn carrier_fk(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Carriers::Table, Carriers::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Carriers::Table)
                    .col(
                        ColumnDef::new(Carriers::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Carriers::Code)
                            .string_len(16)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Carriers::DisplayName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Carriers::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(Carriers::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Carriers::StatusReason).text().not_null())
                    .col(
                        ColumnDef::new(Carriers::ContactEmail)
                            .string_len(254)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Carriers::DailyParcels)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Carriers::Version).big_integer().not_null())
                    .col(
                        ColumnDef::new(Carriers::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Carriers::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_carriers_status", Carriers::Status),
            ("idx_carriers_kind", Carriers::Kind),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Carriers::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(CarrierServiceLevels::Table)
                    .col(
                        ColumnDef::new(CarrierServiceLevels::CarrierId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierServiceLevels::Code)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierServiceLevels::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierServiceLevels::DisplayName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierServiceLevels::Guaranteed)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierServiceLevels::TransitDaysMin)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierServiceLevels::TransitDaysMax)
                            .integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CarrierServiceLevels::CarrierId)
                            .col(CarrierServiceLevels::Code),
                    )
                    .foreign_key(&mut carrier_fk(
                        CarrierServiceLevels::Table,
                        CarrierServiceLevels::CarrierId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CarrierRegions::Table)
                    .col(
                        ColumnDef::new(CarrierRegions::CarrierId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierRegions::Region)
                            .string_len(16)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CarrierRegions::CarrierId)
                            .col(CarrierRegions::Region),
                    )
                    .foreign_key(&mut carrier_fk(
                        CarrierRegions::Table,
                        CarrierRegions::CarrierId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_carrier_regions_region")
                    .table(CarrierRegions::Table)
                    .col(CarrierRegions::Region)
                    .col(CarrierRegions::CarrierId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CarrierPeakAllocations::Table)
                    .col(
                        ColumnDef::new(CarrierPeakAllocations::CarrierId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierPeakAllocations::StartDate)
                            .date()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierPeakAllocations::EndDate)
                            .date()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CarrierPeakAllocations::DailyParcels)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CarrierPeakAllocations::CarrierId)
                            .col(CarrierPeakAllocations::StartDate),
                    )
                    .foreign_key(&mut carrier_fk(
                        CarrierPeakAllocations::Table,
                        CarrierPeakAllocations::CarrierId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_table(IDEMPOTENCY.create_statement()).await
    }
}
