//! `recourse.claims.v1.RecoveryService`, for finance.

mod import;
mod parse;

use recourse_money::Currency;
use recourse_platform::auth::principal;
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;
use recourse_proto::claims::recovery_service_server::RecoveryService;
use tonic::{Request, Response, Status, Streaming};

use super::{FINANCE, FINANCE_READERS, bounded_money, carrier_id, claim_id, resource_id};
use crate::claims::date_or_today;
use crate::recoveries::RecoveryDesk;
use import::MAX_IMPORT_BYTES;
pub use parse::new_remittance;
use parse::text;

#[derive(Debug, Clone)]
pub struct RecoveryApi {
    desk: RecoveryDesk,
}

impl RecoveryApi {
    pub fn new(desk: RecoveryDesk) -> Self {
        Self { desk }
    }
}

fn invalid() -> Status {
    ApiError::invalid("request", "is invalid").into()
}

#[tonic::async_trait]
impl RecoveryService for RecoveryApi {
    async fn record_remittance(
        &self,
        request: Request<pb::RecordRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("RecordRemittance", &caller, &body.request_id, &body)?;
        let new = new_remittance(body.remittance.as_ref())?;
        Ok(Response::new(self.desk.record(key, &caller, new).await?))
    }

    async fn get_remittance(
        &self,
        request: Request<pb::GetRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        principal(&request)?.require(FINANCE_READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "remittances", &request.get_ref().name);
        v.into_result()?;
        Ok(Response::new(
            self.desk.get(&id.ok_or_else(invalid)?).await?,
        ))
    }

    async fn list_remittances(
        &self,
        request: Request<pb::ListRemittancesRequest>,
    ) -> Result<Response<pb::ListRemittancesResponse>, Status> {
        principal(&request)?.require(FINANCE_READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        v.into_result()?;
        let page = PageRequest::parse(
            body.page_size,
            &body.page_token,
            carrier.clone().unwrap_or_default(),
        )?;
        let rows = self
            .desk
            .list(
                carrier.as_deref(),
                page.after.as_deref(),
                page.fetch_limit(),
            )
            .await?;
        let (remittances, next_page_token) = page.finish(rows, |r| {
            r.name.trim_start_matches("remittances/").to_owned()
        });
        Ok(Response::new(pb::ListRemittancesResponse {
            remittances,
            next_page_token,
        }))
    }

    async fn allocate_remittance(
        &self,
        request: Request<pb::AllocateRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("AllocateRemittance", &caller, &body.request_id, &body)?;
        let mut v = Violations::new();
        let remittance = resource_id(&mut v, "remittance", "remittances", &body.remittance);
        let claim = claim_id(&mut v, "claim", &body.claim);
        let amount = body
            .amount
            .as_ref()
            .and_then(|m| bounded_money(&mut v, "amount", Some(m), None));
        v.into_result()?;
        let (Some(remittance), Some(claim)) = (remittance, claim) else {
            return Err(invalid());
        };
        Ok(Response::new(
            self.desk
                .allocate(key, &caller, &remittance, &claim, amount)
                .await?,
        ))
    }

    async fn import_remittances(
        &self,
        request: Request<Streaming<pb::ImportRemittancesRequest>>,
    ) -> Result<Response<pb::ImportRemittancesResponse>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let mut stream = request.into_inner();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.message().await? {
            bytes.extend_from_slice(&chunk.csv);
            if bytes.len() > MAX_IMPORT_BYTES {
                return Err(ApiError::invalid(
                    "csv",
                    format!("a remittance file may be at most {MAX_IMPORT_BYTES} bytes"),
                )
                .into());
            }
        }
        Ok(Response::new(self.import(&caller, &bytes).await?))
    }

    async fn write_off_claim(
        &self,
        request: Request<pb::WriteOffClaimRequest>,
    ) -> Result<Response<pb::WriteOff>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(FINANCE)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("WriteOffClaim", &caller, &body.request_id, &body)?;
        let mut v = Violations::new();
        let claim = claim_id(&mut v, "claim", &body.claim);
        let reason = text(&mut v, "reason", &body.reason, 1_000, true);
        let amount = body
            .amount
            .as_ref()
            .and_then(|m| bounded_money(&mut v, "amount", Some(m), None));
        v.into_result()?;
        Ok(Response::new(
            self.desk
                .write_off(key, &caller, &claim.ok_or_else(invalid)?, reason, amount)
                .await?,
        ))
    }

    async fn get_reconciliation(
        &self,
        request: Request<pb::GetReconciliationRequest>,
    ) -> Result<Response<pb::Reconciliation>, Status> {
        principal(&request)?.require(FINANCE_READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        let currency = match body.currency_code.as_str() {
            "" => None,
            code => Currency::parse(code)
                .map_err(|_| v.add("currency_code", "must be an ISO-4217 code"))
                .ok(),
        };
        v.into_result()?;
        let as_of = date_or_today(body.as_of.as_ref())?;
        Ok(Response::new(
            self.desk
                .reconciliation(carrier.as_deref(), currency, as_of)
                .await?,
        ))
    }
}
