//! Recovery use cases for finance: remittances and their allocation to
//! approved claims, write-offs by hand ([`manual`]), reconciliation
//! ([`reconciliation`]). A claim whose approved amount is fully recovered
//! becomes settled in the same transaction.

mod manual;
mod reconciliation;

use chrono::{NaiveDate, Utc};
use recourse_claims_domain::allocation::{self, AllocationError, is_fully_recovered};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::Money;
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::{IdempotencyKey, is_unique_violation};
use recourse_platform::proto_types::{date_to_proto, timestamp_to_proto};
use recourse_proto::claims as pb;
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::claims::{Change, ClaimDesk, balance};
use crate::convert::money;
use crate::events::{Data, new_event};
use crate::repo::claims::{self as claims_repo, ClaimFilter, ClaimRecord};
use crate::repo::recoveries::{self as repo, AllocationRow, LineRow, RemittanceRow};
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

/// FAILED_PRECONDITION for a total beyond the range of minor units (only
/// rows stored before amounts were bounded at the API can get there).
fn overflow(field: &str) -> ApiError {
    ApiError::FailedPrecondition {
        kind: "AMOUNT_OVERFLOW",
        subject: field.to_owned(),
        message: format!("{field} is beyond the range of minor units"),
    }
}

/// Σ of minor units, checked.
pub(crate) fn sum_minor(
    amounts: impl IntoIterator<Item = i64>,
    field: &str,
) -> Result<i64, ApiError> {
    amounts
        .into_iter()
        .try_fold(0i64, i64::checked_add)
        .ok_or_else(|| overflow(field))
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
        let allocated = sum_minor(allocations.iter().map(|a| a.amount_minor), "allocated")?;
        let unallocated = r
            .amount_minor
            .checked_sub(allocated)
            .ok_or_else(|| overflow("unallocated"))?;
        let mut out_lines = Vec::with_capacity(lines.len());
        for l in &lines {
            let mine: Vec<&AllocationRow> = allocations
                .iter()
                .filter(|a| a.line_id.as_deref() == Some(l.id.as_str()))
                .collect();
            out_lines.push(pb::RemittanceLine {
                claim: l.claim_ref.clone(),
                tracking_number: l.tracking_number.clone(),
                amount: money(l.amount_minor, cur),
                allocated_claim: mine
                    .first()
                    .map(|a| format!("claims/{}", a.claim_id))
                    .unwrap_or_default(),
                allocated_amount: money(
                    sum_minor(
                        mine.iter().map(|a| a.amount_minor),
                        "lines.allocated_amount",
                    )?,
                    cur,
                ),
                unmatched_reason: l.unmatched_reason.clone(),
            });
        }
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
            lines: out_lines,
            allocated: money(allocated, cur),
            unallocated: money(unallocated, cur),
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
}
