//! Forecasts (one, or a CSV of them) and the capacity plan (rules:
//! `recourse_contracts_domain::capacity`, docs/rules.md "Tenders and
//! capacity"). A plan reads the carriers in force over its weeks, their
//! forecasts and daily tenders (one query each, bounded by carriers ×
//! weeks) and their standings from the carriers service.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use recourse_contracts_domain::capacity::{
    CarrierWeek, acceptance_bp, carrier_week, place_overflow, week_start,
};
use recourse_platform::ApiError;
use sea_orm::{DatabaseConnection, TransactionTrait as _};

use crate::carriers::{CarrierDirectory, CarrierStanding, Standing};
use crate::error::ContractsError;
use crate::repo::shop as repo;

/// A forecast to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewForecast {
    pub carrier_id: String,
    pub service_level: String,
    /// The Monday of its ISO week.
    pub week_start: NaiveDate,
    pub parcels: u32,
}

/// Bad rows of an import: the first `limit` listed by line, the rest
/// counted.
#[derive(Debug, Clone, Default)]
pub struct RowErrors {
    pub listed: Vec<(u64, String)>,
    pub more: u64,
    pub limit: usize,
}

impl RowErrors {
    pub fn new(limit: usize) -> Self {
        Self {
            listed: Vec::new(),
            more: 0,
            limit,
        }
    }

    pub fn push(&mut self, line: u64, message: impl Into<String>) {
        if self.listed.len() < self.limit {
            self.listed.push((line, message.into()));
        } else {
            self.more += 1;
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub rows: u64,
    pub recorded: u64,
    pub errors: RowErrors,
}

/// Tender acceptance of one carrier over the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub carrier_id: String,
    pub tendered: u64,
    pub accepted: u64,
    pub acceptance_bp: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: Vec<CarrierWeek>,
    pub acceptance: Vec<Acceptance>,
}

#[derive(Debug, Clone)]
pub struct Planner {
    db: DatabaseConnection,
    carriers: CarrierDirectory,
}

/// Why a forecast's carrier or service level cannot be planned, if so.
fn refusal(standing: Option<&CarrierStanding>, f: &NewForecast) -> Option<(&'static str, String)> {
    match standing {
        None
        | Some(CarrierStanding {
            status: Standing::Unknown,
            ..
        }) => Some(("carrier", format!("carriers/{} not found", f.carrier_id))),
        Some(s) if !s.service_levels.contains(&f.service_level) => Some((
            "service_level",
            format!(
                "`{}` is not a service level of carriers/{}",
                f.service_level, f.carrier_id
            ),
        )),
        Some(_) => None,
    }
}

impl Planner {
    pub fn new(db: DatabaseConnection, carriers: CarrierDirectory) -> Self {
        Self { db, carriers }
    }

    /// RecordForecast: the carrier must sell the service level.
    pub async fn record(
        &self,
        token: Option<&str>,
        f: NewForecast,
    ) -> Result<DateTime<Utc>, ApiError> {
        let standings = self
            .carriers
            .standings(token, std::slice::from_ref(&f.carrier_id))
            .await?;
        match refusal(standings.first(), &f) {
            Some(("carrier", _)) => {
                return Err(ContractsError::NotFound {
                    resource: "carrier",
                    name: format!("carriers/{}", f.carrier_id),
                }
                .into());
            }
            Some((field, message)) => {
                return Err(ContractsError::invalid(format!("forecast.{field}"), message).into());
            }
            None => {}
        }
        let at = Utc::now();
        repo::put_forecast(
            &self.db,
            &f.carrier_id,
            &f.service_level,
            f.week_start,
            i64::from(f.parcels),
            at,
        )
        .await?;
        Ok(at)
    }

    /// ImportForecasts: rows parsed by `convert`, each carrier asked of the
    /// carriers service once; the good rows recorded in one transaction
    /// (a later row of the same carrier × level × week wins, as a later
    /// RecordForecast would).
    pub async fn import(
        &self,
        token: Option<&str>,
        rows: u64,
        parsed: Vec<(u64, NewForecast)>,
        mut errors: RowErrors,
    ) -> Result<ImportOutcome, ApiError> {
        let ids: Vec<String> = parsed
            .iter()
            .map(|(_, f)| f.carrier_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let standings = self.carriers.standings(token, &ids).await?;
        let by_id: HashMap<&str, &CarrierStanding> =
            standings.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut good = Vec::with_capacity(parsed.len());
        for (line, f) in parsed {
            match refusal(by_id.get(f.carrier_id.as_str()).copied(), &f) {
                Some((column, message)) => errors.push(line, format!("{column}: {message}")),
                None => good.push(f),
            }
        }
        let at = Utc::now();
        let txn = self.db.begin().await?;
        for f in &good {
            repo::put_forecast(
                &txn,
                &f.carrier_id,
                &f.service_level,
                f.week_start,
                i64::from(f.parcels),
                at,
            )
            .await?;
        }
        txn.commit().await?;
        errors.listed.sort_by_key(|(line, _)| *line);
        Ok(ImportOutcome {
            rows,
            recorded: u64::try_from(good.len()).unwrap_or(u64::MAX),
            errors,
        })
    }

    /// GetCapacityPlan over the ISO weeks touching [from, to], as `scope`
    /// (a carrier principal's carrier) may see it.
    pub async fn plan(
        &self,
        token: Option<&str>,
        scope: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Plan, ApiError> {
        let first = week_start(from);
        let last = week_start(to);
        let last_day = last.checked_add_days(Days::new(6)).unwrap_or(last);
        let own = scope.map(|c| vec![c.to_owned()]);
        let in_force = repo::carriers_in_force_between(&self.db, first, last_day, scope).await?;
        let forecasts = repo::forecasts_between(&self.db, first, last, scope).await?;
        let tenders = repo::tenders_between(&self.db, own.as_deref(), first, last_day).await?;
        let ids: Vec<String> = in_force
            .into_iter()
            .chain(forecasts.iter().map(|f| f.carrier_id.clone()))
            .chain(tenders.iter().map(|t| t.carrier_id.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let standings = self.carriers.standings(token, &ids).await?;
        let mut forecast: HashMap<(&str, NaiveDate), u64> = HashMap::new();
        for f in &forecasts {
            *forecast
                .entry((f.carrier_id.as_str(), f.week_start))
                .or_default() += u64::try_from(f.parcels).unwrap_or(0);
        }
        let mut tendered: HashMap<(&str, NaiveDate), [u64; 7]> = HashMap::new();
        for t in &tenders {
            let monday = week_start(t.ship_date);
            let day = usize::try_from((t.ship_date - monday).num_days()).unwrap_or(0);
            if let Some(slot) = tendered
                .entry((t.carrier_id.as_str(), monday))
                .or_default()
                .get_mut(day)
            {
                *slot += u64::try_from(t.tendered).unwrap_or(0);
            }
        }
        let mut weeks = Vec::new();
        let mut monday = first;
        while monday <= last {
            for s in &standings {
                let key = (s.id.as_str(), monday);
                weeks.push(carrier_week(
                    &s.id,
                    monday,
                    &s.capacity,
                    forecast.get(&key).copied().unwrap_or(0),
                    tendered.get(&key).copied().unwrap_or_default(),
                    s.status == Standing::Active,
                ));
            }
            monday = monday
                .checked_add_days(Days::new(7))
                .unwrap_or(NaiveDate::MAX);
        }
        let regions: HashMap<&str, &[String]> = standings
            .iter()
            .map(|s| (s.id.as_str(), s.regions.as_slice()))
            .collect();
        place_overflow(&mut weeks, |c| regions.get(c).copied().unwrap_or(&[]));
        let acceptance = standings
            .iter()
            .map(|s| {
                let mine = weeks.iter().filter(|w| w.carrier_id == s.id);
                let (tendered, accepted) =
                    mine.fold((0u64, 0u64), |(t, a), w| (t + w.tendered, a + w.accepted));
                Acceptance {
                    carrier_id: s.id.clone(),
                    tendered,
                    accepted,
                    acceptance_bp: acceptance_bp(accepted, tendered),
                }
            })
            .collect();
        Ok(Plan {
            from,
            to,
            weeks,
            acceptance,
        })
    }
}
