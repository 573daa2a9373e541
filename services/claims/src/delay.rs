//! Delay claims from the contracts service's refund candidates: late
//! deliveries on guaranteed services whose refund window is open. One call
//! files one claim per candidate (or per named shipment) that has none yet;
//! a candidate that already has one, even one a concurrent call has just
//! filed (the unique index of open claims decides), is skipped with that
//! reason rather than failing the call. Each claims the candidate's refund
//! amount (the transportation charge; fuel and accessorials only if the
//! terms say so); a candidate without one is skipped.
//!
//! Candidates are read and filed a page at a time, never all at once.

use recourse_claims_domain::claim::{
    Claim, ClaimType, Claimant, ClaimantKind, LineItem, claimed_total,
};
use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::idempotency::IdempotencyKey;

use crate::claims::{ClaimDesk, ClaimFilter, NewClaim};
use crate::contracts::RefundCandidate;
use crate::error::{ClaimsError, Refusal};
use crate::repo::claims as repo;

/// Why no claim was filed for a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The shipment has a delay claim (named), maybe filed concurrently.
    AlreadyClaimed,
    /// The contracts service knows no charge to refund.
    NoRefundAmount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub shipment_id: String,
    pub reason: SkipReason,
    pub detail: String,
    pub existing_claim: Option<String>,
}

/// What a run filed and what it skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DelayOutcome {
    pub claims: Vec<Claim>,
    pub skipped: Vec<Skipped>,
}

/// What to file delay claims for.
#[derive(Debug, Clone)]
pub struct DelayRequest {
    pub carrier_id: String,
    /// One shipment; `None` for every open candidate of the carrier.
    pub shipment_id: Option<String>,
    pub submit: bool,
}

/// The idempotency key of one step (`create` or `submit`) of one
/// candidate's claim, derived from the caller's request id so that a
/// retried run files nothing twice.
pub trait StepKeys {
    fn key(&self, shipment_id: &str, step: &str) -> Result<IdempotencyKey, ApiError>;
}

#[derive(Debug, Clone)]
pub struct DelayClaims {
    desk: ClaimDesk,
}

fn already_claimed(shipment_id: &str, existing: &Claim) -> Skipped {
    Skipped {
        shipment_id: shipment_id.to_owned(),
        reason: SkipReason::AlreadyClaimed,
        detail: format!(
            "already claimed by {} ({})",
            existing.number, existing.status
        ),
        existing_claim: Some(existing.id.clone()),
    }
}

impl DelayClaims {
    pub fn new(desk: ClaimDesk) -> Self {
        Self { desk }
    }

    pub async fn create(
        &self,
        caller: &Principal,
        token: Option<&str>,
        request: &DelayRequest,
        keys: &impl StepKeys,
    ) -> Result<DelayOutcome, ClaimsError> {
        let mut outcome = DelayOutcome::default();
        let mut found = false;
        let mut page_token = String::new();
        loop {
            let (candidates, next) = self
                .desk
                .contracts()
                .refund_candidates(token, &request.carrier_id, &page_token)
                .await?;
            for candidate in candidates.iter().filter(|c| {
                request
                    .shipment_id
                    .as_deref()
                    .is_none_or(|id| c.shipment_id == id)
            }) {
                found = true;
                self.file(caller, token, request, candidate, keys, &mut outcome)
                    .await?;
            }
            if next.is_empty() {
                break;
            }
            page_token = next;
        }
        if let Some(id) = &request.shipment_id
            && !found
        {
            return Err(ClaimsError::refused(
                Refusal::NotARefundCandidate,
                format!("shipments/{id}"),
                format!(
                    "shipments/{id} is not an open refund candidate of carriers/{}",
                    request.carrier_id
                ),
            ));
        }
        Ok(outcome)
    }

    /// Files (and maybe submits) the claim of one candidate, or says why not.
    async fn file(
        &self,
        caller: &Principal,
        token: Option<&str>,
        request: &DelayRequest,
        candidate: &RefundCandidate,
        keys: &impl StepKeys,
        outcome: &mut DelayOutcome,
    ) -> Result<(), ClaimsError> {
        let shipment = candidate.shipment_id.as_str();
        // A delay claim of the shipment that is not withdrawn, even closed:
        // the refund was claimed.
        let filter = ClaimFilter {
            shipment_id: Some(shipment.to_owned()),
            claim_type: Some(ClaimType::Delay),
            ..ClaimFilter::default()
        };
        let earlier = repo::list(self.desk.db(), &filter, None, 20).await?;
        if let Some(existing) = earlier.iter().find(|c| c.status != ClaimStatus::Withdrawn) {
            outcome.skipped.push(already_claimed(shipment, existing));
            return Ok(());
        }
        let Some(refund) = candidate.refund_amount else {
            outcome.skipped.push(Skipped {
                shipment_id: shipment.to_owned(),
                reason: SkipReason::NoRefundAmount,
                detail: "the contracts service knows no transportation charge for this \
                         shipment, so there is no refund amount to claim"
                    .into(),
                existing_claim: None,
            });
            return Ok(());
        };
        let basis = match candidate.refund_basis.as_str() {
            "" => String::new(),
            b => format!(", {b}"),
        };
        let deadline = candidate
            .request_deadline
            .map(|d| d.to_string())
            .unwrap_or_default();
        let line_items = vec![LineItem {
            sku: String::new(),
            description: format!(
                "Guaranteed-service refund of the transportation charge{basis}: delivered {} \
                 minutes late (request by {deadline})",
                candidate.late_minutes,
            ),
            quantity: 1,
            unit_value: refund,
        }];
        let claimed = claimed_total(&line_items).map_err(|e| {
            ClaimsError::refused(
                Refusal::ContractTerms,
                format!("shipments/{shipment}"),
                e.to_string(),
            )
        })?;
        let new = NewClaim {
            shipment_id: shipment.to_owned(),
            claim_type: ClaimType::Delay,
            claimant: Claimant {
                kind: ClaimantKind::InternalTeam,
                name: "Refund automation".into(),
                on_behalf_of: String::new(),
            },
            line_items,
            claimed,
            notes: format!("From refund candidate under {}", candidate.contract_version),
        };
        let key = keys.key(shipment, "CreateDelayClaims")?;
        let claim = match self.desk.create(key, caller, token, new).await {
            Ok(claim) => claim,
            // A concurrent call filed it first: the unique index said so.
            Err(ClaimsError::AlreadyOpen(open)) => {
                outcome.skipped.push(Skipped {
                    shipment_id: shipment.to_owned(),
                    reason: SkipReason::AlreadyClaimed,
                    detail: format!("already claimed by {} ({})", open.number, open.status),
                    existing_claim: Some(open.id),
                });
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        let claim = if request.submit {
            let key = keys.key(shipment, "CreateDelayClaims.submit")?;
            self.desk
                .submit(key, caller, token, &claim.id, claim.revision, None)
                .await?
        } else {
            claim
        };
        outcome.claims.push(claim);
        Ok(())
    }
}
