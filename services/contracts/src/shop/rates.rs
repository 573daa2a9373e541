//! ShopRates: every carrier with a version in force on the ship date, and
//! every service level of its terms that serves the lane, quoted and ranked
//! (rules: `recourse_contracts_domain::shop`, docs/rules.md "Rate
//! shopping").

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use recourse_contracts_domain::promise::{Zones, local_date, promised_delivery, resolve_local};
use recourse_contracts_domain::rating::{Parcel, Quote, RatingError};
use recourse_contracts_domain::shop::{
    OnTimeRecord, PeriodOnTime, on_time_record, on_time_window, rank_key,
};
use recourse_contracts_domain::versions::ContractVersion;
use recourse_platform::ApiError;
use sea_orm::DatabaseConnection;

use super::standings::Standings;
use crate::carriers::{CarrierDirectory, CarrierStanding, Standing};
use crate::convert::shop::period_on_time;
use crate::error::ContractsError;
use crate::repo::shop as repo;

/// A parsed ShopRates request.
#[derive(Debug, Clone)]
pub struct ShopInput {
    /// Origin, destination, weight, dimensions and the requested services
    /// (as accessorials).
    pub parcel: Parcel,
    pub ship_date: NaiveDate,
    pub deliver_by: Option<NaiveDate>,
    pub guaranteed_only: bool,
    pub zones: Zones,
}

/// One quoted carrier × service level.
#[derive(Debug, Clone)]
pub struct ShopOption {
    pub rank: u32,
    pub carrier_id: String,
    pub service_level: String,
    pub quote: Quote,
    pub version: String,
    pub promise: Option<DateTime<Utc>>,
    /// The promise's date in the destination's zone.
    pub promise_date: Option<NaiveDate>,
    pub meets_deliver_by: bool,
    pub guaranteed: bool,
    pub on_time: OnTimeRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnavailableReason {
    CarrierSuspended,
    CarrierNotActive,
    CapacityExhausted,
    LaneNotServed,
    ServiceNotOffered,
}

/// A carrier (no service level) or one of its service levels that cannot
/// take the shipment, and why.
#[derive(Debug, Clone)]
pub struct Unavailable {
    pub carrier_id: String,
    pub service_level: Option<String>,
    pub reason: UnavailableReason,
    pub detail: String,
    pub version: String,
}

#[derive(Debug, Clone)]
pub struct ShopResult {
    pub options: Vec<ShopOption>,
    pub unavailable: Vec<Unavailable>,
    pub carriers_considered: u32,
}

#[derive(Debug, Clone)]
pub struct RateShop {
    db: DatabaseConnection,
    standings: Standings,
}

/// Why a carrier as a whole cannot take the shipment on the ship date.
fn carrier_refusal(
    standing: Option<&CarrierStanding>,
    tendered: u64,
    ship_date: NaiveDate,
) -> Option<(UnavailableReason, String)> {
    let Some(s) = standing else {
        return Some((
            UnavailableReason::CarrierNotActive,
            "is not in the carriers registry".to_owned(),
        ));
    };
    match s.status {
        Standing::Suspended => {
            return Some((
                UnavailableReason::CarrierSuspended,
                "is suspended".to_owned(),
            ));
        }
        Standing::NotActive(why) => {
            return Some((UnavailableReason::CarrierNotActive, why.to_owned()));
        }
        Standing::Unknown => {
            return Some((
                UnavailableReason::CarrierNotActive,
                "is not in the carriers registry".to_owned(),
            ));
        }
        Standing::Active => {}
    }
    let allocation = s.capacity.allocation_on(ship_date)?;
    s.capacity.exhausted_on(ship_date, tendered).then(|| {
        (
            UnavailableReason::CapacityExhausted,
            format!("{tendered} parcels tendered for {ship_date}; the allocation is {allocation}"),
        )
    })
}

impl RateShop {
    pub fn new(db: DatabaseConnection, carriers: CarrierDirectory) -> Self {
        Self {
            db,
            standings: Standings::new(carriers),
        }
    }

    /// ShopRates as `scope` (a carrier principal's carrier) may see it,
    /// the carriers service asked with the caller's `token`.
    pub async fn shop(
        &self,
        token: Option<&str>,
        scope: Option<&str>,
        input: &ShopInput,
        today: NaiveDate,
    ) -> Result<ShopResult, ApiError> {
        let versions = repo::in_force_on(&self.db, input.ship_date, scope).await?;
        let ids: Vec<String> = versions.iter().map(|v| v.carrier_id.clone()).collect();
        let window = on_time_window(input.ship_date, today);
        let (standings, tenders, evaluations) = tokio::try_join!(
            self.standings.of(token, &ids),
            async {
                repo::tenders_between(&self.db, Some(&ids), input.ship_date, input.ship_date)
                    .await
                    .map_err(ApiError::from)
            },
            async {
                repo::evaluations_between(&self.db, &ids, window.0, window.1)
                    .await
                    .map_err(ApiError::from)
            },
        )?;
        let standings: HashMap<&str, &CarrierStanding> =
            standings.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut tendered: HashMap<&str, u64> = HashMap::new();
        for t in &tenders {
            *tendered.entry(t.carrier_id.as_str()).or_default() +=
                u64::try_from(t.tendered).unwrap_or(0);
        }
        let mut periods: HashMap<(String, String), Vec<PeriodOnTime>> = HashMap::new();
        for row in &evaluations {
            if let Some(p) = period_on_time(&row.body)? {
                periods
                    .entry((row.carrier_id.clone(), row.service_level.clone()))
                    .or_default()
                    .push(p);
            }
        }
        let mut result = ShopResult {
            options: Vec::new(),
            unavailable: Vec::new(),
            carriers_considered: u32::try_from(versions.len()).unwrap_or(u32::MAX),
        };
        for version in &versions {
            let id = version.carrier_id.as_str();
            let count = tendered.get(id).copied().unwrap_or(0);
            if let Some((reason, detail)) =
                carrier_refusal(standings.get(id).copied(), count, input.ship_date)
            {
                result.unavailable.push(Unavailable {
                    carrier_id: id.to_owned(),
                    service_level: None,
                    reason,
                    detail,
                    version: version.name(),
                });
                continue;
            }
            self.quote_levels(version, input, window, &periods, &mut result)?;
        }
        fn key(o: &ShopOption) -> impl Ord + '_ {
            rank_key(o.quote.total, o.promise, &o.carrier_id, &o.service_level)
        }
        result.options.sort_by(|a, b| key(a).cmp(&key(b)));
        for (i, option) in result.options.iter_mut().enumerate() {
            option.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        Ok(result)
    }

    /// The options (or reasons) of every service level of `version`.
    fn quote_levels(
        &self,
        version: &ContractVersion,
        input: &ShopInput,
        window: (NaiveDate, NaiveDate),
        periods: &HashMap<(String, String), Vec<PeriodOnTime>>,
        out: &mut ShopResult,
    ) -> Result<(), ApiError> {
        let handover = resolve_local(input.zones.origin, input.ship_date.and_time(NaiveTime::MIN));
        for card in &version.terms.rate_cards {
            let level = card.service_level.as_str();
            let sla = version.terms.sla(level);
            let guaranteed = sla.is_some_and(|s| s.guaranteed);
            if input.guaranteed_only && !guaranteed {
                continue;
            }
            let unavailable = |reason, detail: String| Unavailable {
                carrier_id: version.carrier_id.clone(),
                service_level: Some(level.to_owned()),
                reason,
                detail,
                version: version.name(),
            };
            let missing: Vec<&str> = input
                .parcel
                .accessorials
                .iter()
                .filter(|code| !card.accessorials.iter().any(|a| &a.code == *code))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                out.unavailable.push(unavailable(
                    UnavailableReason::ServiceNotOffered,
                    format!("does not offer {}", missing.join(", ")),
                ));
                continue;
            }
            let quote = match card.quote(&input.parcel) {
                Ok(quote) => quote,
                Err(
                    error @ (RatingError::NoZone { .. }
                    | RatingError::NoRatesForZone(_)
                    | RatingError::WeightBeyondCard { .. }
                    | RatingError::Money(_)),
                ) => {
                    out.unavailable.push(unavailable(
                        UnavailableReason::LaneNotServed,
                        error.to_string(),
                    ));
                    continue;
                }
                // The parcel itself is at fault: the request's error.
                Err(
                    error @ (RatingError::UnknownAccessorial(_)
                    | RatingError::InvalidWeight(_)
                    | RatingError::WeightOverflow
                    | RatingError::InvalidDimensions
                    | RatingError::DimensionsOverflow),
                ) => {
                    return Err(ContractsError::NotRated {
                        version: version.name(),
                        error,
                    }
                    .into());
                }
            };
            let promise = sla.and_then(|s| {
                let days = s.transit_days(&quote.zone)?;
                Some(promised_delivery(
                    &s.calendar(),
                    handover,
                    input.zones,
                    days,
                    s.commitment,
                ))
            });
            let promise_date = promise.map(|p| local_date(p, input.zones.destination));
            let meets_deliver_by = match (input.deliver_by, promise_date) {
                (None, _) => true,
                (Some(by), Some(date)) => date <= by,
                (Some(_), None) => false,
            };
            let key = (version.carrier_id.clone(), level.to_owned());
            let on_time = on_time_record(window, periods.get(&key).into_iter().flatten().copied());
            out.options.push(ShopOption {
                rank: 0,
                carrier_id: version.carrier_id.clone(),
                service_level: level.to_owned(),
                quote,
                version: version.name(),
                promise,
                promise_date,
                meets_deliver_by,
                guaranteed,
                on_time,
            });
        }
        Ok(())
    }
}
