//! Events of the contracts service, built from domain records, appended to
//! the outbox in the same transaction as the change and served by
//! `EventService/Subscribe`. The payload is the API's `Event` message, so
//! this module renders through `convert`.

use prost::Message as _;
use recourse_contracts_domain::tracking::EventKind;
use recourse_contracts_domain::versions::{ContractVersion, VersionStatus};
use recourse_platform::outbox::{NewEvent, StoredEvent, decode_event};
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::contracts as pb;

use crate::convert::common::carrier_name;
use crate::convert::contract::version_to_proto;
use crate::convert::shipment::{measure_to_proto, shipment_to_proto};
use crate::convert::sla::evaluation_to_proto;
use crate::repo::shipments::ShipmentRecord;
use crate::shipments::Measure;
use crate::sla::EvaluationRecord;

use pb::event::Data;

fn new_event(event_type: &str, subject: String, carrier_id: &str, data: Data) -> NewEvent {
    let event = pb::Event {
        position: 0,
        r#type: event_type.to_owned(),
        subject: subject.clone(),
        carrier: carrier_name(carrier_id),
        occur_time: Some(timestamp_to_proto(chrono::Utc::now())),
        data: Some(data),
        measure: None,
    };
    NewEvent {
        event_type: event_type.to_owned(),
        subject,
        carrier_id: carrier_id.to_owned(),
        payload: event.encode_to_vec(),
    }
}

/// The stored event with its position.
pub fn decode(stored: StoredEvent) -> Result<pb::Event, tonic::Status> {
    decode_event(stored, |event: &mut pb::Event, position| {
        event.position = position
    })
}

/// An event about a contract version, hidden from carriers' feeds while the
/// version is a draft (the feed filters carriers by the row's carrier; an
/// internal-only row has none). Internal subscribers still see it whole.
pub fn version(event_type: &str, v: &ContractVersion) -> NewEvent {
    let mut event = new_event(
        event_type,
        v.name(),
        &v.carrier_id,
        Data::ContractVersion(version_to_proto(v)),
    );
    if v.status == VersionStatus::Draft {
        event.carrier_id = String::new();
    }
    event
}

/// An event about a shipment (registered, a milestone, a change), with
/// its measurement facts.
pub fn shipment(
    event_type: &str,
    s: &ShipmentRecord,
    last: Option<EventKind>,
    measure: &Measure,
) -> NewEvent {
    let proto = shipment_to_proto(s, last);
    let mut event = pb::Event {
        position: 0,
        r#type: event_type.to_owned(),
        subject: proto.name.clone(),
        carrier: carrier_name(&s.carrier_id),
        occur_time: Some(timestamp_to_proto(chrono::Utc::now())),
        data: None,
        measure: Some(measure_to_proto(measure)),
    };
    let subject = proto.name.clone();
    event.data = Some(Data::Shipment(proto));
    NewEvent {
        event_type: event_type.to_owned(),
        subject,
        carrier_id: s.carrier_id.clone(),
        payload: event.encode_to_vec(),
    }
}

/// `sla.evaluated`, with the evaluation as stored.
pub fn evaluated(e: &EvaluationRecord) -> NewEvent {
    let proto = evaluation_to_proto(e);
    new_event(
        "sla.evaluated",
        proto.name.clone(),
        &e.carrier_id,
        Data::SlaEvaluation(proto),
    )
}
