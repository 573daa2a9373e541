//! RegisterShipment, RecordShipmentCharges and OverrideShipmentPromise
//! requests, parsed with every violation's path; shipments rendered.

use chrono_tz::Tz;
use recourse_contracts_domain::promise::parse_zone;
use recourse_contracts_domain::terms::ReturnPayer;
use recourse_contracts_domain::tracking::EventKind;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::field_mask::UpdateMask;
use recourse_platform::proto_types::{date_to_proto, timestamp_in_range, timestamp_to_proto};
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::contracts as pb;

use super::common::{
    amount, carrier_id, carrier_name, code, dimensions, dimensions_to_proto, minor_to_proto,
    optional_date, resource_id, token_like, weight, weight_to_proto,
};
use super::terms::payer_to_proto;
use super::tracking::kind_to_proto;
use super::{Parser, limits};
use crate::repo::shipments::ShipmentRecord;
use crate::shipments::{ChargesPatch, GivenPromise, NewShipment, PromiseOverride};

/// Fields RecordShipmentCharges may record.
pub const CHARGE_FIELDS: [&str; 3] = [
    "invoice_date",
    "billed_charge",
    "billed_transportation_charge",
];

pub(super) fn zone(v: &mut Violations, field: &str, name: &str) -> Option<Tz> {
    let parsed = (name.len() <= 64).then(|| parse_zone(name)).flatten();
    v.check(
        parsed.is_some(),
        field,
        "must be an IANA time zone name such as America/New_York",
    );
    parsed
}

fn reason(v: &mut Violations, field: &str, text: &str) -> String {
    Parser::strict(v).text(field, text, limits::REASON, false);
    text.trim().to_owned()
}

fn optional_amount(
    v: &mut Violations,
    field: &str,
    value: Option<&recourse_proto::common::Money>,
) -> Option<Option<recourse_money::Money>> {
    match value {
        None => Some(None),
        Some(m) => amount(v, field, Some(m)).map(Some),
    }
}

fn requested_services(v: &mut Violations, values: &[String]) -> Vec<String> {
    let field = "shipment.requested_services";
    let mut out: Vec<String> = Vec::new();
    if !Parser::strict(v).at_most(values.len(), limits::ACCESSORIALS, field, "services") {
        return out;
    }
    for (i, service) in values.iter().enumerate() {
        if code(v, &format!("{field}[{i}]"), service) && !out.contains(service) {
            out.push(service.clone());
        }
    }
    out
}

fn given_promise(
    v: &mut Violations,
    caller: &Principal,
    s: &pb::Shipment,
    ship_time: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<Option<GivenPromise>> {
    let Some(ts) = &s.promised_delivery_time else {
        return Some(None);
    };
    let at = timestamp_in_range(v, "shipment.promised_delivery_time", Some(ts));
    if let (Some(p), Some(shipped)) = (at, ship_time) {
        v.check(
            p > shipped,
            "shipment.promised_delivery_time",
            "must be after ship_time",
        );
    }
    let given = reason(
        v,
        "shipment.promise_override_reason",
        &s.promise_override_reason,
    );
    at.map(|at| {
        Some(GivenPromise {
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
    })
}

/// Who may set what at registration: only admin/internal give a promise
/// (recorded as an override); a 3PL's shipments are its own account's.
pub fn new_shipment(caller: &Principal, s: Option<&pb::Shipment>) -> Result<NewShipment, ApiError> {
    let Some(s) = s else {
        return Err(ApiError::invalid("shipment", "is required"));
    };
    let may_promise = matches!(caller.role, Role::Admin | Role::Internal);
    if s.promised_delivery_time.is_some() && !may_promise {
        return Err(ApiError::PermissionDenied(
            "only admin and internal callers may set promised_delivery_time: the promise is computed from the contract".into(),
        ));
    }
    let mut v = Violations::new();
    let carrier = carrier_id(&mut v, "shipment.carrier", &s.carrier);
    let tracking_number = token_like(
        &mut v,
        "shipment.tracking_number",
        &s.tracking_number,
        limits::TRACKING_NUMBER,
    );
    code(&mut v, "shipment.service_level", &s.service_level);
    let origin = token_like(
        &mut v,
        "shipment.origin_postal_code",
        &s.origin_postal_code,
        limits::POSTAL_CODE,
    );
    let destination = token_like(
        &mut v,
        "shipment.destination_postal_code",
        &s.destination_postal_code,
        limits::POSTAL_CODE,
    );
    let origin_zone = zone(&mut v, "shipment.origin_time_zone", &s.origin_time_zone);
    let destination_zone = zone(
        &mut v,
        "shipment.destination_time_zone",
        &s.destination_time_zone,
    );
    let ship_time = timestamp_in_range(&mut v, "shipment.ship_time", s.ship_time.as_ref());
    let weight = weight(&mut v, "shipment.weight", s.weight.as_ref());
    let dims = dimensions(&mut v, "shipment.dimensions", s.dimensions.as_ref());
    let invoice_date = optional_date(&mut v, "shipment.invoice_date", s.invoice_date.as_ref());
    let declared = optional_amount(&mut v, "shipment.declared_value", s.declared_value.as_ref());
    let billed = optional_amount(&mut v, "shipment.billed_charge", s.billed_charge.as_ref());
    let transportation = optional_amount(
        &mut v,
        "shipment.billed_transportation_charge",
        s.billed_transportation_charge.as_ref(),
    );
    let shipper_account = match caller.party_scope() {
        Some(own) => own.to_owned(),
        None if s.shipper_account.is_empty() => String::new(),
        None => token_like(
            &mut v,
            "shipment.shipper_account",
            &s.shipper_account,
            limits::ACCOUNT,
        ),
    };
    let requested_services = requested_services(&mut v, &s.requested_services);
    let promised = given_promise(&mut v, caller, s, ship_time);
    let return_of = match s.return_of.as_str() {
        "" => Some(None),
        name => resource_id(&mut v, "shipment.return_of", "shipments", name).map(Some),
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
        Some(promised),
        Some(return_of),
    ) = (
        carrier,
        ship_time,
        weight,
        dims,
        origin_zone,
        destination_zone,
        invoice_date,
        promised,
        return_of,
    )
    else {
        return Err(ApiError::invalid("shipment", "is invalid"));
    };
    Ok(NewShipment {
        return_of,
        caller_account: caller.party_scope().map(str::to_owned),
        carrier_id,
        tracking_number,
        service_level: s.service_level.clone(),
        origin,
        destination,
        origin_zone,
        destination_zone,
        ship_time,
        weight,
        dimensions,
        declared_value: declared.flatten(),
        billed_charge: billed.flatten(),
        billed_transportation: transportation.flatten(),
        invoice_date,
        shipper_account,
        requested_services,
        promised,
        check_with_carriers: caller.party_scope().is_none(),
    })
}

/// RecordShipmentCharges: the shipment, its etag and what the mask names
/// (a named field left unset clears it).
pub fn charges_patch(
    r: &pb::RecordShipmentChargesRequest,
    v: &mut Violations,
) -> Option<(i64, ChargesPatch)> {
    let given = etag::collect(v, "etag", &r.etag);
    let mask = UpdateMask::parse(v, r.update_mask.as_ref(), &CHARGE_FIELDS);
    let mut patch = ChargesPatch::default();
    if mask.names("invoice_date") {
        patch.invoice_date = optional_date(v, "invoice_date", r.invoice_date.as_ref());
    }
    if mask.names("billed_charge") {
        patch.billed_charge = optional_amount(v, "billed_charge", r.billed_charge.as_ref());
    }
    if mask.names("billed_transportation_charge") {
        patch.billed_transportation = optional_amount(
            v,
            "billed_transportation_charge",
            r.billed_transportation_charge.as_ref(),
        );
    }
    Some((given?, patch))
}

/// OverrideShipmentPromise: the etag and the new promise with its reason.
pub fn promise_override(
    r: &pb::OverrideShipmentPromiseRequest,
    v: &mut Violations,
) -> Option<(i64, PromiseOverride)> {
    let given = etag::collect(v, "etag", &r.etag);
    let at = timestamp_in_range(
        v,
        "promised_delivery_time",
        r.promised_delivery_time.as_ref(),
    );
    let why = reason(v, "reason", &r.reason);
    v.check(
        !why.is_empty(),
        "reason",
        "is required: say why the contracted promise does not apply",
    );
    Some((
        given?,
        PromiseOverride {
            at: at?,
            reason: why,
        },
    ))
}

pub fn shipment_to_proto(s: &ShipmentRecord, last_event: Option<EventKind>) -> pb::Shipment {
    let money = |minor: Option<i64>| minor_to_proto(minor, &s.currency);
    pb::Shipment {
        name: format!("shipments/{}", s.id),
        carrier: carrier_name(&s.carrier_id),
        tracking_number: s.tracking_number.clone(),
        service_level: s.service_level.clone(),
        origin_postal_code: s.origin.clone(),
        destination_postal_code: s.destination.clone(),
        ship_time: Some(timestamp_to_proto(s.ship_time)),
        weight: Some(weight_to_proto(s.weight)),
        dimensions: s.dimensions.map(dimensions_to_proto),
        declared_value: money(s.declared_value_minor),
        billed_charge: money(s.billed_charge_minor),
        promised_delivery_time: Some(timestamp_to_proto(s.promised_at)),
        zone: s.zone.clone(),
        contract_version: s.contract_version.clone(),
        delivered_time: s.delivered_at.map(timestamp_to_proto),
        last_event_type: last_event
            .map_or(pb::TrackingEventType::Unspecified, kind_to_proto)
            .into(),
        create_time: Some(timestamp_to_proto(s.created_at)),
        origin_time_zone: s.origin_time_zone.clone(),
        destination_time_zone: s.destination_time_zone.clone(),
        invoice_date: s.invoice_date.map(date_to_proto),
        shipper_account: s.shipper_account.clone(),
        requested_services: s.requested_services.clone(),
        billed_transportation_charge: money(s.billed_transportation_minor),
        promise_overridden: s.promise_overridden,
        promise_override_reason: s.promise_override_reason.clone(),
        etag: etag::format(s.revision),
        return_of: s
            .return_link
            .as_ref()
            .map(|l| format!("shipments/{}", l.outbound_id))
            .unwrap_or_default(),
        return_label_cost: s
            .return_link
            .as_ref()
            .and_then(|l| money(Some(l.label_cost_minor))),
        return_payer: s
            .return_link
            .as_ref()
            .and_then(|l| ReturnPayer::parse(&l.payer))
            .map_or(pb::ReturnPayer::Unspecified, payer_to_proto)
            .into(),
    }
}

/// A shipment's measurement facts as the feed carries them.
pub fn measure_to_proto(m: &crate::shipments::Measure) -> pb::ShipmentMeasure {
    use recourse_contracts_domain::sla::{ExcuseCategory, Verdict};
    let verdict = match m.verdict {
        Verdict::NotDelivered => pb::DeliveryVerdict::NotDelivered,
        Verdict::OnTime => pb::DeliveryVerdict::OnTime,
        Verdict::Late => pb::DeliveryVerdict::Late,
    };
    let excuse = m.exception.as_ref().and_then(|e| e.excuse);
    pb::ShipmentMeasure {
        ship_date: Some(date_to_proto(m.ship_date)),
        due_time: m.due.map(timestamp_to_proto),
        verdict: verdict.into(),
        exception_code: m
            .exception
            .as_ref()
            .map(|e| e.code.clone())
            .unwrap_or_default(),
        exception_excusable: excuse.is_some(),
        excuse_category: match excuse {
            None => "",
            Some(ExcuseCategory::Weather) => "WEATHER",
            Some(ExcuseCategory::Customs) => "CUSTOMS",
            Some(ExcuseCategory::AddressProblem) => "ADDRESS_PROBLEM",
            Some(ExcuseCategory::RecipientRefused) => "RECIPIENT_REFUSED",
        }
        .to_owned(),
        contract_version: m.contract_version.clone(),
        scan_compliant: Some(m.scan_compliant),
    }
}
