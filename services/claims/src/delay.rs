//! Delay claims from the contracts service's refund candidates: late
//! deliveries on guaranteed services whose refund window is open. One call
//! files one claim per candidate (or per named shipment) that has none yet;
//! a candidate that already has one, even one a concurrent call has just
//! filed, is skipped with that reason rather than failing the call.

use recourse_platform::ApiError;
use recourse_platform::auth::Principal;
use recourse_platform::etag;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::proto_types::money_from_proto;
use recourse_proto::claims as pb;
use recourse_proto::contracts as cpb;

use crate::claims::{ClaimDesk, NewClaim};

pub const ALREADY_CLAIMED: &str = "ALREADY_CLAIMED";
pub const NO_REFUND_AMOUNT: &str = "NO_REFUND_AMOUNT";

#[derive(Debug, Clone)]
pub struct DelayClaims {
    desk: ClaimDesk,
}

fn skipped(shipment: &str, reason: &str, detail: String, existing: String) -> pb::SkippedCandidate {
    pb::SkippedCandidate {
        shipment: format!("shipments/{shipment}"),
        reason: reason.to_owned(),
        detail,
        existing_claim: existing,
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
        request_id: &str,
        carrier_id: &str,
        shipment_id: Option<&str>,
        submit: bool,
    ) -> Result<pb::CreateDelayClaimsResponse, ApiError> {
        let candidates = self
            .desk
            .contracts()
            .refund_candidates(token, carrier_id)
            .await?;
        let chosen: Vec<&cpb::RefundCandidate> = candidates
            .iter()
            .filter(|c| {
                shipment_id.is_none_or(|id| c.shipment.trim_start_matches("shipments/") == id)
            })
            .collect();
        if let Some(id) = shipment_id
            && chosen.is_empty()
        {
            return Err(ApiError::FailedPrecondition {
                kind: "NOT_A_REFUND_CANDIDATE",
                subject: format!("shipments/{id}"),
                message: format!(
                    "shipments/{id} is not an open refund candidate of carriers/{carrier_id}"
                ),
            });
        }
        let mut response = pb::CreateDelayClaimsResponse::default();
        for candidate in chosen {
            match self
                .file(caller, token, request_id, carrier_id, candidate, submit)
                .await?
            {
                Ok(claim) => response.claims.push(claim),
                Err(skip) => response.skipped_candidates.push(skip),
            }
        }
        response.skipped = u32::try_from(response.skipped_candidates.len()).unwrap_or(u32::MAX);
        Ok(response)
    }

    /// Files (and maybe submits) the claim of one candidate, or says why not.
    async fn file(
        &self,
        caller: &Principal,
        token: Option<&str>,
        request_id: &str,
        carrier_id: &str,
        candidate: &cpb::RefundCandidate,
        submit: bool,
    ) -> Result<Result<pb::Claim, pb::SkippedCandidate>, ApiError> {
        let shipment = candidate
            .shipment
            .trim_start_matches("shipments/")
            .to_owned();
        if let Some(existing) = self.desk.delay_claims_of(&shipment).await?.first() {
            return Ok(Err(skipped(
                &shipment,
                ALREADY_CLAIMED,
                format!(
                    "already claimed by {} ({})",
                    existing.number, existing.status
                ),
                format!("claims/{}", existing.id),
            )));
        }
        // The refund is what the contracts service says the guarantee pays
        // back (the transportation charge; fuel and accessorials only if the
        // terms say so), never the billed total.
        let mut v = recourse_platform::Violations::new();
        let refund = candidate
            .refund_amount
            .as_ref()
            .and_then(|m| money_from_proto(&mut v, "refund_amount", Some(m), None, false))
            .filter(|m| m.amount_minor() > 0);
        let Some(refund) = refund else {
            return Ok(Err(skipped(
                &shipment,
                NO_REFUND_AMOUNT,
                "the contracts service knows no transportation charge for this shipment, \
                 so there is no refund amount to claim"
                    .into(),
                String::new(),
            )));
        };
        let basis = match candidate.refund_basis.as_str() {
            "" => String::new(),
            b => format!(", {b}"),
        };
        let item = pb::LineItem {
            sku: String::new(),
            description: format!(
                "Guaranteed-service refund of the transportation charge{basis}: delivered {} \
                 minutes late (request by {})",
                candidate.late_minutes,
                candidate
                    .request_deadline
                    .as_ref()
                    .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
                    .unwrap_or_default()
            ),
            quantity: 1,
            unit_value: Some(recourse_platform::proto_types::money_to_proto(refund)),
        };
        let new = NewClaim {
            shipment_id: shipment.clone(),
            claim_type: cpb::ClaimType::Delay.into(),
            claimant: pb::Claimant {
                kind: pb::ClaimantKind::InternalTeam.into(),
                name: "Refund automation".into(),
                on_behalf_of: String::new(),
            },
            line_items: vec![item],
            claimed: refund,
            notes: format!("From refund candidate under {}", candidate.contract_version),
        };
        // Derived ids keep a retried bulk call from filing twice.
        let body = pb::CreateDelayClaimsRequest {
            request_id: request_id.to_owned(),
            carrier: format!("carriers/{carrier_id}"),
            shipment: candidate.shipment.clone(),
            submit,
        };
        let derived = format!("{request_id}:{shipment}");
        let key = IdempotencyKey::new("CreateDelayClaims", caller, &derived, &body)?;
        let mut claim = match self.desk.create(key, caller, token, new).await {
            Ok(claim) => claim,
            // A concurrent call filed it first: the unique index said so.
            Err(ApiError::AlreadyExists {
                resource: "claim",
                name,
                message,
            }) => return Ok(Err(skipped(&shipment, ALREADY_CLAIMED, message, name))),
            Err(err) => return Err(err),
        };
        if submit {
            let submit_key =
                IdempotencyKey::new("CreateDelayClaims.submit", caller, &derived, &body)?;
            let id = claim.name.trim_start_matches("claims/").to_owned();
            let given = etag::parse("etag", &claim.etag)?;
            claim = self
                .desk
                .submit(submit_key, caller, token, &id, given, None)
                .await?;
        }
        Ok(Ok(claim))
    }
}
