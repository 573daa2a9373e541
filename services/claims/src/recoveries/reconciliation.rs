//! GetReconciliation: a point-in-time view of the books at the end of
//! `as_of` (UTC), summed by the database (four aggregate queries: claims,
//! remittances, disputes, bonuses; nothing
//! proportional to history comes back) and assembled by the domain
//! (`recourse_claims_domain::reconciliation`). Both queries share one
//! snapshot (REPEATABLE READ on PostgreSQL), so a payment booked while the
//! report runs is either wholly in it or wholly out.

use chrono::NaiveDate;
use recourse_claims_domain::reconciliation::{ReconcileError, Row, assemble, complete};
use recourse_money::Currency;
use sea_orm::{AccessMode, DbBackend, IsolationLevel, TransactionTrait as _};

use super::RecoveryDesk;
use crate::error::{ClaimsError, Refusal};
use crate::repo::books;
use crate::repo::reconciliation::{self as repo, Scope, SumError};

fn sum_error(err: SumError) -> ClaimsError {
    match err {
        SumError::Overflow {
            row: Some((carrier, currency)),
            field,
        } => ClaimsError::refused(
            Refusal::AmountOverflow,
            format!("rows[carriers/{carrier}, {currency}].{field}"),
            format!(
                "{field} of carriers/{carrier} in {currency} is beyond the range of minor units"
            ),
        ),
        SumError::Overflow { row: None, field } => ClaimsError::refused(
            Refusal::AmountOverflow,
            field,
            format!(
                "the total of {field} is beyond the range of minor units; narrow the \
                 reconciliation by carrier or currency"
            ),
        ),
        SumError::Db(err) => err.into(),
    }
}

fn reconcile_error(err: ReconcileError) -> ClaimsError {
    ClaimsError::refused(
        Refusal::AmountOverflow,
        format!(
            "rows[carriers/{}, {}].{}",
            err.carrier, err.currency, err.field
        ),
        format!(
            "{} of carriers/{} in {} cannot be summed: {}",
            err.field, err.carrier, err.currency, err.source
        ),
    )
}

impl RecoveryDesk {
    /// One row per (carrier, currency) as the books stood at the end of
    /// `as_of`.
    pub async fn reconciliation(
        &self,
        carrier_id: Option<&str>,
        currency: Option<Currency>,
        as_of: NaiveDate,
    ) -> Result<Vec<Row>, ClaimsError> {
        let db = self.claims.db();
        let (isolation, access) = if db.get_database_backend() == DbBackend::Postgres {
            (
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
        } else {
            // One connection, one writer: a SQLite transaction is a snapshot.
            (None, None)
        };
        let txn = db.begin_with_config(isolation, access).await?;
        let scope = Scope {
            as_of,
            carrier_id,
            currency,
        };
        let claims = repo::claim_rows(&txn, &scope).await.map_err(sum_error)?;
        let unallocated = repo::unallocated(&txn, &scope).await.map_err(sum_error)?;
        let disputes = books::disputes(&txn, &scope).await.map_err(sum_error)?;
        let bonuses = books::bonuses(&txn, &scope).await.map_err(sum_error)?;
        txn.commit().await?;
        let rows = assemble(claims, unallocated).map_err(reconcile_error)?;
        complete(rows, disputes, bonuses).map_err(reconcile_error)
    }
}
