//! sea-orm models of the carriers tables (see the migration crate).

pub mod carrier {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carriers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub code: String,
        pub display_name: String,
        pub kind: String,
        pub status: String,
        pub status_reason: String,
        pub contact_email: Option<String>,
        pub daily_parcels: i64,
        pub version: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod service_level {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carrier_service_levels")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub position: i32,
        pub display_name: String,
        pub guaranteed: bool,
        pub transit_days_min: i32,
        pub transit_days_max: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod region {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carrier_regions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub region: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod peak_allocation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "carrier_peak_allocations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub start_date: Date,
        pub end_date: Date,
        pub daily_parcels: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
