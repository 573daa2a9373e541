//! `recourse.claims.v1.ClaimService`.

mod parse;

use recourse_claims_domain::lifecycle::ClaimStatus;
use recourse_platform::auth::{Role, bearer_token, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;
use recourse_proto::claims::claim_service_server::ClaimService;

use tonic::{Request, Response, Status, Streaming};

use super::{CLAIMANTS, MOVERS, READERS, bounded_money, carrier_id, claim_id, resource_id};
use crate::claims::{ClaimDesk, ClaimPatch, Move, NewClaim};
use crate::convert::status_from_proto;
use crate::delay::DelayClaims;
use crate::documents::DocumentStore;
use crate::repo::claims::ClaimFilter;
use parse::{claim_type, claimant, declared_value_is_output_only, invalid, line_items, parse_etag};

#[derive(Debug, Clone)]
pub struct ClaimApi {
    desk: ClaimDesk,
    documents: DocumentStore,
}

impl ClaimApi {
    pub fn new(desk: ClaimDesk, documents: DocumentStore) -> Self {
        Self { desk, documents }
    }
}

#[tonic::async_trait]
impl ClaimService for ClaimApi {
    async fn create_claim(
        &self,
        request: Request<pb::CreateClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(CLAIMANTS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.into_inner();
        let key = IdempotencyKey::new("CreateClaim", &caller, &body.request_id, &body)?;
        let Some(c) = body.claim.as_ref() else {
            return Err(ApiError::invalid("claim", "is required").into());
        };
        let mut v = Violations::new();
        let shipment = resource_id(&mut v, "claim.shipment", "shipments", &c.shipment);
        let kind = claim_type(&mut v, "claim.type", c.r#type);
        let who = claimant(&mut v, "claim.claimant", c.claimant.as_ref(), &caller);
        let items = line_items(&mut v, "claim.line_items", &c.line_items);
        declared_value_is_output_only(&mut v, "claim.declared_value", c);
        v.check(
            c.notes.len() <= 10_000,
            "claim.notes",
            "must be at most 10000 characters",
        );
        v.into_result()?;
        let (Some(shipment_id), Some(claim_type), Some(claimant), Some((line_items, claimed))) =
            (shipment, kind, who, items)
        else {
            return Err(invalid());
        };
        let new = NewClaim {
            shipment_id,
            claim_type,
            claimant,
            line_items,
            claimed,
            notes: c.notes.clone(),
        };
        Ok(Response::new(
            self.desk
                .create(key, &caller, token.as_deref(), new)
                .await?,
        ))
    }

    async fn get_claim(
        &self,
        request: Request<pb::GetClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let mut v = Violations::new();
        let id = claim_id(&mut v, "name", &request.get_ref().name);
        v.into_result()?;
        Ok(Response::new(
            self.desk.get(caller, &id.ok_or_else(invalid)?).await?,
        ))
    }

    async fn list_claims(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        let status = match body.status {
            0 => None,
            s => status_from_proto(s).or_else(|| {
                v.add("status", "is not a claim status");
                None
            }),
        };
        let shipment = match body.shipment.as_str() {
            "" => None,
            name => resource_id(&mut v, "shipment", "shipments", name),
        };
        v.into_result()?;
        // A carrier is pinned to its carrier, a 3PL to its account's claims.
        let carrier = caller.list_scope(carrier)?;
        let filter = ClaimFilter {
            carrier_id: carrier,
            status,
            shipment_id: shipment,
            filing_account: caller.party_scope().map(str::to_owned),
            ..ClaimFilter::default()
        };
        let fingerprint = format!(
            "{:?}|{:?}|{:?}|{:?}",
            filter.carrier_id, filter.status, filter.shipment_id, filter.filing_account
        );
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let claims = self
            .desk
            .list(&filter, page.after.as_deref(), page.fetch_limit())
            .await?;
        let (claims, next_page_token) =
            page.finish(claims, |c| c.name.trim_start_matches("claims/").to_owned());
        Ok(Response::new(pb::ListClaimsResponse {
            claims,
            next_page_token,
        }))
    }

    async fn update_claim(
        &self,
        request: Request<pb::UpdateClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let caller = principal(&request)?;
        caller.require(CLAIMANTS)?;
        let body = request.get_ref();
        let Some(c) = &body.claim else {
            return Err(ApiError::invalid("claim", "is required").into());
        };
        let paths: Vec<&str> = body
            .update_mask
            .as_ref()
            .map(|m| m.paths.iter().map(String::as_str).collect())
            .unwrap_or_default();
        const MUTABLE: [&str; 4] = ["type", "claimant", "line_items", "notes"];
        let mut v = Violations::new();
        let id = claim_id(&mut v, "claim.name", &c.name);
        let given = parse_etag(&mut v, "claim.etag", &c.etag);
        if paths.is_empty() {
            v.add(
                "update_mask",
                format!("must name the fields to change: {}", MUTABLE.join(", ")),
            );
        }
        for p in &paths {
            v.check(
                MUTABLE.contains(p),
                "update_mask",
                format!("`{p}` cannot be updated (mutable: {})", MUTABLE.join(", ")),
            );
        }
        let mut patch = ClaimPatch::default();
        if paths.contains(&"type") {
            patch.claim_type = claim_type(&mut v, "claim.type", c.r#type);
        }
        if paths.contains(&"claimant") {
            patch.claimant = claimant(&mut v, "claim.claimant", c.claimant.as_ref(), caller);
        }
        if paths.contains(&"line_items") {
            patch.line_items = line_items(&mut v, "claim.line_items", &c.line_items);
        }
        if paths.contains(&"notes") {
            v.check(
                c.notes.len() <= 10_000,
                "claim.notes",
                "must be at most 10000 characters",
            );
            patch.notes = Some(c.notes.clone());
        }
        v.into_result()?;
        let (Some(id), Some(given)) = (id, given) else {
            return Err(invalid());
        };
        Ok(Response::new(
            self.desk.update(caller, &id, given, patch).await?,
        ))
    }

    async fn submit_claim(
        &self,
        request: Request<pb::SubmitClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(CLAIMANTS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.into_inner();
        let key = IdempotencyKey::new("SubmitClaim", &caller, &body.request_id, &body)?;
        let mut v = Violations::new();
        let id = claim_id(&mut v, "name", &body.name);
        let given = parse_etag(&mut v, "etag", &body.etag);
        let justification = body.override_justification.trim().to_owned();
        if body.override_late_filing {
            v.check(
                !justification.is_empty(),
                "override_justification",
                "is required to accept a late claim",
            );
        }
        v.into_result()?;
        let (Some(id), Some(given)) = (id, given) else {
            return Err(invalid());
        };
        let override_late = body.override_late_filing.then_some(justification);
        Ok(Response::new(
            self.desk
                .submit(key, &caller, token.as_deref(), &id, given, override_late)
                .await?,
        ))
    }

    async fn transition_claim(
        &self,
        request: Request<pb::TransitionClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(MOVERS)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("TransitionClaim", &caller, &body.request_id, &body)?;
        let mut v = Violations::new();
        let id = claim_id(&mut v, "name", &body.name);
        let given = parse_etag(&mut v, "etag", &body.etag);
        let to = status_from_proto(body.to);
        v.check(to.is_some(), "to", "must be a claim status");
        let reason = body.reason.trim().to_owned();
        if let Some(to) = to {
            v.check(
                !ClaimStatus::requires_reason(to) || !reason.is_empty(),
                "reason",
                format!("is required to move a claim to {to}"),
            );
        }
        v.check(
            !body.override_cap || !reason.is_empty(),
            "reason",
            "is required to approve above the liability cap",
        );
        let amount = body
            .approved_amount
            .as_ref()
            .and_then(|m| bounded_money(&mut v, "approved_amount", Some(m), None));
        v.into_result()?;
        let (Some(id), Some(given), Some(to)) = (id, given, to) else {
            return Err(invalid());
        };
        let step = Move {
            to,
            reason,
            amount,
            override_cap: body.override_cap,
        };
        Ok(Response::new(
            self.desk.transition(key, &caller, &id, given, step).await?,
        ))
    }

    async fn list_claim_history(
        &self,
        request: Request<pb::ListClaimHistoryRequest>,
    ) -> Result<Response<pb::ListClaimHistoryResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let mut v = Violations::new();
        let id = claim_id(&mut v, "name", &request.get_ref().name);
        v.into_result()?;
        let entries = self.desk.history(caller, &id.ok_or_else(invalid)?).await?;
        Ok(Response::new(pb::ListClaimHistoryResponse { entries }))
    }

    async fn add_document(
        &self,
        request: Request<pb::AddDocumentRequest>,
    ) -> Result<Response<pb::Document>, Status> {
        let caller = principal(&request)?;
        caller.require(CLAIMANTS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let id = claim_id(&mut v, "claim", &body.claim);
        v.check(body.document.is_some(), "document", "is required");
        v.into_result()?;
        let (Some(id), Some(doc)) = (id, body.document.as_ref()) else {
            return Err(invalid());
        };
        Ok(Response::new(
            self.documents.add(&self.desk, caller, &id, doc).await?,
        ))
    }

    async fn upload_document(
        &self,
        request: Request<Streaming<pb::UploadDocumentRequest>>,
    ) -> Result<Response<pb::Document>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(CLAIMANTS)?;
        let stream = request.into_inner();
        Ok(Response::new(
            self.documents.upload(&self.desk, &caller, stream).await?,
        ))
    }

    async fn list_overdue_claims(
        &self,
        request: Request<pb::ListOverdueClaimsRequest>,
    ) -> Result<Response<pb::ListOverdueClaimsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        let as_of = match &body.as_of {
            None => Some(chrono::Utc::now()),
            Some(ts) => timestamp_from_proto(ts).or_else(|| {
                v.add("as_of", "is not a valid time");
                None
            }),
        };
        v.into_result()?;
        let carrier = caller.list_scope(carrier)?;
        let as_of = as_of.ok_or_else(invalid)?.date_naive();
        let claims = self
            .desk
            .overdue(carrier.as_deref(), caller.party_scope(), as_of)
            .await?;
        Ok(Response::new(pb::ListOverdueClaimsResponse { claims }))
    }

    async fn create_delay_claims(
        &self,
        request: Request<pb::CreateDelayClaimsRequest>,
    ) -> Result<Response<pb::CreateDelayClaimsResponse>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(&[Role::Admin, Role::Internal])?;
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.into_inner();
        let mut v = Violations::new();
        let carrier = carrier_id(&mut v, "carrier", &body.carrier);
        let shipment = match body.shipment.as_str() {
            "" => None,
            name => resource_id(&mut v, "shipment", "shipments", name),
        };
        // Each claim's own key is `{request_id}:{shipment id}` (at most 128).
        let id_len = body.request_id.trim().len();
        v.check(
            (1..=80).contains(&id_len),
            "request_id",
            "is required for idempotent retries, at most 80 characters",
        );
        v.into_result()?;
        let carrier = carrier.ok_or_else(invalid)?;
        let delay = DelayClaims::new(self.desk.clone());
        Ok(Response::new(
            delay
                .create(
                    &caller,
                    token.as_deref(),
                    &body.request_id,
                    &carrier,
                    shipment.as_deref(),
                    body.submit,
                )
                .await?,
        ))
    }
}
