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
use recourse_contracts_domain::tracking::EventKind;
use recourse_platform::ApiError;
use sea_orm::TransactionTrait;

use super::ShipmentBook;
use crate::events;
use crate::repo::shipments::{self as repo, ShipmentRecord};
use crate::repo::tracking::{self, EventRow};
use crate::repo::{deliveries, evaluations};
use recourse_contracts_migration::OUTBOX;

/// How far past its receipt an event may be dated (clock skew, time zones).
const FUTURE_TOLERANCE: TimeDelta = TimeDelta::days(1);

/// An event of the stream whose fields parsed (`convert::tracking`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingEvent {
    /// Position in the whole stream (0-based).
    pub index: u64,
    pub carrier_event_id: String,
    pub tracking_number: String,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub location: String,
    pub exception_reason: String,
}

/// Why an event was not stored, or stored without effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionReason {
    InvalidEvent,
    UnknownTrackingNumber,
    BeforeShipTime,
    InTheFuture,
    DeliveryAlreadyRecorded,
    Superseded,
}

impl RejectionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::InvalidEvent => "INVALID_EVENT",
            RejectionReason::UnknownTrackingNumber => "UNKNOWN_TRACKING_NUMBER",
            RejectionReason::BeforeShipTime => "BEFORE_SHIP_TIME",
            RejectionReason::InTheFuture => "IN_THE_FUTURE",
            RejectionReason::DeliveryAlreadyRecorded => "DELIVERY_ALREADY_RECORDED",
            RejectionReason::Superseded => "SUPERSEDED",
        }
    }
}

/// One event reported back, by its stream index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub index: u64,
    pub carrier_event_id: String,
    pub reason: RejectionReason,
    pub detail: String,
}

impl Rejection {
    pub fn of(event: &IncomingEvent, reason: RejectionReason, detail: impl Into<String>) -> Self {
        Self {
            index: event.index,
            carrier_event_id: event.carrier_event_id.clone(),
            reason,
            detail: detail.into(),
        }
    }
}

/// What one ingested batch did.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub stored: u64,
    pub duplicates: u64,
    pub rejections: Vec<Rejection>,
    pub ignored: Vec<Rejection>,
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

/// Which events of the batch can be stored: known shipment, not before it
/// shipped, not in the future. Rejects the others into `outcome`.
fn admissible<'e>(
    events: &'e [IncomingEvent],
    shipments: &HashMap<String, (String, DateTime<Utc>)>,
    received: DateTime<Utc>,
    outcome: &mut BatchOutcome,
) -> Vec<(EventRow, &'e IncomingEvent)> {
    let mut rows = Vec::with_capacity(events.len());
    let mut seen = HashSet::with_capacity(events.len());
    for event in events {
        let Some((shipment_id, ship_time)) = shipments.get(&event.tracking_number) else {
            outcome.rejections.push(Rejection::of(
                event,
                RejectionReason::UnknownTrackingNumber,
                format!(
                    "`{}` is not a registered shipment of this carrier",
                    event.tracking_number
                ),
            ));
            continue;
        };
        let at = event.occurred_at;
        if at < *ship_time {
            outcome.rejections.push(Rejection::of(
                event,
                RejectionReason::BeforeShipTime,
                format!("occur_time {at} is before the ship time {ship_time}"),
            ));
            continue;
        }
        if at > received + FUTURE_TOLERANCE {
            outcome.rejections.push(Rejection::of(
                event,
                RejectionReason::InTheFuture,
                format!("occur_time {at} is more than a day after it was received ({received})"),
            ));
            continue;
        }
        if !seen.insert(event.carrier_event_id.as_str()) {
            outcome.duplicates += 1;
            continue;
        }
        rows.push((
            EventRow {
                carrier_event_id: event.carrier_event_id.clone(),
                shipment_id: shipment_id.clone(),
                kind: event.kind,
                occurred_at: at,
                location: event.location.clone(),
                exception_reason: event.exception_reason.clone(),
            },
            event,
        ));
    }
    rows
}

type FirstByShipment<'r> = HashMap<&'r str, (&'r str, DateTime<Utc>)>;

impl ShipmentBook {
    /// Stores one batch of a carrier's events in one transaction.
    pub async fn ingest(
        &self,
        carrier_id: &str,
        events: &[IncomingEvent],
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
        let rows = admissible(events, &shipments, received, &mut outcome);
        let plain: Vec<EventRow> = rows.iter().map(|(r, _)| r.clone()).collect();
        let stored = tracking::insert_new(&txn, carrier_id, &plain, received).await?;
        outcome.stored = stored.len() as u64;
        outcome.duplicates += (rows.len() - stored.len()) as u64;

        // Only newly stored rows act, in stream order.
        let new_rows: Vec<&(EventRow, &IncomingEvent)> = rows
            .iter()
            .filter(|(r, _)| stored.contains(&r.carrier_event_id))
            .collect();
        let milestone_ids: Vec<&str> = new_rows
            .iter()
            .filter(|(r, _)| r.kind.is_milestone())
            .map(|(r, _)| r.shipment_id.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let by_id = repo::find_many(&txn, &milestone_ids).await?;
        let versions = super::measure::versions_of(&txn, by_id.values()).await?;
        // Scans of this batch are stored above, so a milestone sees them.
        let ids: Vec<String> = by_id.keys().cloned().collect();
        let scans = super::measure::scans_of(&txn, &ids).await?;
        let measured = |s: &ShipmentRecord, exception: Option<&str>| {
            let own = scans.get(&s.id).map(Vec::as_slice).unwrap_or_default();
            super::measure::measure(s, versions.get(&s.contract_version), exception, own)
        };
        let mut feed = Vec::new();
        // The first delivery and the last correction of each shipment.
        let mut first_delivery: FirstByShipment<'_> = HashMap::new();
        let mut last_correction: FirstByShipment<'_> = HashMap::new();
        for (row, _) in &new_rows {
            let key = (row.carrier_event_id.as_str(), row.occurred_at);
            match row.kind {
                EventKind::Delivered => {
                    first_delivery
                        .entry(row.shipment_id.as_str())
                        .or_insert(key);
                }
                EventKind::DeliveryCorrected => {
                    last_correction.insert(row.shipment_id.as_str(), key);
                }
                EventKind::Exception | EventKind::Returned => {
                    if let Some(s) = by_id.get(row.shipment_id.as_str()) {
                        let event_type = format!("shipment.{}", row.kind.as_str());
                        let exception = (row.kind == EventKind::Exception)
                            .then_some(row.exception_reason.as_str());
                        feed.push(events::shipment(
                            &event_type,
                            s,
                            Some(row.kind),
                            &measured(s, exception),
                        ));
                    }
                }
                EventKind::PickedUp
                | EventKind::ArrivalScan
                | EventKind::DepartureScan
                | EventKind::OutForDelivery => {}
            }
        }
        let pairs = |m: &FirstByShipment<'_>| -> Vec<(String, DateTime<Utc>)> {
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
        for (row, event) in &new_rows {
            let id = row.shipment_id.as_str();
            let (chosen, applied, reason, detail) = match row.kind {
                EventKind::Delivered => (
                    &first_delivery,
                    &recorded,
                    RejectionReason::DeliveryAlreadyRecorded,
                    "kept in the history; the delivery time already recorded stands (send DELIVERY_CORRECTED to change it)",
                ),
                EventKind::DeliveryCorrected => (
                    &last_correction,
                    &corrected,
                    RejectionReason::Superseded,
                    "kept in the history; a later correction in the same stream applies",
                ),
                EventKind::PickedUp
                | EventKind::ArrivalScan
                | EventKind::DepartureScan
                | EventKind::OutForDelivery
                | EventKind::Exception
                | EventKind::Returned => continue,
            };
            let acted = chosen
                .get(id)
                .is_some_and(|(e, _)| *e == row.carrier_event_id)
                && applied.contains(id);
            if !acted {
                outcome.ignored.push(Rejection::of(event, reason, detail));
                continue;
            }
            let Some(s) = by_id.get(id) else { continue };
            let mut delivered = s.clone();
            delivered.delivered_at = Some(row.occurred_at);
            delivered.revision += 1;
            let event_type = if row.kind == EventKind::Delivered {
                "shipment.delivered"
            } else {
                evaluations::mark_stale(&txn, carrier_id, &s.service_level, &period_starts(s))
                    .await?;
                "shipment.delivery_corrected"
            };
            feed.push(events::shipment(
                event_type,
                &delivered,
                Some(row.kind),
                &measured(&delivered, None),
            ));
        }
        OUTBOX.append_many(&txn, feed).await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(outcome)
    }
}
