//! Remittances with their lines, allocations to claims, and write-offs.
//! What is allocated from a remittance is kept on its row
//! (`allocated_minor`) and moved only while the row is locked, with a
//! conditional update as the last word; reading a remittance or a page of
//! them costs three queries whatever they hold.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use recourse_claims_domain::remittance::{Remittance, RemittanceKind, RemittanceLine, WriteOff};
use recourse_money::{Currency, Money};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::corrupt;
use super::entity::{allocation, dispute_credit, remittance, remittance_line, write_off};

pub use remittance::Model as RemittanceRow;

/// A remittance line to store, with the id its allocation refers to.
#[derive(Debug, Clone)]
pub struct LineRow {
    pub id: String,
    pub position: i32,
    pub line: RemittanceLine,
}

/// Money booked from a remittance (and maybe one of its lines) to a claim.
#[derive(Debug, Clone)]
pub struct AllocationRow {
    pub id: String,
    pub remittance_id: String,
    pub line_id: Option<String>,
    pub claim_id: String,
    pub amount_minor: i64,
    pub created_at: DateTime<Utc>,
}

/// Money credited from a remittance (and maybe one of its lines) to a
/// dispute.
#[derive(Debug, Clone)]
pub struct CreditRow {
    pub id: String,
    pub remittance_id: String,
    pub line_id: Option<String>,
    pub dispute_id: String,
    pub amount_minor: i64,
    pub created_at: DateTime<Utc>,
}

/// Inserts dispute credits with one statement per 500.
pub async fn insert_credits<C: ConnectionTrait>(conn: &C, rows: &[CreditRow]) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        dispute_credit::Entity::insert_many(chunk.iter().map(|c| dispute_credit::ActiveModel {
            id: Set(c.id.clone()),
            remittance_id: Set(c.remittance_id.clone()),
            line_id: Set(c.line_id.clone()),
            dispute_id: Set(c.dispute_id.clone()),
            amount_minor: Set(c.amount_minor),
            created_at: Set(c.created_at),
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

fn kind_column(k: RemittanceKind) -> String {
    format!("REMITTANCE_KIND_{}", k.code())
}

/// Inserts a remittance's row (nothing allocated yet) that will have
/// `line_count` lines.
pub async fn insert_remittance<C: ConnectionTrait>(
    conn: &C,
    r: &Remittance,
    line_count: usize,
) -> Result<(), DbErr> {
    remittance::Entity::insert(remittance::ActiveModel {
        id: Set(r.id.clone()),
        carrier_id: Set(r.carrier_id.clone()),
        kind: Set(kind_column(r.kind)),
        reference: Set(r.reference.clone()),
        invoice_reference: Set(r.invoice_reference.clone()),
        remittance_date: Set(r.date),
        amount_minor: Set(r.amount.amount_minor()),
        currency: Set(r.amount.currency().as_str().to_owned()),
        created_at: Set(r.created_at),
        allocated_minor: Set(0),
        line_count: Set(i32::try_from(line_count).unwrap_or(i32::MAX)),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Inserts lines with one statement per 500.
pub async fn insert_lines<C: ConnectionTrait>(
    conn: &C,
    remittance_id: &str,
    lines: &[LineRow],
) -> Result<(), DbErr> {
    for chunk in lines.chunks(500) {
        remittance_line::Entity::insert_many(chunk.iter().map(|l| remittance_line::ActiveModel {
            id: Set(l.id.clone()),
            remittance_id: Set(remittance_id.to_owned()),
            position: Set(l.position),
            claim_ref: Set(l.line.claim_ref.clone()),
            tracking_number: Set(l.line.tracking_number.clone()),
            amount_minor: Set(l.line.amount.amount_minor()),
            unmatched_reason: Set(l.line.unmatched_reason.clone()),
            dispute_ref: Set(l.line.dispute_ref.clone()),
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// Inserts allocations with one statement per 500.
pub async fn insert_allocations<C: ConnectionTrait>(
    conn: &C,
    rows: &[AllocationRow],
) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        allocation::Entity::insert_many(chunk.iter().map(|a| allocation::ActiveModel {
            id: Set(a.id.clone()),
            remittance_id: Set(a.remittance_id.clone()),
            line_id: Set(a.line_id.clone()),
            claim_id: Set(a.claim_id.clone()),
            amount_minor: Set(a.amount_minor),
            created_at: Set(a.created_at),
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// Adds `amount` to what is allocated from a remittance, only if that
/// stays within its amount; false when it would not.
pub async fn add_allocated<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    amount: i64,
) -> Result<bool, DbErr> {
    let column = || Expr::col(remittance::Column::AllocatedMinor);
    let result = remittance::Entity::update_many()
        .col_expr(remittance::Column::AllocatedMinor, column().add(amount))
        .filter(remittance::Column::Id.eq(id))
        .filter(
            column()
                .add(amount)
                .lte(Expr::col(remittance::Column::AmountMinor)),
        )
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn insert_write_off<C: ConnectionTrait>(
    conn: &C,
    w: &WriteOff,
    id: String,
) -> Result<(), DbErr> {
    write_off::Entity::insert(write_off::ActiveModel {
        id: Set(id),
        claim_id: Set(w.claim_id.clone()),
        amount_minor: Set(w.amount.amount_minor()),
        reason: Set(w.reason.clone()),
        actor: Set(w.actor.clone()),
        at: Set(w.at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// A remittance's row, locked for the caller's transaction on PostgreSQL.
pub async fn lock_remittance<C: ConnectionTrait>(
    conn: &C,
    id: &str,
) -> Result<Option<RemittanceRow>, DbErr> {
    remittance::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await
}

pub async fn find_row<C: ConnectionTrait>(
    conn: &C,
    id: &str,
) -> Result<Option<RemittanceRow>, DbErr> {
    remittance::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await
}

/// One page of remittance rows (with their line counts) after `after`.
pub async fn list_rows<C: ConnectionTrait>(
    conn: &C,
    carrier_id: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<RemittanceRow>, DbErr> {
    let mut query = remittance::Entity::find();
    if let Some(c) = carrier_id {
        query = query.filter(remittance::Column::CarrierId.eq(c));
    }
    if let Some(after) = after {
        query = query.filter(remittance::Column::Id.gt(after));
    }
    query
        .order_by_asc(remittance::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// The remittances of these rows with their lines and what each line was
/// allocated to: two queries for any number of rows.
pub async fn with_lines<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<RemittanceRow>,
) -> Result<Vec<Remittance>, DbErr> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut lines: HashMap<String, Vec<remittance_line::Model>> = HashMap::new();
    let mut placed: HashMap<String, (String, i64)> = HashMap::new();
    let mut credited: HashMap<String, (String, i64)> = HashMap::new();
    for chunk in ids.chunks(500) {
        for l in remittance_line::Entity::find()
            .filter(remittance_line::Column::RemittanceId.is_in(chunk.iter().copied()))
            .order_by_asc(remittance_line::Column::RemittanceId)
            .order_by_asc(remittance_line::Column::Position)
            .all(conn)
            .await?
        {
            lines.entry(l.remittance_id.clone()).or_default().push(l);
        }
        // What each line was allocated, summed by the database.
        let sums: Vec<(Option<String>, Option<String>, i64)> = allocation::Entity::find()
            .select_only()
            .column(allocation::Column::LineId)
            .column_as(Expr::col(allocation::Column::ClaimId).min(), "claim_id")
            .column_as(
                Expr::col(allocation::Column::AmountMinor)
                    .sum()
                    .cast_as("BIGINT"),
                "total",
            )
            .filter(allocation::Column::RemittanceId.is_in(chunk.iter().copied()))
            .filter(allocation::Column::LineId.is_not_null())
            .group_by(allocation::Column::LineId)
            .into_tuple()
            .all(conn)
            .await?;
        for (line, claim, total) in sums {
            if let (Some(line), Some(claim)) = (line, claim) {
                placed.insert(line, (claim, total));
            }
        }
        // What each line credited to a dispute.
        let credits: Vec<(Option<String>, Option<String>, i64)> = dispute_credit::Entity::find()
            .select_only()
            .column(dispute_credit::Column::LineId)
            .column_as(
                Expr::col(dispute_credit::Column::DisputeId).min(),
                "dispute_id",
            )
            .column_as(
                Expr::col(dispute_credit::Column::AmountMinor)
                    .sum()
                    .cast_as("BIGINT"),
                "total",
            )
            .filter(dispute_credit::Column::RemittanceId.is_in(chunk.iter().copied()))
            .filter(dispute_credit::Column::LineId.is_not_null())
            .group_by(dispute_credit::Column::LineId)
            .into_tuple()
            .all(conn)
            .await?;
        for (line, dispute, total) in credits {
            if let (Some(line), Some(dispute)) = (line, dispute) {
                credited.insert(line, (dispute, total));
            }
        }
    }
    rows.into_iter()
        .map(|r| {
            let currency =
                Currency::parse(&r.currency).map_err(|_| corrupt("currency", &r.currency))?;
            let money = |minor| Money::new(minor, currency);
            let lines = lines
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|l| {
                    let allocation = placed.remove(&l.id);
                    let credit = credited.remove(&l.id);
                    let total = allocation
                        .as_ref()
                        .or(credit.as_ref())
                        .map_or(0, |(_, t)| *t);
                    RemittanceLine {
                        claim_ref: l.claim_ref,
                        tracking_number: l.tracking_number,
                        amount: money(l.amount_minor),
                        allocated: money(total),
                        allocated_claim: allocation.map(|(claim, _)| claim),
                        unmatched_reason: l.unmatched_reason,
                        dispute_ref: l.dispute_ref,
                        allocated_dispute: credit.map(|(dispute, _)| dispute),
                    }
                })
                .collect();
            Ok(Remittance {
                kind: r
                    .kind
                    .strip_prefix("REMITTANCE_KIND_")
                    .and_then(RemittanceKind::from_code)
                    .ok_or_else(|| corrupt("remittance kind", &r.kind))?,
                amount: money(r.amount_minor),
                allocated: money(r.allocated_minor),
                id: r.id,
                carrier_id: r.carrier_id,
                reference: r.reference,
                invoice_reference: r.invoice_reference,
                date: r.remittance_date,
                lines,
                created_at: r.created_at,
            })
        })
        .collect()
}
