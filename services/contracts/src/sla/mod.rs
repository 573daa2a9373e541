//! SLA evaluation and refund candidates.
//!
//! An evaluation measures every shipment of the carrier and service level
//! handed over in the period (by local ship date) as of an instant, each
//! against the version in force on its own ship date, and stores the result
//! with the versions and definitions it used (rules on `evaluate`). The claims rate needs claim counts from the claims
//! service; until it reports them ([`ClaimCounts`]) the KPI is "not measured".

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

mod proto;
mod refunds;

pub use refunds::fingerprint as refund_fingerprint;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use prost::Message as _;
use recourse_contracts_domain::calendar::{Period, period_bounds};
use recourse_contracts_domain::sla::{self as math, ExceptionFact, ShipmentFacts};
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use recourse_proto::contracts as pb;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::contracts::ContractBook;
use crate::convert::common::version_resource_name;
use crate::convert::sla_terms::{self, Sla};
use crate::events::{Data, new_event};
use crate::quoting::local_ship_date;
use crate::repo::contracts::{self as repo_contracts, VersionRecord};
use crate::repo::{evaluations, shipments, tracking};
use recourse_contracts_migration::OUTBOX;

type CountFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<u32>, ApiError>> + Send + 'a>>;

/// Where claim counts come from. The claims service will implement this;
/// until then [`NotYetAvailable`] answers "unknown".
pub trait ClaimCounts: Send + Sync + std::fmt::Debug {
    fn count<'a>(
        &'a self,
        carrier_id: &'a str,
        service_level: &'a str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> CountFuture<'a>;
}

#[derive(Debug, Clone, Copy)]
pub struct NotYetAvailable;

impl ClaimCounts for NotYetAvailable {
    fn count<'a>(&'a self, _: &'a str, _: &'a str, _: NaiveDate, _: NaiveDate) -> CountFuture<'a> {
        Box::pin(async { Ok(None) })
    }
}

fn period_name(p: Period) -> &'static str {
    match p {
        Period::Weekly => "weekly",
        Period::Monthly => "monthly",
    }
}

fn start_of(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// The SLA terms of `level` in a stored version.
fn sla_terms_of<'a>(v: &'a VersionRecord, level: &str) -> Option<&'a pb::SlaTerms> {
    v.terms.sla_terms.iter().find(|s| s.service_level == level)
}

/// Shipments (with their events) read and measured at a time.
const SLA_CHUNK: u64 = 500;

fn overflow(version: &str, e: recourse_money::MoneyError) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "EVALUATION_OVERFLOW",
        subject: version.to_owned(),
        message: e.to_string(),
    }
}

fn no_sla_terms(version: &str, level: &str) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "NO_SLA_TERMS",
        subject: version.to_owned(),
        message: format!("{version} has no SLA terms for service level {level}"),
    }
}

#[derive(Debug, Clone)]
pub struct SlaDesk {
    db: DatabaseConnection,
    contracts: ContractBook,
    relay: Relay,
    claims: Arc<dyn ClaimCounts>,
}

impl SlaDesk {
    pub fn new(
        db: DatabaseConnection,
        contracts: ContractBook,
        relay: Relay,
        claims: Arc<dyn ClaimCounts>,
    ) -> Self {
        Self {
            db,
            contracts,
            relay,
            claims,
        }
    }

    /// Evaluates the period containing `period_date` as of `as_of`:
    /// - the period (weekly/monthly) comes from the version in force on
    ///   `period_date`; targets, credits and the stored `contract_version`
    ///   from the version in force on the period's **last** day (the
    ///   `period_date` version if none is), so any day of the period gives
    ///   the same answer; versions disagreeing on the period kind inside one
    ///   period are refused;
    /// - a shipment belongs to the period of its local ship date (origin
    ///   zone) and is measured with the metric definition and excusable
    ///   codes of the version in force on that date.
    pub async fn evaluate(
        &self,
        carrier_id: &str,
        service_level: &str,
        period_date: NaiveDate,
        as_of: DateTime<Utc>,
    ) -> Result<pb::SlaEvaluation, ApiError> {
        let anchor = self.contracts.in_force(carrier_id, period_date).await?;
        let anchor_name = version_resource_name(&anchor.contract_id, anchor.version);
        let currency = Currency::parse(&anchor.terms.currency_code).map_err(ApiError::internal)?;
        let anchor_terms = sla_terms_of(&anchor, service_level)
            .ok_or_else(|| no_sla_terms(&anchor_name, service_level))?;
        let period = sla_terms::sla(anchor_terms, currency).period;
        let (first, last) = period_bounds(period, period_date);
        let target = match self.contracts.in_force(carrier_id, last).await {
            Ok(v) => v,
            Err(ApiError::FailedPrecondition { .. }) => anchor.clone(),
            Err(other) => return Err(other),
        };
        let version_name = version_resource_name(&target.contract_id, target.version);
        let target_terms = sla_terms_of(&target, service_level)
            .ok_or_else(|| no_sla_terms(&version_name, service_level))?;
        let sla = sla_terms::sla(target_terms, currency);
        if sla.period != period {
            return Err(ApiError::FailedPrecondition {
                kind: "PERIOD_CHANGES",
                subject: version_name,
                message: format!(
                    "{anchor_name} and {} measure {service_level} over different periods; evaluate a day after the change",
                    version_resource_name(&target.contract_id, target.version)
                ),
            });
        }
        let claims = self
            .claims
            .count(carrier_id, service_level, first, last)
            .await?;

        let txn = self.db.begin().await?;
        let versions = repo_contracts::versions_covering(&txn, carrier_id, first, last).await?;
        // Local dates reach up to 14 h either side of UTC's.
        let window = (
            start_of(first) - Duration::days(1),
            start_of(last) + Duration::days(2),
        );
        let mut measured_with = std::collections::BTreeSet::new();
        let mut rules: HashMap<String, Sla> = HashMap::new();
        let mut tally = math::Tally::new(as_of, currency);
        let mut after: Option<(DateTime<Utc>, String)> = None;
        // The period is read in chunks of SLA_CHUNK shipments (with their
        // events) and measured into the tally: memory stays bounded
        // whatever the period holds.
        loop {
            let chunk = shipments::shipped_between(
                &txn,
                carrier_id,
                service_level,
                window,
                after.as_ref().map(|(at, id)| (*at, id.as_str())),
                SLA_CHUNK,
            )
            .await?;
            let Some(last_row) = chunk.last() else { break };
            after = Some((last_row.ship_time, last_row.id.clone()));
            let exhausted = (chunk.len() as u64) < SLA_CHUNK;
            let shipped: Vec<_> = chunk
                .into_iter()
                .filter(|s| {
                    let d = local_ship_date(s);
                    first <= d && d <= last
                })
                .collect();
            let ids: Vec<String> = shipped.iter().map(|s| s.id.clone()).collect();
            let events = tracking::of_shipments(&txn, &ids).await?;
            for s in &shipped {
                let date = local_ship_date(s);
                let own_version = versions.iter().find(|v| v.span.covers(date));
                let own_terms = own_version.and_then(|v| {
                    let terms = sla_terms_of(v, service_level)?;
                    Some((version_resource_name(&v.contract_id, v.version), terms))
                });
                let key = own_terms
                    .as_ref()
                    .map_or_else(|| version_name.clone(), |(n, _)| n.clone());
                let rule = rules
                    .entry(key.clone())
                    .or_insert_with(|| match &own_terms {
                        Some((_, terms)) => sla_terms::sla(terms, currency),
                        None => sla.clone(),
                    });
                measured_with.insert(key);
                let own = events.get(&s.id).map(Vec::as_slice).unwrap_or_default();
                tally
                    .add(&ShipmentFacts {
                        ship_time: s.ship_time,
                        promised: s.promised_at,
                        delivered: s.delivered_at,
                        scans: own
                            .iter()
                            .filter(|e| e.event_type != "delivery_corrected")
                            .map(|e| e.occurred_at)
                            .collect(),
                        exceptions: own
                            .iter()
                            .filter(|e| e.event_type == "exception")
                            .map(|e| ExceptionFact {
                                at: e.occurred_at,
                                code: e.exception_reason.clone(),
                                excuse: rule.excusable.get(&e.exception_reason).copied(),
                            })
                            .collect(),
                        billed: s.billed_charge_minor.map(|m| Money::new(m, currency)),
                        metric: rule.metric,
                    })
                    .map_err(|e| overflow(&version_name, e))?;
            }
            if exhausted {
                break;
            }
        }
        let result = tally
            .finish(claims, &sla.targets, &sla.credits)
            .map_err(|e| overflow(&version_name, e))?;

        let period_label = period_name(period);
        let existing =
            evaluations::find_period(&txn, carrier_id, service_level, period_label, first).await?;
        let id = existing
            .as_ref()
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), |e| e.id.clone());
        let revision = existing.as_ref().map_or(1, |e| e.revision + 1);
        let now = Utc::now();
        let evaluation = proto::evaluation(proto::Header {
            id: &id,
            carrier_id,
            service_level,
            terms: target_terms,
            first,
            last,
            version: version_name,
            measured_with: measured_with.into_iter().collect(),
            as_of,
            now,
            revision,
            result: &result,
        });
        evaluations::save(
            &txn,
            existing.as_ref(),
            &id,
            carrier_id,
            service_level,
            period_label,
            first,
            revision,
            evaluation.encode_to_vec(),
            now,
        )
        .await
        .map_err(|err| match err {
            sea_orm::DbErr::RecordNotUpdated => ApiError::Aborted {
                message: "the period was evaluated concurrently; retry".into(),
            },
            other if recourse_platform::idempotency::is_unique_violation(&other) => {
                ApiError::Aborted {
                    message: "the period was evaluated concurrently; retry".into(),
                }
            }
            other => other.into(),
        })?;
        OUTBOX
            .append(
                &txn,
                new_event(
                    "sla.evaluated",
                    evaluation.name.clone(),
                    carrier_id,
                    Data::SlaEvaluation(evaluation.clone()),
                ),
            )
            .await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(evaluation)
    }

    pub async fn get(&self, id: &str) -> Result<pb::SlaEvaluation, ApiError> {
        let row = evaluations::find(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::NotFound {
                resource: "SLA evaluation",
                name: format!("slaEvaluations/{id}"),
            })?;
        proto::stored(&row)
    }

    pub async fn list(
        &self,
        carrier_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<(Vec<pb::SlaEvaluation>, String), ApiError> {
        let rows = evaluations::list(
            &self.db,
            carrier_id,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        let (rows, token) = page.finish(rows, |r| r.id.clone());
        let evaluations = rows.iter().map(proto::stored).collect::<Result<_, _>>()?;
        Ok((evaluations, token))
    }
}
