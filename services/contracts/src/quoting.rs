//! Rating at contracted prices (QuoteRate) and auditing billed charges
//! against them (AuditCharge).

use recourse_contracts_domain::audit::{self, Billed, Cause};
use recourse_contracts_domain::rating::{self, Parcel, RateCard, RatingError};
use recourse_money::{Currency, Money};
use recourse_platform::auth::Principal;
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;
use recourse_units::Weight;
use sea_orm::DatabaseConnection;

use crate::api::ensure_carrier;
use crate::contracts::ContractBook;
use crate::convert::common::{
    carrier_id, date, dimensions, money, money_to_proto, resource_id, version_resource_name,
    weight, weight_to_proto,
};
use crate::convert::terms;
use crate::repo::contracts::VersionRecord;
use crate::repo::shipments;

/// The shipment's ship date in its origin's zone (UTC for rows registered
/// before zones existed): the date whose contract version applies.
pub fn local_ship_date(s: &shipments::ShipmentRecord) -> chrono::NaiveDate {
    let zone = recourse_contracts_domain::promise::parse_zone(&s.origin_time_zone)
        .unwrap_or(chrono_tz::UTC);
    s.ship_time.with_timezone(&zone).date_naive()
}

/// A parsed QuoteRate request.
#[derive(Debug, Clone)]
pub struct QuoteInput {
    pub carrier_id: String,
    pub service_level: String,
    pub parcel: Parcel,
    pub ship_date: chrono::NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Quoting {
    db: DatabaseConnection,
    contracts: ContractBook,
}

fn rating_error(err: RatingError, version: &str) -> ApiError {
    let message = err.to_string();
    match err {
        RatingError::NoZone { .. } => ApiError::FailedPrecondition {
            kind: "NO_ZONE",
            subject: version.to_owned(),
            message: format!("{version}: {message}"),
        },
        RatingError::NoRatesForZone(_) | RatingError::WeightBeyondCard { .. } => {
            ApiError::FailedPrecondition {
                kind: "NOT_RATED",
                subject: version.to_owned(),
                message: format!("{version}: {message}"),
            }
        }
        RatingError::UnknownAccessorial(_) => ApiError::invalid("accessorials", message),
        RatingError::InvalidParcel(_) | RatingError::Unit(_) => {
            ApiError::invalid("weight", message)
        }
        RatingError::Money(_) => {
            ApiError::invalid("weight", format!("the charge overflows: {message}"))
        }
    }
}

/// The domain rate card for a service level of a stored version.
fn card_for(
    version: &VersionRecord,
    service_level: &str,
) -> Result<(RateCard, Currency, String), ApiError> {
    let name = version_resource_name(&version.contract_id, version.version);
    let currency = Currency::parse(&version.terms.currency_code).map_err(ApiError::internal)?;
    let card = version
        .terms
        .rate_cards
        .iter()
        .find(|c| c.service_level == service_level)
        .ok_or_else(|| ApiError::FailedPrecondition {
            kind: "NO_RATE_CARD",
            subject: name.clone(),
            message: format!("{name} has no rate card for service level {service_level}"),
        })?;
    let card = terms::rate_card(&mut Violations::new(), "", card, currency).ok_or_else(|| {
        ApiError::internal(format!("stored rate card of {name} does not validate"))
    })?;
    Ok((card, currency, name))
}

pub fn quote_to_proto(q: &rating::Quote, version: &str) -> pb::Quote {
    pb::Quote {
        zone: q.zone.clone(),
        billable_weight: Some(weight_to_proto(q.billable_weight)),
        actual_weight: Some(weight_to_proto(q.actual_weight)),
        dimensional_weight: q.dimensional_weight.map(weight_to_proto),
        base_charge: Some(money_to_proto(q.base_charge)),
        surcharges: q.surcharges.iter().map(charge_to_proto).collect(),
        total: Some(money_to_proto(q.total)),
        contract_version: version.to_owned(),
        minimum_applied: q.minimum_applied,
    }
}

fn charge_to_proto(c: &rating::Charge) -> pb::Charge {
    pb::Charge {
        code: c.code.clone(),
        amount: Some(money_to_proto(c.amount)),
    }
}

fn cause_to_proto(c: Cause) -> pb::DiscrepancyCause {
    match c {
        Cause::Weight => pb::DiscrepancyCause::Weight,
        Cause::Zone => pb::DiscrepancyCause::Zone,
        Cause::Surcharge => pb::DiscrepancyCause::Surcharge,
        Cause::BaseRate => pb::DiscrepancyCause::BaseRate,
        Cause::Total => pb::DiscrepancyCause::Total,
        Cause::UnrequestedAccessorial => pb::DiscrepancyCause::UnrequestedAccessorial,
    }
}

impl Quoting {
    pub fn new(db: DatabaseConnection, contracts: ContractBook) -> Self {
        Self { db, contracts }
    }

    pub fn parse_quote(&self, r: &pb::QuoteRateRequest) -> Result<QuoteInput, ApiError> {
        let mut v = Violations::new();
        let carrier = carrier_id(&mut v, "carrier", &r.carrier);
        v.check(!r.service_level.is_empty(), "service_level", "is required");
        v.check(
            !r.origin_postal_code.is_empty(),
            "origin_postal_code",
            "is required",
        );
        v.check(
            !r.destination_postal_code.is_empty(),
            "destination_postal_code",
            "is required",
        );
        let w = weight(&mut v, "weight", r.weight.as_ref());
        let dims = dimensions(&mut v, "dimensions", r.dimensions.as_ref());
        let ship_date = date(&mut v, "ship_date", r.ship_date.as_ref());
        if let Some(declared) = &r.declared_value {
            money(&mut v, "declared_value", Some(declared), None, false);
        }
        v.into_result()?;
        let (Some(carrier_id), Some(weight), Some(dimensions), Some(ship_date)) =
            (carrier, w, dims, ship_date)
        else {
            return Err(ApiError::invalid("request", "is invalid"));
        };
        Ok(QuoteInput {
            carrier_id,
            service_level: r.service_level.clone(),
            parcel: Parcel {
                origin: r.origin_postal_code.clone(),
                destination: r.destination_postal_code.clone(),
                weight,
                dimensions,
                accessorials: r.accessorials.clone(),
            },
            ship_date,
        })
    }

    pub async fn quote(&self, input: &QuoteInput) -> Result<pb::Quote, ApiError> {
        let version = self
            .contracts
            .in_force(&input.carrier_id, input.ship_date)
            .await?;
        let (card, _, name) = card_for(&version, &input.service_level)?;
        let quote = card
            .quote(&input.parcel)
            .map_err(|e| rating_error(e, &name))?;
        Ok(quote_to_proto(&quote, &name))
    }

    pub async fn audit(
        &self,
        caller: &Principal,
        r: &pb::AuditChargeRequest,
    ) -> Result<pb::ChargeAudit, ApiError> {
        let mut v = Violations::new();
        let id = resource_id(&mut v, "shipment", "shipments", &r.shipment);
        v.into_result()?;
        let id = id.ok_or_else(|| ApiError::invalid("shipment", "is invalid"))?;
        let shipment = shipments::find(&self.db, &id)
            .await?
            .ok_or_else(|| ApiError::NotFound {
                resource: "shipment",
                name: format!("shipments/{id}"),
            })?;
        ensure_carrier(caller, &shipment.carrier_id)?;
        let version = self
            .contracts
            .in_force(&shipment.carrier_id, local_ship_date(&shipment))
            .await?;
        let (card, currency, name) = card_for(&version, &shipment.service_level)?;
        let billed = self.billed(r.billed.as_ref(), &shipment, currency)?;
        // The contract prices what was requested at tender; whatever else
        // the carrier billed shows up as a surcharge discrepancy and is
        // flagged as not requested.
        let accessorials: Vec<String> = shipment
            .requested_services
            .iter()
            .filter(|code| card.accessorials.iter().any(|a| &a.code == *code))
            .cloned()
            .collect();
        let parcel = Parcel {
            origin: shipment.origin.clone(),
            destination: shipment.destination.clone(),
            weight: shipment.weight,
            dimensions: shipment.dimensions,
            accessorials,
        };
        let expected = card.quote(&parcel).map_err(|e| rating_error(e, &name))?;
        let result = audit::audit(&expected, &billed, &shipment.requested_services)
            .map_err(|e| ApiError::invalid("billed", e.to_string()))?;
        Ok(pb::ChargeAudit {
            expected: Some(quote_to_proto(&expected, &name)),
            billed_total: Some(money_to_proto(billed.total)),
            difference: Some(money_to_proto(result.difference)),
            discrepancies: result
                .discrepancies
                .iter()
                .map(|d| pb::Discrepancy {
                    cause: cause_to_proto(d.cause).into(),
                    code: d.code.clone(),
                    expected: d.expected.clone(),
                    billed: d.billed.clone(),
                    difference: d.difference.map(money_to_proto),
                })
                .collect(),
        })
    }

    /// The invoice line from the request, or the total recorded on the shipment.
    fn billed(
        &self,
        billed: Option<&pb::BilledCharge>,
        shipment: &shipments::ShipmentRecord,
        currency: Currency,
    ) -> Result<Billed, ApiError> {
        let Some(b) = billed else {
            let total =
                shipment
                    .billed_charge_minor
                    .ok_or_else(|| ApiError::FailedPrecondition {
                        kind: "NOTHING_BILLED",
                        subject: format!("shipments/{}", shipment.id),
                        message: "the shipment has no billed charge; send `billed`".into(),
                    })?;
            return Ok(Billed {
                zone: None,
                billable_weight: None,
                base_charge: None,
                surcharges: Vec::new(),
                total: Money::new(total, currency),
            });
        };
        let mut v = Violations::new();
        let total = money(
            &mut v,
            "billed.total",
            b.total.as_ref(),
            Some(currency),
            false,
        );
        let base = b
            .base_charge
            .as_ref()
            .and_then(|m| money(&mut v, "billed.base_charge", Some(m), Some(currency), false));
        let billable_weight: Option<Weight> = b
            .billable_weight
            .as_ref()
            .and_then(|w| weight(&mut v, "billed.billable_weight", Some(w)));
        let mut surcharges = Vec::new();
        for (i, c) in b.surcharges.iter().enumerate() {
            v.check(
                !c.code.is_empty(),
                format!("billed.surcharges[{i}].code"),
                "is required",
            );
            if let Some(amount) = money(
                &mut v,
                &format!("billed.surcharges[{i}].amount"),
                c.amount.as_ref(),
                Some(currency),
                true,
            ) {
                surcharges.push(rating::Charge {
                    code: c.code.clone(),
                    amount,
                });
            }
        }
        v.into_result()?;
        Ok(Billed {
            zone: (!b.zone.is_empty()).then(|| b.zone.clone()),
            billable_weight,
            base_charge: base,
            surcharges,
            total: total.ok_or_else(|| ApiError::invalid("billed.total", "is required"))?,
        })
    }
}
