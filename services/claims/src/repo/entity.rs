//! sea-orm models of the claims service's tables (see the migration).

pub mod claim {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub number: String,
        pub carrier_id: String,
        pub shipment_id: String,
        pub tracking_number: String,
        pub service_level: String,
        pub claim_type: String,
        pub status: String,
        pub claimant_kind: String,
        pub claimant_name: String,
        pub on_behalf_of: String,
        pub line_items: Vec<u8>,
        pub declared_value_minor: Option<i64>,
        pub currency: String,
        pub claimed_minor: i64,
        pub notes: String,
        pub terms: Option<Vec<u8>>,
        pub liability_cap_minor: Option<i64>,
        pub approved_minor: Option<i64>,
        pub approved_on: Option<Date>,
        pub recovered_minor: i64,
        pub written_off_minor: i64,
        pub submitted_at: Option<DateTimeUtc>,
        pub approved_at: Option<DateTimeUtc>,
        pub acknowledge_due: Option<Date>,
        pub decision_due: Option<Date>,
        pub revision: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub filed_by: String,
        pub filed_by_role: String,
        pub filing_account: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claim_history")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub claim_id: String,
        pub from_status: String,
        pub to_status: String,
        pub actor: String,
        pub actor_role: String,
        pub reason: String,
        pub amount_minor: Option<i64>,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claim_documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub claim_id: String,
        pub kind: String,
        pub file_name: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub storage_uri: String,
        pub verified: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod remittance {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "remittances")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub carrier_id: String,
        pub kind: String,
        pub reference: String,
        pub invoice_reference: String,
        pub remittance_date: Date,
        pub amount_minor: i64,
        pub currency: String,
        pub created_at: DateTimeUtc,
        /// Σ of its allocations, kept on the row (locked to allocate).
        pub allocated_minor: i64,
        pub line_count: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod remittance_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "remittance_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub remittance_id: String,
        pub position: i32,
        pub claim_ref: String,
        pub tracking_number: String,
        pub amount_minor: i64,
        pub unmatched_reason: String,
        /// `disputes/{id}` when the line names a dispute, else "".
        pub dispute_ref: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod allocation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "allocations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub remittance_id: String,
        pub line_id: Option<String>,
        pub claim_id: String,
        pub amount_minor: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod write_off {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "write_offs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub claim_id: String,
        pub amount_minor: i64,
        pub reason: String,
        pub actor: String,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dispute {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims_disputes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub carrier_id: String,
        pub invoice_id: String,
        pub invoice_number: String,
        pub line_no: i64,
        pub tracking_number: String,
        pub shipment_id: Option<String>,
        pub currency: String,
        pub amount_minor: i64,
        pub accepted_minor: Option<i64>,
        pub credited_minor: i64,
        pub reasons: String,
        pub deadline: Date,
        pub status: String,
        pub revision: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dispute_history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims_dispute_history")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub dispute_id: String,
        pub from_status: String,
        pub to_status: String,
        pub actor: String,
        pub note: String,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod escalation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims_escalations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub kind: String,
        pub subject: String,
        pub occurrence: String,
        pub carrier_id: String,
        pub owner: String,
        pub due_date: Date,
        pub state: String,
        pub summary: String,
        pub revision: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod escalation_note {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims_escalation_notes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub escalation_id: String,
        pub author: String,
        pub text: String,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dispute_credit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dispute_credits")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub remittance_id: String,
        pub line_id: Option<String>,
        pub dispute_id: String,
        pub amount_minor: i64,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sla_bonus {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims_sla_bonuses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub evaluation: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub revision: i64,
        pub carrier_id: String,
        pub currency: String,
        pub bonus_minor: i64,
        pub credit_minor: i64,
        pub period_end: Date,
        pub evaluated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod feed_position {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims_feed_positions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub feed: String,
        pub position: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
