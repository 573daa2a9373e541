//! Events of the carriers service, appended to its outbox in the
//! transaction of each change and served by `EventService/Subscribe`. The
//! payload is the API's `Event` message, so this module renders through
//! `convert`; a carrier principal's feed is filtered to its own carrier by
//! the row's carrier column.

use prost::Message as _;
use recourse_platform::outbox::{NewEvent, StoredEvent, decode_event};
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::carriers as pb;

use crate::convert;
use crate::domain::Carrier;

/// carrier.created, carrier.updated or carrier.status_changed, with the
/// carrier as it stands after the change.
pub fn carrier(event_type: &str, c: &Carrier) -> NewEvent {
    let subject = c.id.resource_name();
    let event = pb::Event {
        position: 0,
        r#type: event_type.to_owned(),
        subject: subject.clone(),
        carrier: subject.clone(),
        occur_time: Some(timestamp_to_proto(c.updated_at)),
        data: Some(pb::event::Data::CarrierData(convert::to_proto(c))),
    };
    NewEvent {
        event_type: event_type.to_owned(),
        subject,
        carrier_id: c.id.as_str().to_owned(),
        payload: event.encode_to_vec(),
    }
}

/// The stored event with its position.
pub fn decode(stored: StoredEvent) -> Result<pb::Event, tonic::Status> {
    decode_event(stored, |event: &mut pb::Event, position| {
        event.position = position
    })
}
