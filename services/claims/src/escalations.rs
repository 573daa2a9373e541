//! The escalation queue (`EscalationService`): items made by hand or by
//! the scan as the clocks pass (`recourse_claims_domain::escalation`),
//! assigned, re-dated, noted and resolved under their etag. The database
//! keeps one item per occurrence and one open item per subject (see the
//! migration); every new item is an `escalation.created` feed event for
//! in-house readers.

use chrono::{Days, NaiveDate, SubsecRound as _};
use recourse_claims_domain::deadline::overdue;
use recourse_claims_domain::escalation::{
    DEFAULT_DISPUTE_HORIZON_DAYS, DEFAULT_REFUND_HORIZON_DAYS, Due, EscalationKind,
    EscalationState, for_claim, for_dispute, for_refund, for_sla,
};
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::outbox::Relay;
use recourse_platform::pagination::PageRequest;
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::claims::ClaimFilter;
use crate::clock::Clock;
use crate::contracts::ContractsClient;
use crate::error::{ClaimsError, Refusal};
use crate::events;
use crate::repo::claims as claims_repo;
use crate::repo::disputes as disputes_repo;
use crate::repo::escalations::{self as repo, EscalationFilter, EscalationRow, NoteRow};

/// Notes one item holds.
pub const MAX_NOTES: u64 = 100;
/// Rows the scan reads per query.
const SCAN_PAGE: u64 = 500;

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
        txn.commit().await?;
        self.get(id).await
    }

    /// The scan: every clock that calls for a person on the clock's today.
    /// Returns (created, found).
    pub async fn scan(
        &self,
        horizon_days: u32,
        refund_horizon_days: u32,
    ) -> Result<(u64, u64), ClaimsError> {
        let today = self.clock.now().date_naive();
        let mut created = 0;
        let mut found = 0;
        let mut after: Option<String> = None;
        loop {
            let claims = claims_repo::overdue(
                &self.db,
                &ClaimFilter::default(),
                today,
                after.as_deref(),
                SCAN_PAGE,
            )
            .await?;
            let Some(last) = claims.last() else { break };
            after = Some(last.id.clone());
            for claim in &claims {
                let Some(terms) = &claim.terms else { continue };
                let Some((clock, due, _)) = overdue(
                    claim.status,
                    terms.acknowledge_due,
                    terms.decision_due,
                    today,
                ) else {
                    continue;
                };
                found += 1;
                let item = for_claim(clock, due, today);
                created += u64::from(
                    self.raise(format!("claims/{}", claim.id), &claim.carrier_id, item)
                        .await?,
                );
            }
        }
        let horizon = if horizon_days == 0 {
            DEFAULT_DISPUTE_HORIZON_DAYS
        } else {
            horizon_days
        };
        let until = today
            .checked_add_days(Days::new(u64::from(horizon)))
            .unwrap_or(NaiveDate::MAX);
        let mut after: Option<String> = None;
        loop {
            let disputes =
                disputes_repo::open_due_by(&self.db, until, after.as_deref(), SCAN_PAGE).await?;
            let Some(last) = disputes.last() else { break };
            after = Some(last.id.clone());
            for d in &disputes {
                let Some(item) = for_dispute(d.deadline, today, horizon) else {
                    continue;
                };
                found += 1;
                created += u64::from(
                    self.raise(format!("disputes/{}", d.id), &d.carrier_id, item)
                        .await?,
                );
            }
        }
        let refund_horizon = if refund_horizon_days == 0 {
            DEFAULT_REFUND_HORIZON_DAYS
        } else {
            refund_horizon_days
        };
        let (c, f) = self.scan_refunds(today, refund_horizon).await?;
        let (s, g) = self.scan_sla().await?;
        Ok((created + c + s, found + f + g))
    }

    /// Refund candidates of every carrier this service has claims or
    /// disputes of (the carriers it works with; it has no carrier
    /// registry of its own), read from the contracts service as of the
    /// clock, a page at a time. A candidate already claimed is left alone.
    async fn scan_refunds(
        &self,
        today: NaiveDate,
        horizon: u32,
    ) -> Result<(u64, u64), ClaimsError> {
        let as_of = self.clock.now();
        let mut created = 0;
        let mut found = 0;
        for carrier in claims_repo::carriers(&self.db).await? {
            let mut token = String::new();
            loop {
                let (candidates, next) = self
                    .contracts
                    .refund_candidates_as_of(&carrier, as_of, &token)
                    .await?;
                for c in candidates {
                    let Some(deadline) = c.request_deadline else {
                        continue;
                    };
                    let Some(item) = for_refund(deadline, today, horizon) else {
                        continue;
                    };
                    if claims_repo::has_claim_for(&self.db, &c.shipment_id).await? {
                        continue;
                    }
                    found += 1;
                    created += u64::from(
                        self.raise(format!("shipments/{}", c.shipment_id), &carrier, item)
                            .await?,
                    );
                }
                if next.is_empty() {
                    break;
                }
                token = next;
            }
        }
        Ok((created, found))
    }

    /// SLA evaluations (of the same carriers) that breached with no
    /// service credit due.
    async fn scan_sla(&self) -> Result<(u64, u64), ClaimsError> {
        let mut created = 0;
        let mut found = 0;
        for carrier in claims_repo::carriers(&self.db).await? {
            let mut token = String::new();
            loop {
                let (evaluations, next) = self.contracts.sla_breaches(&carrier, &token).await?;
                for (name, breached, credit, end, revision) in evaluations {
                    let Some(item) = for_sla(breached, credit, end, revision) else {
                        continue;
                    };
                    found += 1;
                    created += u64::from(self.raise(name, &carrier, item).await?);
                }
                if next.is_empty() {
                    break;
                }
                token = next;
            }
        }
        Ok((created, found))
    }

    async fn raise(
        &self,
        subject: String,
        carrier_id: &str,
        item: Due,
    ) -> Result<bool, ClaimsError> {
        let row = self.row(
            item.kind,
            item.occurrence,
            NewEscalation {
                subject,
                carrier_id: carrier_id.to_owned(),
                owner: String::new(),
                due_date: item.due_date,
                summary: item.summary,
            },
        );
        self.insert(&row).await
    }
}

/// Runs the scan every `every` on the current runtime (the first after
/// one period), logging failures; a missed round is made up by the next,
/// since the scan looks at the clocks, not at what changed.
pub fn spawn_scanner(desk: EscalationDesk, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            match desk.scan(0, 0).await {
                Ok((created, found)) => {
                    tracing::info!(created, found, "escalation scan");
                }
                Err(err) => tracing::warn!(error = %err, "escalation scan failed"),
            }
        }
    });
}
