//! `recourse.contracts.v1.ContractService`: roles, parsing, rendering.
//! Visibility (AIP-211): a carrier principal asking for another carrier's
//! contract, version, terms, quote or claim terms gets exactly the
//! NOT_FOUND a made-up name gets.

use recourse_platform::Violations;
use recourse_platform::auth::{bearer_token, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::visibility::{self, lookup_scope};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_server::ContractService;
use tonic::{Request, Response, Status};

use super::{READERS, WRITERS, invalid_request};
use crate::contracts::ContractBook;
use crate::convert::common::{carrier_id, date, resource_id};
use crate::convert::contract::{
    claim_terms_to_proto, contract_to_proto, new_contract, new_version, version_patch, version_ref,
    version_to_proto,
};
use crate::convert::{quote as quote_convert, terms};
use crate::quoting::Quoting;

#[derive(Debug, Clone)]
pub struct ContractApi {
    book: ContractBook,
    quoting: Quoting,
}

impl ContractApi {
    pub fn new(book: ContractBook, quoting: Quoting) -> Self {
        Self { book, quoting }
    }
}

#[tonic::async_trait]
impl ContractService for ContractApi {
    async fn create_contract(
        &self,
        request: Request<pb::CreateContractRequest>,
    ) -> Result<Response<pb::Contract>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(WRITERS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.into_inner();
        let key = IdempotencyKey::new("CreateContract", &caller, &body.request_id, &body)?;
        let new = new_contract(&body)?;
        let created = self
            .book
            .create_contract(key, token.as_deref(), new, contract_to_proto)
            .await?;
        Ok(Response::new(created))
    }

    async fn get_contract(
        &self,
        request: Request<pb::GetContractRequest>,
    ) -> Result<Response<pb::Contract>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "contracts", &request.get_ref().name);
        v.into_result()?;
        let id = id.ok_or_else(invalid_request)?;
        let (contract, versions) = self.book.get_contract(&id, lookup_scope(caller)).await?;
        Ok(Response::new(contract_to_proto(&contract, &versions)))
    }

    async fn list_contracts(
        &self,
        request: Request<pb::ListContractsRequest>,
    ) -> Result<Response<pb::ListContractsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let carrier = super::carrier_filter(caller, &body.carrier, false)?;
        let page = PageRequest::parse(
            body.page_size,
            &body.page_token,
            carrier.clone().unwrap_or_default(),
        )?;
        let (contracts, next_page_token) = self
            .book
            .list_contracts(carrier.as_deref(), lookup_scope(caller), &page)
            .await?;
        Ok(Response::new(pb::ListContractsResponse {
            contracts: contracts
                .iter()
                .map(|(c, versions)| contract_to_proto(c, versions))
                .collect(),
            next_page_token,
        }))
    }

    async fn create_contract_version(
        &self,
        request: Request<pb::CreateContractVersionRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(WRITERS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.into_inner();
        let key = IdempotencyKey::new("CreateContractVersion", &caller, &body.request_id, &body)?;
        let (contract, draft) = new_version(&body)?;
        let created = self
            .book
            .create_version(key, token.as_deref(), &contract, draft, version_to_proto)
            .await?;
        Ok(Response::new(created))
    }

    async fn get_contract_version(
        &self,
        request: Request<pb::GetContractVersionRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let mut v = Violations::new();
        let name = crate::convert::common::version_name(&mut v, "name", &request.get_ref().name);
        v.into_result()?;
        let (contract, number) = name.ok_or_else(invalid_request)?;
        let version = self
            .book
            .get_version(&contract, number, lookup_scope(caller))
            .await?;
        Ok(Response::new(version_to_proto(&version)))
    }

    async fn update_contract_version(
        &self,
        request: Request<pb::UpdateContractVersionRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let ((contract, number, given), patch) = version_patch(request.get_ref())?;
        let updated = self
            .book
            .update_version(token.as_deref(), (&contract, number, given), patch)
            .await?;
        Ok(Response::new(version_to_proto(&updated)))
    }

    async fn activate_contract_version(
        &self,
        request: Request<pb::ActivateContractVersionRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let target = version_ref(&mut v, "name", &body.name, "etag", &body.etag);
        v.into_result()?;
        let (contract, number, given) = target.ok_or_else(invalid_request)?;
        let activated = self.book.activate((&contract, number, given)).await?;
        Ok(Response::new(version_to_proto(&activated)))
    }

    async fn expire_contract_version(
        &self,
        request: Request<pb::ExpireContractVersionRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let target = version_ref(&mut v, "name", &body.name, "etag", &body.etag);
        let last_day = date(&mut v, "effective_to", body.effective_to.as_ref());
        v.into_result()?;
        let ((contract, number, given), last_day) =
            target.zip(last_day).ok_or_else(invalid_request)?;
        let expired = self
            .book
            .expire((&contract, number, given), last_day)
            .await?;
        Ok(Response::new(version_to_proto(&expired)))
    }

    async fn get_terms_in_force(
        &self,
        request: Request<pb::GetTermsInForceRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = carrier_id(&mut v, "carrier", &body.carrier);
        let on = date(&mut v, "date", body.date.as_ref());
        v.into_result()?;
        let (carrier, on) = carrier.zip(on).ok_or_else(invalid_request)?;
        visibility::carrier(caller, &carrier)?;
        Ok(Response::new(version_to_proto(
            &self.book.in_force(&carrier, on).await?,
        )))
    }

    async fn quote_rate(
        &self,
        request: Request<pb::QuoteRateRequest>,
    ) -> Result<Response<pb::Quote>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let input = quote_convert::quote_input(request.get_ref())?;
        visibility::carrier(caller, &input.carrier_id)?;
        let (quote, version) = self.quoting.quote(&input).await?;
        Ok(Response::new(quote_convert::quote_to_proto(
            &quote, &version,
        )))
    }

    async fn audit_charge(
        &self,
        request: Request<pb::AuditChargeRequest>,
    ) -> Result<Response<pb::ChargeAudit>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let (shipment, billed) = quote_convert::audit_input(request.get_ref())?;
        let audit = self
            .quoting
            .audit(&shipment, lookup_scope(caller), billed)
            .await?;
        Ok(Response::new(quote_convert::audit_to_proto(&audit)))
    }

    async fn get_claim_terms(
        &self,
        request: Request<pb::GetClaimTermsRequest>,
    ) -> Result<Response<pb::ClaimTerms>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = carrier_id(&mut v, "carrier", &body.carrier);
        crate::convert::common::code(&mut v, "service_level", &body.service_level);
        let claim_type = terms::claim_type(body.claim_type);
        v.check(claim_type.is_some(), "claim_type", "must be a claim type");
        let ship_date = date(&mut v, "ship_date", body.ship_date.as_ref());
        v.into_result()?;
        let ((carrier, ship_date), claim_type) = carrier
            .zip(ship_date)
            .zip(claim_type)
            .ok_or_else(invalid_request)?;
        visibility::carrier(caller, &carrier)?;
        let (claim_terms, version) = self
            .book
            .claim_terms(&carrier, &body.service_level, claim_type, ship_date)
            .await?;
        Ok(Response::new(claim_terms_to_proto(&claim_terms, &version)))
    }
}
