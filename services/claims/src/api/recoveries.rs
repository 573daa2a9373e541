//! `recourse.claims.v1.RecoveryService`: finance records money; finance,
//! admin and auditors read it.

use recourse_claims_domain::limits::{MAX_IMPORT_BYTES, MAX_REASON_CHARS};
use recourse_money::Currency;
use recourse_platform::auth::authorize;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;
use recourse_proto::claims::recovery_service_server::RecoveryService;
use tonic::{Request, Response, Status, Streaming};

use super::{FINANCE, FINANCE_READERS, Keyed, keyed};
use crate::convert::recoveries::{new_remittance, reconciliation_row, remittance, write_off};
use recourse_platform::proto_types::date_in_range;

use crate::convert::{bounded_money, carrier_id, claim_id, csv, resource_id, text};
use crate::recoveries::RecoveryDesk;

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

/// An optional `carriers/{id}` filter.
fn carrier_filter(v: &mut Violations, name: &str) -> Option<String> {
    match name {
        "" => None,
        name => carrier_id(v, "carrier", name),
    }
}

#[tonic::async_trait]
impl RecoveryService for RecoveryApi {
    async fn record_remittance(
        &self,
        request: Request<pb::RecordRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let call = keyed(request, FINANCE, "RecordRemittance", |b| &b.request_id)?;
        let new = new_remittance(call.body.remittance.as_ref())?;
        let recorded = self.desk.record(call.key, &call.caller, new).await?;
        Ok(Response::new(remittance(&recorded)))
    }

    async fn get_remittance(
        &self,
        request: Request<pb::GetRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        authorize(&request, FINANCE_READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "remittances", &request.get_ref().name);
        v.into_result()?;
        let found = self.desk.get(&id.ok_or_else(invalid)?).await?;
        Ok(Response::new(remittance(&found)))
    }

    async fn list_remittances(
        &self,
        request: Request<pb::ListRemittancesRequest>,
    ) -> Result<Response<pb::ListRemittancesResponse>, Status> {
        authorize(&request, FINANCE_READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = carrier_filter(&mut v, &body.carrier);
        v.into_result()?;
        let fingerprint = carrier.clone().unwrap_or_default();
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (found, next_page_token) = self.desk.list(carrier.as_deref(), &page).await?;
        Ok(Response::new(pb::ListRemittancesResponse {
            remittances: found.iter().map(remittance).collect(),
            next_page_token,
        }))
    }

    async fn allocate_remittance(
        &self,
        request: Request<pb::AllocateRemittanceRequest>,
    ) -> Result<Response<pb::Remittance>, Status> {
        let Keyed {
            caller, body, key, ..
        } = keyed(request, FINANCE, "AllocateRemittance", |b| &b.request_id)?;
        let mut v = Violations::new();
        let remittance_id = resource_id(&mut v, "remittance", "remittances", &body.remittance);
        // Exactly one of claim and dispute.
        let (claim, dispute) = if body.dispute.is_empty() {
            (claim_id(&mut v, "claim", &body.claim), None)
        } else {
            v.check(
                body.claim.is_empty(),
                "dispute",
                "name a claim or a dispute, not both",
            );
            let dispute = resource_id(&mut v, "dispute", "disputes", &body.dispute);
            (None, dispute)
        };
        let amount = body
            .amount
            .as_ref()
            .and_then(|m| bounded_money(&mut v, "amount", Some(m), None));
        v.into_result()?;
        let allocated = match (remittance_id, claim, dispute) {
            (Some(remittance_id), _, Some(dispute)) => {
                self.desk
                    .credit(key, &caller, &remittance_id, &dispute, amount)
                    .await?
            }
            (Some(remittance_id), Some(claim), None) => {
                self.desk
                    .allocate(key, &caller, &remittance_id, &claim, amount)
                    .await?
            }
            _ => return Err(invalid()),
        };
        Ok(Response::new(remittance(&allocated)))
    }

    async fn import_remittances(
        &self,
        request: Request<Streaming<pb::ImportRemittancesRequest>>,
    ) -> Result<Response<pb::ImportRemittancesResponse>, Status> {
        let caller = authorize(&request, FINANCE)?.clone();
        let mut stream = request.into_inner();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.message().await? {
            bytes.extend_from_slice(&chunk.csv);
            if bytes.len() > MAX_IMPORT_BYTES {
                return Err(ApiError::invalid(
                    "csv",
                    format!("a remittance file may be at most {MAX_IMPORT_BYTES} bytes; split it"),
                )
                .into());
            }
        }
        let parsed = csv::parse(&bytes, &caller)?;
        let outcome = self
            .desk
            .import(&caller, parsed.rows, parsed.groups, parsed.errors)
            .await?;
        let (errors, more_errors) = outcome.errors.into_parts();
        Ok(Response::new(pb::ImportRemittancesResponse {
            rows: outcome.rows,
            imported_rows: outcome.imported_rows,
            remittances: outcome
                .remittances
                .iter()
                .map(|id| format!("remittances/{id}"))
                .collect(),
            errors: errors
                .into_iter()
                .map(|e| pb::ImportError {
                    line: e.line,
                    message: e.message,
                })
                .collect(),
            more_errors,
        }))
    }

    async fn write_off_claim(
        &self,
        request: Request<pb::WriteOffClaimRequest>,
    ) -> Result<Response<pb::WriteOff>, Status> {
        let Keyed {
            caller, body, key, ..
        } = keyed(request, FINANCE, "WriteOffClaim", |b| &b.request_id)?;
        let mut v = Violations::new();
        let claim = claim_id(&mut v, "claim", &body.claim);
        let reason = text(&mut v, "reason", &body.reason, MAX_REASON_CHARS, true);
        let amount = body
            .amount
            .as_ref()
            .and_then(|m| bounded_money(&mut v, "amount", Some(m), None));
        v.into_result()?;
        let written = self
            .desk
            .write_off(key, &caller, &claim.ok_or_else(invalid)?, reason, amount)
            .await?;
        Ok(Response::new(write_off(&written)))
    }

    async fn get_reconciliation(
        &self,
        request: Request<pb::GetReconciliationRequest>,
    ) -> Result<Response<pb::Reconciliation>, Status> {
        authorize(&request, FINANCE_READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = carrier_filter(&mut v, &body.carrier);
        let currency = match body.currency_code.as_str() {
            "" => None,
            code => Currency::parse(code)
                .map_err(|_| v.add("currency_code", "must be an ISO-4217 code"))
                .ok(),
        };
        let as_of = match body.as_of.as_ref() {
            None => Some(chrono::Utc::now().date_naive()),
            Some(d) => date_in_range(&mut v, "as_of", Some(d)),
        };
        v.into_result()?;
        let as_of = as_of.ok_or_else(invalid)?;
        let rows = self
            .desk
            .reconciliation(carrier.as_deref(), currency, as_of)
            .await?;
        Ok(Response::new(pb::Reconciliation {
            rows: rows.iter().map(reconciliation_row).collect(),
            as_of: Some(recourse_platform::proto_types::date_to_proto(as_of)),
        }))
    }
}
