//! sea-orm model of `gateway_api_keys` (see the migration crate).

pub mod api_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "gateway_api_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub display_name: String,
        pub role: String,
        pub scope: Option<String>,
        pub secret_hash: String,
        pub previous_secret_hash: Option<String>,
        pub previous_valid_until: Option<DateTimeUtc>,
        pub expires_at: Option<DateTimeUtc>,
        pub rate_requests_per_second: Option<i32>,
        pub rate_burst: Option<i32>,
        pub rate_max_streams: Option<i32>,
        pub created_at: DateTimeUtc,
        pub rotated_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
        pub last_used_at: Option<DateTimeUtc>,
        pub version: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
