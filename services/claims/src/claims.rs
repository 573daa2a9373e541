//! Claim use cases: filing, submission against the contract in force on the
//! ship date, the lifecycle, overdue clocks and delay claims from refund
//! candidates. Each change is one transaction with its history record and
//! outbox event.

use chrono::{Datelike, NaiveDate, Utc};
use recourse_claims_domain::deadline::{
    Anchor, AnchorDates, Clock, carrier_clocks, filing_deadline, is_late, overdue,
};
use recourse_claims_domain::liability::{LiabilityTerms, liability_cap};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::number::claim_number;
use recourse_contracts_domain::units::{Weight, WeightUnit};
use recourse_money::{Currency, Money};
use recourse_platform::auth::{Principal, Role};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::outbox::Relay;
use recourse_platform::proto_types::{date_from_proto, timestamp_from_proto};
use recourse_platform::{ApiError, etag};
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::contracts::ContractsClient;
use crate::convert::{claim_to_proto, date_out, history_to_proto, money};
use crate::events::{Data, new_event};
use crate::repo::claims::{self as repo, ClaimFilter, ClaimRecord, HistoryRecord};
use recourse_claims_migration::{IDEMPOTENCY, OUTBOX};

/// What a write did: the status it left, why, any amount, and the event.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub from: ClaimStatus,
    pub reason: &'a str,
    pub amount: Option<i64>,
    pub event_type: &'a str,
}

/// A parsed CreateClaim body.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub shipment_id: String,
    pub claim_type: i32,
    pub claimant: pb::Claimant,
    pub line_items: Vec<pb::LineItem>,
    pub claimed: Money,
    pub declared_value: Option<Money>,
    pub notes: String,
}

/// Changes to a draft; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub struct ClaimPatch {
    pub claim_type: Option<i32>,
    pub claimant: Option<pb::Claimant>,
    pub line_items: Option<(Vec<pb::LineItem>, Money)>,
    pub declared_value: Option<Option<Money>>,
    pub notes: Option<String>,
}

/// A lifecycle move other than submission.
#[derive(Debug, Clone)]
pub struct Move {
    pub to: ClaimStatus,
    pub reason: String,
    pub amount: Option<Money>,
    pub override_cap: bool,
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource: "claim",
        name: format!("claims/{id}"),
    }
}

fn illegal(from: ClaimStatus, to: ClaimStatus) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "CLAIM_STATUS_TRANSITION",
        subject: format!("{from} -> {to}"),
        message: format!("a claim cannot go from {from} to {to}"),
    }
}

pub fn ensure_visible(caller: &Principal, carrier_id: &str) -> Result<(), ApiError> {
    if caller.can_see_carrier(carrier_id) {
        Ok(())
    } else {
        Err(ApiError::PermissionDenied(format!(
            "carriers/{carrier_id} is not visible to this principal"
        )))
    }
}

fn anchor(value: i32) -> Anchor {
    match cpb::FilingAnchor::try_from(value) {
        Ok(cpb::FilingAnchor::ScheduledDelivery) => Anchor::ScheduledDelivery,
        Ok(cpb::FilingAnchor::ActualDelivery) => Anchor::ActualDelivery,
        Ok(cpb::FilingAnchor::InvoiceDate) => Anchor::InvoiceDate,
        _ => Anchor::ShipDate,
    }
}

fn anchor_to_proto(a: Anchor) -> cpb::FilingAnchor {
    match a {
        Anchor::ShipDate => cpb::FilingAnchor::ShipDate,
        Anchor::ScheduledDelivery => cpb::FilingAnchor::ScheduledDelivery,
        Anchor::ActualDelivery => cpb::FilingAnchor::ActualDelivery,
        Anchor::InvoiceDate => cpb::FilingAnchor::InvoiceDate,
    }
}

fn weight_unit(value: i32) -> Option<WeightUnit> {
    match recourse_proto::common::WeightUnit::try_from(value).ok()? {
        recourse_proto::common::WeightUnit::Lb => Some(WeightUnit::Lb),
        recourse_proto::common::WeightUnit::Kg => Some(WeightUnit::Kg),
        recourse_proto::common::WeightUnit::Unspecified => None,
    }
}

/// The shipment's weight in the contract's weight unit, for per-unit limits.
fn weight_in(shipment: &cpb::Shipment, unit: Option<WeightUnit>) -> Option<i64> {
    let w = shipment.weight.as_ref()?;
    let weight = Weight {
        thousandths: w.thousandths,
        unit: weight_unit(w.unit)?,
    };
    weight.to_unit(unit?).ok().map(|w| w.thousandths)
}

fn contract_money(m: Option<&recourse_proto::common::Money>, currency: Currency) -> Option<Money> {
    m.filter(|m| m.currency_code == currency.as_str())
        .map(|m| Money::new(m.amount_minor, currency))
}

#[derive(Debug, Clone)]
pub struct ClaimDesk {
    db: DatabaseConnection,
    contracts: ContractsClient,
    relay: Relay,
}

impl ClaimDesk {
    pub fn new(db: DatabaseConnection, contracts: ContractsClient, relay: Relay) -> Self {
        Self {
            db,
            contracts,
            relay,
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn relay(&self) -> &Relay {
        &self.relay
    }

    pub async fn to_proto<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        c: &ClaimRecord,
    ) -> Result<pb::Claim, ApiError> {
        let documents = repo::documents_of(conn, &c.id).await?;
        Ok(claim_to_proto(c, &documents))
    }

    pub async fn find(&self, id: &str) -> Result<ClaimRecord, ApiError> {
        repo::find(&self.db, id).await?.ok_or_else(|| not_found(id))
    }

    pub async fn get(&self, caller: &Principal, id: &str) -> Result<pb::Claim, ApiError> {
        let claim = self.find(id).await?;
        ensure_visible(caller, &claim.carrier_id)?;
        self.to_proto(&self.db, &claim).await
    }

    pub async fn list(
        &self,
        filter: &ClaimFilter,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<pb::Claim>, ApiError> {
        let rows = repo::list(&self.db, filter, after, Some(limit)).await?;
        let ids: Vec<&str> = rows.iter().map(|c| c.id.as_str()).collect();
        let documents = repo::documents_of_many(&self.db, &ids).await?;
        Ok(rows
            .iter()
            .map(|c| {
                claim_to_proto(
                    c,
                    documents.get(&c.id).map(Vec::as_slice).unwrap_or_default(),
                )
            })
            .collect())
    }

    /// Files a draft for a shipment the caller may see.
    pub async fn create(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        token: Option<&str>,
        new: NewClaim,
    ) -> Result<pb::Claim, ApiError> {
        let shipment = self.contracts.shipment(token, &new.shipment_id).await?;
        let carrier_id = shipment.carrier.trim_start_matches("carriers/").to_owned();
        ensure_visible(caller, &carrier_id)?;
        let desk = self.clone();
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let now = Utc::now();
                let sequence = repo::next_sequence(txn, now.year()).await?;
                let record = ClaimRecord {
                    id: uuid::Uuid::now_v7().to_string(),
                    number: claim_number(now.year(), sequence),
                    carrier_id: carrier_id.clone(),
                    shipment_id: new.shipment_id.clone(),
                    tracking_number: shipment.tracking_number.clone(),
                    service_level: shipment.service_level.clone(),
                    claim_type: new.claim_type,
                    status: ClaimStatus::Draft,
                    claimant: new.claimant.clone(),
                    line_items: new.line_items.clone(),
                    declared_value_minor: new.declared_value.map(|m| m.amount_minor()),
                    currency: new.claimed.currency().as_str().to_owned(),
                    claimed_minor: new.claimed.amount_minor(),
                    notes: new.notes.clone(),
                    terms: None,
                    liability_cap_minor: None,
                    approved_minor: None,
                    approved_on: None,
                    recovered_minor: 0,
                    written_off_minor: 0,
                    submitted_at: None,
                    approved_at: None,
                    acknowledge_due: None,
                    decision_due: None,
                    revision: 1,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert(txn, &record).await?;
                let proto = desk.to_proto(txn, &record).await?;
                OUTBOX
                    .append(
                        txn,
                        new_event(
                            "claim.created",
                            proto.name.clone(),
                            &record.carrier_id,
                            Data::Claim(proto.clone()),
                        ),
                    )
                    .await?;
                Ok(proto)
            })
            .await;
        self.relay.poke();
        result
    }

    /// Reads a claim in `txn` and checks the caller's etag and scope.
    async fn current(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        id: &str,
        given: i64,
    ) -> Result<ClaimRecord, ApiError> {
        let claim = repo::find(txn, id).await?.ok_or_else(|| not_found(id))?;
        ensure_visible(caller, &claim.carrier_id)?;
        if claim.revision != given {
            return Err(etag::stale(&format!("claims/{id}"), given, claim.revision));
        }
        Ok(claim)
    }

    /// Writes the changed claim with its history record and event.
    pub(crate) async fn record(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        mut claim: ClaimRecord,
        change: Change<'_>,
    ) -> Result<pb::Claim, ApiError> {
        let Change {
            from,
            reason,
            amount,
            event_type,
        } = change;
        let expected = claim.revision;
        claim.revision += 1;
        claim.updated_at = Utc::now();
        if !repo::replace(txn, &claim, expected).await? {
            return Err(etag::stale(
                &format!("claims/{}", claim.id),
                expected,
                expected + 1,
            ));
        }
        if from != claim.status {
            repo::append_history(
                txn,
                &HistoryRecord {
                    claim_id: claim.id.clone(),
                    from,
                    to: claim.status,
                    actor: caller.subject.clone(),
                    actor_role: caller.role.to_string(),
                    reason: reason.to_owned(),
                    amount_minor: amount,
                    at: claim.updated_at,
                },
            )
            .await?;
        }
        let proto = self.to_proto(txn, &claim).await?;
        OUTBOX
            .append(
                txn,
                new_event(
                    event_type,
                    proto.name.clone(),
                    &claim.carrier_id,
                    Data::Claim(proto.clone()),
                ),
            )
            .await?;
        Ok(proto)
    }

    pub async fn update(
        &self,
        caller: &Principal,
        id: &str,
        given: i64,
        patch: ClaimPatch,
    ) -> Result<pb::Claim, ApiError> {
        let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
        let mut claim = self.current(&txn, caller, id, given).await?;
        if claim.status != ClaimStatus::Draft {
            return Err(ApiError::FailedPrecondition {
                kind: "CLAIM_NOT_DRAFT",
                subject: format!("claims/{id}"),
                message: format!("only a draft can be edited; this claim is {}", claim.status),
            });
        }
        if let Some(t) = patch.claim_type {
            claim.claim_type = t;
        }
        if let Some(c) = patch.claimant {
            claim.claimant = c;
        }
        if let Some((items, claimed)) = patch.line_items {
            claim.line_items = items;
            claim.claimed_minor = claimed.amount_minor();
            claim.currency = claimed.currency().as_str().to_owned();
        }
        if let Some(d) = patch.declared_value {
            claim.declared_value_minor = d.map(|m| m.amount_minor());
        }
        if let Some(n) = patch.notes {
            claim.notes = n;
        }
        let from = claim.status;
        let proto = self
            .record(
                &txn,
                caller,
                claim,
                Change {
                    from,
                    reason: "",
                    amount: None,
                    event_type: "claim.updated",
                },
            )
            .await?;
        txn.commit().await?;
        self.relay.poke();
        Ok(proto)
    }

    /// draft → submitted, with the contract's terms fixed on the claim.
    pub async fn submit(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        token: Option<&str>,
        id: &str,
        given: i64,
        override_late: Option<String>,
    ) -> Result<pb::Claim, ApiError> {
        let draft = self.find(id).await?;
        ensure_visible(caller, &draft.carrier_id)?;
        if let Some(first) = IDEMPOTENCY.replay(&self.db, &key).await? {
            return Ok(first);
        }
        if draft.status != ClaimStatus::Draft {
            return Err(illegal(draft.status, ClaimStatus::Submitted));
        }
        let shipment = self.contracts.shipment(token, &draft.shipment_id).await?;
        let ship_date = shipment
            .ship_time
            .as_ref()
            .and_then(timestamp_from_proto)
            .map(|t| t.date_naive())
            .ok_or_else(|| ApiError::internal("shipment without ship time"))?;
        let terms = self
            .contracts
            .claim_terms(
                token,
                &draft.carrier_id,
                &draft.service_level,
                draft.claim_type,
                ship_date,
            )
            .await?;
        let currency = Currency::parse(&terms.currency_code).map_err(ApiError::internal)?;
        if draft.currency != currency.as_str() {
            return Err(ApiError::invalid(
                "claim.line_items",
                format!(
                    "must be in the contract currency {} (the claim is in {})",
                    currency.as_str(),
                    draft.currency
                ),
            ));
        }
        let liability = LiabilityTerms {
            default_per_package_limit: contract_money(
                terms.default_per_package_limit.as_ref(),
                currency,
            )
            .unwrap_or(Money::zero(currency)),
            declared_value_coverage: terms.declared_value_coverage,
            max_declared_value: contract_money(terms.max_declared_value.as_ref(), currency),
            per_weight_unit_limit: contract_money(terms.per_weight_unit_limit.as_ref(), currency),
        };
        let declared = draft
            .declared_value_minor
            .map(|m| Money::new(m, currency))
            .or_else(|| contract_money(shipment.declared_value.as_ref(), currency));
        let cap = liability_cap(
            Money::new(draft.claimed_minor, currency),
            declared,
            weight_in(&shipment, weight_unit(terms.weight_unit)),
            &liability,
        )
        .map_err(|e| ApiError::invalid("claim.line_items", e.to_string()))?;
        let window = terms.filing_window.unwrap_or_default();
        let to_date = |t: &Option<prost_types::Timestamp>| {
            t.as_ref()
                .and_then(timestamp_from_proto)
                .map(|t| t.date_naive())
        };
        let dates = AnchorDates {
            ship: ship_date,
            scheduled: to_date(&shipment.promised_delivery_time),
            delivered: to_date(&shipment.delivered_time),
            invoiced: None,
        };
        let (deadline, used) = filing_deadline(anchor(window.anchor), window.days, &dates);
        let today = Utc::now().date_naive();
        let mut justification = String::new();
        if is_late(deadline, today) {
            let Some(why) = override_late else {
                return Err(ApiError::FailedPrecondition {
                    kind: "FILING_DEADLINE_PASSED",
                    subject: format!("claims/{id}"),
                    message: format!(
                        "the filing deadline was {deadline} ({} days from the {} under {}); an admin may override with a justification",
                        window.days,
                        anchor_to_proto(used)
                            .as_str_name()
                            .trim_start_matches("FILING_ANCHOR_")
                            .to_lowercase()
                            .replace('_', " "),
                        terms.contract_version
                    ),
                });
            };
            if caller.role != Role::Admin {
                return Err(ApiError::PermissionDenied(
                    "only an admin may accept a late claim".into(),
                ));
            }
            justification = why;
        }
        let documents = repo::documents_of(&self.db, id).await?;
        let missing: Vec<&str> = terms
            .required_documents
            .iter()
            .filter(|kind| {
                !documents.iter().any(|d| {
                    cpb::DocumentKind::from_str_name(&d.kind).map(i32::from) == Some(**kind)
                })
            })
            .map(|kind| cpb::DocumentKind::try_from(*kind).map_or("UNKNOWN", |k| k.as_str_name()))
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::FailedPrecondition {
                kind: "MISSING_DOCUMENTS",
                subject: format!("claims/{id}"),
                message: format!("missing required documents: {}", missing.join(", ")),
            });
        }
        let (ack_due, decision_due) = carrier_clocks(
            today,
            terms.acknowledge_within_days,
            terms.decide_within_days,
        );
        let applied = pb::AppliedTerms {
            contract_version: terms.contract_version.clone(),
            liability_cap: money(cap.amount_minor(), currency.as_str()),
            filing_deadline: date_out(deadline),
            deadline_anchor: anchor_to_proto(used).into(),
            required_documents: terms.required_documents.clone(),
            acknowledge_due: date_out(ack_due),
            decision_due: date_out(decision_due),
            late_filing_justification: justification.clone(),
        };
        let desk = self.clone();
        let caller = caller.clone();
        let id = id.to_owned();
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let mut claim = desk.current(txn, &caller, &id, given).await?;
                let from = claim.status;
                claim.status = from
                    .transition(ClaimStatus::Submitted)
                    .map_err(|_| illegal(from, ClaimStatus::Submitted))?;
                claim.terms = Some(applied);
                claim.liability_cap_minor = Some(cap.amount_minor());
                claim.submitted_at = Some(Utc::now());
                claim.acknowledge_due = Some(ack_due);
                claim.decision_due = Some(decision_due);
                let reason = if justification.is_empty() {
                    String::new()
                } else {
                    format!("late filing accepted: {justification}")
                };
                desk.record(
                    txn,
                    &caller,
                    claim,
                    Change {
                        from,
                        reason: &reason,
                        amount: None,
                        event_type: "claim.submitted",
                    },
                )
                .await
            })
            .await;
        self.relay.poke();
        result
    }

    /// Any lifecycle move after submission.
    pub async fn transition(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        id: &str,
        given: i64,
        step: Move,
    ) -> Result<pb::Claim, ApiError> {
        let desk = self.clone();
        let caller = caller.clone();
        let id = id.to_owned();
        let result = IDEMPOTENCY
            .run(&self.db, key, async move |txn| {
                let mut claim = desk.current(txn, &caller, &id, given).await?;
                let from = claim.status;
                if step.to == ClaimStatus::Submitted {
                    return Err(ApiError::invalid("to", "use SubmitClaim to submit"));
                }
                claim.status = from.transition(step.to).map_err(|_| illegal(from, step.to))?;
                let currency = Currency::parse(&claim.currency).map_err(ApiError::internal)?;
                let claimed = Money::new(claim.claimed_minor, currency);
                let cap = claim.liability_cap_minor.map(|m| Money::new(m, currency)).unwrap_or(claimed);
                let ceiling = claimed.min(cap).map_err(ApiError::internal)?;
                let mut amount = None;
                match step.to {
                    ClaimStatus::Approved | ClaimStatus::PartiallyApproved => {
                        let approved = match (step.amount, step.to) {
                            (Some(a), _) => a,
                            (None, ClaimStatus::Approved) => ceiling,
                            (None, _) => return Err(ApiError::invalid("approved_amount", "is required for a partial approval")),
                        };
                        if approved.currency() != currency {
                            return Err(ApiError::invalid("approved_amount.currency_code", format!("must be the claim currency {}", currency.as_str())));
                        }
                        if approved.amount_minor() <= 0 || approved.amount_minor() > claimed.amount_minor() {
                            return Err(ApiError::invalid("approved_amount", "must be positive and at most the claimed amount"));
                        }
                        if approved.amount_minor() > cap.amount_minor() {
                            if !step.override_cap {
                                return Err(ApiError::FailedPrecondition {
                                    kind: "ABOVE_LIABILITY_CAP",
                                    subject: format!("claims/{id}"),
                                    message: format!("approved {approved} exceeds the liability cap {cap}; an admin may override with a reason"),
                                });
                            }
                            if caller.role != Role::Admin {
                                return Err(ApiError::PermissionDenied("only an admin may approve above the liability cap".into()));
                            }
                        }
                        if step.to == ClaimStatus::PartiallyApproved && approved.amount_minor() >= ceiling.amount_minor() && !step.override_cap {
                            return Err(ApiError::invalid("approved_amount", "a partial approval is below the claimed amount and the cap; use APPROVED"));
                        }
                        claim.approved_minor = Some(approved.amount_minor());
                        claim.approved_on = Some(Utc::now().date_naive());
                        claim.approved_at = Some(Utc::now());
                        amount = Some(approved.amount_minor());
                    }
                    ClaimStatus::Settled => {
                        let balance = desk_balance(&claim, currency);
                        if !recourse_claims_domain::allocation::is_fully_recovered(&balance) {
                            return Err(ApiError::FailedPrecondition {
                                kind: "NOT_RECOVERED",
                                subject: format!("claims/{id}"),
                                message: "a claim is settled when its approved amount is fully recovered".into(),
                            });
                        }
                    }
                    ClaimStatus::Closed if from.is_approved() => {
                        let outstanding = desk_balance(&claim, currency).outstanding().map_err(ApiError::internal)?;
                        if outstanding.amount_minor() != 0 {
                            return Err(ApiError::FailedPrecondition {
                                kind: "OUTSTANDING_BALANCE",
                                subject: format!("claims/{id}"),
                                message: format!("{outstanding} is still outstanding: recover or write it off first"),
                            });
                        }
                    }
                    _ => {}
                }
                desk.record(txn, &caller, claim, Change { from, reason: &step.reason, amount, event_type: "claim.status_changed" }).await
            })
            .await;
        self.relay.poke();
        result
    }

    pub async fn history(
        &self,
        caller: &Principal,
        id: &str,
    ) -> Result<Vec<pb::HistoryEntry>, ApiError> {
        let claim = self.find(id).await?;
        ensure_visible(caller, &claim.carrier_id)?;
        Ok(repo::history_of(&self.db, id)
            .await?
            .iter()
            .map(|h| history_to_proto(h, &claim.currency))
            .collect())
    }

    /// Claims whose acknowledgement or decision clock has run out.
    pub async fn overdue(
        &self,
        carrier_id: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Vec<pb::OverdueClaim>, ApiError> {
        let filter = ClaimFilter {
            carrier_id: carrier_id.map(str::to_owned),
            statuses: ClaimStatus::ALL
                .into_iter()
                .filter(|s| s.awaits_decision())
                .collect(),
            ..ClaimFilter::default()
        };
        let mut out = Vec::new();
        for claim in repo::list(&self.db, &filter, None, None).await? {
            let (Some(ack), Some(decision)) = (claim.acknowledge_due, claim.decision_due) else {
                continue;
            };
            if let Some((clock, due, days)) = overdue(claim.status, ack, decision, as_of) {
                out.push(pb::OverdueClaim {
                    claim: Some(self.to_proto(&self.db, &claim).await?),
                    clock: match clock {
                        Clock::Acknowledgement => "ACKNOWLEDGEMENT",
                        Clock::Decision => "DECISION",
                    }
                    .to_owned(),
                    due: date_out(due),
                    days_overdue: days,
                });
            }
        }
        Ok(out)
    }

    /// Open delay claims of a shipment (not withdrawn).
    pub async fn delay_claims_of(&self, shipment_id: &str) -> Result<Vec<ClaimRecord>, ApiError> {
        let filter = ClaimFilter {
            shipment_id: Some(shipment_id.to_owned()),
            claim_type: Some(cpb::ClaimType::Delay.into()),
            ..ClaimFilter::default()
        };
        Ok(repo::list(&self.db, &filter, None, None)
            .await?
            .into_iter()
            .filter(|c| c.status != ClaimStatus::Withdrawn)
            .collect())
    }

    pub fn contracts(&self) -> &ContractsClient {
        &self.contracts
    }
}

fn desk_balance(
    claim: &ClaimRecord,
    currency: Currency,
) -> recourse_claims_domain::allocation::ClaimBalance {
    recourse_claims_domain::allocation::ClaimBalance {
        approved: Money::new(claim.approved_minor.unwrap_or(0), currency),
        recovered: Money::new(claim.recovered_minor, currency),
        written_off: Money::new(claim.written_off_minor, currency),
    }
}

pub fn balance(
    claim: &ClaimRecord,
) -> Result<recourse_claims_domain::allocation::ClaimBalance, ApiError> {
    let currency = Currency::parse(&claim.currency).map_err(ApiError::internal)?;
    Ok(desk_balance(claim, currency))
}

/// Today's date from an optional proto date, for `as_of` style fields.
pub fn date_or_today(d: Option<&recourse_proto::common::Date>) -> Result<NaiveDate, ApiError> {
    match d {
        None => Ok(Utc::now().date_naive()),
        Some(d) => date_from_proto(d)
            .ok_or_else(|| ApiError::invalid("as_of", "must be a valid calendar date")),
    }
}
