//! Invoice disputes (`DisputeService`): made from the contracts service's
//! audit of an invoice, one per line with something at stake; moved
//! through their lifecycle (`recourse_claims_domain::dispute`) under their
//! etag, each move in one transaction with its history row and feed event.
//!
//! Who sees what: finance, admin, internal and auditors every dispute; a
//! carrier its own carrier's once submitted (an open dispute is the
//! shipper's draft) — anything else is the NOT_FOUND of a made-up name.
//! Who moves: admin and finance submit; admin and the dispute's carrier
//! answer.

use chrono::{SubsecRound as _, Utc};
use recourse_claims_domain::credit::answer_covers_credit;
use recourse_claims_domain::dispute::{DisputeMove, DisputeStatus, decide};
use recourse_money::Money;
use recourse_platform::auth::{Principal, Role};
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::clock::Clock;
use crate::contracts::{ContractsClient, InvoiceFacts};
use crate::error::{ClaimsError, Refusal};
use crate::events;
use crate::repo::disputes::{self as repo, DisputeFilter, DisputeRow, HistoryRow};

/// Disputes and skipped lines listed in one answer; the rest are counted.
pub const MAX_LISTED: usize = 1_000;
/// Lines one call may name.
pub const MAX_SELECTED_LINES: usize = 1_000;

/// Why a line got no new dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    pub line: u64,
    pub reason: &'static str,
    pub existing: Option<String>,
}

#[derive(Debug, Default)]
pub struct CreateOutcome {
    pub created: Vec<DisputeRow>,
    pub created_count: u64,
    pub skipped: Vec<SkippedLine>,
    pub skipped_count: u64,
}

#[derive(Debug, Clone)]
pub struct DisputeDesk {
    db: DatabaseConnection,
    contracts: ContractsClient,
    relay: Relay,
    clock: Clock,
}

fn not_found(id: &str) -> ClaimsError {
    ClaimsError::not_found("dispute", "disputes", id)
}

/// Whether `caller` may see `d` (role already checked by the API).
fn visible(caller: &Principal, d: &DisputeRow) -> bool {
    match caller.carrier_scope() {
        Some(own) => own == d.carrier_id && d.status != DisputeStatus::Open.as_str(),
        None => !caller.is_partner(),
    }
}

fn status_of(d: &DisputeRow) -> Result<DisputeStatus, ClaimsError> {
    DisputeStatus::parse(&d.status).ok_or_else(|| ClaimsError::internal("corrupt dispute status"))
}

impl DisputeDesk {
    pub fn new(
        db: DatabaseConnection,
        contracts: ContractsClient,
        relay: Relay,
        clock: Clock,
    ) -> Self {
        Self {
            db,
            contracts,
            relay,
            clock,
        }
    }

    /// CreateDisputes: every line with something at stake (or those named),
    /// a page of the invoice's lines per transaction.
    pub async fn create(
        &self,
        caller: &Principal,
        invoice_id: &str,
        selected: &[u64],
    ) -> Result<CreateOutcome, ClaimsError> {
        let invoice = self.contracts.invoice(invoice_id).await?;
        let mut wanted: std::collections::BTreeSet<u64> = selected.iter().copied().collect();
        let mut outcome = CreateOutcome::default();
        let mut token = String::new();
        loop {
            let (lines, next) = self.contracts.invoice_lines(invoice_id, &token).await?;
            let txn = self.db.begin().await?;
            for line in lines {
                if !selected.is_empty() && !wanted.remove(&line.line) {
                    continue;
                }
                if line.at_stake.amount_minor() <= 0 {
                    skip(&mut outcome, line.line, "NOTHING_AT_STAKE", None);
                    continue;
                }
                let now = self.clock.now().trunc_subsecs(6);
                let row = new_row(&invoice, &line, now)?;
                let line_no = row.line_no;
                if repo::insert_new(&txn, row.clone()).await? {
                    repo::append_history(
                        &txn,
                        &row.id,
                        DisputeStatus::Open,
                        DisputeStatus::Open,
                        &caller.subject,
                        "created from the invoice audit",
                        now,
                    )
                    .await?;
                    events::append_dispute(&txn, "dispute.created", &row).await?;
                    outcome.created_count += 1;
                    if outcome.created.len() < MAX_LISTED {
                        outcome.created.push(row);
                    }
                } else {
                    let existing = repo::of_line(&txn, &invoice.id, line_no)
                        .await?
                        .map(|d| format!("disputes/{}", d.id));
                    skip(&mut outcome, line.line, "ALREADY_DISPUTED", existing);
                }
            }
            txn.commit().await?;
            self.relay.poke();
            if next.is_empty() {
                break;
            }
            token = next;
        }
        // Named lines the audit found nothing on (or that do not exist).
        for line in wanted {
            skip(&mut outcome, line, "NOTHING_AT_STAKE", None);
        }
        Ok(outcome)
    }

    pub async fn get(&self, caller: &Principal, id: &str) -> Result<DisputeRow, ClaimsError> {
        repo::find(&self.db, id)
            .await?
            .filter(|d| visible(caller, d))
            .ok_or_else(|| not_found(id))
    }

    pub async fn list(
        &self,
        caller: &Principal,
        mut filter: DisputeFilter,
        page: &PageRequest,
    ) -> Result<(Vec<DisputeRow>, String), ClaimsError> {
        filter.submitted_only = caller.carrier_scope().is_some();
        let rows = repo::list(&self.db, &filter, page.after.as_deref(), page.fetch_limit()).await?;
        Ok(page.finish(rows, |d| d.id.clone()))
    }

    pub async fn history(
        &self,
        caller: &Principal,
        id: &str,
    ) -> Result<Vec<HistoryRow>, ClaimsError> {
        self.get(caller, id).await?;
        Ok(repo::history(&self.db, id).await?)
    }

    /// TransitionDispute under `given` (the etag's revision).
    pub async fn transition(
        &self,
        caller: &Principal,
        id: &str,
        given: i64,
        mv: DisputeMove,
        note: &str,
    ) -> Result<DisputeRow, ClaimsError> {
        let txn = self.db.begin().await?;
        let current = repo::find(&txn, id)
            .await?
            .filter(|d| visible(caller, d))
            .ok_or_else(|| not_found(id))?;
        may_move(caller, mv)?;
        let name = format!("disputes/{id}");
        if current.revision != given {
            return Err(ClaimsError::Stale {
                name,
                given,
                current: current.revision,
            });
        }
        let from = status_of(&current)?;
        let currency =
            recourse_money::Currency::parse(&current.currency).map_err(ClaimsError::internal)?;
        let now = self.clock.now().trunc_subsecs(6);
        let (to, accepted) = decide(
            from,
            Money::new(current.amount_minor, currency),
            current.deadline,
            mv,
            now.date_naive(),
        )
        .map_err(|e| refusal(&name, e))?;
        // An answer never accepts less than the carrier already credited.
        if let Some(accepted) = accepted {
            answer_covers_credit(accepted, Money::new(current.credited_minor, currency)).map_err(
                |e| ClaimsError::refused(Refusal::DisputeCredited, &name, e.to_string()),
            )?;
        }
        let mut updated = current.clone();
        updated.status = to.as_str().to_owned();
        updated.accepted_minor = accepted.map(|m| m.amount_minor());
        updated.revision = given + 1;
        updated.updated_at = now;
        if !repo::replace(&txn, &updated, given).await? {
            return Err(ClaimsError::Stale {
                name,
                given,
                current: given + 1,
            });
        }
        repo::append_history(&txn, id, from, to, &caller.subject, note, now).await?;
        let event = match to {
            DisputeStatus::Submitted => "dispute.submitted",
            DisputeStatus::Open
            | DisputeStatus::Accepted
            | DisputeStatus::PartiallyAccepted
            | DisputeStatus::Rejected => "dispute.answered",
        };
        events::append_dispute(&txn, event, &updated).await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(updated)
    }
}

/// Submitting is the shipper's (admin, finance); answering the carrier's
/// (admin, the carrier itself).
fn may_move(caller: &Principal, mv: DisputeMove) -> Result<(), ClaimsError> {
    let ok = match mv {
        DisputeMove::Submit => matches!(caller.role, Role::Admin | Role::Finance),
        DisputeMove::Accept | DisputeMove::AcceptPart(_) | DisputeMove::Reject => {
            matches!(caller.role, Role::Admin | Role::Carrier)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(ClaimsError::Forbidden(format!(
            "role {} may not make this move on a dispute",
            caller.role.as_str()
        )))
    }
}

fn refusal(name: &str, e: recourse_claims_domain::dispute::DisputeError) -> ClaimsError {
    use recourse_claims_domain::dispute::DisputeError as E;
    match e {
        E::Illegal { from, to } => ClaimsError::refused(
            Refusal::DisputeStatus,
            format!("{} -> {}", from.as_str(), to.as_str()),
            e.to_string(),
        ),
        E::DeadlinePassed(_) => {
            ClaimsError::refused(Refusal::DisputeDeadlinePassed, name, e.to_string())
        }
        E::PartialAmount(_) => ClaimsError::invalid("accepted_amount", e.to_string()),
        E::Money(_) => ClaimsError::refused(Refusal::AmountOverflow, name, e.to_string()),
    }
}

fn skip(outcome: &mut CreateOutcome, line: u64, reason: &'static str, existing: Option<String>) {
    outcome.skipped_count += 1;
    if outcome.skipped.len() < MAX_LISTED {
        outcome.skipped.push(SkippedLine {
            line,
            reason,
            existing,
        });
    }
}

fn new_row(
    invoice: &InvoiceFacts,
    line: &crate::contracts::InvoiceLineFacts,
    now: chrono::DateTime<Utc>,
) -> Result<DisputeRow, ClaimsError> {
    let reasons = line.reasons.join(",");
    Ok(DisputeRow {
        id: uuid::Uuid::now_v7().to_string(),
        carrier_id: invoice.carrier_id.clone(),
        invoice_id: invoice.id.clone(),
        invoice_number: invoice.number.clone(),
        line_no: i64::try_from(line.line).map_err(ClaimsError::internal)?,
        tracking_number: line.tracking_number.clone(),
        shipment_id: line.shipment_id.clone(),
        currency: invoice.currency.as_str().to_owned(),
        amount_minor: line.at_stake.amount_minor(),
        accepted_minor: None,
        credited_minor: 0,
        reasons: recourse_platform::error::bound::truncate_chars(&reasons, 500).into_owned(),
        deadline: invoice.dispute_deadline,
        status: DisputeStatus::Open.as_str().to_owned(),
        revision: 1,
        created_at: now,
        updated_at: now,
    })
}
