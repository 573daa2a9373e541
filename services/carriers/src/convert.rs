//! Protobuf ⇄ domain. Parsing collects every field violation with its full
//! path (`carrier.service_levels[1].code`) so a client fixes all at once.

use std::collections::HashSet;

use chrono::NaiveDate;
use prost_types::FieldMask;
use recourse_platform::field_mask::UpdateMask;
use recourse_platform::proto_types::{date_in_range, date_to_proto, timestamp_to_proto};
use recourse_platform::{ApiError, Violations};
use recourse_proto::carriers as pb;
use recourse_proto::common::Date;

use crate::domain::{
    Capacity, Carrier, CarrierCode, CarrierKind, CarrierPatch, CarrierStatus, ContactEmail,
    NewCarrier, PeakAllocation, Region, ServiceLevel, ServiceLevelCode, TransitDays,
};

const MAX_REGIONS: usize = 1_000;
const MAX_SERVICE_LEVELS: usize = 100;
const MAX_PEAKS: usize = 100;

/// Fields `UpdateCarrier` may change.
pub const MUTABLE_FIELDS: [&str; 6] = [
    "display_name",
    "kind",
    "regions",
    "service_levels",
    "capacity",
    "contact_email",
];

pub fn kind_from_proto(kind: i32) -> Option<CarrierKind> {
    match pb::CarrierKind::try_from(kind).ok()? {
        pb::CarrierKind::Unspecified => None,
        pb::CarrierKind::National => Some(CarrierKind::National),
        pb::CarrierKind::Regional => Some(CarrierKind::Regional),
        pb::CarrierKind::LocalCourier => Some(CarrierKind::LocalCourier),
        pb::CarrierKind::ThirdPartyLogistics => Some(CarrierKind::ThirdPartyLogistics),
    }
}

fn kind_to_proto(kind: CarrierKind) -> pb::CarrierKind {
    match kind {
        CarrierKind::National => pb::CarrierKind::National,
        CarrierKind::Regional => pb::CarrierKind::Regional,
        CarrierKind::LocalCourier => pb::CarrierKind::LocalCourier,
        CarrierKind::ThirdPartyLogistics => pb::CarrierKind::ThirdPartyLogistics,
    }
}

pub fn status_from_proto(status: i32) -> Option<CarrierStatus> {
    match pb::CarrierStatus::try_from(status).ok()? {
        pb::CarrierStatus::Unspecified => None,
        pb::CarrierStatus::Onboarding => Some(CarrierStatus::Onboarding),
        pb::CarrierStatus::Active => Some(CarrierStatus::Active),
        pb::CarrierStatus::Suspended => Some(CarrierStatus::Suspended),
        pb::CarrierStatus::Offboarded => Some(CarrierStatus::Offboarded),
    }
}

fn status_to_proto(status: CarrierStatus) -> pb::CarrierStatus {
    match status {
        CarrierStatus::Onboarding => pb::CarrierStatus::Onboarding,
        CarrierStatus::Active => pb::CarrierStatus::Active,
        CarrierStatus::Suspended => pb::CarrierStatus::Suspended,
        CarrierStatus::Offboarded => pb::CarrierStatus::Offboarded,
    }
}

pub fn to_proto(c: &Carrier) -> pb::Carrier {
    pb::Carrier {
        name: c.id.resource_name(),
        code: c.code.as_str().to_owned(),
        display_name: c.display_name.clone(),
        kind: kind_to_proto(c.kind).into(),
        status: status_to_proto(c.status).into(),
        status_reason: c.status_reason.clone(),
        regions: c.regions.iter().map(|r| r.as_str().to_owned()).collect(),
        service_levels: c
            .service_levels
            .iter()
            .map(|l| pb::ServiceLevel {
                code: l.code.as_str().to_owned(),
                display_name: l.display_name.clone(),
                guaranteed: l.guaranteed,
                transit_days_min: l.transit_days.min(),
                transit_days_max: l.transit_days.max(),
            })
            .collect(),
        capacity: Some(pb::Capacity {
            daily_parcels: c.capacity.daily_parcels,
            peak_allocations: c
                .capacity
                .peaks
                .iter()
                .map(|p| pb::PeakAllocation {
                    start_date: Some(date_to_proto(p.start)),
                    end_date: Some(date_to_proto(p.end)),
                    daily_parcels: p.daily_parcels,
                })
                .collect(),
        }),
        contact_email: c
            .contact_email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        create_time: Some(timestamp_to_proto(c.created_at)),
        update_time: Some(timestamp_to_proto(c.updated_at)),
        etag: c.etag.to_string(),
    }
}

/// Runs `parse` on `value`, recording its error under `field`.
fn field<T>(v: &mut Violations, field: &str, parsed: Result<T, String>) -> Option<T> {
    parsed.map_err(|e| v.add(field, e)).ok()
}

fn display_name(v: &mut Violations, path: &str, name: &str) -> Option<String> {
    let name = name.trim();
    let parsed = if name.is_empty() {
        Err("is required".to_owned())
    } else if name.chars().count() > 200 {
        Err("must be at most 200 characters".to_owned())
    } else {
        Ok(name.to_owned())
    };
    field(v, path, parsed)
}

fn kind(v: &mut Violations, path: &str, value: i32) -> Option<CarrierKind> {
    let parsed = kind_from_proto(value).ok_or_else(|| "must be a carrier kind".to_owned());
    field(v, path, parsed)
}

fn regions(v: &mut Violations, path: &str, values: &[String]) -> Option<Vec<Region>> {
    if values.len() > MAX_REGIONS {
        v.add(path, format!("at most {MAX_REGIONS} regions"));
        return None;
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut ok = true;
    for (i, value) in values.iter().enumerate() {
        let item = format!("{path}[{i}]");
        match Region::parse(value) {
            Ok(region) if seen.insert(region.clone()) => out.push(region),
            Ok(_) => {
                v.add(item, "is listed twice");
                ok = false;
            }
            Err(e) => {
                v.add(item, e);
                ok = false;
            }
        }
    }
    out.sort();
    ok.then_some(out)
}

fn service_levels(
    v: &mut Violations,
    path: &str,
    values: &[pb::ServiceLevel],
) -> Option<Vec<ServiceLevel>> {
    if values.len() > MAX_SERVICE_LEVELS {
        v.add(path, format!("at most {MAX_SERVICE_LEVELS} service levels"));
        return None;
    }
    let before = v.len();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, level) in values.iter().enumerate() {
        let at = |f: &str| format!("{path}[{i}].{f}");
        let code = field(v, &at("code"), ServiceLevelCode::parse(&level.code));
        if let Some(code) = &code
            && !seen.insert(code.clone())
        {
            v.add(at("code"), "is listed twice");
        }
        let name = display_name(v, &at("display_name"), &level.display_name);
        let transit = field(
            v,
            &at("transit_days_max"),
            TransitDays::new(level.transit_days_min, level.transit_days_max),
        );
        if let (Some(code), Some(display_name), Some(transit_days)) = (code, name, transit) {
            out.push(ServiceLevel {
                code,
                display_name,
                guaranteed: level.guaranteed,
                transit_days,
            });
        }
    }
    (v.len() == before).then_some(out)
}

/// A required date in the years 2000-2099.
fn date(v: &mut Violations, path: &str, value: Option<&Date>) -> Option<NaiveDate> {
    date_in_range(v, path, value)
}

fn capacity(v: &mut Violations, path: &str, value: Option<&pb::Capacity>) -> Option<Capacity> {
    let Some(value) = value else {
        return Some(Capacity::default());
    };
    if value.peak_allocations.len() > MAX_PEAKS {
        v.add(
            format!("{path}.peak_allocations"),
            format!("at most {MAX_PEAKS} windows"),
        );
        return None;
    }
    let mut peaks = Vec::new();
    let mut ok = true;
    for (i, peak) in value.peak_allocations.iter().enumerate() {
        let at = |f: &str| format!("{path}.peak_allocations[{i}].{f}");
        let start = date(v, &at("start_date"), peak.start_date.as_ref());
        let end = date(v, &at("end_date"), peak.end_date.as_ref());
        match (start, end) {
            (Some(start), Some(end)) => peaks.push((
                i,
                PeakAllocation {
                    start,
                    end,
                    daily_parcels: peak.daily_parcels,
                },
            )),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Capacity::new(value.daily_parcels, peaks)
        .map_err(|(i, e)| v.add(format!("{path}.peak_allocations[{i}]"), e))
        .ok()
}

fn contact_email(v: &mut Violations, path: &str, value: &str) -> Option<Option<ContactEmail>> {
    if value.is_empty() {
        return Some(None);
    }
    field(v, path, ContactEmail::parse(value)).map(Some)
}

/// Parses the body of `CreateCarrier`.
pub fn new_carrier(carrier: Option<pb::Carrier>) -> Result<NewCarrier, ApiError> {
    let Some(c) = carrier else {
        return Err(ApiError::invalid("carrier", "is required"));
    };
    let mut v = Violations::new();
    let code = field(&mut v, "carrier.code", CarrierCode::parse(&c.code));
    let name = display_name(&mut v, "carrier.display_name", &c.display_name);
    let kind = kind(&mut v, "carrier.kind", c.kind);
    let regions = regions(&mut v, "carrier.regions", &c.regions);
    let levels = service_levels(&mut v, "carrier.service_levels", &c.service_levels);
    let capacity = capacity(&mut v, "carrier.capacity", c.capacity.as_ref());
    let email = contact_email(&mut v, "carrier.contact_email", &c.contact_email);
    if c.status != 0 && c.status != i32::from(pb::CarrierStatus::Onboarding) {
        v.add(
            "carrier.status",
            "new carriers start onboarding; use ChangeCarrierStatus",
        );
    }
    match (code, name, kind, regions, levels, capacity, email) {
        (
            Some(code),
            Some(display_name),
            Some(kind),
            Some(regions),
            Some(service_levels),
            Some(capacity),
            Some(contact_email),
        ) if v.is_empty() => Ok(NewCarrier {
            code,
            display_name,
            kind,
            regions,
            service_levels,
            capacity,
            contact_email,
        }),
        _ => v
            .into_result()
            .and(Err(ApiError::invalid("carrier", "is invalid"))),
    }
}

/// Parses the fields of `UpdateCarrier` that `mask` names (snake_case or
/// the JSON form's lowerCamelCase, `*` for all).
pub fn patch(c: &pb::Carrier, mask: Option<&FieldMask>) -> Result<CarrierPatch, ApiError> {
    let mut v = Violations::new();
    let mask = UpdateMask::parse(&mut v, mask, &MUTABLE_FIELDS);
    let mut patch = CarrierPatch::default();
    if mask.names("display_name") {
        patch.display_name = display_name(&mut v, "carrier.display_name", &c.display_name);
    }
    if mask.names("kind") {
        patch.kind = kind(&mut v, "carrier.kind", c.kind);
    }
    if mask.names("regions") {
        patch.regions = regions(&mut v, "carrier.regions", &c.regions);
    }
    if mask.names("service_levels") {
        patch.service_levels = service_levels(&mut v, "carrier.service_levels", &c.service_levels);
    }
    if mask.names("capacity") {
        patch.capacity = capacity(&mut v, "carrier.capacity", c.capacity.as_ref());
    }
    if mask.names("contact_email") {
        patch.contact_email = contact_email(&mut v, "carrier.contact_email", &c.contact_email);
    }
    v.into_result().map(|()| patch)
}
