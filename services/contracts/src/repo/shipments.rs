//! Shipments: one row each, unique per carrier and tracking number.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use recourse_units::{Dimensions, LengthUnit, Weight, WeightUnit};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::corrupt;
use super::entity::shipment;

#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentRecord {
    pub id: String,
    pub carrier_id: String,
    pub tracking_number: String,
    pub service_level: String,
    pub origin: String,
    pub destination: String,
    pub ship_time: DateTime<Utc>,
    pub weight: Weight,
    pub dimensions: Option<Dimensions>,
    pub declared_value_minor: Option<i64>,
    pub billed_charge_minor: Option<i64>,
    pub currency: String,
    pub promised_at: DateTime<Utc>,
    pub zone: String,
    pub contract_version: String,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// IANA names; "" only on shipments registered before zones existed
    /// (read as UTC).
    pub origin_time_zone: String,
    pub destination_time_zone: String,
    pub invoice_date: Option<NaiveDate>,
    pub shipper_account: String,
    pub requested_services: Vec<String>,
    pub billed_transportation_minor: Option<i64>,
    pub promise_overridden: bool,
    pub promise_override_reason: String,
    pub revision: i64,
    /// For a return shipment: its outbound and label terms.
    pub return_link: Option<ReturnLink>,
}

/// What makes a shipment a return: the outbound shipment it returns, and
/// the contract's label cost and payer on its ship date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLink {
    pub outbound_id: String,
    pub label_cost_minor: i64,
    /// `MERCHANT` or `CUSTOMER`.
    pub payer: String,
}

fn weight_unit_str(u: WeightUnit) -> &'static str {
    match u {
        WeightUnit::Lb => "lb",
        WeightUnit::Kg => "kg",
    }
}

fn length_unit_str(u: LengthUnit) -> &'static str {
    match u {
        LengthUnit::In => "in",
        LengthUnit::Cm => "cm",
    }
}

pub(super) fn from_row(r: shipment::Model) -> Result<ShipmentRecord, DbErr> {
    let weight_unit = match r.weight_unit.as_str() {
        "lb" => WeightUnit::Lb,
        "kg" => WeightUnit::Kg,
        other => return Err(corrupt("weight unit", other)),
    };
    let dimensions = match (
        r.length_thousandths,
        r.width_thousandths,
        r.height_thousandths,
        r.dimension_unit.as_deref(),
    ) {
        (Some(length), Some(width), Some(height), Some(unit)) => Some(Dimensions {
            length,
            width,
            height,
            unit: match unit {
                "in" => LengthUnit::In,
                "cm" => LengthUnit::Cm,
                other => return Err(corrupt("dimension unit", other)),
            },
        }),
        _ => None,
    };
    Ok(ShipmentRecord {
        weight: Weight {
            thousandths: r.weight_thousandths,
            unit: weight_unit,
        },
        dimensions,
        id: r.id,
        carrier_id: r.carrier_id,
        tracking_number: r.tracking_number,
        service_level: r.service_level,
        origin: r.origin_postal_code,
        destination: r.destination_postal_code,
        ship_time: r.ship_time,
        declared_value_minor: r.declared_value_minor,
        billed_charge_minor: r.billed_charge_minor,
        currency: r.currency,
        promised_at: r.promised_at,
        zone: r.zone,
        contract_version: r.contract_version,
        delivered_at: r.delivered_at,
        created_at: r.created_at,
        origin_time_zone: r.origin_time_zone,
        destination_time_zone: r.destination_time_zone,
        invoice_date: r.invoice_date,
        shipper_account: r.shipper_account,
        requested_services: r
            .requested_services
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        billed_transportation_minor: r.billed_transportation_minor,
        promise_overridden: r.promise_overridden,
        promise_override_reason: r.promise_override_reason,
        revision: r.revision,
        return_link: r.return_of.map(|outbound_id| ReturnLink {
            outbound_id,
            label_cost_minor: r.return_label_cost_minor.unwrap_or(0),
            payer: r.return_payer,
        }),
    })
}

fn row(s: &ShipmentRecord) -> shipment::ActiveModel {
    shipment::ActiveModel {
        id: Set(s.id.clone()),
        carrier_id: Set(s.carrier_id.clone()),
        tracking_number: Set(s.tracking_number.clone()),
        service_level: Set(s.service_level.clone()),
        origin_postal_code: Set(s.origin.clone()),
        destination_postal_code: Set(s.destination.clone()),
        ship_time: Set(s.ship_time),
        weight_thousandths: Set(s.weight.thousandths),
        weight_unit: Set(weight_unit_str(s.weight.unit).to_owned()),
        length_thousandths: Set(s.dimensions.map(|d| d.length)),
        width_thousandths: Set(s.dimensions.map(|d| d.width)),
        height_thousandths: Set(s.dimensions.map(|d| d.height)),
        dimension_unit: Set(s.dimensions.map(|d| length_unit_str(d.unit).to_owned())),
        declared_value_minor: Set(s.declared_value_minor),
        billed_charge_minor: Set(s.billed_charge_minor),
        currency: Set(s.currency.clone()),
        promised_at: Set(s.promised_at),
        zone: Set(s.zone.clone()),
        contract_version: Set(s.contract_version.clone()),
        delivered_at: Set(s.delivered_at),
        created_at: Set(s.created_at),
        origin_time_zone: Set(s.origin_time_zone.clone()),
        destination_time_zone: Set(s.destination_time_zone.clone()),
        invoice_date: Set(s.invoice_date),
        shipper_account: Set(s.shipper_account.clone()),
        requested_services: Set(s.requested_services.join(",")),
        billed_transportation_minor: Set(s.billed_transportation_minor),
        promise_overridden: Set(s.promise_overridden),
        promise_override_reason: Set(s.promise_override_reason.clone()),
        revision: Set(s.revision),
        return_of: Set(s.return_link.as_ref().map(|l| l.outbound_id.clone())),
        return_label_cost_minor: Set(s.return_link.as_ref().map(|l| l.label_cost_minor)),
        return_payer: Set(s
            .return_link
            .as_ref()
            .map(|l| l.payer.clone())
            .unwrap_or_default()),
    }
}

pub async fn insert<C: ConnectionTrait>(conn: &C, s: &ShipmentRecord) -> Result<(), DbErr> {
    shipment::Entity::insert(row(s)).exec(conn).await?;
    Ok(())
}

/// Writes `s` if its stored revision is still `expected` (the etag read).
/// The delivery time is left alone: tracking ingest owns it.
pub async fn replace<C: ConnectionTrait>(
    conn: &C,
    s: &ShipmentRecord,
    expected: i64,
) -> Result<bool, DbErr> {
    let mut model = row(s);
    model.delivered_at = sea_orm::ActiveValue::NotSet;
    let result = shipment::Entity::update_many()
        .set(model)
        .filter(shipment::Column::Id.eq(s.id.as_str()))
        .filter(shipment::Column::Revision.eq(expected))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Whose shipments a caller may see: a carrier principal its carrier's, a
/// 3PL principal those its account tendered, everyone else all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentScope {
    pub carrier_id: Option<String>,
    pub shipper_account: Option<String>,
}

/// The shipment `id` if it is in `scope`: "not the caller's" and "does not
/// exist" are one query and one answer.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    scope: &ShipmentScope,
) -> Result<Option<ShipmentRecord>, DbErr> {
    let mut query = shipment::Entity::find_by_id(id.to_owned());
    if let Some(carrier) = &scope.carrier_id {
        query = query.filter(shipment::Column::CarrierId.eq(carrier.as_str()));
    }
    if let Some(account) = &scope.shipper_account {
        query = query.filter(shipment::Column::ShipperAccount.eq(account.as_str()));
    }
    query.one(conn).await?.map(from_row).transpose()
}

#[derive(Debug, Clone, Default)]
pub struct ShipmentFilter {
    pub carrier_id: Option<String>,
    pub tracking_number: Option<String>,
    /// A 3PL principal's own account.
    pub shipper_account: Option<String>,
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    filter: &ShipmentFilter,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<ShipmentRecord>, DbErr> {
    let mut query = shipment::Entity::find();
    if let Some(c) = &filter.carrier_id {
        query = query.filter(shipment::Column::CarrierId.eq(c.as_str()));
    }
    if let Some(t) = &filter.tracking_number {
        query = query.filter(shipment::Column::TrackingNumber.eq(t.as_str()));
    }
    if let Some(a) = &filter.shipper_account {
        query = query.filter(shipment::Column::ShipperAccount.eq(a.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(shipment::Column::Id.gt(after));
    }
    query
        .order_by_asc(shipment::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// Id and ship time of the carrier's shipments with these tracking
/// numbers, by tracking number: the one lookup every ingested event needs,
/// kept to three columns.
pub async fn ids_by_tracking<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    numbers: &[&str],
) -> Result<HashMap<String, (String, DateTime<Utc>)>, DbErr> {
    let mut out = HashMap::with_capacity(numbers.len());
    for chunk in numbers.chunks(1_000) {
        let rows: Vec<(String, String, DateTime<Utc>)> = shipment::Entity::find()
            .select_only()
            .column(shipment::Column::TrackingNumber)
            .column(shipment::Column::Id)
            .column(shipment::Column::ShipTime)
            .filter(shipment::Column::CarrierId.eq(carrier_id))
            .filter(shipment::Column::TrackingNumber.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows.into_iter().map(|(t, id, at)| (t, (id, at))));
    }
    Ok(out)
}

/// Whole shipments by id (for the feed events of milestones).
pub async fn find_many<C: ConnectionTrait>(
    conn: &C,
    ids: &[&str],
) -> Result<HashMap<String, ShipmentRecord>, DbErr> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        let rows = shipment::Entity::find()
            .filter(shipment::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        for row in rows {
            let record = from_row(row)?;
            out.insert(record.id.clone(), record);
        }
    }
    Ok(out)
}

/// Up to `limit` shipments of a carrier and service level handed over in
/// [from, to), after `after` in (ship time, id) order: one index range of
/// `idx_shipments_period_id` per call, so a period is read in bounded
/// chunks however many parcels it has.
pub async fn shipped_between<C: ConnectionTrait>(
    conn: &C,
    carrier_id: &str,
    service_level: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    after: Option<(DateTime<Utc>, &str)>,
    limit: u64,
) -> Result<Vec<ShipmentRecord>, DbErr> {
    let mut query = shipment::Entity::find()
        .filter(shipment::Column::CarrierId.eq(carrier_id))
        .filter(shipment::Column::ServiceLevel.eq(service_level))
        .filter(shipment::Column::ShipTime.gte(from))
        .filter(shipment::Column::ShipTime.lt(to));
    if let Some((at, id)) = after {
        // A row-value comparison, so the index is read in order from the
        // key (no sort of the rest of the period per chunk).
        query = query.filter(
            Expr::tuple([
                Expr::col(shipment::Column::ShipTime),
                Expr::col(shipment::Column::Id),
            ])
            .gt(Expr::tuple([Expr::value(at), Expr::value(id)])),
        );
    }
    query
        .order_by_asc(shipment::Column::ShipTime)
        .order_by_asc(shipment::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}
