//! GetReconciliation: a point-in-time view of the books at the end of
//! `as_of` (UTC). Approvals, allocations, write-offs and remittances dated
//! after it are not counted, nor claims submitted after it or withdrawn by
//! it; the rules themselves are the domain's
//! (`recourse_claims_domain::reconciliation`). All reads share one
//! snapshot (REPEATABLE READ on PostgreSQL), so a payment booked while the
//! report runs is either wholly in it or wholly out.

use chrono::NaiveDate;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::reconciliation::{
    ClaimFacts, ReconcileError, RemittanceFacts, reconcile,
};
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::proto_types::{date_to_proto, money_to_proto};
use recourse_proto::claims as pb;
use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionTrait as _};

use super::RecoveryDesk;
use crate::repo::claims::{self as claims_repo, ClaimFilter};
use crate::repo::entity::allocation;
use crate::repo::reconciliation::{self as repo, SumError};

fn sum_error(err: SumError) -> ApiError {
    match err {
        SumError::Overflow { what } => ApiError::FailedPrecondition {
            kind: "AMOUNT_OVERFLOW",
            subject: what.to_owned(),
            message: format!(
                "the total of {what} is beyond the range of minor units; narrow the \
                 reconciliation by carrier or currency"
            ),
        },
        SumError::Db(err) => err.into(),
    }
}

fn reconcile_error(err: ReconcileError) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "AMOUNT_OVERFLOW",
        subject: format!(
            "rows[carriers/{}, {}].{}",
            err.carrier, err.currency, err.field
        ),
        message: format!(
            "{} of carriers/{} in {} cannot be summed: {}",
            err.field, err.carrier, err.currency, err.source
        ),
    }
}

impl RecoveryDesk {
    pub async fn reconciliation(
        &self,
        carrier_id: Option<&str>,
        currency: Option<Currency>,
        as_of: NaiveDate,
    ) -> Result<pb::Reconciliation, ApiError> {
        let db = self.claims.db();
        let (isolation, access) = match db.get_database_backend() {
            DbBackend::Postgres => (
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            ),
            // One connection, one writer: a SQLite transaction is a snapshot.
            _ => (None, None),
        };
        let txn = db.begin_with_config(isolation, access).await?;
        let end = repo::end_of(as_of);
        let standing = repo::standing_until(&txn, end).await?;
        let recovered = repo::allocated_until(&txn, allocation::Column::ClaimId, as_of, end)
            .await
            .map_err(sum_error)?;
        let allocated = repo::allocated_until(&txn, allocation::Column::RemittanceId, as_of, end)
            .await
            .map_err(sum_error)?;
        let written_off = repo::written_off_until(&txn, end)
            .await
            .map_err(sum_error)?;
        let filter = ClaimFilter {
            carrier_id: carrier_id.map(str::to_owned),
            ..ClaimFilter::default()
        };
        let mut facts = Vec::new();
        for c in claims_repo::list(&txn, &filter, None, None).await? {
            let submitted = c.submitted_at.is_some_and(|at| at < end);
            let at = standing.get(&c.id).cloned().unwrap_or_default();
            if c.status == ClaimStatus::Draft || !submitted || at.withdrawn {
                continue;
            }
            let cur = Currency::parse(&c.currency).map_err(ApiError::internal)?;
            if currency.is_some_and(|wanted| wanted != cur) {
                continue;
            }
            let minor = |m: Option<&i64>| Money::new(m.copied().unwrap_or(0), cur);
            facts.push(ClaimFacts {
                carrier: c.carrier_id.clone(),
                currency: cur,
                claimed: Money::new(c.claimed_minor, cur),
                approved: at.approval.map(|(amount, _)| Money::new(amount, cur)),
                approved_on: at.approval.map(|(_, on)| on),
                recovered: minor(recovered.get(&c.id)),
                written_off: minor(written_off.get(&c.id)),
            });
        }
        let mut remittances = Vec::new();
        for r in repo::remittances_until(&txn, carrier_id, as_of).await? {
            let cur = Currency::parse(&r.currency).map_err(ApiError::internal)?;
            if currency.is_some_and(|wanted| wanted != cur) {
                continue;
            }
            remittances.push(RemittanceFacts {
                carrier: r.carrier_id.clone(),
                amount: Money::new(r.amount_minor, cur),
                allocated: Money::new(allocated.get(&r.id).copied().unwrap_or(0), cur),
            });
        }
        txn.commit().await?;
        let rows = reconcile(&facts, &remittances, as_of).map_err(reconcile_error)?;
        Ok(pb::Reconciliation {
            rows: rows.iter().map(row_to_proto).collect(),
            as_of: Some(date_to_proto(as_of)),
        })
    }
}

fn row_to_proto(r: &recourse_claims_domain::reconciliation::Row) -> pb::ReconciliationRow {
    pb::ReconciliationRow {
        carrier: format!("carriers/{}", r.carrier),
        currency_code: r.currency.as_str().to_owned(),
        claims: r.claims,
        claimed: Some(money_to_proto(r.claimed)),
        approved: Some(money_to_proto(r.approved)),
        recovered: Some(money_to_proto(r.recovered)),
        written_off: Some(money_to_proto(r.written_off)),
        outstanding: Some(money_to_proto(r.outstanding)),
        aging: Some(pb::AgingBuckets {
            days_0_30: Some(money_to_proto(r.aging.days_0_30)),
            days_31_60: Some(money_to_proto(r.aging.days_31_60)),
            days_61_90: Some(money_to_proto(r.aging.days_61_90)),
            days_over_90: Some(money_to_proto(r.aging.days_over_90)),
        }),
        unallocated_remittances: Some(money_to_proto(r.unallocated)),
    }
}
