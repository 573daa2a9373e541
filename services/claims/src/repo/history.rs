//! A claim's history: one row per move (who, when, from, to, why, amount).

use recourse_claims_domain::claim::HistoryEntry;
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_money::{Currency, Money};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::corrupt;
use super::entity::history;

pub async fn append<C: ConnectionTrait>(conn: &C, h: &HistoryEntry) -> Result<(), DbErr> {
    history::Entity::insert(history::ActiveModel {
        id: NotSet,
        claim_id: Set(h.claim_id.clone()),
        from_status: Set(h.from.as_str().to_owned()),
        to_status: Set(h.to.as_str().to_owned()),
        actor: Set(h.actor.clone()),
        actor_role: Set(h.actor_role.clone()),
        reason: Set(h.reason.clone()),
        amount_minor: Set(h.amount.map(|m| m.amount_minor())),
        at: Set(h.at),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// The moves of a claim in `currency`, oldest first.
pub async fn of_claim<C: ConnectionTrait>(
    conn: &C,
    claim_id: &str,
    currency: Currency,
) -> Result<Vec<HistoryEntry>, DbErr> {
    history::Entity::find()
        .filter(history::Column::ClaimId.eq(claim_id))
        .order_by_asc(history::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|h| {
            Ok(HistoryEntry {
                from: ClaimStatus::parse(&h.from_status)
                    .ok_or_else(|| corrupt("history", &h.from_status))?,
                to: ClaimStatus::parse(&h.to_status)
                    .ok_or_else(|| corrupt("history", &h.to_status))?,
                claim_id: h.claim_id,
                actor: h.actor,
                actor_role: h.actor_role,
                reason: h.reason,
                amount: h.amount_minor.map(|m| Money::new(m, currency)),
                at: h.at,
            })
        })
        .collect()
}
