//! Shipment use cases: registration (with the promised delivery computed
//! from the contract in force) and tracking ingest in batches.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use recourse_contracts_domain::calendar::promised_delivery;
use recourse_money::Currency;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::{timestamp_from_proto, timestamp_to_proto};
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::carriers::{CarrierDirectory, sells};
use crate::contracts::ContractBook;
use crate::convert::common::{
    carrier_name, dimensions_to_proto, version_resource_name, weight_to_proto,
};
use crate::convert::terms;
use crate::events::{Data, new_event};
use crate::repo::shipments::{self as repo, ShipmentFilter, ShipmentRecord};
use crate::repo::tracking::{self, EventRow};
use recourse_contracts_migration::{IDEMPOTENCY, OUTBOX};

/// A registration request, parsed.
#[derive(Debug, Clone)]
pub struct NewShipment {
    pub carrier_id: String,
    pub tracking_number: String,
    pub service_level: String,
    pub origin: String,
    pub destination: String,
    pub ship_time: DateTime<Utc>,
    pub weight: recourse_contracts_domain::units::Weight,
    pub dimensions: Option<recourse_contracts_domain::units::Dimensions>,
    pub declared_value: Option<recourse_proto::common::Money>,
    pub billed_charge: Option<recourse_proto::common::Money>,
    pub promised: Option<DateTime<Utc>>,
}

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
        ..pb::Shipment::default()
    }
}

/// What one ingested batch did.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub stored: u64,
    pub duplicates: u64,
    pub rejections: Vec<pb::EventRejection>,
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

#[derive(Debug, Clone)]
pub struct ShipmentBook {
    db: DatabaseConnection,
    carriers: CarrierDirectory,
    contracts: ContractBook,
    relay: Relay,
}

impl ShipmentBook {
    pub fn new(
        db: DatabaseConnection,
        carriers: CarrierDirectory,
        contracts: ContractBook,
        relay: Relay,
    ) -> Self {
        Self {
            db,
            carriers,
            contracts,
            relay,
        }
    }

    pub async fn register(
        &self,
        key: IdempotencyKey,
        token: Option<&str>,
        new: NewShipment,
    ) -> Result<pb::Shipment, ApiError> {
        let carrier = self.carriers.carrier(token, &new.carrier_id).await?;
        if !sells(&carrier, &new.service_level) {
            return Err(ApiError::invalid(
                "shipment.service_level",
                format!(
                    "`{}` is not a service level of {}",
                    new.service_level, carrier.name
                ),
            ));
        }
        let version = self
            .contracts
            .in_force(&new.carrier_id, new.ship_time.date_naive())
            .await?;
        let version_name = version_resource_name(&version.contract_id, version.version);
        let currency = Currency::parse(&version.terms.currency_code).map_err(ApiError::internal)?;
        let mut v = Violations::new();
        for (field, money) in [
            ("shipment.declared_value", &new.declared_value),
            ("shipment.billed_charge", &new.billed_charge),
        ] {
            if let Some(m) = money {
                crate::convert::common::money(&mut v, field, Some(m), Some(currency), false);
            }
        }
        v.into_result()?;
        let card = version
            .terms
            .rate_cards
            .iter()
            .find(|c| c.service_level == new.service_level);
        let zone = card
            .and_then(|c| terms::rate_card(&mut Violations::new(), "", c, currency))
            .and_then(|c| c.zone_for(&new.origin, &new.destination).map(str::to_owned));
        let promised = match new.promised {
            Some(p) => p,
            None => {
                let sla = version
                    .terms
                    .sla_terms
                    .iter()
                    .find(|s| s.service_level == new.service_level)
                    .ok_or_else(|| {
                        no_promise(&version_name, &new.service_level, "has no SLA terms for")
                    })?;
                let zone = zone.as_deref().ok_or_else(|| {
                    no_promise(
                        &version_name,
                        &new.service_level,
                        "has no zone for this lane on",
                    )
                })?;
                let days = sla
                    .transit
                    .iter()
                    .find(|t| t.zone == zone)
                    .ok_or_else(|| {
                        no_promise(
                            &version_name,
                            &new.service_level,
                            &format!("has no transit days for zone {zone} on"),
                        )
                    })?
                    .business_days;
                let sla = terms::sla(sla, currency);
                promised_delivery(&sla.calendar, new.ship_time, days, sla.commit_minute)
            }
        };
        let record = ShipmentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            carrier_id: new.carrier_id.clone(),
            tracking_number: new.tracking_number.clone(),
            service_level: new.service_level.clone(),
            origin: new.origin.clone(),
            destination: new.destination.clone(),
            ship_time: new.ship_time,
            weight: new.weight,
            dimensions: new.dimensions,
            declared_value_minor: new.declared_value.as_ref().map(|m| m.amount_minor),
            billed_charge_minor: new.billed_charge.as_ref().map(|m| m.amount_minor),
            currency: currency.as_str().to_owned(),
            promised_at: promised,
            zone: zone.unwrap_or_default(),
            contract_version: version_name,
            delivered_at: None,
            created_at: Utc::now(),
        };
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                repo::insert(txn, &record).await.map_err(|err| {
                    if is_unique_violation(&err) {
                        ApiError::AlreadyExists {
                            resource: "shipment",
                            name: record.tracking_number.clone(),
                            message: format!(
                                "tracking number `{}` is already registered for this carrier",
                                record.tracking_number
                            ),
                        }
                    } else {
                        err.into()
                    }
                })?;
                let proto = to_proto(&record, None);
                OUTBOX
                    .append(
                        txn,
                        new_event(
                            "shipment.registered",
                            proto.name.clone(),
                            &record.carrier_id,
                            Data::Shipment(proto.clone()),
                        ),
                    )
                    .await?;
                Ok(proto)
            })
            .await;
        self.relay.poke();
        result
    }

    pub async fn get(&self, id: &str) -> Result<pb::Shipment, ApiError> {
        let record = self.find(id).await?;
        let events = tracking::of_shipment(&self.db, id).await?;
        let last = events.last().map(|e| event_type_from_name(&e.event_type));
        Ok(to_proto(&record, last))
    }

    pub async fn find(&self, id: &str) -> Result<ShipmentRecord, ApiError> {
        repo::find(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::NotFound {
                resource: "shipment",
                name: format!("shipments/{id}"),
            })
    }

    pub async fn list(
        &self,
        filter: &ShipmentFilter,
        page: &PageRequest,
    ) -> Result<(Vec<pb::Shipment>, String), ApiError> {
        let rows = repo::list(&self.db, filter, page.after.as_deref(), page.fetch_limit()).await?;
        let (rows, token) = page.finish(rows, |s| s.id.clone());
        Ok((rows.iter().map(|s| to_proto(s, None)).collect(), token))
    }

    pub async fn events(&self, id: &str) -> Result<Vec<pb::TrackingEvent>, ApiError> {
        let record = self.find(id).await?;
        Ok(tracking::of_shipment(&self.db, id)
            .await?
            .into_iter()
            .map(|e| pb::TrackingEvent {
                carrier_event_id: e.carrier_event_id,
                tracking_number: record.tracking_number.clone(),
                r#type: event_type_from_name(&e.event_type).into(),
                occur_time: Some(timestamp_to_proto(e.occurred_at)),
                location: e.location,
                exception_reason: e.exception_reason,
            })
            .collect())
    }

    /// Stores one batch of a carrier's events in one transaction. `first`
    /// is the stream index of `events[0]`, for per-event rejections.
    pub async fn ingest(
        &self,
        carrier_id: &str,
        first: u64,
        events: &[pb::TrackingEvent],
    ) -> Result<BatchOutcome, ApiError> {
        let mut outcome = BatchOutcome::default();
        let numbers: Vec<&str> = events
            .iter()
            .map(|e| e.tracking_number.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let txn = self.db.begin().await?;
        let shipments = repo::ids_by_tracking(&txn, carrier_id, &numbers).await?;
        let mut rows = Vec::with_capacity(events.len());
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
            let Some(shipment_id) = shipments.get(&event.tracking_number) else {
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
            if !seen.insert(event.carrier_event_id.as_str()) {
                outcome.duplicates += 1;
                continue;
            }
            rows.push(EventRow {
                carrier_event_id: event.carrier_event_id.clone(),
                shipment_id: shipment_id.clone(),
                event_type: kind,
                occurred_at: at,
                location: event.location.chars().take(128).collect(),
                exception_reason: event.exception_reason.chars().take(128).collect(),
            });
        }
        let stored = tracking::insert_new(&txn, carrier_id, &rows, Utc::now()).await?;
        outcome.stored = stored.len() as u64;
        outcome.duplicates += (rows.len() - stored.len()) as u64;

        // Milestones become events of the feed; the earliest delivery wins.
        // Both are written in bulk: one statement each, not one per event.
        let mut deliveries: HashMap<&str, DateTime<Utc>> = HashMap::new();
        let new_rows: Vec<&EventRow> = rows
            .iter()
            .filter(|r| stored.contains(&r.carrier_event_id))
            .collect();
        let milestone_ids: Vec<&str> = new_rows
            .iter()
            .filter(|r| matches!(r.event_type, "delivered" | "exception" | "returned"))
            .map(|r| r.shipment_id.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let by_id = repo::find_many(&txn, &milestone_ids).await?;
        let mut feed = Vec::new();
        for row in new_rows {
            match row.event_type {
                "delivered" => {
                    let at = deliveries
                        .entry(row.shipment_id.as_str())
                        .or_insert(row.occurred_at);
                    *at = (*at).min(row.occurred_at);
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
        let deliveries: Vec<(String, DateTime<Utc>)> = deliveries
            .into_iter()
            .map(|(id, at)| (id.to_owned(), at))
            .collect();
        let when: HashMap<&str, DateTime<Utc>> = deliveries
            .iter()
            .map(|(id, at)| (id.as_str(), *at))
            .collect();
        for id in repo::mark_delivered_many(&txn, &deliveries).await? {
            if let (Some(s), Some(at)) = (by_id.get(id.as_str()), when.get(id.as_str())) {
                let mut delivered = (*s).clone();
                delivered.delivered_at = Some(*at);
                let proto = to_proto(&delivered, Some(pb::TrackingEventType::Delivered));
                feed.push(new_event(
                    "shipment.delivered",
                    proto.name.clone(),
                    carrier_id,
                    Data::Shipment(proto),
                ));
            }
        }
        OUTBOX.append_many(&txn, feed).await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(outcome)
    }
}

fn no_promise(version: &str, service_level: &str, what: &str) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "NO_TRANSIT_COMMITMENT",
        subject: version.to_owned(),
        message: format!(
            "cannot compute the promised delivery: {version} {what} service level {service_level}; send promised_delivery_time"
        ),
    }
}
