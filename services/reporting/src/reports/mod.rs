//! The reports as use cases: each reads the read models in one snapshot
//! (REPEATABLE READ, read-only on PostgreSQL; SQLite's one connection is a
//! snapshot) and assembles domain rows.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::{
    AccessMode, DatabaseConnection, DatabaseTransaction, DbBackend, IsolationLevel,
    TransactionTrait,
};

use crate::domain::aging::{self, AgingRow, OpenClaim};
use crate::domain::extras::{self as domain_extras, Extras};
use crate::domain::facts::CapacityFact;
use crate::domain::facts::MovementKind;
use crate::domain::period::Period;
use crate::domain::reconciliation::{self, MovementIn, ReconciliationRow};
use crate::domain::score::Weights;
use crate::domain::scorecard::{self, ClaimRecord, Row, Targets};
use crate::error::ReportingError;
use crate::repo::{extras, reads};

pub mod qbr;

#[derive(Debug, Clone)]
pub struct Reports {
    pub(crate) db: DatabaseConnection,
}

/// Rows keyed by (carrier, currency) or (carrier, status).
pub type Keyed<T> = BTreeMap<(String, String), T>;

fn start_of(d: NaiveDate) -> i64 {
    d.and_time(NaiveTime::MIN).and_utc().timestamp()
}

/// The period as epoch seconds, `[first 00:00 UTC, day after last 00:00)`.
fn window(p: &Period) -> (i64, i64) {
    (start_of(p.first), start_of(p.last) + 86_400)
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl Reports {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn snapshot(&self) -> Result<DatabaseTransaction, ReportingError> {
        let (isolation, access) = if self.db.get_database_backend() == DbBackend::Postgres {
            (
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
        } else {
            (None, None)
        };
        Ok(self.db.begin_with_config(isolation, access).await?)
    }

    /// Carrier codes by id (for names in reports).
    pub async fn carriers(&self) -> Result<BTreeMap<String, String>, ReportingError> {
        Ok(reads::carrier_codes(&self.db).await?)
    }

    /// Fails NOT_FOUND for a carrier the read models do not know.
    pub async fn known(&self, carrier_id: &str) -> Result<(), ReportingError> {
        if self.carriers().await?.contains_key(carrier_id) {
            Ok(())
        } else {
            Err(ReportingError::CarrierNotFound(format!(
                "carriers/{carrier_id}"
            )))
        }
    }

    /// One row per carrier (and service level with `by_level`) with
    /// shipments in `period`, beside the previous period.
    pub async fn scorecard(
        &self,
        carrier: Option<&str>,
        period: Period,
        weights: &Weights,
        as_of: DateTime<Utc>,
        by_level: bool,
    ) -> Result<Vec<Row>, ReportingError> {
        let txn = self.snapshot().await?;
        // One pass over the shipments of both periods.
        let first = period.previous().map_or(period.first, |p| p.first);
        let daily =
            reads::daily_counts(&txn, (first, period.last), as_of.timestamp(), carrier).await?;
        let current = rows(&txn, &daily, carrier, period, weights, by_level).await?;
        let previous = match period.previous() {
            Some(p) => rows(&txn, &daily, carrier, p, weights, by_level).await?,
            None => Vec::new(),
        };
        txn.commit().await?;
        Ok(current
            .into_iter()
            .map(|r| {
                let before = previous
                    .iter()
                    .find(|p| p.carrier_id == r.carrier_id && p.service_level == r.service_level);
                scorecard::with_previous(r, before)
            })
            .collect())
    }

    /// Open claims aged as of the end of `as_of`.
    pub async fn aging(
        &self,
        carrier: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Keyed<AgingRow>, ReportingError> {
        let open = reads::claims(&self.db, (0, 0), carrier, true).await?;
        let claims: Vec<OpenClaim> = open
            .iter()
            .filter_map(|c| {
                let submitted_on = DateTime::from_timestamp(c.submitted_at, 0)?.date_naive();
                (submitted_on <= as_of).then(|| OpenClaim {
                    carrier_id: c.carrier_id.clone(),
                    status: c.status.clone(),
                    submitted_on,
                    acknowledge_due: c.acknowledge_due.as_deref().and_then(parse_day),
                    decision_due: c.decision_due.as_deref().and_then(parse_day),
                })
            })
            .collect();
        Ok(aging::age(&claims, as_of))
    }

    /// Money per carrier and currency over `period`.
    pub async fn reconciliation(
        &self,
        carrier: Option<&str>,
        period: Period,
    ) -> Result<Keyed<ReconciliationRow>, ReportingError> {
        let rows = reads::movements(&self.db, period.last, carrier).await?;
        let movements: Vec<MovementIn> = rows
            .into_iter()
            .filter_map(|m| {
                Some(MovementIn {
                    kind: MovementKind::parse(&m.kind)?,
                    effective: parse_day(&m.effective_date)?,
                    claim_id: m.claim_id,
                    carrier_id: m.carrier_id,
                    currency: m.currency,
                    amount_minor: m.amount_minor,
                })
            })
            .collect();
        Ok(reconciliation::reconcile(
            &movements,
            period.first,
            period.last,
        ))
    }
}

async fn rows(
    txn: &DatabaseTransaction,
    daily: &[(NaiveDate, scorecard::ShipmentCounts)],
    carrier: Option<&str>,
    period: Period,
    weights: &Weights,
    by_level: bool,
) -> Result<Vec<Row>, ReportingError> {
    let span = (period.first, period.last);
    let mine: Vec<&(NaiveDate, scorecard::ShipmentCounts)> = daily
        .iter()
        .filter(|(on, _)| (period.first..=period.last).contains(on))
        .collect();
    let levels = scorecard::totals(mine.iter().map(|(_, c)| c), true);
    let counts = if by_level {
        levels.clone()
    } else {
        scorecard::carrier_totals(&levels)
    };
    // Tenders per carrier and day: the day's shipments over every level.
    let mut tenders: BTreeMap<String, BTreeMap<NaiveDate, u64>> = BTreeMap::new();
    for (on, c) in &mine {
        *tenders
            .entry(c.carrier_id.clone())
            .or_default()
            .entry(*on)
            .or_default() += c.shipments;
    }
    let tenders: BTreeMap<String, Vec<(NaiveDate, u64)>> = tenders
        .into_iter()
        .map(|(carrier, days)| (carrier, days.into_iter().collect()))
        .collect();
    let window = window(&period);
    let claims = reads::claims(txn, window, carrier, false).await?;
    let targets = reads::targets_on(txn, period.last).await?;
    let capacities = extras::capacities(txn, carrier).await?;
    let evaluations = extras::evaluations(txn, span, carrier).await?;
    let recoveries = extras::refund_recoveries(txn, span, carrier).await?;
    let escalations = extras::open_escalations(txn, carrier).await?;
    let no_capacity = CapacityFact::default();
    let target = |carrier: &str, level: &str| {
        targets
            .get(&(carrier.to_owned(), level.to_owned()))
            .copied()
            .unwrap_or_default()
    };
    Ok(counts
        .iter()
        .map(|c| {
            let mine: Vec<&ClaimRecord> = claims
                .iter()
                .filter(|k| {
                    k.carrier_id == c.carrier_id
                        && (!by_level || k.service_level == c.service_level)
                })
                .collect();
            let t = if by_level {
                target(&c.carrier_id, &c.service_level)
            } else {
                let weighted: Vec<(u64, Targets)> = levels
                    .iter()
                    .filter(|l| l.carrier_id == c.carrier_id)
                    .map(|l| (l.shipments, target(&l.carrier_id, &l.service_level)))
                    .collect();
                scorecard::weighted_targets(&weighted)
            };
            let level = |l: &str| !by_level || l == c.service_level;
            let extra = Extras {
                tender: tenders.get(&c.carrier_id).map(|days| {
                    domain_extras::tender(
                        days,
                        capacities.get(&c.carrier_id).unwrap_or(&no_capacity),
                    )
                }),
                evaluations: evaluations
                    .iter()
                    .filter(|e| e.carrier_id == c.carrier_id && level(&e.service_level))
                    .collect(),
                refunds_recovered: recoveries
                    .iter()
                    .filter(|r| r.carrier_id == c.carrier_id && level(&r.service_level))
                    .collect(),
                open_escalations: escalations.get(&c.carrier_id).copied().unwrap_or(0),
            };
            scorecard::row(c, &mine, window, t, weights, &extra)
        })
        .collect())
}
