//! `recourse.contracts.v1.SlaService`. A carrier principal reads only its
//! carrier's evaluations and refund candidates; another carrier's, real or
//! not, is NOT_FOUND.

use recourse_platform::Violations;
use recourse_platform::auth::principal;
use recourse_platform::pagination::PageRequest;
use recourse_platform::visibility::lookup_scope;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::sla_service_server::SlaService;
use tonic::{Request, Response, Status};

use super::{READERS, WRITERS, carrier_filter, invalid_request};
use crate::convert::common::resource_id;
use crate::convert::sla::{
    candidate_to_proto, evaluate_request, evaluation_to_proto, optional_as_of, stored_to_proto,
};
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

#[tonic::async_trait]
impl SlaService for SlaApi {
    async fn evaluate_sla(
        &self,
        request: Request<pb::EvaluateSlaRequest>,
    ) -> Result<Response<pb::SlaEvaluation>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let (carrier, level, on, as_of) = evaluate_request(request.get_ref())?;
        let record = self.desk.evaluate(&carrier, &level, on, as_of).await?;
        Ok(Response::new(evaluation_to_proto(&record)))
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
        let id = id.ok_or_else(invalid_request)?;
        let stored = self.desk.get(&id, lookup_scope(caller)).await?;
        Ok(Response::new(stored_to_proto(&stored)?))
    }

    async fn list_sla_evaluations(
        &self,
        request: Request<pb::ListSlaEvaluationsRequest>,
    ) -> Result<Response<pb::ListSlaEvaluationsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let body = request.get_ref();
        let carrier = carrier_filter(caller, &body.carrier, false)?;
        let page = PageRequest::parse(
            body.page_size,
            &body.page_token,
            carrier.clone().unwrap_or_default(),
        )?;
        let (stored, next_page_token) = self.desk.list(carrier.as_deref(), &page).await?;
        Ok(Response::new(pb::ListSlaEvaluationsResponse {
            evaluations: stored
                .iter()
                .map(stored_to_proto)
                .collect::<Result<_, _>>()?,
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
        let carrier = carrier_filter(caller, &body.carrier, true)?.unwrap_or_default();
        let as_of = optional_as_of(body.as_of.as_ref())?;
        let fingerprint = crate::sla::refund_fingerprint(&carrier, as_of);
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (candidates, next_page_token) =
            self.desk.refund_candidates(&carrier, as_of, &page).await?;
        Ok(Response::new(pb::ListRefundCandidatesResponse {
            candidates: candidates.iter().map(candidate_to_proto).collect(),
            next_page_token,
        }))
    }
}
