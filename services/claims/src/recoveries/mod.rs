//! Recovery use cases for finance: remittances and their allocation to
//! approved claims ([`booking`]), allocation and write-offs by hand
//! ([`manual`]), remittance files ([`import`]), reconciliation
//! ([`reconciliation`]). A claim whose approved amount is fully recovered
//! becomes settled in the same transaction.
//!
//! Concurrency: money moves only under row locks taken in one order —
//! the remittance first, then its claims in id order — so allocations of
//! one remittance to several claims, or of several remittances to one
//! claim, serialise on the rows they share and never over-allocate either
//! side, and two of them cannot deadlock. The remittance's allocated total
//! is raised by a conditional update (and, on PostgreSQL, a CHECK
//! constraint) as the last word.

mod booking;
mod credits;
mod import;
mod manual;
mod reconciliation;

use chrono::{NaiveDate, Utc};
use recourse_claims_domain::limits::MAX_LINES_PER_REMITTANCE;
use recourse_claims_domain::remittance::{Remittance, RemittanceKind};
use recourse_money::Money;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::pagination::PageRequest;

use crate::claims::{ClaimDesk, once};
use crate::error::ClaimsError;
use crate::events;
use crate::repo::recoveries as repo;

pub use import::{ImportError, ImportErrors, ImportGroup, ImportOutcome};

/// A line of a remittance to record.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub claim_ref: String,
    /// `disputes/{id}` when the line credits a dispute, else "".
    pub dispute_ref: String,
    pub tracking_number: String,
    pub amount: Money,
}

/// A remittance to record.
#[derive(Debug, Clone)]
pub struct NewRemittance {
    pub carrier_id: String,
    pub kind: RemittanceKind,
    pub reference: String,
    pub invoice_reference: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub lines: Vec<NewLine>,
}

#[derive(Debug, Clone)]
pub struct RecoveryDesk {
    claims: ClaimDesk,
}

fn not_found(id: &str) -> ClaimsError {
    ClaimsError::not_found("remittance", "remittances", id)
}

impl RecoveryDesk {
    pub fn new(claims: ClaimDesk) -> Self {
        Self { claims }
    }

    /// Records a remittance and allocates its lines to the claims they
    /// name, in one transaction.
    pub async fn record(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        new: NewRemittance,
    ) -> Result<Remittance, ClaimsError> {
        let desk = self.clone();
        let result = once(self.claims.db(), key, async move |txn| {
            let currency = new.amount.currency();
            let remittance = Remittance {
                id: uuid::Uuid::now_v7().to_string(),
                carrier_id: new.carrier_id.clone(),
                kind: new.kind,
                reference: new.reference.clone(),
                invoice_reference: new.invoice_reference.clone(),
                date: new.date,
                amount: new.amount,
                allocated: Money::zero(currency),
                lines: Vec::new(),
                created_at: Utc::now(),
            };
            repo::insert_remittance(txn, &remittance, new.lines.len())
                .await
                .map_err(|err| {
                    if is_unique_violation(&err) {
                        ClaimsError::RemittanceRecorded {
                            carrier_id: new.carrier_id.clone(),
                            reference: new.reference.clone(),
                        }
                    } else {
                        err.into()
                    }
                })?;
            let recorded = desk.book_lines(txn, caller, remittance, &new.lines).await?;
            events::append_remittance(txn, "remittance.recorded", &recorded).await?;
            Ok(recorded)
        })
        .await;
        self.claims.relay().poke();
        result
    }

    /// The remittance with its lines and what each was allocated to.
    pub async fn get(&self, id: &str) -> Result<Remittance, ClaimsError> {
        let row = repo::find_row(self.claims.db(), id)
            .await?
            .ok_or_else(|| not_found(id))?;
        repo::with_lines(self.claims.db(), vec![row])
            .await?
            .pop()
            .ok_or_else(|| not_found(id))
    }

    /// One page of remittances (of one carrier, if given): three queries
    /// whatever the page holds, and at most [`MAX_LINES_PER_REMITTANCE`]
    /// lines in all (a page ends early rather than grow past it).
    pub async fn list(
        &self,
        carrier_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<(Vec<Remittance>, String), ClaimsError> {
        let db = self.claims.db();
        let rows =
            repo::list_rows(db, carrier_id, page.after.as_deref(), page.fetch_limit()).await?;
        let mut lines = 0usize;
        let (rows, next) = page.finish_while(
            rows,
            |r| r.id.clone(),
            |r| {
                lines += usize::try_from(r.line_count).unwrap_or(0);
                lines <= MAX_LINES_PER_REMITTANCE
            },
        );
        Ok((repo::with_lines(db, rows).await?, next))
    }
}
