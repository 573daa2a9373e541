//! The claims service following the contracts service's feed (its
//! generated `EventService` client, the service's own token; never its
//! tables): each `sla.evaluated` event is applied in one transaction that
//! first moves the stored position (`claims_feed_positions`, a conditional
//! update from the position read) and then
//!
//! - stores the evaluation's revision with its bonus and credit
//!   (`claims_sla_bonuses`, keyed by evaluation and revision, inserted
//!   `ON CONFLICT DO NOTHING`): the reconciliation's bonuses payable;
//! - raises an `SLA_BREACH_WITHOUT_CREDIT` escalation item when the
//!   evaluation breached a target with no credit due — the same item (kind,
//!   subject, occurrence) the hourly scan would raise, so whichever comes
//!   first makes it and the other finds it there.
//!
//! A crash mid-event rolls back both; a second replica applying the same
//! event finds the position moved and rolls back, so nothing is counted
//! twice. A failure is logged and the subscription retried after a pause
//! (doubling up to a minute); the stream resumes after the last position
//! applied.

use std::time::Duration;

use recourse_claims_domain::escalation::for_sla;
use recourse_platform::outbox::Relay;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};

use crate::contracts::{ContractsClient, SlaFact};
use crate::convert::contracts::sla_fact;
use crate::error::ClaimsError;
use crate::escalations::EscalationDesk;
use crate::repo::entity::{feed_position, sla_bonus};

/// The feed's name in `claims_feed_positions`.
pub const CONTRACTS_FEED: &str = "contracts";

#[derive(Debug, Clone)]
pub struct ContractsFollower {
    db: DatabaseConnection,
    contracts: ContractsClient,
    escalations: EscalationDesk,
    relay: Relay,
}

/// Where the claims service stands in `feed` (0 before the first event).
pub async fn position<C: ConnectionTrait>(conn: &C, feed: &str) -> Result<i64, DbErr> {
    Ok(feed_position::Entity::find_by_id(feed.to_owned())
        .one(conn)
        .await?
        .map_or(0, |p| p.position))
}

/// Moves `feed` from `from` to `to`; `false` when somebody moved it first.
async fn advance<C: ConnectionTrait>(
    conn: &C,
    feed: &str,
    from: i64,
    to: i64,
) -> Result<bool, DbErr> {
    if from == 0 {
        // The first event: the row may not exist yet.
        feed_position::Entity::insert(feed_position::ActiveModel {
            feed: Set(feed.to_owned()),
            position: Set(0),
        })
        .on_conflict(
            OnConflict::column(feed_position::Column::Feed)
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec_without_returning(conn)
        .await?;
    }
    let done = feed_position::Entity::update_many()
        .col_expr(feed_position::Column::Position, Expr::value(to))
        .filter(feed_position::Column::Feed.eq(feed))
        .filter(feed_position::Column::Position.eq(from))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

impl ContractsFollower {
    pub fn new(
        db: DatabaseConnection,
        contracts: ContractsClient,
        escalations: EscalationDesk,
        relay: Relay,
    ) -> Self {
        Self {
            db,
            contracts,
            escalations,
            relay,
        }
    }

    /// Applies one evaluation at `at` (the event's position) if the feed
    /// still stands at `from`; `false` when another replica applied it.
    pub async fn apply(&self, from: i64, at: i64, fact: &SlaFact) -> Result<bool, ClaimsError> {
        let txn = self.db.begin().await?;
        if !advance(&txn, CONTRACTS_FEED, from, at).await? {
            txn.rollback().await?;
            return Ok(false);
        }
        sla_bonus::Entity::insert(sla_bonus::ActiveModel {
            evaluation: Set(fact.name.clone()),
            revision: Set(i64::from(fact.revision)),
            carrier_id: Set(fact.carrier_id.clone()),
            currency: Set(fact.bonus.currency().as_str().to_owned()),
            bonus_minor: Set(fact.bonus.amount_minor()),
            credit_minor: Set(fact.credit_minor),
            period_end: Set(fact.period_end),
            evaluated_at: Set(fact.evaluated_at),
        })
        .on_conflict(
            OnConflict::columns([sla_bonus::Column::Evaluation, sla_bonus::Column::Revision])
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec_without_returning(&txn)
        .await?;
        let raised = match for_sla(
            fact.breached,
            fact.credit_minor,
            fact.period_end,
            fact.revision,
        ) {
            Some(item) => {
                self.escalations
                    .raise_in(&txn, fact.name.clone(), &fact.carrier_id, item)
                    .await?
            }
            None => false,
        };
        txn.commit().await?;
        if raised {
            self.relay.poke();
        }
        Ok(true)
    }

    /// Reads the feed from the stored position until it fails; returns
    /// why.
    async fn follow(&self) -> ClaimsError {
        let mut from = match position(&self.db, CONTRACTS_FEED).await {
            Ok(p) => p,
            Err(e) => return e.into(),
        };
        let mut stream = match self.contracts.sla_events(from).await {
            Ok(s) => s,
            Err(e) => return e,
        };
        loop {
            let event = match stream.message().await {
                Ok(Some(event)) => event,
                Ok(None) => return ClaimsError::internal("the contracts feed ended"),
                Err(status) => return ClaimsError::internal(status.to_string()),
            };
            let applied = match sla_fact(&event) {
                Ok(fact) => self.apply(from, event.position, &fact).await,
                Err(why) => {
                    // Not ours to judge: skip it, but say so.
                    tracing::warn!(position = event.position, %why, "contracts feed event skipped");
                    self.skip(from, event.position).await
                }
            };
            match applied {
                Ok(true) => from = event.position,
                // Another replica is ahead: start again from where it is.
                Ok(false) => return ClaimsError::Conflict("the feed position moved".into()),
                Err(e) => return e,
            }
        }
    }

    async fn skip(&self, from: i64, at: i64) -> Result<bool, ClaimsError> {
        let txn = self.db.begin().await?;
        let moved = advance(&txn, CONTRACTS_FEED, from, at).await?;
        txn.commit().await?;
        Ok(moved)
    }

    /// Follows the feed on the current runtime until the handle's
    /// [`Following::stop`] (or the runtime's end).
    pub fn spawn(self) -> Following {
        let task = tokio::spawn(async move {
            let mut pause = Duration::from_secs(1);
            loop {
                let began = std::time::Instant::now();
                let why = self.follow().await;
                if began.elapsed() > Duration::from_secs(60) {
                    pause = Duration::from_secs(1);
                }
                tracing::debug!(error = %why, "contracts feed: resubscribing");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(60));
            }
        });
        Following(std::sync::Mutex::new(Some(task)))
    }
}

/// The running follower of the contracts feed. Its Subscribe stream is
/// long-lived, so a process stops it before draining: an open stream would
/// otherwise hold the contracts service's drain for its whole grace period.
#[derive(Debug)]
pub struct Following(std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>);

impl Following {
    /// Stops the follower (a transaction in flight rolls back; the stored
    /// position is where the next start resumes) and waits until it is gone.
    pub async fn stop(&self) {
        let task = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }
}
