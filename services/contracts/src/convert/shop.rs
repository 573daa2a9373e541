//! ShopRates: the request parsed (every violation with its path, every
//! input bounded as QuoteRate's), the options rendered, and the on-time
//! KPI read from a stored evaluation document.

use prost::Message as _;
use recourse_contracts_domain::promise::Zones;
use recourse_contracts_domain::rating::Parcel;
use recourse_contracts_domain::shop::{OnTimeRecord, PeriodOnTime};
use recourse_platform::proto_types::{date_from_proto, timestamp_to_proto};
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;

use super::common::{
    amount, carrier_name, code, date, date_out, dimensions, optional_date, token_like, weight,
};
use super::quote::quote_to_proto;
use super::shipment::zone;
use super::{Parser, limits};
use crate::shop::{ShopInput, ShopResult, UnavailableReason};

/// A zone name, or UTC when empty.
fn zone_or_utc(v: &mut Violations, field: &str, name: &str) -> Option<chrono_tz::Tz> {
    if name.is_empty() {
        Some(chrono_tz::UTC)
    } else {
        zone(v, field, name)
    }
}

pub fn shop_input(r: &pb::ShopRatesRequest) -> Result<ShopInput, ApiError> {
    let mut v = Violations::new();
    token_like(
        &mut v,
        "origin_postal_code",
        &r.origin_postal_code,
        limits::POSTAL_CODE,
    );
    token_like(
        &mut v,
        "destination_postal_code",
        &r.destination_postal_code,
        limits::POSTAL_CODE,
    );
    let w = weight(&mut v, "weight", r.weight.as_ref());
    let dims = dimensions(&mut v, "dimensions", r.dimensions.as_ref());
    let ship_date = date(&mut v, "ship_date", r.ship_date.as_ref());
    let deliver_by = optional_date(&mut v, "deliver_by", r.deliver_by.as_ref());
    if let Some(declared) = &r.declared_value {
        amount(&mut v, "declared_value", Some(declared));
    }
    if Parser::strict(&mut v).at_most(
        r.requested_services.len(),
        limits::ACCESSORIALS,
        "requested_services",
        "codes",
    ) {
        for (i, a) in r.requested_services.iter().enumerate() {
            code(&mut v, &format!("requested_services[{i}]"), a);
        }
    }
    let origin = zone_or_utc(&mut v, "origin_time_zone", &r.origin_time_zone);
    let destination = zone_or_utc(&mut v, "destination_time_zone", &r.destination_time_zone);
    if let (Some(Some(by)), Some(ship)) = (deliver_by, ship_date) {
        v.check(by >= ship, "deliver_by", "must not be before ship_date");
    }
    v.into_result()?;
    let (
        Some(weight),
        Some(dimensions),
        Some(ship_date),
        Some(deliver_by),
        Some(origin),
        Some(destination),
    ) = (w, dims, ship_date, deliver_by, origin, destination)
    else {
        return Err(crate::api::invalid_request());
    };
    // Requested services listed twice are priced once.
    let mut accessorials: Vec<String> = Vec::with_capacity(r.requested_services.len());
    for a in &r.requested_services {
        if !accessorials.contains(a) {
            accessorials.push(a.clone());
        }
    }
    Ok(ShopInput {
        parcel: Parcel {
            origin: r.origin_postal_code.clone(),
            destination: r.destination_postal_code.clone(),
            weight,
            dimensions,
            accessorials,
        },
        ship_date,
        deliver_by,
        guaranteed_only: r.guaranteed_only,
        zones: Zones {
            origin,
            destination,
        },
    })
}

fn reason_to_proto(r: UnavailableReason) -> pb::UnavailableReason {
    match r {
        UnavailableReason::CarrierSuspended => pb::UnavailableReason::CarrierSuspended,
        UnavailableReason::CarrierNotActive => pb::UnavailableReason::CarrierNotActive,
        UnavailableReason::CapacityExhausted => pb::UnavailableReason::CapacityExhausted,
        UnavailableReason::LaneNotServed => pb::UnavailableReason::LaneNotServed,
        UnavailableReason::ServiceNotOffered => pb::UnavailableReason::ServiceNotOffered,
    }
}

fn on_time_to_proto(r: &OnTimeRecord) -> pb::MeasuredOnTime {
    pb::MeasuredOnTime {
        rate_bp: r.rate_bp,
        on_time: r.on_time,
        measured: r.measured,
        evaluations: r.evaluations,
        window_start: date_out(r.first),
        window_end: date_out(r.last),
    }
}

pub fn shop_to_proto(r: &ShopResult) -> pb::ShopRatesResponse {
    pb::ShopRatesResponse {
        options: r
            .options
            .iter()
            .map(|o| pb::RateOption {
                rank: o.rank,
                carrier: carrier_name(&o.carrier_id),
                service_level: o.service_level.clone(),
                quote: Some(quote_to_proto(&o.quote, &o.version)),
                promised_delivery_time: o.promise.map(timestamp_to_proto),
                promised_delivery_date: o.promise_date.and_then(date_out),
                meets_deliver_by: o.meets_deliver_by,
                guaranteed: o.guaranteed,
                on_time: Some(on_time_to_proto(&o.on_time)),
            })
            .collect(),
        unavailable: r
            .unavailable
            .iter()
            .map(|u| pb::UnavailableOption {
                carrier: carrier_name(&u.carrier_id),
                service_level: u.service_level.clone().unwrap_or_default(),
                reason: reason_to_proto(u.reason).into(),
                detail: u.detail.clone(),
                contract_version: u.version.clone(),
            })
            .collect(),
        carriers_considered: r.carriers_considered,
    }
}

/// The on-time KPI of a stored evaluation document with its period;
/// `None` when the document has no on-time KPI.
pub fn period_on_time(document: &[u8]) -> Result<Option<PeriodOnTime>, ApiError> {
    let e = pb::SlaEvaluation::decode(document).map_err(ApiError::internal)?;
    let (Some(first), Some(last)) = (
        e.period_start.as_ref().and_then(date_from_proto),
        e.period_end.as_ref().and_then(date_from_proto),
    ) else {
        return Ok(None);
    };
    Ok(e.kpis
        .iter()
        .find(|k| k.kpi == i32::from(pb::Kpi::OnTimeRate))
        .map(|k| PeriodOnTime {
            first,
            last,
            on_time: k.numerator,
            measured: k.denominator,
        }))
}
