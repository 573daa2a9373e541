//! The delivery worker: claims due deliveries (a lease per attempt, taken
//! with `FOR UPDATE SKIP LOCKED` on PostgreSQL so replicas never send the
//! same attempt), sends them signed with a timeout, records each attempt
//! with the delivery's next step (domain `delivery::after_attempt`) and the
//! endpoint's failure streak in one transaction, disables an endpoint
//! whose streak says so (domain `health`) and raises its escalation in the
//! claims service's queue (retried until the queue has it).

use std::sync::Arc;
use std::time::Duration;

use recourse_webhooks_domain::delivery::{Next, after_attempt};
use recourse_webhooks_domain::health::{Streak, outcome_of};
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::clock::{Clock, Jitter};
use crate::escalate::Escalations;
use crate::model::DeliveryState;
use crate::repo::endpoints::{self, Scope};
use crate::repo::worker::{self as store, AttemptRow, Claimed};
use crate::sender::{Request, Sender};

/// Deliveries claimed (and sent concurrently) per round.
const BATCH: u64 = 16;

#[derive(Debug, Clone)]
pub struct Worker {
    db: DatabaseConnection,
    clock: Clock,
    jitter: Jitter,
    sender: Sender,
    escalations: Escalations,
    wake: Arc<Notify>,
    /// How long a claimed attempt is held before another worker may take
    /// it over (the send timeout and a margin).
    lease: chrono::Duration,
}

impl Worker {
    pub fn new(
        db: DatabaseConnection,
        clock: Clock,
        jitter: Jitter,
        timeout: Duration,
        escalations: Escalations,
        wake: Arc<Notify>,
    ) -> Self {
        let lease = chrono::Duration::from_std(timeout * 2 + Duration::from_secs(30))
            .unwrap_or(chrono::Duration::minutes(5));
        Self {
            db,
            clock,
            jitter,
            sender: Sender::new(timeout),
            escalations,
            wake,
            lease,
        }
    }

    /// Sends every delivery due now and raises the escalations owed;
    /// returns how many attempts were made.
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        let mut total = 0;
        loop {
            let now = self.clock.now();
            let claimed = store::claim_due(&self.db, now, now + self.lease, BATCH).await?;
            let n = claimed.len();
            total += n;
            let results = futures::future::join_all(claimed.iter().map(|c| self.attempt(c))).await;
            for result in results {
                result?;
            }
            if u64::try_from(n).unwrap_or(0) < BATCH {
                break;
            }
        }
        self.escalate().await?;
        Ok(total)
    }

    /// Runs [`Self::run_once`] every `every`, and whenever woken.
    pub fn spawn(self, every: Duration) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(err) = self.run_once().await {
                    tracing::warn!(%err, "webhook delivery round failed; retrying");
                }
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = self.wake.notified() => {}
                }
            }
        })
    }

    async fn attempt(&self, claim: &Claimed) -> Result<(), DbErr> {
        let Some(endpoint) = endpoints::find(&self.db, &claim.endpoint_id, &Scope::Any).await?
        else {
            return Ok(()); // deleted meanwhile: its deliveries went with it
        };
        let Some(body) = store::event_body(&self.db, &claim.event_id).await? else {
            return Ok(());
        };
        let delivery = format!("{}/deliveries/{}", endpoint.name(), claim.delivery_id);
        let now = self.clock.now();
        let sent = self
            .sender
            .send(&Request {
                url: &endpoint.url,
                event_id: &claim.event_id,
                delivery: &delivery,
                attempt: claim.attempt,
                body: &body,
                secrets: endpoint.live_secrets(now),
                timestamp: now.timestamp(),
            })
            .await;
        let at = self.clock.now();
        let next = after_attempt(
            claim.round_attempt,
            claim.first_attempt_at,
            at,
            sent.status,
            self.jitter.next(),
        );
        let (state, next_at) = match next {
            Next::Delivered => (DeliveryState::Delivered, None),
            Next::RetryAt(t) => (DeliveryState::Pending, Some(t)),
            Next::GiveUp => (DeliveryState::Failed, None),
        };
        tracing::info!(
            delivery = %delivery,
            attempt = claim.attempt,
            status = sent.status.unwrap_or(0),
            latency_ms = sent.latency_ms,
            state = state.as_str(),
            "webhook attempt"
        );
        let row = AttemptRow {
            at,
            status_code: sent.status.unwrap_or(0),
            latency_ms: sent.latency_ms,
            error: sent.error,
        };
        let txn = self.db.begin().await?;
        store::record(&txn, claim, &row, state.as_str(), next_at).await?;
        if let Some((failures, since, current)) = store::streak(&txn, &endpoint.id).await? {
            let streak = Streak { failures, since }.record(outcome_of(sent.status), at);
            store::set_streak(&txn, &endpoint.id, streak.failures, streak.since).await?;
            if current == "enabled" && streak.disables(at) {
                let reason = format!(
                    "{} failed attempts in a row since {}, none delivered for three days",
                    streak.failures,
                    streak.since.unwrap_or(at).to_rfc3339()
                );
                store::disable(&txn, &endpoint.id, &reason, at).await?;
                tracing::warn!(endpoint = %endpoint.name(), %reason, "webhook endpoint disabled");
            }
        }
        txn.commit().await
    }

    async fn escalate(&self) -> Result<(), DbErr> {
        for owed in store::owed_escalations(&self.db).await? {
            match self.escalations.raise(&owed, self.clock.now()).await {
                Ok(name) => store::escalated(&self.db, &owed.endpoint_id, &name).await?,
                Err(status) => {
                    tracing::warn!(endpoint = %owed.endpoint_id, %status, "raising the escalation failed; will retry");
                }
            }
        }
        Ok(())
    }
}
