//! `recourse.claims.v1.ClaimService`.

use futures::StreamExt as _;
use recourse_platform::auth::{Principal, Role, authorize, bearer_token};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::timestamp_in_range;
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;
use recourse_proto::claims::claim_service_server::ClaimService;
use tonic::{Request, Response, Status, Streaming};

use super::{CLAIMANTS, MOVERS, READERS, REFUND_AUTOMATION, X12_EXPORTERS, X12_IMPORTERS, keyed};
use crate::claims::{ClaimDesk, ClaimFilter};
use crate::convert::claims as parse;
use crate::convert::replay::Replayable as _;
use crate::convert::x12;
use crate::convert::{carrier_id, claim_id, render, resource_id, status_from_proto};
use crate::delay::{DelayClaims, DelayRequest, StepKeys};
use crate::documents::{DocumentStore, NewDocument};
use crate::error::ClaimsError;
use recourse_claims_domain::limits;

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

fn invalid() -> Status {
    ApiError::invalid("request", "is invalid").into()
}

/// `{collection}/{id}` of a name field, or INVALID_ARGUMENT naming it.
fn named(field: &str, collection: &str, name: &str) -> Result<String, Status> {
    let mut v = Violations::new();
    let id = resource_id(&mut v, field, collection, name);
    v.into_result()?;
    id.ok_or_else(invalid)
}

/// The keys of one delay-claim run's steps: `{request_id}:{shipment}`.
struct DelayKeys<'a> {
    caller: &'a Principal,
    body: &'a pb::CreateDelayClaimsRequest,
}

impl StepKeys for DelayKeys<'_> {
    fn key(&self, shipment_id: &str, step: &str) -> Result<IdempotencyKey, ApiError> {
        let body = pb::CreateDelayClaimsRequest {
            shipment: format!("shipments/{shipment_id}"),
            ..self.body.clone()
        };
        let id = format!("{}:{shipment_id}", self.body.request_id.trim());
        IdempotencyKey::new(step, self.caller, &id, &body)
    }
}

#[tonic::async_trait]
impl ClaimService for ClaimApi {
    async fn create_claim(
        &self,
        request: Request<pb::CreateClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let call = keyed(request, CLAIMANTS, "CreateClaim", |b| &b.request_id)?;
        let third_party = call.caller.role == Role::ThirdParty;
        let new = parse::new_claim(call.body.claim.as_ref(), third_party)?;
        let claim = self
            .desk
            .create(call.key, &call.caller, call.token.as_deref(), new)
            .await?;
        Ok(Response::new(render::claim(&claim)))
    }

    async fn get_claim(
        &self,
        request: Request<pb::GetClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let caller = authorize(&request, READERS)?;
        let id = named("name", "claims", &request.get_ref().name)?;
        Ok(Response::new(render::claim(
            &self.desk.get(caller, &id).await?,
        )))
    }

    async fn list_claims(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let caller = authorize(&request, READERS)?;
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
        let filter = ClaimFilter {
            carrier_id: carrier,
            status,
            shipment_id: shipment,
            ..ClaimFilter::default()
        };
        let fingerprint = format!("{filter:?}|{:?}", caller.scope());
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (claims, next_page_token) = self.desk.list(caller, filter, &page).await?;
        Ok(Response::new(pb::ListClaimsResponse {
            claims: claims.iter().map(render::claim).collect(),
            next_page_token,
        }))
    }

    async fn update_claim(
        &self,
        request: Request<pb::UpdateClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let caller = authorize(&request, CLAIMANTS)?;
        let (id, given, patch) =
            parse::claim_patch(request.get_ref(), caller.role == Role::ThirdParty)?;
        let claim = self.desk.update(caller, &id, given, patch).await?;
        Ok(Response::new(render::claim(&claim)))
    }

    async fn submit_claim(
        &self,
        request: Request<pb::SubmitClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let call = keyed(request, CLAIMANTS, "SubmitClaim", |b| &b.request_id)?;
        let (id, given, late) = parse::submission(&call.body)?;
        let token = call.token.as_deref();
        let claim = self
            .desk
            .submit(call.key, &call.caller, token, &id, given, late)
            .await?;
        Ok(Response::new(render::claim(&claim)))
    }

    async fn transition_claim(
        &self,
        request: Request<pb::TransitionClaimRequest>,
    ) -> Result<Response<pb::Claim>, Status> {
        let call = keyed(request, MOVERS, "TransitionClaim", |b| &b.request_id)?;
        let (id, given, step) = parse::step(&call.body)?;
        let claim = self
            .desk
            .transition(call.key, &call.caller, &id, given, step)
            .await?;
        Ok(Response::new(render::claim(&claim)))
    }

    async fn list_claim_history(
        &self,
        request: Request<pb::ListClaimHistoryRequest>,
    ) -> Result<Response<pb::ListClaimHistoryResponse>, Status> {
        let caller = authorize(&request, READERS)?;
        let id = named("name", "claims", &request.get_ref().name)?;
        let entries = self.desk.history(caller, &id).await?;
        Ok(Response::new(pb::ListClaimHistoryResponse {
            entries: entries.iter().map(render::history).collect(),
        }))
    }

    async fn add_document(
        &self,
        request: Request<pb::AddDocumentRequest>,
    ) -> Result<Response<pb::Document>, Status> {
        let caller = authorize(&request, CLAIMANTS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let claim = claim_id(&mut v, "claim", &body.claim);
        let Some(doc) = body.document.as_ref() else {
            v.add("document", "is required");
            return Err(v.into_result().err().map_or_else(invalid, Status::from));
        };
        let kind = parse::document_kind(&mut v, "document.kind", doc.kind);
        parse::file_name(&mut v, "document.file_name", &doc.file_name);
        parse::sha256(&mut v, "document.sha256", &doc.sha256);
        let max = self.documents.max_bytes();
        v.check(
            doc.size_bytes > 0 && doc.size_bytes <= max,
            "document.size_bytes",
            format!("must be 1-{max} bytes"),
        );
        v.check(
            limits::within(&doc.storage_uri, 2_000),
            "document.storage_uri",
            "must be at most 2000 characters",
        );
        v.into_result()?;
        let (Some(claim_id), Some(kind)) = (claim, kind) else {
            return Err(invalid());
        };
        let new = NewDocument {
            claim_id,
            kind,
            file_name: doc.file_name.clone(),
            sha256: doc.sha256.clone(),
            size_bytes: doc.size_bytes,
            storage_uri: doc.storage_uri.clone(),
        };
        let document = self.documents.add(&self.desk, caller, new).await?;
        Ok(Response::new(render::document(&document)))
    }

    async fn upload_document(
        &self,
        request: Request<Streaming<pb::UploadDocumentRequest>>,
    ) -> Result<Response<pb::Document>, Status> {
        use pb::upload_document_request::Part;
        let caller = authorize(&request, CLAIMANTS)?.clone();
        let mut parts = request.into_inner();
        let header = match parts.next().await {
            Some(Ok(pb::UploadDocumentRequest {
                part: Some(Part::Header(h)),
            })) => h,
            Some(Err(status)) => return Err(status),
            Some(Ok(_)) | None => {
                return Err(
                    ApiError::invalid("header", "the first message must carry the header").into(),
                );
            }
        };
        let mut v = Violations::new();
        let claim = claim_id(&mut v, "header.claim", &header.claim);
        let kind = parse::document_kind(&mut v, "header.kind", header.kind);
        parse::file_name(&mut v, "header.file_name", &header.file_name);
        parse::sha256(&mut v, "header.sha256", &header.sha256);
        v.into_result()?;
        let (Some(claim_id), Some(kind)) = (claim, kind) else {
            return Err(invalid());
        };
        let new = NewDocument {
            claim_id,
            kind,
            file_name: header.file_name,
            sha256: header.sha256,
            size_bytes: 0,
            storage_uri: String::new(),
        };
        let chunks = parts.map(|part| match part {
            Ok(pb::UploadDocumentRequest {
                part: Some(Part::Chunk(bytes)),
            }) => Ok(bytes.to_vec()),
            Ok(_) => Err(ClaimsError::invalid(
                "chunk",
                "only the first message may carry a header",
            )),
            Err(status) => Err(ClaimsError::invalid("chunk", status.message())),
        });
        let document = self
            .documents
            .upload(&self.desk, &caller, new, Box::pin(chunks))
            .await?;
        Ok(Response::new(render::document(&document)))
    }

    async fn list_overdue_claims(
        &self,
        request: Request<pb::ListOverdueClaimsRequest>,
    ) -> Result<Response<pb::ListOverdueClaimsResponse>, Status> {
        let caller = authorize(&request, READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        let as_of = match &body.as_of {
            None => Some(chrono::Utc::now().date_naive()),
            Some(ts) => timestamp_in_range(&mut v, "as_of", Some(ts)).map(|t| t.date_naive()),
        };
        v.into_result()?;
        let as_of = as_of.ok_or_else(invalid)?;
        let filter = ClaimFilter {
            carrier_id: carrier,
            ..ClaimFilter::default()
        };
        let fingerprint = format!("{filter:?}|{as_of}|{:?}", caller.scope());
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (claims, next_page_token) = self.desk.overdue(caller, filter, as_of, &page).await?;
        Ok(Response::new(pb::ListOverdueClaimsResponse {
            claims: claims.iter().map(render::overdue).collect(),
            next_page_token,
        }))
    }

    async fn create_delay_claims(
        &self,
        request: Request<pb::CreateDelayClaimsRequest>,
    ) -> Result<Response<pb::CreateDelayClaimsResponse>, Status> {
        let caller = authorize(&request, REFUND_AUTOMATION)?.clone();
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.into_inner();
        let mut v = Violations::new();
        let carrier = carrier_id(&mut v, "carrier", &body.carrier);
        let shipment = match body.shipment.as_str() {
            "" => None,
            name => resource_id(&mut v, "shipment", "shipments", name),
        };
        // Each claim's own key is `{request_id}:{shipment id}` (at most 128).
        let id_len = body.request_id.trim().chars().count();
        v.check(
            (1..=80).contains(&id_len),
            "request_id",
            "is required for idempotent retries, at most 80 characters",
        );
        v.into_result()?;
        let request = DelayRequest {
            carrier_id: carrier.ok_or_else(invalid)?,
            shipment_id: shipment,
            submit: body.submit,
        };
        let keys = DelayKeys {
            caller: &caller,
            body: &body,
        };
        let outcome = DelayClaims::new(self.desk.clone())
            .create(&caller, token.as_deref(), &request, &keys)
            .await?;
        Ok(Response::new(render::delay_outcome(&outcome)))
    }

    async fn export_claim_x12(
        &self,
        request: Request<pb::ExportClaimX12Request>,
    ) -> Result<Response<pb::ExportClaimX12Response>, Status> {
        let caller = authorize(&request, X12_EXPORTERS)?;
        let id = named("name", "claims", &request.get_ref().name)?;
        let done = self.desk.export_x12(caller, &id).await?;
        Ok(Response::new(x12::export(&done)))
    }

    async fn import_claim_status_x12(
        &self,
        request: Request<pb::ImportClaimStatusX12Request>,
    ) -> Result<Response<pb::ImportClaimStatusX12Response>, Status> {
        let caller = authorize(&request, X12_IMPORTERS)?;
        let (id, reports) = x12::import(caller, &request.get_ref().content)?;
        let keys = x12::ImportKeys {
            caller,
            interchange: &id,
        };
        let done = self
            .desk
            .import_x12(caller, id.clone(), &reports, &keys)
            .await?;
        Ok(Response::new(done.to_wire()))
    }
}
