//! Shipment use cases: registration (with the promised delivery computed
//! from the contract in force, in the shipment's own time zones), billing
//! facts and promise overrides, and tracking ingest in batches.

mod charges;
mod ingest;
pub mod proto;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use recourse_contracts_domain::promise::{Zones, promised_delivery};
use recourse_money::Currency;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;
use sea_orm::DatabaseConnection;

use crate::carriers::{CarrierDirectory, sells};
use crate::contracts::ContractBook;
use crate::convert::common::version_resource_name;
use crate::convert::{sla_terms, terms};
use crate::events::{Data, new_event};
use crate::repo::shipments::{self as repo, ShipmentFilter, ShipmentRecord};
use crate::repo::tracking;
use recourse_contracts_migration::{IDEMPOTENCY, OUTBOX};

pub use charges::{ChargesPatch, PromiseOverride};
pub use ingest::BatchOutcome;
pub use proto::{event_type_from_name, event_type_name, to_proto};

/// A promise given at registration by an admin/internal caller.
#[derive(Debug, Clone)]
pub struct GivenPromise {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// A registration request, parsed.
#[derive(Debug, Clone)]
pub struct NewShipment {
    pub carrier_id: String,
    pub tracking_number: String,
    pub service_level: String,
    pub origin: String,
    pub destination: String,
    pub origin_zone: Tz,
    pub destination_zone: Tz,
    pub ship_time: DateTime<Utc>,
    pub weight: recourse_units::Weight,
    pub dimensions: Option<recourse_units::Dimensions>,
    pub declared_value: Option<recourse_proto::common::Money>,
    pub billed_charge: Option<recourse_proto::common::Money>,
    pub billed_transportation: Option<recourse_proto::common::Money>,
    pub invoice_date: Option<NaiveDate>,
    pub shipper_account: String,
    pub requested_services: Vec<String>,
    pub promised: Option<GivenPromise>,
    /// Whether the carriers service is asked (with the caller's token) that
    /// the carrier sells the service level. A 3PL cannot read the carriers
    /// registry: its shipment is checked against the contract in force,
    /// whose service levels the carriers service confirmed when written.
    pub check_with_carriers: bool,
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
        if new.check_with_carriers {
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
        }
        let ship_date = new.ship_time.with_timezone(&new.origin_zone).date_naive();
        let version = self.contracts.in_force(&new.carrier_id, ship_date).await?;
        let version_name = version_resource_name(&version.contract_id, version.version);
        let contracted = version
            .terms
            .rate_cards
            .iter()
            .map(|c| &c.service_level)
            .chain(version.terms.sla_terms.iter().map(|s| &s.service_level))
            .any(|level| *level == new.service_level);
        if !new.check_with_carriers && !contracted {
            return Err(ApiError::invalid(
                "shipment.service_level",
                format!(
                    "`{}` is not a service level of {version_name}",
                    new.service_level
                ),
            ));
        }
        let currency = Currency::parse(&version.terms.currency_code).map_err(ApiError::internal)?;
        let mut v = Violations::new();
        let mut amounts = [None, None, None];
        for (slot, (field, money)) in amounts.iter_mut().zip([
            ("shipment.declared_value", &new.declared_value),
            ("shipment.billed_charge", &new.billed_charge),
            (
                "shipment.billed_transportation_charge",
                &new.billed_transportation,
            ),
        ]) {
            if let Some(m) = money {
                *slot =
                    crate::convert::common::money(&mut v, field, Some(m), Some(currency), false);
            }
        }
        charges::check_transportation_within_total(
            &mut v,
            "shipment.billed_transportation_charge",
            amounts[2],
            amounts[1],
        );
        let card = version
            .terms
            .rate_cards
            .iter()
            .find(|c| c.service_level == new.service_level)
            .and_then(|c| terms::rate_card(&mut Violations::new(), "", c, currency));
        for (i, code) in new.requested_services.iter().enumerate() {
            v.check(
                card.as_ref()
                    .is_none_or(|c| c.accessorials.iter().any(|a| &a.code == code)),
                format!("shipment.requested_services[{i}]"),
                format!("`{code}` is not an accessorial of {version_name}"),
            );
        }
        v.into_result()?;
        let zone = card
            .as_ref()
            .and_then(|c| c.zone_for(&new.origin, &new.destination).map(str::to_owned));
        let (promised, overridden, reason) = match &new.promised {
            Some(given) => (given.at, true, given.reason.clone()),
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
                let sla = sla_terms::sla(sla, currency);
                let zones = Zones {
                    origin: new.origin_zone,
                    destination: new.destination_zone,
                };
                let at =
                    promised_delivery(&sla.calendar, new.ship_time, zones, days, sla.commitment);
                (at, false, String::new())
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
            declared_value_minor: amounts[0].map(|m| m.amount_minor()),
            billed_charge_minor: amounts[1].map(|m| m.amount_minor()),
            currency: currency.as_str().to_owned(),
            promised_at: promised,
            zone: zone.unwrap_or_default(),
            contract_version: version_name,
            delivered_at: None,
            created_at: Utc::now(),
            origin_time_zone: new.origin_zone.name().to_owned(),
            destination_time_zone: new.destination_zone.name().to_owned(),
            invoice_date: new.invoice_date,
            shipper_account: new.shipper_account.clone(),
            requested_services: new.requested_services.clone(),
            billed_transportation_minor: amounts[2].map(|m| m.amount_minor()),
            promise_overridden: overridden,
            promise_override_reason: reason,
            revision: 1,
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
        let last = tracking::latest_type(&self.db, id).await?;
        Ok(to_proto(&record, last.as_deref().map(event_type_from_name)))
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
}

fn no_promise(version: &str, service_level: &str, what: &str) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "NO_TRANSIT_COMMITMENT",
        subject: version.to_owned(),
        message: format!(
            "cannot compute the promised delivery: {version} {what} service level {service_level}; an admin may give promised_delivery_time"
        ),
    }
}
