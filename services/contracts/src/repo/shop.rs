//! The reads and tallies behind rate shopping and capacity planning: the
//! versions in force on a day across carriers, stored evaluations in a
//! window, tendered parcels per carrier and day, and forecasts per week.
//! Every read is bounded by carriers × days (or weeks), never by shipments.

use chrono::{DateTime, NaiveDate, Utc};
use recourse_contracts_domain::versions::{ContractVersion, VersionStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::contracts::version_from;
use super::entity::{evaluation, version};

pub mod tender {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contracts_daily_tenders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub ship_date: Date,
        #[sea_orm(primary_key, auto_increment = false)]
        pub service_level: String,
        pub tendered: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod forecast {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contracts_forecasts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub carrier_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub week_start: Date,
        #[sea_orm(primary_key, auto_increment = false)]
        pub service_level: String,
        pub parcels: i64,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every non-draft version in force on `date`, across carriers (or the
/// one carrier of `scope`): at most one per carrier by the versions'
/// invariant, so the answer is as long as the carriers list.
pub async fn in_force_on<C: ConnectionTrait>(
    conn: &C,
    date: NaiveDate,
    scope: Option<&str>,
) -> Result<Vec<ContractVersion>, DbErr> {
    let mut query = version::Entity::find()
        .filter(version::Column::Status.ne(VersionStatus::Draft.as_str()))
        .filter(version::Column::EffectiveFrom.lte(date))
        .filter(
            version::Column::EffectiveTo
                .is_null()
                .or(version::Column::EffectiveTo.gte(date)),
        );
    if let Some(carrier) = scope {
        query = query.filter(version::Column::CarrierId.eq(carrier));
    }
    query
        .order_by_asc(version::Column::CarrierId)
        .all(conn)
        .await?
        .into_iter()
        .map(version_from)
        .collect()
}

/// The carriers with a non-draft version in force on some day of [first,
/// last] (or the one of `scope`).
pub async fn carriers_in_force_between<C: ConnectionTrait>(
    conn: &C,
    first: NaiveDate,
    last: NaiveDate,
    scope: Option<&str>,
) -> Result<Vec<String>, DbErr> {
    let mut query = version::Entity::find()
        .filter(version::Column::Status.ne(VersionStatus::Draft.as_str()))
        .filter(version::Column::EffectiveFrom.lte(last))
        .filter(
            version::Column::EffectiveTo
                .is_null()
                .or(version::Column::EffectiveTo.gte(first)),
        );
    if let Some(carrier) = scope {
        query = query.filter(version::Column::CarrierId.eq(carrier));
    }
    let mut ids: Vec<String> = query
        .all(conn)
        .await?
        .into_iter()
        .map(|v| v.carrier_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Stored, not stale, evaluations of `carriers` whose period starts in
/// [first, last] (the caller keeps those that also end by `last`).
pub async fn evaluations_between<C: ConnectionTrait>(
    conn: &C,
    carriers: &[String],
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<evaluation::Model>, DbErr> {
    if carriers.is_empty() {
        return Ok(Vec::new());
    }
    evaluation::Entity::find()
        .filter(evaluation::Column::CarrierId.is_in(carriers.iter().map(String::as_str)))
        .filter(evaluation::Column::PeriodStart.gte(first))
        .filter(evaluation::Column::PeriodStart.lte(last))
        .filter(evaluation::Column::Stale.eq(false))
        .all(conn)
        .await
}

/// Counts one tendered shipment on its carrier's local ship date: one
/// upsert, so concurrent registrations add up in the row.
pub async fn count_tender<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    service_level: &str,
    ship_date: NaiveDate,
) -> Result<(), DbErr> {
    tender::Entity::insert(tender::ActiveModel {
        carrier_id: Set(carrier_id.to_owned()),
        ship_date: Set(ship_date),
        service_level: Set(service_level.to_owned()),
        tendered: Set(1),
    })
    .on_conflict(
        OnConflict::columns([
            tender::Column::CarrierId,
            tender::Column::ShipDate,
            tender::Column::ServiceLevel,
        ])
        .value(
            tender::Column::Tendered,
            Expr::col((tender::Entity, tender::Column::Tendered)).add(1),
        )
        .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

/// Tendered rows of `carriers` (all when `None`) on the days [first, last].
pub async fn tenders_between<C: ConnectionTrait>(
    conn: &C,
    carriers: Option<&[String]>,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<tender::Model>, DbErr> {
    let mut query = tender::Entity::find()
        .filter(tender::Column::ShipDate.gte(first))
        .filter(tender::Column::ShipDate.lte(last));
    if let Some(carriers) = carriers {
        if carriers.is_empty() {
            return Ok(Vec::new());
        }
        query = query.filter(tender::Column::CarrierId.is_in(carriers.iter().map(String::as_str)));
    }
    query.all(conn).await
}

/// Replaces the forecast of a carrier × service level × week.
pub async fn put_forecast<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    service_level: &str,
    week_start: NaiveDate,
    parcels: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    forecast::Entity::insert(forecast::ActiveModel {
        carrier_id: Set(carrier_id.to_owned()),
        week_start: Set(week_start),
        service_level: Set(service_level.to_owned()),
        parcels: Set(parcels),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::columns([
            forecast::Column::CarrierId,
            forecast::Column::WeekStart,
            forecast::Column::ServiceLevel,
        ])
        .update_columns([forecast::Column::Parcels, forecast::Column::UpdatedAt])
        .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

/// Forecasts of the weeks starting in [first, last] (one carrier with
/// `scope`).
pub async fn forecasts_between<C: ConnectionTrait>(
    conn: &C,
    first: NaiveDate,
    last: NaiveDate,
    scope: Option<&str>,
) -> Result<Vec<forecast::Model>, DbErr> {
    let mut query = forecast::Entity::find()
        .filter(forecast::Column::WeekStart.gte(first))
        .filter(forecast::Column::WeekStart.lte(last));
    if let Some(carrier) = scope {
        query = query.filter(forecast::Column::CarrierId.eq(carrier));
    }
    query.all(conn).await
}

/// Outbound shipments (not returns) shipped in [from, to) per carrier and
/// shipper account, counted by the database.
pub async fn outbound_counts<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    carrier: Option<&str>,
    account: Option<&str>,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    use super::entity::shipment::{Column, Entity};
    use sea_orm::QuerySelect as _;
    let mut query = Entity::find()
        .select_only()
        .column(Column::CarrierId)
        .column(Column::ShipperAccount)
        .column_as(Expr::col(Column::Id).count(), "outbound")
        .filter(Column::ReturnOf.is_null())
        .filter(Column::ShipTime.gte(from))
        .filter(Column::ShipTime.lt(to));
    if let Some(c) = carrier {
        query = query.filter(Column::CarrierId.eq(c));
    }
    if let Some(a) = account {
        query = query.filter(Column::ShipperAccount.eq(a));
    }
    query
        .group_by(Column::CarrierId)
        .group_by(Column::ShipperAccount)
        .into_tuple::<(String, String, i64)>()
        .all(conn)
        .await
}

/// The returns of the outbound shipments shipped in [from, to) (same
/// filters): one query with the outbound ids as a subquery. A return
/// carries its outbound's carrier and shipper account.
pub async fn returns_of_shipped<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    carrier: Option<&str>,
    account: Option<&str>,
) -> Result<Vec<super::shipments::ShipmentRecord>, DbErr> {
    use super::entity::shipment::{Column, Entity};
    use sea_orm::sea_query::Query;
    let mut outbound = Query::select();
    outbound
        .column(Column::Id)
        .from(Entity)
        .and_where(Column::ReturnOf.is_null())
        .and_where(Column::ShipTime.gte(from))
        .and_where(Column::ShipTime.lt(to));
    if let Some(c) = carrier {
        outbound.and_where(Column::CarrierId.eq(c));
    }
    if let Some(a) = account {
        outbound.and_where(Column::ShipperAccount.eq(a));
    }
    Entity::find()
        .filter(Column::ReturnOf.in_subquery(outbound.to_owned()))
        .all(conn)
        .await?
        .into_iter()
        .map(super::shipments::from_row)
        .collect()
}
