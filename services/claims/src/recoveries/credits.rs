//! Credits on disputes: remittance lines and hand allocations naming
//! `disputes/{id}` (`recourse_claims_domain::credit`). The disputes are
//! locked after the remittance and its claims (the one lock order), each
//! credited total raised by a conditional update (and, on PostgreSQL, a
//! CHECK) as the last word; every credited dispute gets a history row and
//! a `dispute.credited` event in the same transaction, and a credit that
//! covers the whole amount of a dispute still awaiting an answer accepts
//! it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SubsecRound as _, Utc};
use recourse_claims_domain::credit::{
    CreditError, DisputeBalance, after_credit, credit, place_line,
};
use recourse_claims_domain::dispute::DisputeStatus;
use recourse_money::{Currency, Money};
use recourse_platform::auth::Principal;
use sea_orm::DatabaseTransaction;

use crate::error::{ClaimsError, Refusal};
use crate::events;
use crate::repo::disputes::{self as repo, DisputeRow};

/// The dispute id a reference names (`disputes/{id}`).
pub fn dispute_id(reference: &str) -> Option<&str> {
    reference.strip_prefix("disputes/")
}

/// A refusal of a hand credit, as the API answers it.
pub fn credit_error(subject: &str, err: CreditError) -> ClaimsError {
    let message = err.to_string();
    match err {
        CreditError::NotPositive | CreditError::Money(_) => ClaimsError::invalid("amount", message),
        CreditError::CurrencyMismatch { .. } => {
            ClaimsError::invalid("amount.currency_code", message)
        }
        CreditError::NotCreditable(_)
        | CreditError::NothingDue
        | CreditError::ExceedsRemittance { .. }
        | CreditError::ExceedsDue { .. } => {
            ClaimsError::refused(Refusal::Allocation, subject, message)
        }
        CreditError::BelowCredited(_) => {
            ClaimsError::refused(Refusal::DisputeCredited, subject, message)
        }
    }
}

fn balance(d: &DisputeRow) -> Result<DisputeBalance, ClaimsError> {
    let currency = Currency::parse(&d.currency).map_err(ClaimsError::internal)?;
    Ok(DisputeBalance {
        status: DisputeStatus::parse(&d.status)
            .ok_or_else(|| ClaimsError::internal("corrupt dispute status"))?,
        amount: Money::new(d.amount_minor, currency),
        accepted: d.accepted_minor.map(|m| Money::new(m, currency)),
        credited: Money::new(d.credited_minor, currency),
    })
}

/// The disputes a remittance credits, locked, with what each had before.
pub struct DisputeBook {
    /// id → (the row as credited so far, its status and credited before).
    rows: BTreeMap<String, (DisputeRow, DisputeStatus, i64)>,
}

impl DisputeBook {
    /// Locks the disputes `ids` (those that exist) in id order.
    pub async fn lock(txn: &DatabaseTransaction, ids: Vec<String>) -> Result<Self, ClaimsError> {
        let mut sorted = ids;
        sorted.sort();
        sorted.dedup();
        let mut rows = BTreeMap::new();
        for d in repo::lock(txn, &sorted).await? {
            let status = balance(&d)?.status;
            let before = d.credited_minor;
            rows.insert(d.id.clone(), (d, status, before));
        }
        Ok(Self { rows })
    }

    /// The locked dispute `id` if it is `carrier_id`'s, else why not.
    fn of_carrier(&mut self, carrier_id: &str, id: &str) -> Result<&mut DisputeRow, String> {
        match self.rows.get_mut(id) {
            Some((d, _, _)) if d.carrier_id == carrier_id => Ok(d),
            Some(_) => Err(format!("disputes/{id} belongs to another carrier")),
            None => Err(format!("no dispute disputes/{id}")),
        }
    }

    /// Places a remittance line naming dispute `id`: what it still expects,
    /// within `available`. Returns (credited, reason the rest is unplaced).
    pub fn place(
        &mut self,
        carrier_id: &str,
        id: &str,
        available: &mut Money,
        line: Money,
    ) -> (Money, String) {
        let zero = Money::zero(line.currency());
        let d = match self.of_carrier(carrier_id, id) {
            Ok(d) => d,
            Err(reason) => return (zero, reason),
        };
        let placed = balance(d)
            .map_err(|e| e.to_string())
            .and_then(|b| place_line(*available, &b, line).map_err(|e| e.to_string()));
        match placed {
            Ok((credited, unplaced)) => {
                apply(d, credited);
                *available = Money::new(
                    available.amount_minor() - credited.amount_minor(),
                    available.currency(),
                );
                let reason = if unplaced.amount_minor() > 0 {
                    format!("{unplaced} exceeds what disputes/{id} still expects")
                } else {
                    String::new()
                };
                (credited, reason)
            }
            Err(reason) => (zero, format!("disputes/{id}: {reason}")),
        }
    }

    /// A hand credit of `requested` (default: all that is due within
    /// `available`) to dispute `id`, refused as the API answers.
    pub fn credit(
        &mut self,
        carrier_id: &str,
        id: &str,
        available: Money,
        requested: Option<Money>,
    ) -> Result<Money, ClaimsError> {
        let subject = format!("disputes/{id}");
        let d = self.of_carrier(carrier_id, id).map_err(|reason| {
            if reason.starts_with("no dispute") {
                ClaimsError::not_found("dispute", "disputes", id)
            } else {
                ClaimsError::refused(Refusal::Allocation, &subject, reason)
            }
        })?;
        let amount =
            credit(available, &balance(d)?, requested).map_err(|e| credit_error(&subject, e))?;
        apply(d, amount);
        Ok(amount)
    }

    /// Writes every dispute credited since [`Self::lock`]: its total (a
    /// conditional update), its history row and its `dispute.credited`
    /// event.
    pub async fn write(
        self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        (remittance_id, remittance_date): (&str, NaiveDate),
        now: DateTime<Utc>,
    ) -> Result<(), ClaimsError> {
        let now = now.trunc_subsecs(6);
        for (id, (mut d, from, before)) in self.rows {
            let paid = d.credited_minor - before;
            if paid <= 0 {
                continue;
            }
            d.updated_at = now;
            if !repo::add_credit(txn, &d, paid).await? {
                return Err(ClaimsError::Conflict(format!(
                    "disputes/{id} changed while it was credited"
                )));
            }
            d.revision += 1;
            let currency = Currency::parse(&d.currency).map_err(ClaimsError::internal)?;
            let paid = Money::new(paid, currency);
            let to = DisputeStatus::parse(&d.status).unwrap_or(from);
            let note = format!("credited {paid} from remittances/{remittance_id}");
            repo::append_history(txn, &id, from, to, &caller.subject, &note, now).await?;
            events::append_dispute_credit(txn, &d, paid, (remittance_id, remittance_date), now)
                .await?;
        }
        Ok(())
    }
}

/// Adds `credited` to the row, accepting it when that answers it.
fn apply(d: &mut DisputeRow, credited: Money) {
    d.credited_minor += credited.amount_minor();
    if let Ok(b) = balance(d)
        && let Some((status, accepted)) = after_credit(&b)
    {
        d.status = status.as_str().to_owned();
        d.accepted_minor = Some(accepted.amount_minor());
    }
}

impl super::RecoveryDesk {
    /// Credits part of a remittance to a dispute by hand
    /// (`AllocateRemittance` naming a dispute): the remittance locked
    /// first, then the dispute.
    pub async fn credit(
        &self,
        key: recourse_platform::idempotency::IdempotencyKey,
        caller: &Principal,
        remittance_id: &str,
        dispute: &str,
        amount: Option<Money>,
    ) -> Result<recourse_claims_domain::remittance::Remittance, ClaimsError> {
        use crate::repo::recoveries as rrepo;
        let not_found = || ClaimsError::not_found("remittance", "remittances", remittance_id);
        let result = crate::claims::once(self.claims.db(), key, async move |txn| {
            let row = rrepo::lock_remittance(txn, remittance_id)
                .await?
                .ok_or_else(not_found)?;
            let mut book = DisputeBook::lock(txn, vec![dispute.to_owned()]).await?;
            let currency = Currency::parse(&row.currency).map_err(ClaimsError::internal)?;
            let left = row.amount_minor.saturating_sub(row.allocated_minor);
            if left <= 0 {
                return Err(ClaimsError::refused(
                    Refusal::Allocation,
                    format!("remittances/{remittance_id}"),
                    format!("nothing is left of remittances/{remittance_id} to allocate"),
                ));
            }
            let paid = book.credit(&row.carrier_id, dispute, Money::new(left, currency), amount)?;
            let now = Utc::now();
            rrepo::insert_credits(
                txn,
                &[rrepo::CreditRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    remittance_id: row.id.clone(),
                    line_id: None,
                    dispute_id: dispute.to_owned(),
                    amount_minor: paid.amount_minor(),
                    created_at: now,
                }],
            )
            .await?;
            if !rrepo::add_allocated(txn, &row.id, paid.amount_minor()).await? {
                return Err(ClaimsError::Conflict(format!(
                    "remittances/{remittance_id} changed while it was allocated"
                )));
            }
            book.write(txn, caller, (&row.id, row.remittance_date), now)
                .await?;
            let row = rrepo::find_row(txn, remittance_id)
                .await?
                .ok_or_else(not_found)?;
            rrepo::with_lines(txn, vec![row])
                .await?
                .pop()
                .ok_or_else(not_found)
        })
        .await;
        self.claims.relay().poke();
        result
    }
}
