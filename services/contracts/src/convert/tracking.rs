//! Tracking events: each event of an ingest stream parsed (or rejected with
//! the field at fault), stored events and rejections rendered.

use recourse_contracts_domain::tracking::EventKind;
use recourse_platform::error::bound::truncate_chars;
use recourse_platform::proto_types::{
    FIRST_YEAR, LAST_YEAR, timestamp_from_proto, timestamp_to_proto,
};
use recourse_proto::contracts as pb;

use super::limits;
use crate::repo::tracking::StoredEvent;
use crate::shipments::{IncomingEvent, Rejection, RejectionReason};

pub fn kind(t: pb::TrackingEventType) -> Option<EventKind> {
    match t {
        pb::TrackingEventType::Unspecified => None,
        pb::TrackingEventType::PickedUp => Some(EventKind::PickedUp),
        pb::TrackingEventType::ArrivalScan => Some(EventKind::ArrivalScan),
        pb::TrackingEventType::DepartureScan => Some(EventKind::DepartureScan),
        pb::TrackingEventType::OutForDelivery => Some(EventKind::OutForDelivery),
        pb::TrackingEventType::Delivered => Some(EventKind::Delivered),
        pb::TrackingEventType::Exception => Some(EventKind::Exception),
        pb::TrackingEventType::Returned => Some(EventKind::Returned),
        pb::TrackingEventType::DeliveryCorrected => Some(EventKind::DeliveryCorrected),
    }
}

pub fn kind_to_proto(k: EventKind) -> pb::TrackingEventType {
    match k {
        EventKind::PickedUp => pb::TrackingEventType::PickedUp,
        EventKind::ArrivalScan => pb::TrackingEventType::ArrivalScan,
        EventKind::DepartureScan => pb::TrackingEventType::DepartureScan,
        EventKind::OutForDelivery => pb::TrackingEventType::OutForDelivery,
        EventKind::Delivered => pb::TrackingEventType::Delivered,
        EventKind::Exception => pb::TrackingEventType::Exception,
        EventKind::Returned => pb::TrackingEventType::Returned,
        EventKind::DeliveryCorrected => pb::TrackingEventType::DeliveryCorrected,
    }
}

/// What is wrong with an event's fields, naming the field; `None` when
/// nothing is.
fn fault(e: &pb::TrackingEvent) -> Option<String> {
    let chars = |s: &str| s.chars().count();
    if pb::TrackingEventType::try_from(e.r#type)
        .ok()
        .and_then(kind)
        .is_none()
    {
        return Some("type: must be a tracking event type".into());
    }
    let Some(ts) = &e.occur_time else {
        return Some("occur_time: is required".into());
    };
    let Some(at) = timestamp_from_proto(ts) else {
        return Some("occur_time: is not a valid time".into());
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&chrono::Datelike::year(&at)) {
        return Some(format!(
            "occur_time: must be in the years {FIRST_YEAR}-{LAST_YEAR}"
        ));
    }
    let bounded = [
        (
            "carrier_event_id",
            &e.carrier_event_id,
            limits::EVENT_ID,
            true,
        ),
        (
            "tracking_number",
            &e.tracking_number,
            limits::TRACKING_NUMBER,
            true,
        ),
        ("location", &e.location, limits::LOCATION, false),
        (
            "exception_reason",
            &e.exception_reason,
            limits::EXCEPTION_CODE,
            false,
        ),
    ];
    for (field, value, max, required) in bounded {
        if required && value.is_empty() {
            return Some(format!("{field}: is required"));
        }
        if chars(value) > max {
            return Some(format!("{field}: must be at most {max} characters"));
        }
        if value.chars().any(char::is_control) {
            return Some(format!("{field}: must not contain control characters"));
        }
    }
    None
}

/// The event at stream position `index`, or its rejection (INVALID_EVENT,
/// naming the field; echoed ids cut to their bound).
pub fn incoming(index: u64, e: &pb::TrackingEvent) -> Result<IncomingEvent, Rejection> {
    let reject = |detail: String| Rejection {
        index,
        carrier_event_id: truncate_chars(&e.carrier_event_id, limits::EVENT_ID).into_owned(),
        reason: RejectionReason::InvalidEvent,
        detail,
    };
    if let Some(detail) = fault(e) {
        return Err(reject(detail));
    }
    let kind = pb::TrackingEventType::try_from(e.r#type)
        .ok()
        .and_then(kind);
    let at = e.occur_time.as_ref().and_then(timestamp_from_proto);
    let (Some(kind), Some(occurred_at)) = (kind, at) else {
        return Err(reject("type and occur_time are required".into()));
    };
    Ok(IncomingEvent {
        index,
        carrier_event_id: e.carrier_event_id.clone(),
        tracking_number: e.tracking_number.clone(),
        kind,
        occurred_at,
        location: e.location.clone(),
        exception_reason: e.exception_reason.clone(),
    })
}

pub fn rejection_to_proto(r: &Rejection) -> pb::EventRejection {
    pb::EventRejection {
        index: r.index,
        carrier_event_id: r.carrier_event_id.clone(),
        reason: r.reason.as_str().to_owned(),
        detail: r.detail.clone(),
    }
}

pub fn event_to_proto(e: &StoredEvent, tracking_number: &str) -> pb::TrackingEvent {
    pb::TrackingEvent {
        carrier_event_id: e.carrier_event_id.clone(),
        tracking_number: tracking_number.to_owned(),
        r#type: kind_to_proto(e.kind).into(),
        occur_time: Some(timestamp_to_proto(e.occurred_at)),
        location: e.location.clone(),
        exception_reason: e.exception_reason.clone(),
    }
}
