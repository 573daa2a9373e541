//! RegisterShipment, RecordShipmentCharges and OverrideShipmentPromise
//! requests, parsed with every violation's path.

use chrono_tz::Tz;
use recourse_contracts_domain::promise::parse_zone;
use recourse_platform::auth::Principal;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;

use super::common::{carrier_id, dimensions, optional_date, weight};
use super::terms::code;
use crate::shipments::{ChargesPatch, GivenPromise, NewShipment, PromiseOverride};

pub fn token_like(v: &mut Violations, field: &str, value: &str, max: usize) -> String {
    let ok = !value.is_empty()
        && value.len() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ');
    v.check(
        ok,
        field,
        format!("must be 1-{max} letters, digits, spaces, dashes or underscores"),
    );
    value.to_owned()
}

fn zone(v: &mut Violations, field: &str, name: &str) -> Option<Tz> {
    let parsed = parse_zone(name);
    v.check(
        parsed.is_some(),
        field,
        "must be an IANA time zone name such as America/New_York",
    );
    parsed
}

fn reason(v: &mut Violations, field: &str, text: &str) -> String {
    let text = text.trim();
    v.check(
        text.chars().count() <= 500 && !text.chars().any(char::is_control),
        field,
        "must be at most 500 printable characters",
    );
    text.to_owned()
}

/// Who may set what at registration: only admin/internal give a promise
/// (recorded as an override); a 3PL's shipments are its own account's.
pub fn new_shipment(caller: &Principal, s: Option<&pb::Shipment>) -> Result<NewShipment, ApiError> {
    let Some(s) = s else {
        return Err(ApiError::invalid("shipment", "is required"));
    };
    let may_promise = matches!(
        caller.role,
        recourse_platform::auth::Role::Admin | recourse_platform::auth::Role::Internal
    );
    if s.promised_delivery_time.is_some() && !may_promise {
        return Err(ApiError::PermissionDenied(
            "only admin and internal callers may set promised_delivery_time: the promise is computed from the contract".into(),
        ));
    }
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "shipment.carrier", &s.carrier);
    let tracking_number = token_like(&mut v, "shipment.tracking_number", &s.tracking_number, 64);
    let service_level = token_like(&mut v, "shipment.service_level", &s.service_level, 32);
    let origin = token_like(
        &mut v,
        "shipment.origin_postal_code",
        &s.origin_postal_code,
        16,
    );
    let destination = token_like(
        &mut v,
        "shipment.destination_postal_code",
        &s.destination_postal_code,
        16,
    );
    let origin_zone = zone(&mut v, "shipment.origin_time_zone", &s.origin_time_zone);
    let destination_zone = zone(
        &mut v,
        "shipment.destination_time_zone",
        &s.destination_time_zone,
    );
    let ship_time = s.ship_time.as_ref().and_then(timestamp_from_proto);
    v.check(ship_time.is_some(), "shipment.ship_time", "is required");
    let weight = weight(&mut v, "shipment.weight", s.weight.as_ref());
    let dims = dimensions(&mut v, "shipment.dimensions", s.dimensions.as_ref());
    let invoice_date = optional_date(&mut v, "shipment.invoice_date", s.invoice_date.as_ref());
    let shipper_account = match caller.party_scope() {
        Some(own) => own.to_owned(),
        None if s.shipper_account.is_empty() => String::new(),
        None => token_like(&mut v, "shipment.shipper_account", &s.shipper_account, 64),
    };
    let mut requested_services: Vec<String> = Vec::new();
    for (i, service) in s.requested_services.iter().enumerate() {
        if code(
            &mut v,
            &format!("shipment.requested_services[{i}]"),
            service,
        ) && !requested_services.contains(service)
        {
            requested_services.push(service.clone());
        }
    }
    let promised = match &s.promised_delivery_time {
        None => None,
        Some(ts) => {
            let parsed = timestamp_from_proto(ts);
            v.check(
                parsed.is_some(),
                "shipment.promised_delivery_time",
                "is not a valid time",
            );
            if let (Some(p), Some(shipped)) = (parsed, ship_time) {
                v.check(
                    p > shipped,
                    "shipment.promised_delivery_time",
                    "must be after ship_time",
                );
            }
            let given = reason(
                &mut v,
                "shipment.promise_override_reason",
                &s.promise_override_reason,
            );
            parsed.map(|at| GivenPromise {
                at,
                reason: if given.is_empty() {
                    format!(
                        "set at registration by {} ({})",
                        caller.subject, caller.role
                    )
                } else {
                    given
                },
            })
        }
    };
    v.into_result()?;
    let (
        Some(carrier_id),
        Some(ship_time),
        Some(weight),
        Some(dimensions),
        Some(origin_zone),
        Some(destination_zone),
        Some(invoice_date),
    ) = (
        carrier,
        ship_time,
        weight,
        dims,
        origin_zone,
        destination_zone,
        invoice_date,
    )
    else {
        return Err(ApiError::invalid("shipment", "is invalid"));
    };
    Ok(NewShipment {
        carrier_id,
        tracking_number,
        service_level,
        origin,
        destination,
        origin_zone,
        destination_zone,
        ship_time,
        weight,
        dimensions,
        declared_value: s.declared_value.clone(),
        billed_charge: s.billed_charge.clone(),
        billed_transportation: s.billed_transportation_charge.clone(),
        invoice_date,
        shipper_account,
        requested_services,
        promised,
        check_with_carriers: caller.party_scope().is_none(),
    })
}

const CHARGE_PATHS: [&str; 3] = [
    "invoice_date",
    "billed_charge",
    "billed_transportation_charge",
];

/// RecordShipmentCharges: the mask names what changes; a named field left
/// unset clears it.
pub fn charges_patch(r: &pb::RecordShipmentChargesRequest) -> Result<ChargesPatch, ApiError> {
    let paths: Vec<&str> = r
        .update_mask
        .as_ref()
        .map(|m| m.paths.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut v = Violations::new();
    if paths.is_empty() {
        v.add(
            "update_mask",
            "must name the fields to record: invoice_date, billed_charge, billed_transportation_charge",
        );
    }
    for path in &paths {
        v.check(
            CHARGE_PATHS.contains(path),
            "update_mask",
            format!(
                "`{path}` cannot be recorded here ({})",
                CHARGE_PATHS.join(", ")
            ),
        );
    }
    let mut patch = ChargesPatch::default();
    if paths.contains(&"invoice_date") {
        patch.invoice_date = optional_date(&mut v, "invoice_date", r.invoice_date.as_ref());
    }
    if paths.contains(&"billed_charge") {
        patch.billed_charge = Some(r.billed_charge.clone());
    }
    if paths.contains(&"billed_transportation_charge") {
        patch.billed_transportation = Some(r.billed_transportation_charge.clone());
    }
    v.into_result()?;
    Ok(patch)
}

pub fn promise_override(
    r: &pb::OverrideShipmentPromiseRequest,
) -> Result<PromiseOverride, ApiError> {
    let mut v = Violations::new();
    let at = r
        .promised_delivery_time
        .as_ref()
        .and_then(timestamp_from_proto);
    v.check(at.is_some(), "promised_delivery_time", "is required");
    let why = reason(&mut v, "reason", &r.reason);
    v.check(
        !why.is_empty(),
        "reason",
        "is required: say why the contracted promise does not apply",
    );
    v.into_result()?;
    let at = at.ok_or_else(|| ApiError::invalid("promised_delivery_time", "is required"))?;
    Ok(PromiseOverride { at, reason: why })
}
