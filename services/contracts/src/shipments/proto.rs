//! Shipments and tracking events as protobuf, and the stored names of
//! tracking event types.

use recourse_platform::etag;
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::contracts as pb;

use crate::convert::common::{carrier_name, dimensions_to_proto, weight_to_proto};
use crate::repo::shipments::ShipmentRecord;

/// Stored name of each event type (the `tracking_events.event_type` column).
pub fn event_type_name(t: pb::TrackingEventType) -> Option<&'static str> {
    Some(match t {
        pb::TrackingEventType::Unspecified => return None,
        pb::TrackingEventType::PickedUp => "picked_up",
        pb::TrackingEventType::ArrivalScan => "arrival_scan",
        pb::TrackingEventType::DepartureScan => "departure_scan",
        pb::TrackingEventType::OutForDelivery => "out_for_delivery",
        pb::TrackingEventType::Delivered => "delivered",
        pb::TrackingEventType::Exception => "exception",
        pb::TrackingEventType::Returned => "returned",
        pb::TrackingEventType::DeliveryCorrected => "delivery_corrected",
    })
}

pub fn event_type_from_name(name: &str) -> pb::TrackingEventType {
    [
        pb::TrackingEventType::PickedUp,
        pb::TrackingEventType::ArrivalScan,
        pb::TrackingEventType::DepartureScan,
        pb::TrackingEventType::OutForDelivery,
        pb::TrackingEventType::Delivered,
        pb::TrackingEventType::Exception,
        pb::TrackingEventType::Returned,
        pb::TrackingEventType::DeliveryCorrected,
    ]
    .into_iter()
    .find(|t| event_type_name(*t) == Some(name))
    .unwrap_or(pb::TrackingEventType::Unspecified)
}

pub fn to_proto(s: &ShipmentRecord, last_event: Option<pb::TrackingEventType>) -> pb::Shipment {
    let money = |minor: Option<i64>| {
        minor.map(|amount_minor| recourse_proto::common::Money {
            amount_minor,
            currency_code: s.currency.clone(),
        })
    };
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
            .unwrap_or(pb::TrackingEventType::Unspecified)
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
    }
}
