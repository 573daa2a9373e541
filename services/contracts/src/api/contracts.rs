//! `recourse.contracts.v1.ContractService`.

use recourse_platform::auth::{Principal, bearer_token, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations, etag};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::contract_service_server::ContractService;
use tonic::{Request, Response, Status};

use super::{READERS, WRITERS, ensure_carrier};
use crate::contracts::{ContractBook, NewContract, VersionDraft, VersionPatch, version_to_proto};
use crate::convert::common::{carrier_id, date, optional_date, resource_id, version_name};
use crate::convert::terms;
use crate::quoting::Quoting;
use crate::versions::{Span, VersionStatus};

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

fn draft(
    v: &mut Violations,
    from: Option<&recourse_proto::common::Date>,
    to: Option<&recourse_proto::common::Date>,
    terms_in: Option<&pb::ContractTerms>,
) -> Option<VersionDraft> {
    let from = date(v, "effective_from", from);
    let to = optional_date(v, "effective_to", to);
    let terms = terms::validate(v, "terms", terms_in);
    let span = match (from, to) {
        (Some(from), Some(to)) => Span::new(from, to)
            .map_err(|e| v.add("effective_to", e))
            .ok(),
        _ => None,
    };
    Some(VersionDraft {
        span: span?,
        terms: terms?.0,
    })
}

fn text(v: &mut Violations, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    v.check(
        !value.is_empty() && value.chars().count() <= max,
        field,
        format!("must be 1-{max} characters"),
    );
    value.to_owned()
}

/// Carrier principals never see draft versions: drafts are internal until
/// activated. Everyone else sees every version.
fn hide_drafts(caller: &Principal, contract: &mut pb::Contract) {
    if caller.carrier_scope().is_some() {
        contract
            .versions
            .retain(|v| v.status() != pb::VersionStatus::Draft);
    }
}

fn invalid_request() -> Status {
    ApiError::invalid("request", "is invalid").into()
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
        let mut v = Violations::new();
        let carrier = carrier_id(&mut v, "carrier", &body.carrier);
        let reference = text(&mut v, "reference", &body.reference, 64);
        let display_name = text(&mut v, "display_name", &body.display_name, 200);
        let draft = draft(
            &mut v,
            body.effective_from.as_ref(),
            body.effective_to.as_ref(),
            body.terms.as_ref(),
        );
        v.into_result()?;
        let (Some(carrier_id), Some(draft)) = (carrier, draft) else {
            return Err(invalid_request());
        };
        let new = NewContract {
            carrier_id,
            reference,
            display_name,
            draft,
        };
        Ok(Response::new(
            self.book
                .create_contract(key, token.as_deref(), new)
                .await?,
        ))
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
        let contract = self
            .book
            .get_contract(&id.ok_or_else(invalid_request)?)
            .await?;
        ensure_carrier(caller, contract.carrier.trim_start_matches("carriers/"))?;
        let mut contract = contract;
        hide_drafts(caller, &mut contract);
        Ok(Response::new(contract))
    }

    async fn list_contracts(
        &self,
        request: Request<pb::ListContractsRequest>,
    ) -> Result<Response<pb::ListContractsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        v.into_result()?;
        let carrier = caller.list_scope(carrier)?;
        let page = PageRequest::parse(
            body.page_size,
            &body.page_token,
            carrier.clone().unwrap_or_default(),
        )?;
        let (mut contracts, next_page_token) =
            self.book.list_contracts(carrier.as_deref(), &page).await?;
        for contract in &mut contracts {
            hide_drafts(caller, contract);
        }
        Ok(Response::new(pb::ListContractsResponse {
            contracts,
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
        let mut v = Violations::new();
        let contract = resource_id(&mut v, "contract", "contracts", &body.contract);
        let draft = draft(
            &mut v,
            body.effective_from.as_ref(),
            body.effective_to.as_ref(),
            body.terms.as_ref(),
        );
        v.into_result()?;
        let (Some(contract), Some(draft)) = (contract, draft) else {
            return Err(invalid_request());
        };
        Ok(Response::new(
            self.book
                .create_version(key, token.as_deref(), &contract, draft)
                .await?,
        ))
    }

    async fn get_contract_version(
        &self,
        request: Request<pb::GetContractVersionRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let mut v = Violations::new();
        let name = version_name(&mut v, "name", &request.get_ref().name);
        v.into_result()?;
        let (contract, number) = name.ok_or_else(invalid_request)?;
        let version = self.book.get_version(&contract, number).await?;
        ensure_carrier(caller, &version.carrier_id)?;
        if caller.carrier_scope().is_some() && version.status == VersionStatus::Draft {
            // As if it did not exist: a draft is not the carrier's business.
            return Err(ApiError::NotFound {
                resource: "contract version",
                name: request.get_ref().name.clone(),
            }
            .into());
        }
        Ok(Response::new(version_to_proto(&version)))
    }

    async fn update_contract_version(
        &self,
        request: Request<pb::UpdateContractVersionRequest>,
    ) -> Result<Response<pb::ContractVersion>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let body = request.get_ref();
        let Some(version) = &body.version else {
            return Err(ApiError::invalid("version", "is required").into());
        };
        let paths: Vec<&str> = body
            .update_mask
            .as_ref()
            .map(|m| m.paths.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut v = Violations::new();
        let name = version_name(&mut v, "version.name", &version.name);
        let given = etag::parse("version.etag", &version.etag)
            .map_err(|_| v.add("version.etag", "is required: send the etag you last read"))
            .ok();
        const MUTABLE: [&str; 3] = ["effective_from", "effective_to", "terms"];
        if paths.is_empty() {
            v.add(
                "update_mask",
                "must name the fields to change: effective_from, effective_to, terms",
            );
        }
        for path in &paths {
            v.check(
                MUTABLE.contains(path),
                "update_mask",
                format!(
                    "`{path}` cannot be updated (mutable: effective_from, effective_to, terms)"
                ),
            );
        }
        let mut patch = VersionPatch::default();
        if paths.contains(&"effective_from") {
            patch.effective_from = date(
                &mut v,
                "version.effective_from",
                version.effective_from.as_ref(),
            );
        }
        if paths.contains(&"effective_to") {
            patch.effective_to = optional_date(
                &mut v,
                "version.effective_to",
                version.effective_to.as_ref(),
            );
        }
        if paths.contains(&"terms") {
            patch.terms =
                terms::validate(&mut v, "version.terms", version.terms.as_ref()).map(|(t, _)| t);
        }
        v.into_result()?;
        let ((contract, number), Some(given)) = (name.ok_or_else(invalid_request)?, given) else {
            return Err(invalid_request());
        };
        let updated = self
            .book
            .update_version(token.as_deref(), &contract, number, given, patch)
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
        let name = version_name(&mut v, "name", &body.name);
        let given = etag::parse("etag", &body.etag)
            .map_err(|_| v.add("etag", "is required: send the etag you last read"))
            .ok();
        v.into_result()?;
        let ((contract, number), Some(given)) = (name.ok_or_else(invalid_request)?, given) else {
            return Err(invalid_request());
        };
        let activated = self.book.activate(&contract, number, given).await?;
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
        let name = version_name(&mut v, "name", &body.name);
        let given = etag::parse("etag", &body.etag)
            .map_err(|_| v.add("etag", "is required: send the etag you last read"))
            .ok();
        let last_day = date(&mut v, "effective_to", body.effective_to.as_ref());
        v.into_result()?;
        let ((contract, number), Some(given), Some(last_day)) =
            (name.ok_or_else(invalid_request)?, given, last_day)
        else {
            return Err(invalid_request());
        };
        let expired = self.book.expire(&contract, number, given, last_day).await?;
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
        let (Some(carrier), Some(on)) = (carrier, on) else {
            return Err(invalid_request());
        };
        ensure_carrier(caller, &carrier)?;
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
        let input = self.quoting.parse_quote(request.get_ref())?;
        ensure_carrier(caller, &input.carrier_id)?;
        Ok(Response::new(self.quoting.quote(&input).await?))
    }

    async fn audit_charge(
        &self,
        request: Request<pb::AuditChargeRequest>,
    ) -> Result<Response<pb::ChargeAudit>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        Ok(Response::new(
            self.quoting.audit(caller, request.get_ref()).await?,
        ))
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
        v.check(
            !body.service_level.is_empty(),
            "service_level",
            "is required",
        );
        v.check(
            terms::claim_type_known(body.claim_type),
            "claim_type",
            "must be a claim type",
        );
        let ship_date = date(&mut v, "ship_date", body.ship_date.as_ref());
        v.into_result()?;
        let (Some(carrier), Some(ship_date)) = (carrier, ship_date) else {
            return Err(invalid_request());
        };
        ensure_carrier(caller, &carrier)?;
        let version = self.book.in_force(&carrier, ship_date).await?;
        Ok(Response::new(crate::claim_terms::claim_terms(
            &version,
            &body.service_level,
            body.claim_type,
        )?))
    }
}
