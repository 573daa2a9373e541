//! `recourse.contracts.v1.SlaService`.

use recourse_platform::auth::principal;
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::timestamp_from_proto;
use recourse_platform::{ApiError, Violations};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::sla_service_server::SlaService;
use tonic::{Request, Response, Status};

use super::{READERS, WRITERS, ensure_carrier};
use crate::convert::common::{carrier_id, date, resource_id};
use crate::sla::SlaDesk;

#[derive(Debug, Clone)]
pub struct SlaApi {
    desk: SlaDesk,
}

impl SlaApi {
    pub fn new(desk: SlaDesk) -> Self {
        Self { desk }
    }
}

/// The carrier filter of a list call; a partner is pinned to its own.
fn scoped_carrier(
    caller: &recourse_platform::auth::Principal,
    requested: &str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    let mut v = Violations::new();
    let carrier = match requested {
        "" if required && caller.carrier_scope().is_none() => {
            v.add("carrier", "is required");
            None
        }
        "" => None,
        name => carrier_id(&mut v, "carrier", name),
    };
    v.into_result()?;
    caller.list_scope(carrier)
}

#[tonic::async_trait]
impl SlaService for SlaApi {
    async fn evaluate_sla(
        &self,
        request: Request<pb::EvaluateSlaRequest>,
    ) -> Result<Response<pb::SlaEvaluation>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = carrier_id(&mut v, "carrier", &body.carrier);
        v.check(
            !body.service_level.is_empty(),
            "service_level",
            "is required",
        );
        let on = date(&mut v, "period_date", body.period_date.as_ref());
        let as_of = match &body.as_of {
            None => Some(chrono::Utc::now()),
            Some(ts) => {
                let parsed = timestamp_from_proto(ts);
                v.check(parsed.is_some(), "as_of", "is not a valid time");
                parsed
            }
        };
        v.into_result()?;
        let (Some(carrier), Some(on), Some(as_of)) = (carrier, on, as_of) else {
            return Err(ApiError::invalid("request", "is invalid").into());
        };
        Ok(Response::new(
            self.desk
                .evaluate(&carrier, &body.service_level, on, as_of)
                .await?,
        ))
    }

    async fn get_sla_evaluation(
        &self,
        request: Request<pb::GetSlaEvaluationRequest>,
    ) -> Result<Response<pb::SlaEvaluation>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "slaEvaluations", &request.get_ref().name);
        v.into_result()?;
        let evaluation = self.desk.get(&id.unwrap_or_default()).await?;
        ensure_carrier(caller, evaluation.carrier.trim_start_matches("carriers/"))?;
        Ok(Response::new(evaluation))
    }

    async fn list_sla_evaluations(
        &self,
        request: Request<pb::ListSlaEvaluationsRequest>,
    ) -> Result<Response<pb::ListSlaEvaluationsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let carrier = scoped_carrier(caller, &body.carrier, false)?;
        let page = PageRequest::parse(
            body.page_size,
            &body.page_token,
            carrier.clone().unwrap_or_default(),
        )?;
        let (evaluations, next_page_token) = self.desk.list(carrier.as_deref(), &page).await?;
        Ok(Response::new(pb::ListSlaEvaluationsResponse {
            evaluations,
            next_page_token,
        }))
    }

    async fn list_refund_candidates(
        &self,
        request: Request<pb::ListRefundCandidatesRequest>,
    ) -> Result<Response<pb::ListRefundCandidatesResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let carrier = scoped_carrier(caller, &body.carrier, true)?.unwrap_or_default();
        let as_of = match &body.as_of {
            None => None,
            Some(ts) => Some(
                timestamp_from_proto(ts)
                    .ok_or_else(|| ApiError::invalid("as_of", "is not a valid time"))?,
            ),
        };
        let fingerprint = crate::sla::refund_fingerprint(&carrier, as_of);
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (candidates, next_page_token) =
            self.desk.refund_candidates(&carrier, as_of, &page).await?;
        Ok(Response::new(pb::ListRefundCandidatesResponse {
            candidates,
            next_page_token,
        }))
    }
}
