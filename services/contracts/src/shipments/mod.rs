//! Shipment use cases: registration (with the promised delivery computed
//! from the contract in force, in the shipment's own time zones), reads
//! within the caller's scope, billing facts and promise overrides, and
//! tracking ingest in batches.

mod charges;
mod ingest;
mod measure;
mod returns;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use recourse_contracts_domain::promise::{Zones, promised_delivery};
use recourse_contracts_domain::tracking::EventKind;
use recourse_contracts_domain::versions::ContractVersion;
use recourse_money::Money;
use recourse_platform::ApiError;
use recourse_platform::error::Violation;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use recourse_units::{Dimensions, Weight};
use sea_orm::DatabaseConnection;

use crate::carriers::CarrierDirectory;
use crate::contracts::ContractBook;
use crate::error::{ContractsError, in_currency};
use crate::events;
use crate::repo::shipments::{self as repo, ShipmentFilter, ShipmentRecord, ShipmentScope};
use crate::repo::tracking::{self, StoredEvent};
use recourse_contracts_migration::{IDEMPOTENCY, OUTBOX};

pub use charges::{ChargesPatch, PromiseOverride};
pub use ingest::{BatchOutcome, IncomingEvent, Rejection, RejectionReason};
pub use measure::{Measure, MeasuredException};

/// A promise given at registration by an admin/internal caller.
#[derive(Debug, Clone)]
pub struct GivenPromise {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// A registration request, parsed (amounts in the currency the caller
/// wrote; the contract's is checked at registration).
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
    pub weight: Weight,
    pub dimensions: Option<Dimensions>,
    pub declared_value: Option<Money>,
    pub billed_charge: Option<Money>,
    pub billed_transportation: Option<Money>,
    pub invoice_date: Option<NaiveDate>,
    pub shipper_account: String,
    pub requested_services: Vec<String>,
    pub promised: Option<GivenPromise>,
    /// Whether the carriers service is asked (with the caller's token) that
    /// the carrier sells the service level. A 3PL cannot read the carriers
    /// registry: its shipment is checked against the contract in force,
    /// whose service levels the carriers service confirmed when written.
    pub check_with_carriers: bool,
    /// A return: the outbound shipment's id (`returns::link` checks it).
    pub return_of: Option<String>,
    /// The caller's 3PL account, when it is one: a 3PL returns only its
    /// own account's shipments.
    pub caller_account: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ShipmentBook {
    db: DatabaseConnection,
    carriers: CarrierDirectory,
    contracts: ContractBook,
    relay: Relay,
}

fn not_found(id: &str) -> ContractsError {
    ContractsError::NotFound {
        resource: "shipment",
        name: format!("shipments/{id}"),
    }
}

/// The contract's facts about a new shipment: amounts in its currency,
/// requested services among the card's accessorials.
fn check_against(new: &NewShipment, version: &ContractVersion) -> Result<(), ApiError> {
    let currency = version.terms.currency;
    let mut found = Vec::new();
    for (field, money) in [
        ("shipment.declared_value", new.declared_value),
        ("shipment.billed_charge", new.billed_charge),
        (
            "shipment.billed_transportation_charge",
            new.billed_transportation,
        ),
    ] {
        in_currency(&mut found, field, money, currency, "the contract's");
    }
    if let Some(v) = charges::transportation_beyond_total(
        "shipment.billed_transportation_charge",
        new.billed_transportation,
        new.billed_charge,
    ) {
        found.push(v);
    }
    let card = version.terms.rate_card(&new.service_level);
    for (i, code) in new.requested_services.iter().enumerate() {
        if card.is_some_and(|c| !c.accessorials.iter().any(|a| &a.code == code)) {
            found.push(Violation {
                field: format!("shipment.requested_services[{i}]"),
                description: format!("`{code}` is not an accessorial of {}", version.name()),
            });
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(ContractsError::Invalid(found).into())
    }
}

/// The promised delivery: given (an override), or computed from the SLA
/// terms of the version in force. Returns (promise, zone, overridden,
/// reason).
fn promise(
    new: &NewShipment,
    version: &ContractVersion,
) -> Result<(DateTime<Utc>, String, bool, String), ContractsError> {
    let zone = version
        .terms
        .rate_card(&new.service_level)
        .and_then(|c| c.zone_for(&new.origin, &new.destination).map(str::to_owned));
    if let Some(given) = &new.promised {
        return Ok((
            given.at,
            zone.unwrap_or_default(),
            true,
            given.reason.clone(),
        ));
    }
    let no_promise = |what: &str| ContractsError::NoTransitCommitment {
        version: version.name(),
        service_level: new.service_level.clone(),
        what: what.to_owned(),
    };
    let sla = version
        .terms
        .sla(&new.service_level)
        .ok_or_else(|| no_promise("has no SLA terms for"))?;
    let zone = zone.ok_or_else(|| no_promise("has no zone for this lane on"))?;
    let days = sla
        .transit_days(&zone)
        .ok_or_else(|| no_promise(&format!("has no transit days for zone {zone} on")))?;
    let zones = Zones {
        origin: new.origin_zone,
        destination: new.destination_zone,
    };
    let at = promised_delivery(&sla.calendar(), new.ship_time, zones, days, sla.commitment);
    Ok((at, zone, false, String::new()))
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

    /// RegisterShipment, once per key; the response is rendered by
    /// `render` in the transaction so a retry replays it.
    pub async fn register<R: prost::Message + Default>(
        &self,
        key: IdempotencyKey,
        token: Option<&str>,
        new: NewShipment,
        render: impl FnOnce(&ShipmentRecord) -> R,
    ) -> Result<R, ApiError> {
        if new.check_with_carriers {
            let carrier = self.carriers.carrier(token, &new.carrier_id).await?;
            if !carrier.sells(&new.service_level) {
                return Err(ContractsError::invalid(
                    "shipment.service_level",
                    format!(
                        "`{}` is not a service level of {}",
                        new.service_level, carrier.name
                    ),
                )
                .into());
            }
        }
        let ship_date = new.ship_time.with_timezone(&new.origin_zone).date_naive();
        let version = self.contracts.in_force(&new.carrier_id, ship_date).await?;
        if !new.check_with_carriers && !version.terms.covers(&new.service_level) {
            return Err(ContractsError::invalid(
                "shipment.service_level",
                format!(
                    "`{}` is not a service level of {}",
                    new.service_level,
                    version.name()
                ),
            )
            .into());
        }
        check_against(&new, &version)?;
        let mut new = new;
        let return_link = returns::link(&self.db, &mut new, &version).await?;
        let (promised_at, zone, promise_overridden, promise_override_reason) =
            promise(&new, &version)?;
        let record = ShipmentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            carrier_id: new.carrier_id,
            tracking_number: new.tracking_number,
            service_level: new.service_level,
            origin: new.origin,
            destination: new.destination,
            ship_time: new.ship_time,
            weight: new.weight,
            dimensions: new.dimensions,
            declared_value_minor: new.declared_value.map(|m| m.amount_minor()),
            billed_charge_minor: new.billed_charge.map(|m| m.amount_minor()),
            currency: version.terms.currency.as_str().to_owned(),
            promised_at,
            zone,
            contract_version: version.name(),
            delivered_at: None,
            created_at: Utc::now(),
            origin_time_zone: new.origin_zone.name().to_owned(),
            destination_time_zone: new.destination_zone.name().to_owned(),
            invoice_date: new.invoice_date,
            shipper_account: new.shipper_account,
            requested_services: new.requested_services,
            billed_transportation_minor: new.billed_transportation.map(|m| m.amount_minor()),
            promise_overridden,
            promise_override_reason,
            revision: 1,
            return_link,
        };
        let measured = measure::measure(&record, Some(&version), None, &[]);
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                repo::insert(txn, &record).await.map_err(|err| {
                    if is_unique_violation(&err) {
                        ContractsError::TrackingNumberTaken(record.tracking_number.clone()).into()
                    } else {
                        ApiError::from(err)
                    }
                })?;
                // Counted per local ship date for capacity (rate shopping,
                // the capacity plan): a tender beyond the day's allocation
                // is accepted and counted, never refused.
                crate::repo::shop::count_tender(
                    txn,
                    &record.carrier_id,
                    &record.service_level,
                    ship_date,
                )
                .await?;
                OUTBOX
                    .append(
                        txn,
                        events::shipment("shipment.registered", &record, None, &measured),
                    )
                    .await?;
                Ok(render(&record))
            })
            .await;
        self.relay.poke();
        result
    }

    /// The shipment and the kind of its latest event (one indexed row).
    pub async fn get(
        &self,
        id: &str,
        scope: &ShipmentScope,
    ) -> Result<(ShipmentRecord, Option<EventKind>), ApiError> {
        let record = self.find(id, scope).await?;
        let last = tracking::latest_type(&self.db, id).await?;
        Ok((record, last.as_deref().and_then(EventKind::parse)))
    }

    pub async fn find(&self, id: &str, scope: &ShipmentScope) -> Result<ShipmentRecord, ApiError> {
        repo::find(&self.db, id, scope)
            .await?
            .ok_or_else(|| not_found(id).into())
    }

    pub async fn list(
        &self,
        filter: &ShipmentFilter,
        page: &PageRequest,
    ) -> Result<(Vec<ShipmentRecord>, String), ApiError> {
        let rows = repo::list(&self.db, filter, page.after.as_deref(), page.fetch_limit()).await?;
        Ok(page.finish(rows, |s| s.id.clone()))
    }

    /// The shipment and its events in occurrence order.
    pub async fn events(
        &self,
        id: &str,
        scope: &ShipmentScope,
    ) -> Result<(ShipmentRecord, Vec<StoredEvent>), ApiError> {
        let record = self.find(id, scope).await?;
        let events = tracking::of_shipment(&self.db, id).await?;
        Ok((record, events))
    }
}
