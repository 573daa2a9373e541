//! `recourse.claims.v1.EscalationService`: in-house work only — admin,
//! internal and finance write, they and auditors read; partners are
//! PERMISSION_DENIED whatever they name.

use recourse_claims_domain::escalation::{
    DEFAULT_DISPUTE_HORIZON_DAYS, DEFAULT_REFUND_HORIZON_DAYS,
};
use recourse_platform::auth::{Role, authorize};
use recourse_platform::pagination::PageRequest;
use recourse_platform::proto_types::date_in_range;
use recourse_platform::{ApiError, Violations};
use recourse_proto::claims as pb;
use recourse_proto::claims::escalation_service_server::EscalationService;
use tonic::{Request, Response, Status};

use crate::convert::escalations::{
    escalation, kind_from_proto, new_escalation, patch, state_from_proto,
};
use crate::convert::{carrier_id, resource_id, text};
use crate::escalations::EscalationDesk;
use crate::repo::escalations::EscalationFilter;

const WRITERS: &[Role] = &[Role::Admin, Role::Internal, Role::Finance];
const READERS: &[Role] = &[Role::Admin, Role::Internal, Role::Finance, Role::Auditor];
const SCANNERS: &[Role] = &[Role::Admin, Role::Internal];
/// The widest dispute horizon a scan accepts.
const MAX_HORIZON_DAYS: u32 = 365;

#[derive(Debug, Clone)]
pub struct EscalationApi {
    desk: EscalationDesk,
}

impl EscalationApi {
    pub fn new(desk: EscalationDesk) -> Self {
        Self { desk }
    }
}

fn invalid() -> Status {
    ApiError::invalid("request", "is invalid").into()
}

#[tonic::async_trait]
impl EscalationService for EscalationApi {
    async fn create_escalation(
        &self,
        request: Request<pb::CreateEscalationRequest>,
    ) -> Result<Response<pb::Escalation>, Status> {
        let caller = authorize(&request, WRITERS)?.clone();
        let mut v = Violations::new();
        let new = new_escalation(&mut v, request.get_ref(), &caller.subject);
        v.into_result()?;
        let created = self.desk.create(new.ok_or_else(invalid)?).await?;
        Ok(Response::new(escalation(&created, &[])))
    }

    async fn get_escalation(
        &self,
        request: Request<pb::GetEscalationRequest>,
    ) -> Result<Response<pb::Escalation>, Status> {
        authorize(&request, READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "escalations", &request.get_ref().name);
        v.into_result()?;
        let (row, notes) = self.desk.get(&id.ok_or_else(invalid)?).await?;
        Ok(Response::new(escalation(&row, &notes)))
    }

    async fn list_escalations(
        &self,
        request: Request<pb::ListEscalationsRequest>,
    ) -> Result<Response<pb::ListEscalationsResponse>, Status> {
        authorize(&request, READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        let owner = text(&mut v, "owner", &body.owner, 200, false);
        let due_before = body
            .due_before
            .as_ref()
            .and_then(|d| date_in_range(&mut v, "due_before", Some(d)));
        v.into_result()?;
        let filter = EscalationFilter {
            owner: (!owner.is_empty()).then_some(owner),
            kind: kind_from_proto(body.kind()).map(|k| k.as_str().to_owned()),
            carrier_id: carrier,
            due_before,
            state: state_from_proto(body.state()),
        };
        let page = PageRequest::parse(body.page_size, &body.page_token, format!("{filter:?}"))?;
        let (rows, next_page_token) = self.desk.list(&filter, &page).await?;
        Ok(Response::new(pb::ListEscalationsResponse {
            escalations: rows.iter().map(|(e, n)| escalation(e, n)).collect(),
            next_page_token,
        }))
    }

    async fn update_escalation(
        &self,
        request: Request<pb::UpdateEscalationRequest>,
    ) -> Result<Response<pb::Escalation>, Status> {
        let caller = authorize(&request, WRITERS)?.clone();
        let body = request.get_ref();
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "escalations", &body.name);
        let parsed = patch(&mut v, body);
        v.into_result()?;
        let (id, (given, patch)) = id.zip(parsed).ok_or_else(invalid)?;
        let (row, notes) = self.desk.update(&caller, &id, given, patch).await?;
        Ok(Response::new(escalation(&row, &notes)))
    }

    async fn scan_escalations(
        &self,
        request: Request<pb::ScanEscalationsRequest>,
    ) -> Result<Response<pb::ScanEscalationsResponse>, Status> {
        authorize(&request, SCANNERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        v.check(
            body.dispute_horizon_days <= MAX_HORIZON_DAYS,
            "dispute_horizon_days",
            format!("must be at most {MAX_HORIZON_DAYS} (0: {DEFAULT_DISPUTE_HORIZON_DAYS})"),
        );
        v.check(
            body.refund_horizon_days <= MAX_HORIZON_DAYS,
            "refund_horizon_days",
            format!("must be at most {MAX_HORIZON_DAYS} (0: {DEFAULT_REFUND_HORIZON_DAYS})"),
        );
        v.into_result()?;
        let (created, found) = self
            .desk
            .scan(body.dispute_horizon_days, body.refund_horizon_days)
            .await?;
        Ok(Response::new(pb::ScanEscalationsResponse {
            created,
            found,
        }))
    }
}
