//! EvaluateSla: the period containing a date, measured as of an instant
//! and stored (re-running bumps the revision and clears `stale`).
//!
//! - The period (weekly/monthly) comes from the version in force on
//!   `period_date`; targets, credits and the stored `contract_version` from
//!   the version in force on the period's **last** day (the `period_date`
//!   version if none is), so any day of the period gives the same answer;
//!   versions disagreeing on the period kind inside one period are refused.
//! - A shipment belongs to the period of its local ship date (origin zone)
//!   and is measured with the metric definition and excusable codes of the
//!   version in force on that date.
//! - The period is read in (ship time, id) chunks of [`SLA_CHUNK`] shipments
//!   with their events and measured into a tally: memory stays bounded
//!   whatever the period holds.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use recourse_contracts_domain::calendar::period_bounds;
use recourse_contracts_domain::sla::{ExceptionFact, ShipmentFacts, Tally};
use recourse_contracts_domain::terms::SlaTerms;
use recourse_contracts_domain::tracking::EventKind;
use recourse_contracts_domain::versions::ContractVersion;
use recourse_money::{Money, MoneyError};
use recourse_platform::ApiError;
use recourse_platform::idempotency::is_unique_violation;
use sea_orm::TransactionTrait;

use super::{EvaluationRecord, SlaDesk, period_name};
use crate::convert::sla::encode_evaluation;
use crate::error::ContractsError;
use crate::events;
use crate::quoting::local_ship_date;
use crate::repo::contracts as repo_contracts;
use crate::repo::evaluations::{self, EvaluationRow};
use crate::repo::shipments::{self, ShipmentRecord};
use crate::repo::tracking::{self, StoredEvent};
use recourse_contracts_migration::OUTBOX;

/// Shipments (with their events) read and measured at a time.
const SLA_CHUNK: u64 = 500;

fn start_of(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

fn sla_of<'v>(v: &'v ContractVersion, level: &str) -> Result<&'v SlaTerms, ContractsError> {
    v.terms
        .sla(level)
        .ok_or_else(|| ContractsError::NoSlaTerms {
            version: v.name(),
            service_level: level.to_owned(),
        })
}

fn overflow(version: &str) -> impl Fn(MoneyError) -> ContractsError + '_ {
    move |error| ContractsError::Overflow {
        version: version.to_owned(),
        error,
    }
}

/// What is known of one shipment, measured with `rule` (its own version's
/// SLA terms).
fn facts(
    s: &ShipmentRecord,
    events: &[StoredEvent],
    rule: &SlaTerms,
    currency: recourse_money::Currency,
) -> ShipmentFacts {
    ShipmentFacts {
        ship_time: s.ship_time,
        promised: s.promised_at,
        delivered: s.delivered_at,
        scans: events
            .iter()
            .filter(|e| e.kind.is_scan())
            .map(|e| e.occurred_at)
            .collect(),
        exceptions: events
            .iter()
            .filter(|e| e.kind == EventKind::Exception)
            .map(|e| ExceptionFact {
                at: e.occurred_at,
                code: e.exception_reason.clone(),
                excuse: rule.excuse(&e.exception_reason),
            })
            .collect(),
        billed: s.billed_charge_minor.map(|m| Money::new(m, currency)),
        metric: rule.metric,
    }
}

impl SlaDesk {
    pub async fn evaluate(
        &self,
        carrier_id: &str,
        service_level: &str,
        period_date: NaiveDate,
        as_of: DateTime<Utc>,
    ) -> Result<EvaluationRecord, ApiError> {
        let anchor = self.contracts.in_force(carrier_id, period_date).await?;
        let period = sla_of(&anchor, service_level)?.period;
        let (first, last) = period_bounds(period, period_date);
        let target = match self.contracts.in_force(carrier_id, last).await {
            Ok(v) => v,
            Err(ApiError::FailedPrecondition { .. }) => anchor.clone(),
            Err(other) => return Err(other),
        };
        let version = target.name();
        let sla = sla_of(&target, service_level)?;
        if sla.period != period {
            return Err(ContractsError::PeriodChanges {
                first: anchor.name(),
                second: version,
                service_level: service_level.to_owned(),
            }
            .into());
        }
        let currency = target.terms.currency;
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
        let mut measured_with = BTreeSet::new();
        let mut tally = Tally::new(as_of, currency);
        let mut after: Option<(DateTime<Utc>, String)> = None;
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
            let shipped: Vec<ShipmentRecord> = chunk
                .into_iter()
                .filter(|s| (first..=last).contains(&local_ship_date(s)))
                .collect();
            let ids: Vec<String> = shipped.iter().map(|s| s.id.clone()).collect();
            let events = tracking::of_shipments(&txn, &ids).await?;
            for s in &shipped {
                let date = local_ship_date(s);
                let own = versions
                    .iter()
                    .find(|v| v.span.covers(date))
                    .and_then(|v| Some((v.name(), v.terms.sla(service_level)?)));
                let (name, rule) = own.unwrap_or_else(|| (version.clone(), sla));
                measured_with.insert(name);
                let own_events = events.get(&s.id).map(Vec::as_slice).unwrap_or_default();
                tally
                    .add(&facts(s, own_events, rule, currency))
                    .map_err(overflow(&version))?;
            }
            if exhausted {
                break;
            }
        }
        let result = tally
            .finish(claims, &sla.targets, &sla.credits)
            .map_err(overflow(&version))?;
        // Bonuses owed to the carrier, beside the credits it owes.
        let bonuses = sla
            .bonuses
            .map(|schedule| {
                recourse_contracts_domain::incentive::assess(&result.kpis, &schedule, currency)
            })
            .transpose()
            .map_err(overflow(&version))?;

        let label = period_name(period);
        let existing =
            evaluations::find_period(&txn, carrier_id, service_level, label, first).await?;
        let record = EvaluationRecord {
            id: existing
                .as_ref()
                .map_or_else(|| uuid::Uuid::now_v7().to_string(), |e| e.id.clone()),
            carrier_id: carrier_id.to_owned(),
            service_level: service_level.to_owned(),
            period,
            first,
            last,
            contract_version: version,
            metric: sla.metric,
            measured_versions: measured_with.into_iter().collect(),
            as_of,
            evaluated_at: Utc::now(),
            revision: existing.as_ref().map_or(1, |e| e.revision + 1),
            result,
            bonuses,
        };
        let row = EvaluationRow {
            id: record.id.clone(),
            carrier_id: record.carrier_id.clone(),
            service_level: record.service_level.clone(),
            period: label,
            start: first,
            revision: record.revision,
            body: encode_evaluation(&record),
            at: record.evaluated_at,
        };
        evaluations::save(&txn, existing.as_ref(), row)
            .await
            .map_err(|err| {
                if matches!(err, sea_orm::DbErr::RecordNotUpdated) || is_unique_violation(&err) {
                    ContractsError::Concurrent("the period's evaluation").into()
                } else {
                    ApiError::from(err)
                }
            })?;
        OUTBOX.append(&txn, events::evaluated(&record)).await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(record)
    }
}
