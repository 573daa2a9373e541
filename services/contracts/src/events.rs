//! Events of the contracts service: built here, appended to the outbox in
//! the same transaction as the change, served by `EventService/Subscribe`.

use prost::Message as _;
use recourse_platform::outbox::{NewEvent, StoredEvent, decode_event};
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::contracts as pb;

pub use pb::event::Data;

pub fn new_event(event_type: &str, subject: String, carrier_id: &str, data: Data) -> NewEvent {
    let event = pb::Event {
        position: 0,
        r#type: event_type.to_owned(),
        subject: subject.clone(),
        carrier: format!("carriers/{carrier_id}"),
        occur_time: Some(timestamp_to_proto(chrono::Utc::now())),
        data: Some(data),
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
pub fn version_event(
    event_type: &str,
    subject: String,
    carrier_id: &str,
    draft: bool,
    data: Data,
) -> NewEvent {
    let mut event = new_event(event_type, subject, carrier_id, data);
    if draft {
        event.carrier_id = String::new();
    }
    event
}
