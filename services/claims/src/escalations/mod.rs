//! The escalation queue (`EscalationService`): items made by hand or by
//! the scan as the clocks pass (`recourse_claims_domain::escalation`),
//! assigned, re-dated, noted and resolved under their etag. The database
//! keeps one item per occurrence and one open item per subject (see the
//! migration); every new item is an `escalation.created` feed event for
//! in-house readers.

use chrono::{NaiveDate, SubsecRound as _};
use recourse_claims_domain::escalation::{Due, EscalationKind, EscalationState};
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::clock::Clock;
use crate::contracts::ContractsClient;
use crate::error::{ClaimsError, Refusal};
use crate::events;
use crate::repo::escalations::{self as repo, EscalationFilter, EscalationRow, NoteRow};

/// Notes one item holds.
pub const MAX_NOTES: u64 = 100;
/// Rows the scan reads per query.
pub(super) const SCAN_PAGE: u64 = 500;

/// A hand-made item, parsed.
#[derive(Debug, Clone)]
pub struct NewEscalation {
    pub subject: String,
    pub carrier_id: String,
    pub owner: String,
    pub due_date: NaiveDate,
    pub summary: String,
}

/// What UpdateEscalation changes (`None` leaves a field alone).
#[derive(Debug, Clone, Default)]
pub struct EscalationPatch {
    pub owner: Option<String>,
    pub state: Option<EscalationState>,
    pub due_date: Option<NaiveDate>,
    pub note: String,
}

mod scan;

pub use scan::spawn_scanner;

#[derive(Debug, Clone)]
pub struct EscalationDesk {
    db: DatabaseConnection,
    contracts: ContractsClient,
    relay: Relay,
    clock: Clock,
}

fn not_found(id: &str) -> ClaimsError {
    ClaimsError::not_found("escalation", "escalations", id)
}

impl EscalationDesk {
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

    fn row(&self, kind: EscalationKind, occurrence: String, n: NewEscalation) -> EscalationRow {
        let now = self.clock.now().trunc_subsecs(6);
        EscalationRow {
            id: uuid::Uuid::now_v7().to_string(),
            kind: kind.as_str().to_owned(),
            subject: n.subject,
            occurrence,
            carrier_id: n.carrier_id,
            owner: n.owner,
            due_date: n.due_date,
            state: EscalationState::Open.as_str().to_owned(),
            summary: n.summary,
            revision: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// Inserts `row` with its event in one transaction; `false` when an
    /// item of the occurrence exists or the subject has an open one.
    async fn insert(&self, row: &EscalationRow) -> Result<bool, ClaimsError> {
        let txn = self.db.begin().await?;
        let created = repo::insert_new(&txn, row).await?;
        if created {
            events::append_escalation(&txn, "escalation.created", row, &[]).await?;
        }
        txn.commit().await?;
        if created {
            self.relay.poke();
        }
        Ok(created)
    }

    /// CreateEscalation.
    pub async fn create(&self, new: NewEscalation) -> Result<EscalationRow, ClaimsError> {
        let subject = new.subject.clone();
        let row = self.row(
            EscalationKind::Manual,
            format!("manual-{}", uuid::Uuid::now_v7()),
            new,
        );
        if self.insert(&row).await? {
            return Ok(row);
        }
        let open = repo::open_of(&self.db, &subject).await?;
        let name = open
            .map(|o| format!("escalations/{}", o.id))
            .unwrap_or_default();
        Err(ClaimsError::Platform(ApiError::AlreadyExists {
            resource: "escalation",
            name: name.clone(),
            message: format!("{subject} already has an open escalation {name}"),
        }))
    }

    pub async fn get(&self, id: &str) -> Result<(EscalationRow, Vec<NoteRow>), ClaimsError> {
        let row = repo::find(&self.db, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let notes = repo::notes_of(&self.db, &[id]).await?;
        Ok((row, notes))
    }

    pub async fn list(
        &self,
        filter: &EscalationFilter,
        page: &PageRequest,
    ) -> Result<(Vec<(EscalationRow, Vec<NoteRow>)>, String), ClaimsError> {
        let after = match &page.after {
            Some(key) => {
                let bad = || ClaimsError::invalid("page_token", "is not a token this API issued");
                let (date, id) = key.split_once('|').ok_or_else(bad)?;
                let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
                Some((date, id.to_owned()))
            }
            None => None,
        };
        let rows = repo::list(&self.db, filter, after, page.fetch_limit()).await?;
        let (rows, next) = page.finish(rows, |r| format!("{}|{}", r.due_date, r.id));
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut notes = repo::notes_of(&self.db, &ids).await?;
        let out = rows
            .into_iter()
            .map(|r| {
                let (mine, rest): (Vec<NoteRow>, Vec<NoteRow>) =
                    notes.drain(..).partition(|n| n.escalation_id == r.id);
                notes = rest;
                (r, mine)
            })
            .collect();
        Ok((out, next))
    }

    /// UpdateEscalation under `given`.
    pub async fn update(
        &self,
        caller: &Principal,
        id: &str,
        given: i64,
        patch: EscalationPatch,
    ) -> Result<(EscalationRow, Vec<NoteRow>), ClaimsError> {
        let txn = self.db.begin().await?;
        let current = repo::find(&txn, id).await?.ok_or_else(|| not_found(id))?;
        let name = format!("escalations/{id}");
        if current.revision != given {
            return Err(ClaimsError::Stale {
                name,
                given,
                current: current.revision,
            });
        }
        let now = self.clock.now().trunc_subsecs(6);
        let mut updated = current.clone();
        if let Some(owner) = patch.owner {
            updated.owner = owner;
        }
        if let Some(state) = patch.state {
            updated.state = state.as_str().to_owned();
        }
        if let Some(due) = patch.due_date {
            updated.due_date = due;
        }
        updated.revision = given + 1;
        updated.updated_at = now;
        // Reopening an item of a subject that has another open one would
        // break the one-open-item rule: the index refuses it.
        let written = repo::replace(&txn, &updated, given).await.map_err(|e| {
            if recourse_platform::idempotency::is_unique_violation(&e) {
                ClaimsError::refused(
                    Refusal::EscalationOpen,
                    updated.subject.clone(),
                    format!("{} already has an open escalation", updated.subject),
                )
            } else {
                ClaimsError::Db(e)
            }
        })?;
        if !written {
            return Err(ClaimsError::Stale {
                name,
                given,
                current: given + 1,
            });
        }
        if !patch.note.is_empty() {
            if repo::note_count(&txn, id).await? >= MAX_NOTES {
                return Err(ClaimsError::refused(
                    Refusal::NoteLimit,
                    name,
                    format!("an escalation holds at most {MAX_NOTES} notes"),
                ));
            }
            repo::add_note(&txn, id, &caller.subject, &patch.note, now).await?;
        }
        // The feed follows the item's state (reporting counts open ones).
        let notes = repo::notes_of(&txn, &[id]).await?;
        events::append_escalation(&txn, "escalation.updated", &updated, &notes).await?;
        txn.commit().await?;
        self.relay.poke();
        self.get(id).await
    }

    pub(super) async fn raise(
        &self,
        subject: String,
        carrier_id: &str,
        item: Due,
    ) -> Result<bool, ClaimsError> {
        let row = self.due_row(subject, carrier_id, item);
        self.insert(&row).await
    }

    /// Raises `item` inside the caller's transaction (a feed event's), with
    /// its event; `false` when it exists. The caller commits and pokes.
    pub(crate) async fn raise_in<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        subject: String,
        carrier_id: &str,
        item: Due,
    ) -> Result<bool, ClaimsError> {
        let row = self.due_row(subject, carrier_id, item);
        let created = repo::insert_new(conn, &row).await?;
        if created {
            events::append_escalation(conn, "escalation.created", &row, &[]).await?;
        }
        Ok(created)
    }

    fn due_row(&self, subject: String, carrier_id: &str, item: Due) -> EscalationRow {
        self.row(
            item.kind,
            item.occurrence,
            NewEscalation {
                subject,
                carrier_id: carrier_id.to_owned(),
                owner: String::new(),
                due_date: item.due_date,
                summary: item.summary,
            },
        )
    }
}
