//! The scan: every clock that calls for a person on the service's today —
//! claims past their carrier's clocks, disputes near their deadline (this
//! service's tables), refund windows closing and SLA breaches without a
//! credit (the contracts service, through its generated client) — each
//! raised once (`EscalationDesk::raise` inserts `ON CONFLICT DO NOTHING`).

use chrono::{Days, NaiveDate};
use recourse_claims_domain::deadline::overdue;
use recourse_claims_domain::escalation::{
    DEFAULT_DISPUTE_HORIZON_DAYS, DEFAULT_REFUND_HORIZON_DAYS, for_claim, for_dispute, for_refund,
    for_sla,
};

use super::{EscalationDesk, SCAN_PAGE};
use crate::claims::ClaimFilter;
use crate::error::ClaimsError;
use crate::repo::claims as claims_repo;
use crate::repo::disputes as disputes_repo;

impl EscalationDesk {
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
