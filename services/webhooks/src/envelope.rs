//! The JSON body of a delivery (README, "Webhooks"):
//!
//! ```json
//! {"id": "evt_claims_42", "type": "claim.submitted", "feed": "claims",
//!  "position": 42, "subject": "claims/…", "carrier": "carriers/…",
//!  "occurTime": "2026-03-02T09:00:00Z", "data": { …the feed's Event… }}
//! ```
//!
//! `data` is the feed's `Event` message in the canonical protobuf JSON
//! mapping (the same the gateway's REST answers use).

use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat, Utc};
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};

static POOL: LazyLock<Result<DescriptorPool, String>> = LazyLock::new(|| {
    DescriptorPool::decode(recourse_proto::FILE_DESCRIPTOR_SET).map_err(|e| e.to_string())
});

/// The event's id: one per feed position, so a replay keeps it.
pub fn event_id(feed: &str, position: i64) -> String {
    format!("evt_{feed}_{position}")
}

/// What the envelope says besides `data`.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    pub feed: &'a str,
    pub position: i64,
    pub event_type: &'a str,
    pub subject: &'a str,
    pub carrier: &'a str,
    pub occurred_at: DateTime<Utc>,
}

/// The body for an event whose message `message_name` encodes to `encoded`.
pub fn render(h: &Header<'_>, message_name: &str, encoded: &[u8]) -> Result<String, String> {
    let pool = POOL.as_ref().map_err(Clone::clone)?;
    let descriptor = pool
        .get_message_by_name(message_name)
        .ok_or_else(|| format!("no descriptor for {message_name}"))?;
    let message = DynamicMessage::decode(descriptor, encoded).map_err(|e| e.to_string())?;
    let mut data = serde_json::Serializer::new(Vec::new());
    message
        .serialize_with_options(&mut data, &SerializeOptions::new())
        .map_err(|e| e.to_string())?;
    let data: serde_json::Value =
        serde_json::from_slice(&data.into_inner()).map_err(|e| e.to_string())?;
    let body = serde_json::json!({
        "id": event_id(h.feed, h.position),
        "type": h.event_type,
        "feed": h.feed,
        "position": h.position,
        "subject": h.subject,
        "carrier": h.carrier,
        "occurTime": h.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    });
    serde_json::to_string(&body).map_err(|e| e.to_string())
}
