//! Storage of carriers with sea-orm: one row per carrier plus child rows for
//! service levels, regions and peak allocations, always written together in
//! the caller's transaction.

mod entity;

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::domain::{
    Capacity, Carrier, CarrierCode, CarrierId, CarrierKind, CarrierStatus, ContactEmail, Etag,
    PeakAllocation, Region, ServiceLevel, ServiceLevelCode, TransitDays,
};
use entity::{carrier, peak_allocation, region, service_level};

/// Filters of a list query; `None` matches anything.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<CarrierStatus>,
    pub kind: Option<CarrierKind>,
    pub region: Option<Region>,
    /// Restricts the list to one carrier (a partner's scope).
    pub only_id: Option<CarrierId>,
    /// Restricts the list to these carriers (asked for by name).
    pub ids: Option<Vec<CarrierId>>,
}

fn corrupt(what: &str, value: &str) -> DbErr {
    DbErr::Custom(format!("corrupt carriers row: {what} `{value}`"))
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn carrier_row(c: &Carrier) -> carrier::ActiveModel {
    carrier::ActiveModel {
        id: Set(c.id.as_str().to_owned()),
        code: Set(c.code.as_str().to_owned()),
        display_name: Set(c.display_name.clone()),
        kind: Set(c.kind.as_str().to_owned()),
        status: Set(c.status.as_str().to_owned()),
        status_reason: Set(c.status_reason.clone()),
        contact_email: Set(c.contact_email.as_ref().map(|e| e.as_str().to_owned())),
        daily_parcels: Set(i64::from(c.capacity.daily_parcels)),
        version: Set(c.etag.0),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    }
}

async fn insert_children<C: ConnectionTrait>(conn: &C, c: &Carrier) -> Result<(), DbErr> {
    let id = c.id.as_str();
    let levels: Vec<_> = c
        .service_levels
        .iter()
        .enumerate()
        .map(|(position, level)| service_level::ActiveModel {
            carrier_id: Set(id.to_owned()),
            code: Set(level.code.as_str().to_owned()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            display_name: Set(level.display_name.clone()),
            guaranteed: Set(level.guaranteed),
            transit_days_min: Set(to_i32(level.transit_days.min())),
            transit_days_max: Set(to_i32(level.transit_days.max())),
        })
        .collect();
    if !levels.is_empty() {
        service_level::Entity::insert_many(levels)
            .exec(conn)
            .await?;
    }
    let regions: Vec<_> = c
        .regions
        .iter()
        .map(|r| region::ActiveModel {
            carrier_id: Set(id.to_owned()),
            region: Set(r.as_str().to_owned()),
        })
        .collect();
    if !regions.is_empty() {
        region::Entity::insert_many(regions).exec(conn).await?;
    }
    let peaks: Vec<_> = c
        .capacity
        .peaks
        .iter()
        .map(|p| peak_allocation::ActiveModel {
            carrier_id: Set(id.to_owned()),
            start_date: Set(p.start),
            end_date: Set(p.end),
            daily_parcels: Set(i64::from(p.daily_parcels)),
        })
        .collect();
    if !peaks.is_empty() {
        peak_allocation::Entity::insert_many(peaks)
            .exec(conn)
            .await?;
    }
    Ok(())
}

async fn delete_children<C: ConnectionTrait>(conn: &C, id: &CarrierId) -> Result<(), DbErr> {
    service_level::Entity::delete_many()
        .filter(service_level::Column::CarrierId.eq(id.as_str()))
        .exec(conn)
        .await?;
    region::Entity::delete_many()
        .filter(region::Column::CarrierId.eq(id.as_str()))
        .exec(conn)
        .await?;
    peak_allocation::Entity::delete_many()
        .filter(peak_allocation::Column::CarrierId.eq(id.as_str()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Stores a new carrier. A duplicate code surfaces as a unique violation.
pub async fn insert<C: ConnectionTrait>(conn: &C, c: &Carrier) -> Result<(), DbErr> {
    carrier::Entity::insert(carrier_row(c)).exec(conn).await?;
    insert_children(conn, c).await
}

/// Writes `c` over the stored carrier if its version is still `expected`.
/// Returns false (and writes nothing) when the version moved on.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    c: &Carrier,
    expected: Etag,
    children_changed: bool,
) -> Result<bool, DbErr> {
    let row = carrier_row(c);
    let result = carrier::Entity::update_many()
        .set(row)
        .filter(carrier::Column::Id.eq(c.id.as_str()))
        .filter(carrier::Column::Version.eq(expected.0))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(false);
    }
    if children_changed {
        delete_children(conn, &c.id).await?;
        insert_children(conn, c).await?;
    }
    Ok(true)
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: &CarrierId) -> Result<Option<Carrier>, DbErr> {
    let Some(row) = carrier::Entity::find_by_id(id.as_str().to_owned())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(assemble(conn, vec![row]).await?.pop())
}

/// One page of carriers in id order (ids are time-ordered UUIDv7), after
/// the key `after`, at most `limit` rows.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &ListFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Carrier>, DbErr> {
    let mut query = carrier::Entity::find();
    if let Some(status) = filter.status {
        query = query.filter(carrier::Column::Status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(carrier::Column::Kind.eq(kind.as_str()));
    }
    if let Some(only) = &filter.only_id {
        query = query.filter(carrier::Column::Id.eq(only.as_str()));
    }
    if let Some(ids) = &filter.ids {
        query = query.filter(carrier::Column::Id.is_in(ids.iter().map(CarrierId::as_str)));
    }
    if let Some(r) = &filter.region {
        query = query.filter(
            carrier::Column::Id.in_subquery(
                Query::select()
                    .column(region::Column::CarrierId)
                    .from(region::Entity)
                    .and_where(Expr::col(region::Column::Region).eq(r.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(after) = after {
        query = query.filter(carrier::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(carrier::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    assemble(conn, rows).await
}

/// Loads the child rows of `rows` in three queries and builds carriers.
async fn assemble<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<carrier::Model>,
) -> Result<Vec<Carrier>, DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut levels: HashMap<String, Vec<ServiceLevel>> = HashMap::new();
    for l in service_level::Entity::find()
        .filter(service_level::Column::CarrierId.is_in(ids.clone()))
        .order_by_asc(service_level::Column::Position)
        .all(conn)
        .await?
    {
        let transit = TransitDays::new(
            u32::try_from(l.transit_days_min).map_err(|_| corrupt("transit days", &l.code))?,
            u32::try_from(l.transit_days_max).map_err(|_| corrupt("transit days", &l.code))?,
        )
        .map_err(|_| corrupt("transit days", &l.code))?;
        levels.entry(l.carrier_id).or_default().push(ServiceLevel {
            code: ServiceLevelCode::parse(&l.code)
                .map_err(|_| corrupt("service level", &l.code))?,
            display_name: l.display_name,
            guaranteed: l.guaranteed,
            transit_days: transit,
        });
    }
    let mut regions: HashMap<String, Vec<Region>> = HashMap::new();
    for r in region::Entity::find()
        .filter(region::Column::CarrierId.is_in(ids.clone()))
        .order_by_asc(region::Column::Region)
        .all(conn)
        .await?
    {
        let parsed = Region::parse(&r.region).map_err(|_| corrupt("region", &r.region))?;
        regions.entry(r.carrier_id).or_default().push(parsed);
    }
    let mut peaks: HashMap<String, Vec<PeakAllocation>> = HashMap::new();
    for p in peak_allocation::Entity::find()
        .filter(peak_allocation::Column::CarrierId.is_in(ids))
        .order_by_asc(peak_allocation::Column::StartDate)
        .all(conn)
        .await?
    {
        peaks.entry(p.carrier_id).or_default().push(PeakAllocation {
            start: p.start_date,
            end: p.end_date,
            daily_parcels: u32::try_from(p.daily_parcels)
                .map_err(|_| corrupt("peak", "parcels"))?,
        });
    }
    rows.into_iter()
        .map(|row| {
            Ok(Carrier {
                code: CarrierCode::parse(&row.code).map_err(|_| corrupt("code", &row.code))?,
                kind: CarrierKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind))?,
                status: CarrierStatus::parse(&row.status)
                    .ok_or_else(|| corrupt("status", &row.status))?,
                contact_email: row
                    .contact_email
                    .as_deref()
                    .map(|e| ContactEmail::parse(e).map_err(|_| corrupt("email", e)))
                    .transpose()?,
                capacity: Capacity {
                    daily_parcels: u32::try_from(row.daily_parcels)
                        .map_err(|_| corrupt("daily parcels", &row.id))?,
                    peaks: peaks.remove(&row.id).unwrap_or_default(),
                },
                service_levels: levels.remove(&row.id).unwrap_or_default(),
                regions: regions.remove(&row.id).unwrap_or_default(),
                display_name: row.display_name,
                status_reason: row.status_reason,
                created_at: row.created_at,
                updated_at: row.updated_at,
                etag: Etag(row.version),
                id: CarrierId::from_stored(row.id),
            })
        })
        .collect()
}
