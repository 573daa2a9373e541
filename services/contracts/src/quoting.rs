//! Rating at contracted prices (QuoteRate) and auditing billed charges
//! against them (AuditCharge), with the version in force on the date.

use recourse_contracts_domain::audit::{self, Audit, Billed};
use recourse_contracts_domain::rating::{Charge, Parcel, Quote, RateCard};
use recourse_contracts_domain::versions::ContractVersion;
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_units::Weight;
use sea_orm::DatabaseConnection;

use crate::contracts::ContractBook;
use crate::error::{ContractsError, in_currency};

const THE_CONTRACTS: &str = "the contract's";
use crate::repo::shipments::{self, ShipmentRecord, ShipmentScope};

/// The shipment's ship date in its origin's zone (UTC for rows registered
/// before zones existed): the date whose contract version applies.
pub fn local_ship_date(s: &ShipmentRecord) -> chrono::NaiveDate {
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

/// An invoice line as sent (amounts in whatever currency the caller
/// wrote; the contract's is checked here).
#[derive(Debug, Clone, Default)]
pub struct BilledInput {
    pub zone: Option<String>,
    pub billable_weight: Option<Weight>,
    pub base_charge: Option<Money>,
    pub surcharges: Vec<Charge>,
    pub total: Option<Money>,
}

/// What AuditCharge found.
#[derive(Debug, Clone)]
pub struct AuditResult {
    pub expected: Quote,
    pub version: String,
    pub billed_total: Money,
    pub audit: Audit,
}

#[derive(Debug, Clone)]
pub struct Quoting {
    db: DatabaseConnection,
    contracts: ContractBook,
}

/// The rate card of `service_level` in `version`.
fn card_for<'v>(
    version: &'v ContractVersion,
    service_level: &str,
) -> Result<&'v RateCard, ContractsError> {
    version
        .terms
        .rate_card(service_level)
        .ok_or_else(|| ContractsError::NoRateCard {
            version: version.name(),
            service_level: service_level.to_owned(),
        })
}

/// The contract's price of a shipment as tendered: the card of its
/// service level, the accessorials requested at tender that the card
/// sells. Whatever else a carrier bills shows up in an audit as a
/// surcharge discrepancy, flagged as not requested.
pub fn price_as_tendered(
    version: &ContractVersion,
    shipment: &ShipmentRecord,
) -> Result<Quote, ContractsError> {
    let card = card_for(version, &shipment.service_level)?;
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
    card.quote(&parcel)
        .map_err(|error| ContractsError::NotRated {
            version: version.name(),
            error,
        })
}

impl Quoting {
    pub fn new(db: DatabaseConnection, contracts: ContractBook) -> Self {
        Self { db, contracts }
    }

    /// QuoteRate: the quote and the version that priced it.
    pub async fn quote(&self, input: &QuoteInput) -> Result<(Quote, String), ApiError> {
        let version = self
            .contracts
            .in_force(&input.carrier_id, input.ship_date)
            .await?;
        let card = card_for(&version, &input.service_level)?;
        let quote = card
            .quote(&input.parcel)
            .map_err(|error| ContractsError::NotRated {
                version: version.name(),
                error,
            })?;
        Ok((quote, version.name()))
    }

    /// AuditCharge: the shipment (a carrier principal's `scope` sees only
    /// its carrier's) priced as tendered, compared with what was billed —
    /// the invoice line given, or the total recorded on the shipment.
    pub async fn audit(
        &self,
        shipment_id: &str,
        scope: Option<&str>,
        billed: Option<BilledInput>,
    ) -> Result<AuditResult, ApiError> {
        let scope = ShipmentScope {
            carrier_id: scope.map(str::to_owned),
            shipper_account: None,
        };
        let shipment = shipments::find(&self.db, shipment_id, &scope)
            .await?
            .ok_or_else(|| ContractsError::NotFound {
                resource: "shipment",
                name: format!("shipments/{shipment_id}"),
            })?;
        let version = self
            .contracts
            .in_force(&shipment.carrier_id, local_ship_date(&shipment))
            .await?;
        let billed = billed_of(billed, &shipment, version.terms.currency)?;
        let expected = price_as_tendered(&version, &shipment)?;
        let audit =
            audit::audit(&expected, &billed, &shipment.requested_services).map_err(|error| {
                ContractsError::Overflow {
                    version: version.name(),
                    error,
                }
            })?;
        Ok(AuditResult {
            expected,
            version: version.name(),
            billed_total: billed.total,
            audit,
        })
    }
}

/// The invoice line in the contract's currency, or the total recorded on
/// the shipment when none is given.
fn billed_of(
    billed: Option<BilledInput>,
    shipment: &ShipmentRecord,
    currency: Currency,
) -> Result<Billed, ApiError> {
    let Some(b) = billed else {
        let total = shipment
            .billed_charge_minor
            .ok_or_else(|| ContractsError::NothingBilled(format!("shipments/{}", shipment.id)))?;
        return Ok(Billed {
            zone: None,
            billable_weight: None,
            base_charge: None,
            surcharges: Vec::new(),
            total: Money::new(total, currency),
        });
    };
    let mut found = Vec::new();
    let total = in_currency(&mut found, "billed.total", b.total, currency, THE_CONTRACTS);
    let base_charge = in_currency(
        &mut found,
        "billed.base_charge",
        b.base_charge,
        currency,
        THE_CONTRACTS,
    );
    let mut surcharges = Vec::with_capacity(b.surcharges.len());
    for (i, c) in b.surcharges.into_iter().enumerate() {
        let field = format!("billed.surcharges[{i}].amount");
        if let Some(amount) =
            in_currency(&mut found, &field, Some(c.amount), currency, THE_CONTRACTS)
        {
            surcharges.push(Charge {
                code: c.code,
                amount,
            });
        }
    }
    if !found.is_empty() {
        return Err(ContractsError::Invalid(found).into());
    }
    Ok(Billed {
        zone: b.zone,
        billable_weight: b.billable_weight,
        base_charge,
        surcharges,
        total: total.ok_or_else(|| ContractsError::invalid("billed.total", "is required"))?,
    })
}
