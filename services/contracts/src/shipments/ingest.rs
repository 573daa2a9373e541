//! Tracking ingest, one batch per transaction.
//!
//! - An event dated before its shipment's ship time, or more than a day
//!   after it was received, is rejected (BEFORE_SHIP_TIME, IN_THE_FUTURE).
//! - The first DELIVERED event sets the delivery time. A later DELIVERED
//!   event (whatever time it states) is kept in the history but changes
//!   nothing; it is reported back as ignored (DELIVERY_ALREADY_RECORDED).
//! - DELIVERY_CORRECTED is the explicit correction: the latest received
//!   replaces the delivery time, is kept in the history, emits
//!   `shipment.delivery_corrected`, and marks the stored SLA evaluations of
//!   the shipment's periods stale. Refund candidates are computed from the
//!   delivery time when listed, so they follow the correction by themselves.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use recourse_contracts_domain::calendar::{Period, period_bounds};
use recourse_platform::ApiError;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_proto::contracts as pb;
use sea_orm::TransactionTrait;

use super::{ShipmentBook, event_type_from_name, event_type_name, to_proto};
use crate::events::{Data, new_event};
use crate::repo::shipments::{self as repo, ShipmentRecord};
use crate::repo::tracking::{self, EventRow};
use crate::repo::{deliveries, evaluations};
use recourse_contracts_migration::OUTBOX;

/// How far past its receipt an event may be dated (clock skew, time zones).
const FUTURE_TOLERANCE: TimeDelta = TimeDelta::days(1);

/// What one ingested batch did.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub stored: u64,
    pub duplicates: u64,
    pub rejections: Vec<pb::EventRejection>,
    pub ignored: Vec<pb::EventRejection>,
}

fn reject(
    index: u64,
    event: &pb::TrackingEvent,
    reason: &str,
    detail: impl Into<String>,
) -> pb::EventRejection {
    pb::EventRejection {
        index,
        carrier_event_id: event.carrier_event_id.clone(),
        reason: reason.to_owned(),
        detail: detail.into(),
    }
}

/// The first days of the weekly and monthly periods of a shipment's local
/// ship date.
fn period_starts(s: &ShipmentRecord) -> [(&'static str, chrono::NaiveDate); 2] {
    let date = crate::quoting::local_ship_date(s);
    [
        ("weekly", period_bounds(Period::Weekly, date).0),
        ("monthly", period_bounds(Period::Monthly, date).0),
    ]
}

impl ShipmentBook {
    /// Stores one batch of a carrier's events in one transaction. `first`
    /// is the stream index of `events[0]`, for per-event reports.
    pub async fn ingest(
        &self,
        carrier_id: &str,
        first: u64,
        events: &[pb::TrackingEvent],
    ) -> Result<BatchOutcome, ApiError> {
        let mut outcome = BatchOutcome::default();
        let received = Utc::now();
        let numbers: Vec<&str> = events
            .iter()
            .map(|e| e.tracking_number.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let txn = self.db.begin().await?;
        let shipments = repo::ids_by_tracking(&txn, carrier_id, &numbers).await?;
        let mut rows = Vec::with_capacity(events.len());
        let mut indexes = Vec::with_capacity(events.len());
        let mut seen = HashSet::with_capacity(events.len());
        for (offset, event) in events.iter().enumerate() {
            let index = first + offset as u64;
            let kind = pb::TrackingEventType::try_from(event.r#type)
                .ok()
                .and_then(event_type_name);
            let at = event.occur_time.as_ref().and_then(timestamp_from_proto);
            let (Some(kind), Some(at)) = (kind, at) else {
                outcome.rejections.push(reject(
                    index,
                    event,
                    "INVALID_EVENT",
                    "needs a known type and an occur_time",
                ));
                continue;
            };
            if event.carrier_event_id.is_empty() || event.carrier_event_id.len() > 128 {
                outcome.rejections.push(reject(
                    index,
                    event,
                    "INVALID_EVENT",
                    "carrier_event_id must be 1-128 characters",
                ));
                continue;
            }
            let Some((shipment_id, ship_time)) = shipments.get(&event.tracking_number) else {
                outcome.rejections.push(reject(
                    index,
                    event,
                    "UNKNOWN_TRACKING_NUMBER",
                    format!(
                        "`{}` is not a registered shipment of this carrier",
                        event.tracking_number
                    ),
                ));
                continue;
            };
            if at < *ship_time {
                outcome.rejections.push(reject(
                    index,
                    event,
                    "BEFORE_SHIP_TIME",
                    format!("occur_time {at} is before the ship time {ship_time}"),
                ));
                continue;
            }
            if at > received + FUTURE_TOLERANCE {
                outcome.rejections.push(reject(
                    index,
                    event,
                    "IN_THE_FUTURE",
                    format!(
                        "occur_time {at} is more than a day after it was received ({received})"
                    ),
                ));
                continue;
            }
            if !seen.insert(event.carrier_event_id.as_str()) {
                outcome.duplicates += 1;
                continue;
            }
            indexes.push((index, event));
            rows.push(EventRow {
                carrier_event_id: event.carrier_event_id.clone(),
                shipment_id: shipment_id.clone(),
                event_type: kind,
                occurred_at: at,
                location: event.location.chars().take(128).collect(),
                exception_reason: event.exception_reason.chars().take(128).collect(),
            });
        }
        let stored = tracking::insert_new(&txn, carrier_id, &rows, received).await?;
        outcome.stored = stored.len() as u64;
        outcome.duplicates += (rows.len() - stored.len()) as u64;

        // Only newly stored rows act, in stream order.
        let new_rows: Vec<(&EventRow, u64, &pb::TrackingEvent)> = rows
            .iter()
            .zip(&indexes)
            .filter(|(r, _)| stored.contains(&r.carrier_event_id))
            .map(|(r, (i, e))| (r, *i, *e))
            .collect();
        let milestone_ids: Vec<&str> = new_rows
            .iter()
            .filter(|(r, ..)| {
                matches!(
                    r.event_type,
                    "delivered" | "delivery_corrected" | "exception" | "returned"
                )
            })
            .map(|(r, ..)| r.shipment_id.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let by_id = repo::find_many(&txn, &milestone_ids).await?;
        let mut feed = Vec::new();
        // The first delivery and the last correction of each shipment.
        let mut first_delivery: HashMap<&str, (&str, DateTime<Utc>)> = HashMap::new();
        let mut last_correction: HashMap<&str, (&str, DateTime<Utc>)> = HashMap::new();
        for (row, _, _) in &new_rows {
            let key = (row.carrier_event_id.as_str(), row.occurred_at);
            match row.event_type {
                "delivered" => {
                    first_delivery
                        .entry(row.shipment_id.as_str())
                        .or_insert(key);
                }
                "delivery_corrected" => {
                    last_correction.insert(row.shipment_id.as_str(), key);
                }
                "exception" | "returned" => {
                    if let Some(s) = by_id.get(row.shipment_id.as_str()) {
                        let proto = to_proto(s, Some(event_type_from_name(row.event_type)));
                        feed.push(new_event(
                            &format!("shipment.{}", row.event_type),
                            proto.name.clone(),
                            carrier_id,
                            Data::Shipment(proto),
                        ));
                    }
                }
                _ => {}
            }
        }
        let pairs = |m: &HashMap<&str, (&str, DateTime<Utc>)>| -> Vec<(String, DateTime<Utc>)> {
            m.iter()
                .map(|(id, (_, at))| ((*id).to_owned(), *at))
                .collect()
        };
        let recorded: HashSet<String> = deliveries::record_first(&txn, &pairs(&first_delivery))
            .await?
            .into_iter()
            .collect();
        let corrected: HashSet<String> = deliveries::correct(&txn, &pairs(&last_correction))
            .await?
            .into_iter()
            .collect();
        for (row, index, event) in &new_rows {
            let id = row.shipment_id.as_str();
            let event_id = row.carrier_event_id.as_str();
            let (chosen, applied, kind) = match row.event_type {
                "delivered" => (&first_delivery, &recorded, pb::TrackingEventType::Delivered),
                "delivery_corrected" => (
                    &last_correction,
                    &corrected,
                    pb::TrackingEventType::DeliveryCorrected,
                ),
                _ => continue,
            };
            let acted = chosen.get(id).is_some_and(|(e, _)| *e == event_id) && applied.contains(id);
            if !acted {
                let (reason, detail) = if kind == pb::TrackingEventType::Delivered {
                    (
                        "DELIVERY_ALREADY_RECORDED",
                        "kept in the history; the delivery time already recorded stands (send DELIVERY_CORRECTED to change it)",
                    )
                } else {
                    (
                        "SUPERSEDED",
                        "kept in the history; a later correction in the same stream applies",
                    )
                };
                outcome.ignored.push(reject(*index, event, reason, detail));
                continue;
            }
            let Some(s) = by_id.get(id) else { continue };
            let mut delivered = s.clone();
            delivered.delivered_at = Some(row.occurred_at);
            delivered.revision += 1;
            let proto = to_proto(&delivered, Some(kind));
            let event_type = if kind == pb::TrackingEventType::Delivered {
                "shipment.delivered"
            } else {
                evaluations::mark_stale(&txn, carrier_id, &s.service_level, &period_starts(s))
                    .await?;
                "shipment.delivery_corrected"
            };
            feed.push(new_event(
                event_type,
                proto.name.clone(),
                carrier_id,
                Data::Shipment(proto),
            ));
        }
        OUTBOX.append_many(&txn, feed).await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(outcome)
    }
}
