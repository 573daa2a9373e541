//! SLA evaluation and refund candidates.
//!
//! An evaluation applies the SLA terms of the contract version in force on
//! the period date to every shipment of the carrier and service level handed
//! over in the period, and stores the result with the version and metric
//! definitions it used. The claims rate needs claim counts from the claims
//! service; until it reports them ([`ClaimCounts`]) the KPI is "not measured".

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use prost::Message as _;
use recourse_contracts_domain::calendar::{Period, period_bounds};
use recourse_contracts_domain::refund::{late_minutes, refund_deadline};
use recourse_contracts_domain::sla::{self as math, Kpi, ShipmentFacts};
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::timestamp_to_proto;
use recourse_proto::contracts as pb;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::contracts::ContractBook;
use crate::convert::common::{carrier_name, date_out, money_to_proto, version_resource_name};
use crate::convert::terms;
use crate::events::{Data, new_event};
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

fn kpi_to_proto(k: Kpi) -> pb::Kpi {
    match k {
        Kpi::OnTimeRate => pb::Kpi::OnTimeRate,
        Kpi::ScanCompliance => pb::Kpi::ScanCompliance,
        Kpi::ExceptionRate => pb::Kpi::ExceptionRate,
        Kpi::ClaimsRate => pb::Kpi::ClaimsRate,
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

    pub async fn evaluate(
        &self,
        carrier_id: &str,
        service_level: &str,
        period_date: NaiveDate,
    ) -> Result<pb::SlaEvaluation, ApiError> {
        let version = self.contracts.in_force(carrier_id, period_date).await?;
        let version_name = version_resource_name(&version.contract_id, version.version);
        let currency = Currency::parse(&version.terms.currency_code).map_err(ApiError::internal)?;
        let sla_terms = version
            .terms
            .sla_terms
            .iter()
            .find(|s| s.service_level == service_level)
            .ok_or_else(|| no_sla_terms(&version_name, service_level))?;
        let sla = terms::sla(sla_terms, currency);
        let (first, last) = period_bounds(sla.period, period_date);
        let from = start_of(first);
        let to = start_of(last) + Duration::days(1);
        let claims = self
            .claims
            .count(carrier_id, service_level, first, last)
            .await?;

        let txn = self.db.begin().await?;
        let shipped = shipments::shipped_between(&txn, carrier_id, service_level, from, to).await?;
        let ids: Vec<String> = shipped.iter().map(|s| s.id.clone()).collect();
        let events = tracking::of_shipments(&txn, &ids).await?;
        let facts: Vec<ShipmentFacts> = shipped
            .iter()
            .map(|s| {
                let own = events.get(&s.id).map(Vec::as_slice).unwrap_or_default();
                ShipmentFacts {
                    ship_time: s.ship_time,
                    promised: s.promised_at,
                    delivered: s.delivered_at,
                    scans: own.iter().map(|e| e.occurred_at).collect(),
                    exception: own.iter().any(|e| e.event_type == "exception"),
                    billed: s.billed_charge_minor.map(|m| Money::new(m, currency)),
                }
            })
            .collect();
        let result = math::evaluate(
            &facts,
            claims,
            &sla.metric,
            &sla.targets,
            &sla.credits,
            currency,
        )
        .map_err(|e| ApiError::FailedPrecondition {
            kind: "EVALUATION_OVERFLOW",
            subject: version_name.clone(),
            message: e.to_string(),
        })?;

        let period = period_name(sla.period);
        let existing =
            evaluations::find_period(&txn, carrier_id, service_level, period, first).await?;
        let id = existing
            .as_ref()
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), |e| e.id.clone());
        let revision = existing.as_ref().map_or(1, |e| e.revision + 1);
        let now = Utc::now();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let evaluation = pb::SlaEvaluation {
            name: format!("slaEvaluations/{id}"),
            carrier: carrier_name(carrier_id),
            service_level: service_level.to_owned(),
            period: sla_terms.period,
            period_start: date_out(first),
            period_end: date_out(last),
            contract_version: version_name,
            metric: sla_terms.metric,
            shipments: count(facts.len()),
            delivered: result.delivered,
            on_time: result.on_time,
            scan_compliant: result.scan_compliant,
            with_exception: result.with_exception,
            claims: result.claims,
            kpis: result
                .kpis
                .iter()
                .map(|k| pb::KpiResult {
                    kpi: kpi_to_proto(k.kpi).into(),
                    actual_bp: k.actual_bp,
                    target_bp: k.target_bp,
                    breached: k.breached,
                    shortfall_bp: k.shortfall_bp,
                    credit: Some(money_to_proto(k.credit)),
                })
                .collect(),
            total_billed: Some(money_to_proto(result.total_billed)),
            cost_per_shipment: result.cost_per_shipment.map(money_to_proto),
            service_credit: Some(money_to_proto(result.service_credit)),
            breached: result.breached,
            evaluate_time: Some(timestamp_to_proto(now)),
            revision: u32::try_from(revision).unwrap_or(u32::MAX),
        };
        evaluations::save(
            &txn,
            existing.as_ref(),
            &id,
            carrier_id,
            service_level,
            period,
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
        pb::SlaEvaluation::decode(row.body.as_slice()).map_err(ApiError::internal)
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
        let evaluations = rows
            .iter()
            .map(|r| pb::SlaEvaluation::decode(r.body.as_slice()).map_err(ApiError::internal))
            .collect::<Result<_, _>>()?;
        Ok((evaluations, token))
    }

    /// Late deliveries on guaranteed services whose refund window is open
    /// at `as_of`, in shipment order.
    pub async fn refund_candidates(
        &self,
        carrier_id: &str,
        as_of: DateTime<Utc>,
        page: &PageRequest,
    ) -> Result<(Vec<pb::RefundCandidate>, String), ApiError> {
        // Refund windows are at most ten years (terms validation).
        let since = as_of - Duration::days(3_650);
        let late = shipments::late_deliveries(&self.db, carrier_id, since).await?;
        let mut versions = HashMap::new();
        let mut out = Vec::new();
        for s in late {
            if page
                .after
                .as_deref()
                .is_some_and(|after| s.id.as_str() <= after)
            {
                continue;
            }
            let Some(delivered) = s.delivered_at else {
                continue;
            };
            if delivered > as_of {
                continue;
            }
            let ship_date = s.ship_time.date_naive();
            let key = (ship_date, s.service_level.clone());
            if !versions.contains_key(&key) {
                let version = match self.contracts.in_force(carrier_id, ship_date).await {
                    Ok(v) => Some(v),
                    Err(ApiError::FailedPrecondition { .. }) => None,
                    Err(other) => return Err(other),
                };
                versions.insert(key.clone(), version);
            }
            let Some(Some(version)) = versions.get(&key) else {
                continue;
            };
            let Some(sla) = version
                .terms
                .sla_terms
                .iter()
                .find(|t| t.service_level == s.service_level)
            else {
                continue;
            };
            if !sla.guaranteed {
                continue;
            }
            let Some(deadline) =
                refund_deadline(s.promised_at, delivered, sla.refund_window_days, as_of)
            else {
                continue;
            };
            out.push(pb::RefundCandidate {
                shipment: format!("shipments/{}", s.id),
                carrier: carrier_name(&s.carrier_id),
                tracking_number: s.tracking_number.clone(),
                service_level: s.service_level.clone(),
                promised_delivery_time: Some(timestamp_to_proto(s.promised_at)),
                delivered_time: Some(timestamp_to_proto(delivered)),
                late_minutes: late_minutes(s.promised_at, delivered),
                request_deadline: date_out(deadline),
                billed_charge: s
                    .billed_charge_minor
                    .map(|m| recourse_proto::common::Money {
                        amount_minor: m,
                        currency_code: s.currency.clone(),
                    }),
                contract_version: version_resource_name(&version.contract_id, version.version),
                refund_amount: None,
                refund_basis: String::new(),
                window_anchor_date: None,
            });
            if out.len() as u64 >= page.fetch_limit() {
                break;
            }
        }
        Ok(page.finish(out, |c| {
            c.shipment.trim_start_matches("shipments/").to_owned()
        }))
    }
}
