//! Events of the claims service, appended to its outbox in the transaction
//! of each change and served by `EventService/Subscribe`.

use prost::Message as _;
use recourse_platform::outbox::{NewEvent, StoredEvent, decode_event};
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::claims as pb;

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

pub fn decode(stored: StoredEvent) -> Result<pb::Event, tonic::Status> {
    decode_event(stored, |event: &mut pb::Event, position| {
        event.position = position
    })
}
