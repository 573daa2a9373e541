//! SLA evaluation and refund candidates.
//!
//! An evaluation measures every shipment of the carrier and service level
//! handed over in the period (by local ship date) as of an instant, each
//! against the version in force on its own ship date, and stores the result
//! with the versions and definitions it used (rules in `evaluate`). The
//! claims rate needs claim counts from the claims service; until it reports
//! them ([`ClaimCounts`]) the KPI is "not measured".

mod evaluate;
mod refunds;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use recourse_contracts_domain::calendar::Period;
use recourse_contracts_domain::sla::{Evaluation, MetricDefinition};
use recourse_platform::ApiError;
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use sea_orm::DatabaseConnection;

use crate::contracts::ContractBook;
use crate::error::ContractsError;
use crate::repo::evaluations;

pub use refunds::{RefundCandidate, fingerprint as refund_fingerprint};

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

/// An evaluation as computed: what it measured, with what, and the result.
#[derive(Debug, Clone)]
pub struct EvaluationRecord {
    pub id: String,
    pub carrier_id: String,
    pub service_level: String,
    pub period: Period,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The version whose targets and credits applied.
    pub contract_version: String,
    pub metric: MetricDefinition,
    /// The versions whose metric definitions measured the shipments.
    pub measured_versions: Vec<String>,
    pub as_of: DateTime<Utc>,
    pub evaluated_at: DateTime<Utc>,
    pub revision: i64,
    pub result: Evaluation,
    /// Bonuses owed to the carrier, when the terms have a schedule.
    pub bonuses: Option<recourse_contracts_domain::incentive::Bonuses>,
}

/// A stored evaluation: the document as it was computed (immutable, like
/// terms) and whether a delivery it counted was corrected since.
#[derive(Debug, Clone)]
pub struct StoredEvaluation {
    pub document: Vec<u8>,
    pub stale: bool,
}

impl From<crate::repo::entity::evaluation::Model> for StoredEvaluation {
    fn from(row: crate::repo::entity::evaluation::Model) -> Self {
        Self {
            document: row.body,
            stale: row.stale,
        }
    }
}

pub fn period_name(p: Period) -> &'static str {
    match p {
        Period::Weekly => "weekly",
        Period::Monthly => "monthly",
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

    /// A stored evaluation; a carrier principal (`scope`) sees only its
    /// carrier's.
    pub async fn get(&self, id: &str, scope: Option<&str>) -> Result<StoredEvaluation, ApiError> {
        evaluations::find(&self.db, id, scope)
            .await?
            .map(StoredEvaluation::from)
            .ok_or_else(|| {
                ContractsError::NotFound {
                    resource: "SLA evaluation",
                    name: format!("slaEvaluations/{id}"),
                }
                .into()
            })
    }

    pub async fn list(
        &self,
        carrier_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<(Vec<StoredEvaluation>, String), ApiError> {
        let rows = evaluations::list(
            &self.db,
            carrier_id,
            page.after.as_deref(),
            page.fetch_limit(),
        )
        .await?;
        let (rows, token) = page.finish(rows, |r| r.id.clone());
        Ok((
            rows.into_iter().map(StoredEvaluation::from).collect(),
            token,
        ))
    }
}
