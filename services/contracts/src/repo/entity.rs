//! sea-orm models of the contracts service's tables (see the migration).

pub mod contract {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contracts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub carrier_id: String,
        pub reference: String,
        pub display_name: String,
        pub created_at: DateTimeUtc,
        /// The highest version number given out (the version counter).
        pub last_version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod version {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contract_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub contract_id: String,
        pub carrier_id: String,
        pub version: i32,
        pub status: String,
        pub effective_from: Date,
        pub effective_to: Option<Date>,
        pub currency: String,
        pub terms: Vec<u8>,
        pub revision: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod shipment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "shipments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub carrier_id: String,
        pub tracking_number: String,
        pub service_level: String,
        pub origin_postal_code: String,
        pub destination_postal_code: String,
        pub ship_time: DateTimeUtc,
        pub weight_thousandths: i64,
        pub weight_unit: String,
        pub length_thousandths: Option<i64>,
        pub width_thousandths: Option<i64>,
        pub height_thousandths: Option<i64>,
        pub dimension_unit: Option<String>,
        pub declared_value_minor: Option<i64>,
        pub billed_charge_minor: Option<i64>,
        pub currency: String,
        pub promised_at: DateTimeUtc,
        pub zone: String,
        pub contract_version: String,
        pub delivered_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub origin_time_zone: String,
        pub destination_time_zone: String,
        pub invoice_date: Option<Date>,
        pub shipper_account: String,
        pub requested_services: String,
        pub billed_transportation_minor: Option<i64>,
        pub promise_overridden: bool,
        pub promise_override_reason: String,
        pub revision: i64,
        pub return_of: Option<String>,
        pub return_label_cost_minor: Option<i64>,
        pub return_payer: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tracking_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tracking_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_event_id: String,
        pub shipment_id: String,
        pub event_type: String,
        pub occurred_at: DateTimeUtc,
        pub location: String,
        pub exception_reason: String,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod evaluation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sla_evaluations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub carrier_id: String,
        pub service_level: String,
        pub period: String,
        pub period_start: Date,
        pub revision: i64,
        pub body: Vec<u8>,
        pub evaluated_at: DateTimeUtc,
        pub stale: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod invoice {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contracts_invoices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub carrier_id: String,
        pub invoice_number: String,
        pub invoice_date: Date,
        pub received_date: Date,
        pub dispute_deadline: Date,
        pub currency: String,
        pub total_minor: i64,
        pub lines_total_minor: i64,
        pub line_count: i64,
        pub lines_with_findings: i64,
        pub at_stake_minor: i64,
        pub content_sha256: String,
        pub record_only: bool,
        pub answer: Vec<u8>,
        pub imported_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod invoice_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contracts_invoice_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub invoice_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub line_no: i64,
        pub carrier_id: String,
        pub tracking_number: String,
        pub shipment_id: Option<String>,
        pub ship_date: Date,
        pub service_level: String,
        pub total_minor: i64,
        pub expected_total_minor: Option<i64>,
        pub contract_version: String,
        pub at_stake_minor: i64,
        pub duplicate: bool,
        pub finding_count: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod invoice_finding {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contracts_invoice_findings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub invoice_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub line_no: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub cause: String,
        pub code: String,
        pub expected: String,
        pub billed: String,
        pub amount_minor: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
