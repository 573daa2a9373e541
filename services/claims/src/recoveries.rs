//! Recovery use cases for finance: remittances and their allocation to
//! approved claims, write-offs, reconciliation. A claim whose approved amount
//! is fully recovered becomes settled in the same transaction.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use recourse_claims_domain::allocation::{self, AllocationError, is_fully_recovered};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_claims_domain::reconciliation::{ClaimFacts, reconcile};
use recourse_money::{Currency, Money};
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::proto_types::{date_to_proto, money_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::claims::{Change, ClaimDesk, balance, ensure_visible};
use crate::convert::money;
use crate::events::{Data, new_event};
use crate::repo::claims::{self as claims_repo, ClaimFilter, ClaimRecord};
use crate::repo::recoveries::{self as repo, AllocationRow, LineRow, RemittanceRow, WriteOffRow};
use recourse_claims_migration::{IDEMPOTENCY, OUTBOX};

#[derive(Debug, Clone)]
pub struct NewLine {
    pub claim_ref: String,
    pub tracking_number: String,
    pub amount: Money,
}

#[derive(Debug, Clone)]
pub struct NewRemittance {
    pub carrier_id: String,
    pub kind: pb::RemittanceKind,
    pub reference: String,
    pub invoice_reference: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub lines: Vec<NewLine>,
}

fn allocation_error(err: AllocationError) -> ApiError {
    let message = err.to_string();
    match err {
        AllocationError::NotPositive => ApiError::invalid("amount", message),
        AllocationError::CurrencyMismatch { .. } => {
            ApiError::invalid("amount.currency_code", message)
        }
        AllocationError::NothingOutstanding
        | AllocationError::ExceedsRemittance { .. }
        | AllocationError::ExceedsOutstanding { .. } => ApiError::FailedPrecondition {
            kind: "ALLOCATION",
            subject: String::new(),
            message,
        },
        AllocationError::Money(_) => ApiError::invalid("amount", message),
    }
}

#[derive(Debug, Clone)]
pub struct RecoveryDesk {
    claims: ClaimDesk,
}

impl RecoveryDesk {
    pub fn new(claims: ClaimDesk) -> Self {
        Self { claims }
    }

    /// The remittance with its lines and what each line was allocated to.
    pub async fn to_proto<C: ConnectionTrait>(
        &self,
        conn: &C,
        r: &RemittanceRow,
    ) -> Result<pb::Remittance, ApiError> {
        let lines = repo::lines_of(conn, &r.id).await?;
        let allocations = repo::allocations_of_remittance(conn, &r.id).await?;
        let cur = r.currency.as_str();
        let allocated: i64 = allocations.iter().map(|a| a.amount_minor).sum();
        Ok(pb::Remittance {
            name: format!("remittances/{}", r.id),
            carrier: format!("carriers/{}", r.carrier_id),
            kind: pb::RemittanceKind::from_str_name(&r.kind)
                .map(i32::from)
                .unwrap_or_default(),
            reference: r.reference.clone(),
            invoice_reference: r.invoice_reference.clone(),
            remittance_date: Some(date_to_proto(r.remittance_date)),
            amount: money(r.amount_minor, cur),
            lines: lines
                .iter()
                .map(|l| {
                    let mine: Vec<&AllocationRow> = allocations
                        .iter()
                        .filter(|a| a.line_id.as_deref() == Some(l.id.as_str()))
                        .collect();
                    pb::RemittanceLine {
                        claim: l.claim_ref.clone(),
                        tracking_number: l.tracking_number.clone(),
                        amount: money(l.amount_minor, cur),
                        allocated_claim: mine
                            .first()
                            .map(|a| format!("claims/{}", a.claim_id))
                            .unwrap_or_default(),
                        allocated_amount: money(mine.iter().map(|a| a.amount_minor).sum(), cur),
                        unmatched_reason: l.unmatched_reason.clone(),
                    }
                })
                .collect(),
            allocated: money(allocated, cur),
            unallocated: money(r.amount_minor - allocated, cur),
            create_time: Some(timestamp_to_proto(r.created_at)),
        })
    }

    /// The claim a line names: `claims/{id}` or a claim number, else the
    /// oldest approved claim of the carrier for the tracking number that
    /// still has money outstanding.
    async fn match_line(
        &self,
        txn: &DatabaseTransaction,
        carrier_id: &str,
        line: &NewLine,
    ) -> Result<Result<ClaimRecord, String>, ApiError> {
        if !line.claim_ref.is_empty() {
            let by_ref = match line.claim_ref.strip_prefix("claims/") {
                Some(id) => claims_repo::find(txn, id).await?,
                None => claims_repo::find_by_number(txn, &line.claim_ref).await?,
            };
            return Ok(match by_ref {
                Some(c) if c.carrier_id == carrier_id => Ok(c),
                Some(_) => Err(format!("{} belongs to another carrier", line.claim_ref)),
                None => Err(format!("no claim {}", line.claim_ref)),
            });
        }
        let filter = ClaimFilter {
            carrier_id: Some(carrier_id.to_owned()),
            tracking_number: Some(line.tracking_number.clone()),
            statuses: vec![ClaimStatus::Approved, ClaimStatus::PartiallyApproved],
            ..ClaimFilter::default()
        };
        for claim in claims_repo::list(txn, &filter, None, None).await? {
            if balance(&claim)?
                .outstanding()
                .is_ok_and(|o| o.amount_minor() > 0)
            {
                return Ok(Ok(claim));
            }
        }
        Ok(Err(format!(
            "no approved claim with money outstanding for tracking number {}",
            line.tracking_number
        )))
    }

    /// Books `amount` of a remittance to a claim: allocation row, the
    /// claim's recovered total, and settlement once fully recovered.
    async fn book(
        &self,
        txn: &DatabaseTransaction,
        caller: &Principal,
        remittance_id: &str,
        line_id: Option<String>,
        mut claim: ClaimRecord,
        amount: Money,
    ) -> Result<(), ApiError> {
        repo::insert_allocation(
            txn,
            &AllocationRow {
                id: uuid::Uuid::now_v7().to_string(),
                remittance_id: remittance_id.to_owned(),
                line_id,
                claim_id: claim.id.clone(),
                amount_minor: amount.amount_minor(),
                created_at: Utc::now(),
            },
        )
        .await?;
        claim.recovered_minor += amount.amount_minor();
        let from = claim.status;
        let settled =
            is_fully_recovered(&balance(&claim)?) && from.can_become(ClaimStatus::Settled);
        if settled {
            claim.status = ClaimStatus::Settled;
        }
        let reason = format!("recovered {amount} from remittances/{remittance_id}");
        let event = if settled {
            "claim.status_changed"
        } else {
            "claim.recovered"
        };
        self.claims
            .record(
                txn,
                caller,
                claim,
                Change {
                    from,
                    reason: &reason,
                    amount: Some(amount.amount_minor()),
                    event_type: event,
                },
            )
            .await?;
        Ok(())
    }

    pub async fn record(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        new: NewRemittance,
    ) -> Result<pb::Remittance, ApiError> {
        let desk = self.clone();
        let caller = caller.clone();
        let result = IDEMPOTENCY
            .run(self.claims.db(), key, async move |txn| {
                let row = RemittanceRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    carrier_id: new.carrier_id.clone(),
                    kind: new.kind.as_str_name().to_owned(),
                    reference: new.reference.clone(),
                    invoice_reference: new.invoice_reference.clone(),
                    remittance_date: new.date,
                    amount_minor: new.amount.amount_minor(),
                    currency: new.amount.currency().as_str().to_owned(),
                    created_at: Utc::now(),
                };
                repo::insert_remittance(txn, &row).await.map_err(|err| {
                    if is_unique_violation(&err) {
                        ApiError::AlreadyExists {
                            resource: "remittance",
                            name: new.reference.clone(),
                            message: format!(
                                "remittance `{}` of carriers/{} is already recorded",
                                new.reference, new.carrier_id
                            ),
                        }
                    } else {
                        err.into()
                    }
                })?;
                let mut available = new.amount;
                for (position, line) in new.lines.iter().enumerate() {
                    let line_row = LineRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        remittance_id: row.id.clone(),
                        position: i32::try_from(position).unwrap_or(i32::MAX),
                        claim_ref: line.claim_ref.clone(),
                        tracking_number: line.tracking_number.clone(),
                        amount_minor: line.amount.amount_minor(),
                        unmatched_reason: String::new(),
                    };
                    repo::insert_line(txn, &line_row).await?;
                    let claim = match desk.match_line(txn, &new.carrier_id, line).await? {
                        Ok(claim) => claim,
                        Err(reason) => {
                            repo::set_unmatched_reason(txn, &line_row.id, &reason).await?;
                            continue;
                        }
                    };
                    let claim_balance = balance(&claim)?;
                    let outstanding = claim_balance.outstanding().map_err(ApiError::internal)?;
                    let wanted = line.amount.min(outstanding).unwrap_or(line.amount);
                    match allocation::allocate(available, &claim_balance, Some(wanted)) {
                        Ok(amount) => {
                            if amount != line.amount {
                                let rest = line
                                    .amount
                                    .checked_sub(amount)
                                    .map_err(ApiError::internal)?;
                                repo::set_unmatched_reason(
                                    txn,
                                    &line_row.id,
                                    &format!("{rest} exceeds what {} still owes", claim.number),
                                )
                                .await?;
                            }
                            available =
                                available.checked_sub(amount).map_err(ApiError::internal)?;
                            desk.book(
                                txn,
                                &caller,
                                &row.id,
                                Some(line_row.id.clone()),
                                claim,
                                amount,
                            )
                            .await?;
                        }
                        Err(err) => {
                            repo::set_unmatched_reason(
                                txn,
                                &line_row.id,
                                &format!("{}: {err}", claim.number),
                            )
                            .await?
                        }
                    }
                }
                let proto = desk.to_proto(txn, &row).await?;
                OUTBOX
                    .append(
                        txn,
                        new_event(
                            "remittance.recorded",
                            proto.name.clone(),
                            &row.carrier_id,
                            Data::Remittance(proto.clone()),
                        ),
                    )
                    .await?;
                Ok(proto)
            })
            .await;
        self.claims.relay().poke();
        result
    }

    pub async fn get(&self, id: &str) -> Result<pb::Remittance, ApiError> {
        let row = repo::find_remittance(self.claims.db(), id)
            .await?
            .ok_or_else(|| ApiError::NotFound {
                resource: "remittance",
                name: format!("remittances/{id}"),
            })?;
        self.to_proto(self.claims.db(), &row).await
    }

    pub async fn list(
        &self,
        carrier_id: Option<&str>,
        after: Option<&str>,
        limit: u64,
    ) -> Result<Vec<pb::Remittance>, ApiError> {
        let mut out = Vec::new();
        for row in repo::list_remittances(self.claims.db(), carrier_id, after, Some(limit)).await? {
            out.push(self.to_proto(self.claims.db(), &row).await?);
        }
        Ok(out)
    }

    /// Matches part of a remittance to a claim by hand.
    pub async fn allocate(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        remittance_id: &str,
        claim_id: &str,
        amount: Option<Money>,
    ) -> Result<pb::Remittance, ApiError> {
        let desk = self.clone();
        let caller = caller.clone();
        let (remittance_id, claim_id) = (remittance_id.to_owned(), claim_id.to_owned());
        let result = IDEMPOTENCY
            .run(self.claims.db(), key, async move |txn| {
                let row = repo::find_remittance(txn, &remittance_id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound {
                        resource: "remittance",
                        name: format!("remittances/{remittance_id}"),
                    })?;
                let claim =
                    claims_repo::find(txn, &claim_id)
                        .await?
                        .ok_or_else(|| ApiError::NotFound {
                            resource: "claim",
                            name: format!("claims/{claim_id}"),
                        })?;
                if claim.carrier_id != row.carrier_id {
                    return Err(ApiError::FailedPrecondition {
                        kind: "ALLOCATION",
                        subject: format!("claims/{claim_id}"),
                        message: "the claim and the remittance belong to different carriers".into(),
                    });
                }
                if !claim.status.is_approved() {
                    return Err(ApiError::FailedPrecondition {
                        kind: "ALLOCATION",
                        subject: format!("claims/{claim_id}"),
                        message: format!(
                            "only approved claims take allocations; this one is {}",
                            claim.status
                        ),
                    });
                }
                let currency = Currency::parse(&row.currency).map_err(ApiError::internal)?;
                let allocated: i64 = repo::allocations_of_remittance(txn, &row.id)
                    .await?
                    .iter()
                    .map(|a| a.amount_minor)
                    .sum();
                let available = Money::new(row.amount_minor - allocated, currency);
                let amount = allocation::allocate(available, &balance(&claim)?, amount)
                    .map_err(allocation_error)?;
                desk.book(txn, &caller, &row.id, None, claim, amount)
                    .await?;
                desk.to_proto(txn, &row).await
            })
            .await;
        self.claims.relay().poke();
        result
    }

    pub async fn write_off(
        &self,
        key: IdempotencyKey,
        caller: &Principal,
        claim_id: &str,
        reason: String,
        amount: Option<Money>,
    ) -> Result<pb::WriteOff, ApiError> {
        let desk = self.clone();
        let caller = caller.clone();
        let claim_id = claim_id.to_owned();
        let result = IDEMPOTENCY
            .run(self.claims.db(), key, async move |txn| {
                let mut claim = claims_repo::find(txn, &claim_id).await?.ok_or_else(|| ApiError::NotFound {
                    resource: "claim",
                    name: format!("claims/{claim_id}"),
                })?;
                ensure_visible(&caller, &claim.carrier_id)?;
                if !matches!(claim.status, ClaimStatus::Approved | ClaimStatus::PartiallyApproved) {
                    return Err(ApiError::FailedPrecondition {
                        kind: "WRITE_OFF",
                        subject: format!("claims/{claim_id}"),
                        message: format!("only an approved claim with money outstanding can be written off; this one is {}", claim.status),
                    });
                }
                let amount = allocation::write_off(&balance(&claim)?, amount).map_err(allocation_error)?;
                let at = Utc::now();
                repo::insert_write_off(
                    txn,
                    &WriteOffRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        claim_id: claim.id.clone(),
                        amount_minor: amount.amount_minor(),
                        reason: reason.clone(),
                        actor: caller.subject.clone(),
                        at,
                    },
                )
                .await?;
                claim.written_off_minor += amount.amount_minor();
                let from = claim.status;
                desk.claims
                    .record(txn, &caller, claim, Change { from, reason: &reason, amount: Some(amount.amount_minor()), event_type: "claim.written_off" })
                    .await?;
                Ok(pb::WriteOff {
                    claim: format!("claims/{claim_id}"),
                    amount: Some(money_to_proto(amount)),
                    reason,
                    actor: caller.subject.clone(),
                    time: Some(timestamp_to_proto(at)),
                })
            })
            .await;
        self.claims.relay().poke();
        result
    }

    pub async fn reconciliation(
        &self,
        carrier_id: Option<&str>,
        currency: Option<Currency>,
        as_of: NaiveDate,
    ) -> Result<pb::Reconciliation, ApiError> {
        let db = self.claims.db();
        let filter = ClaimFilter {
            carrier_id: carrier_id.map(str::to_owned),
            ..ClaimFilter::default()
        };
        let mut facts = Vec::new();
        for c in claims_repo::list(db, &filter, None, None).await? {
            if matches!(c.status, ClaimStatus::Draft | ClaimStatus::Withdrawn) {
                continue;
            }
            let cur = Currency::parse(&c.currency).map_err(ApiError::internal)?;
            if currency.is_some_and(|wanted| wanted != cur) {
                continue;
            }
            facts.push(ClaimFacts {
                carrier: c.carrier_id.clone(),
                currency: cur,
                claimed: Money::new(c.claimed_minor, cur),
                approved: c.approved_minor.map(|m| Money::new(m, cur)),
                approved_on: c.approved_on,
                recovered: Money::new(c.recovered_minor, cur),
                written_off: Money::new(c.written_off_minor, cur),
            });
        }
        let rows = reconcile(&facts, as_of).map_err(ApiError::internal)?;
        let totals = repo::allocated_totals(db).await?;
        let mut unallocated: HashMap<(String, String), i64> = HashMap::new();
        for r in repo::list_remittances(db, carrier_id, None, None).await? {
            let left = r.amount_minor - totals.get(&r.id).copied().unwrap_or(0);
            *unallocated
                .entry((r.carrier_id.clone(), r.currency.clone()))
                .or_insert(0) += left;
        }
        Ok(pb::Reconciliation {
            rows: rows
                .iter()
                .map(|r| pb::ReconciliationRow {
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
                    unallocated_remittances: money(
                        unallocated
                            .get(&(r.carrier.clone(), r.currency.as_str().to_owned()))
                            .copied()
                            .unwrap_or(0),
                        r.currency.as_str(),
                    ),
                })
                .collect(),
            as_of: Some(date_to_proto(as_of)),
        })
    }
}
