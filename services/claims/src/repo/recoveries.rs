//! Remittances, their lines, allocations to claims, and write-offs.

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{allocation, remittance, remittance_line, write_off};

pub use allocation::Model as AllocationRow;
pub use remittance::Model as RemittanceRow;
pub use remittance_line::Model as LineRow;
pub use write_off::Model as WriteOffRow;

pub async fn insert_remittance<C: ConnectionTrait>(
    conn: &C,
    r: &RemittanceRow,
) -> Result<(), DbErr> {
    remittance::Entity::insert(remittance::ActiveModel {
        id: Set(r.id.clone()),
        carrier_id: Set(r.carrier_id.clone()),
        kind: Set(r.kind.clone()),
        reference: Set(r.reference.clone()),
        invoice_reference: Set(r.invoice_reference.clone()),
        remittance_date: Set(r.remittance_date),
        amount_minor: Set(r.amount_minor),
        currency: Set(r.currency.clone()),
        created_at: Set(r.created_at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn insert_line<C: ConnectionTrait>(conn: &C, l: &LineRow) -> Result<(), DbErr> {
    remittance_line::Entity::insert(remittance_line::ActiveModel {
        id: Set(l.id.clone()),
        remittance_id: Set(l.remittance_id.clone()),
        position: Set(l.position),
        claim_ref: Set(l.claim_ref.clone()),
        tracking_number: Set(l.tracking_number.clone()),
        amount_minor: Set(l.amount_minor),
        unmatched_reason: Set(l.unmatched_reason.clone()),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn set_unmatched_reason<C: ConnectionTrait>(
    conn: &C,
    line_id: &str,
    reason: &str,
) -> Result<(), DbErr> {
    remittance_line::Entity::update_many()
        .col_expr(
            remittance_line::Column::UnmatchedReason,
            sea_orm::sea_query::Expr::value(reason),
        )
        .filter(remittance_line::Column::Id.eq(line_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn insert_allocation<C: ConnectionTrait>(
    conn: &C,
    a: &AllocationRow,
) -> Result<(), DbErr> {
    allocation::Entity::insert(allocation::ActiveModel {
        id: Set(a.id.clone()),
        remittance_id: Set(a.remittance_id.clone()),
        line_id: Set(a.line_id.clone()),
        claim_id: Set(a.claim_id.clone()),
        amount_minor: Set(a.amount_minor),
        created_at: Set(a.created_at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn insert_write_off<C: ConnectionTrait>(conn: &C, w: &WriteOffRow) -> Result<(), DbErr> {
    write_off::Entity::insert(write_off::ActiveModel {
        id: Set(w.id.clone()),
        claim_id: Set(w.claim_id.clone()),
        amount_minor: Set(w.amount_minor),
        reason: Set(w.reason.clone()),
        actor: Set(w.actor.clone()),
        at: Set(w.at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn find_remittance<C: ConnectionTrait>(
    conn: &C,
    id: &str,
) -> Result<Option<RemittanceRow>, DbErr> {
    remittance::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await
}

pub async fn list_remittances<C: ConnectionTrait>(
    conn: &C,
    carrier_id: Option<&str>,
    after: Option<&str>,
    limit: Option<u64>,
) -> Result<Vec<RemittanceRow>, DbErr> {
    let mut query = remittance::Entity::find();
    if let Some(c) = carrier_id {
        query = query.filter(remittance::Column::CarrierId.eq(c));
    }
    if let Some(after) = after {
        query = query.filter(remittance::Column::Id.gt(after));
    }
    let mut query = query.order_by_asc(remittance::Column::Id);
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    query.all(conn).await
}

pub async fn lines_of<C: ConnectionTrait>(
    conn: &C,
    remittance_id: &str,
) -> Result<Vec<LineRow>, DbErr> {
    remittance_line::Entity::find()
        .filter(remittance_line::Column::RemittanceId.eq(remittance_id))
        .order_by_asc(remittance_line::Column::Position)
        .all(conn)
        .await
}

pub async fn allocations_of_remittance<C: ConnectionTrait>(
    conn: &C,
    remittance_id: &str,
) -> Result<Vec<AllocationRow>, DbErr> {
    allocation::Entity::find()
        .filter(allocation::Column::RemittanceId.eq(remittance_id))
        .order_by_asc(allocation::Column::CreatedAt)
        .all(conn)
        .await
}
