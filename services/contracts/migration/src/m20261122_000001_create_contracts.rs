use recourse_platform::schema::*;
use sea_orm_migration::prelude::*;

use crate::{IDEMPOTENCY, OUTBOX};

#[derive(DeriveMigrationName)]
pub struct Migration;

// async_trait expands the elided lifetime itself.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("contracts"))
                    .col(id("id").primary_key())
                    .col(id("carrier_id"))
                    .col(text("reference", 64))
                    .col(text("display_name", 200))
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_contracts_carrier_reference",
                "contracts",
                &["carrier_id", "reference"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("contract_versions"))
                    .col(id("id").primary_key())
                    .col(id("contract_id"))
                    .col(id("carrier_id"))
                    .col(ColumnDef::new(Alias::new("version")).integer().not_null())
                    .col(text("status", 16))
                    .col(
                        ColumnDef::new(Alias::new("effective_from"))
                            .date()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Alias::new("effective_to")).date().null())
                    .col(text("currency", 3))
                    .col(ColumnDef::new(Alias::new("terms")).blob().not_null())
                    .col(big("revision"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Alias::new("contract_versions"), Alias::new("contract_id"))
                            .to(Alias::new("contracts"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_contract_versions_number",
                "contract_versions",
                &["contract_id", "version"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_contract_versions_in_force",
                "contract_versions",
                &["carrier_id", "status", "effective_from"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("shipments"))
                    .col(id("id").primary_key())
                    .col(id("carrier_id"))
                    .col(text("tracking_number", 64))
                    .col(text("service_level", 32))
                    .col(text("origin_postal_code", 16))
                    .col(text("destination_postal_code", 16))
                    .col(time("ship_time"))
                    .col(big("weight_thousandths"))
                    .col(text("weight_unit", 2))
                    .col(big_null("length_thousandths"))
                    .col(big_null("width_thousandths"))
                    .col(big_null("height_thousandths"))
                    .col(
                        ColumnDef::new(Alias::new("dimension_unit"))
                            .string_len(2)
                            .null(),
                    )
                    .col(big_null("declared_value_minor"))
                    .col(big_null("billed_charge_minor"))
                    .col(text("currency", 3))
                    .col(time("promised_at"))
                    .col(text("zone", 16))
                    .col(text("contract_version", 100))
                    .col(
                        ColumnDef::new(Alias::new("delivered_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_shipments_tracking",
                "shipments",
                &["carrier_id", "tracking_number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_shipments_period",
                "shipments",
                &["carrier_id", "service_level", "ship_time"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("tracking_events"))
                    .col(id("carrier_id"))
                    .col(text("carrier_event_id", 128))
                    .col(id("shipment_id"))
                    .col(text("event_type", 24))
                    .col(time("occurred_at"))
                    .col(text("location", 128))
                    .col(text("exception_reason", 128))
                    .col(time("received_at"))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("carrier_id"))
                            .col(Alias::new("carrier_event_id")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_tracking_events_shipment",
                "tracking_events",
                &["shipment_id", "occurred_at"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("sla_evaluations"))
                    .col(id("id").primary_key())
                    .col(id("carrier_id"))
                    .col(text("service_level", 32))
                    .col(text("period", 8))
                    .col(ColumnDef::new(Alias::new("period_start")).date().not_null())
                    .col(big("revision"))
                    .col(ColumnDef::new(Alias::new("body")).blob().not_null())
                    .col(time("evaluated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_sla_evaluations_period",
                "sla_evaluations",
                &["carrier_id", "service_level", "period", "period_start"],
                true,
            ))
            .await?;
        manager.create_table(IDEMPOTENCY.create_statement()).await?;
        let (outbox, outbox_index) = OUTBOX.create_statements();
        manager.create_table(outbox).await?;
        manager.create_index(outbox_index).await
    }
}
