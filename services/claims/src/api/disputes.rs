//! `recourse.claims.v1.DisputeService`: finance and admin dispute invoice
//! lines and submit them; the carrier (its own, once submitted) and admin
//! answer; finance, admin, internal and auditors read.

use recourse_platform::auth::{Role, authorize};
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations, visibility};
use recourse_proto::claims as pb;
use recourse_proto::claims::dispute_service_server::DisputeService;
use tonic::{Request, Response, Status};

use crate::convert::disputes::{dispute, history_entry, status_from_proto, transition};
use crate::convert::{carrier_id, resource_id};
use crate::disputes::{DisputeDesk, MAX_SELECTED_LINES};
use crate::repo::disputes::DisputeFilter;

/// Who makes and submits disputes.
const DISPUTERS: &[Role] = &[Role::Admin, Role::Finance];
/// Who reads them (a carrier its own, once submitted).
const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Finance,
    Role::Auditor,
    Role::Carrier,
];
/// Who moves them; which move is `disputes::may_move`'s business.
const MOVERS: &[Role] = &[Role::Admin, Role::Finance, Role::Carrier];

#[derive(Debug, Clone)]
pub struct DisputeApi {
    desk: DisputeDesk,
}

impl DisputeApi {
    pub fn new(desk: DisputeDesk) -> Self {
        Self { desk }
    }
}

fn invalid() -> Status {
    ApiError::invalid("request", "is invalid").into()
}

#[tonic::async_trait]
impl DisputeService for DisputeApi {
    async fn create_disputes(
        &self,
        request: Request<pb::CreateDisputesRequest>,
    ) -> Result<Response<pb::CreateDisputesResponse>, Status> {
        let caller = authorize(&request, DISPUTERS)?.clone();
        let body = request.get_ref();
        let mut v = Violations::new();
        let invoice = resource_id(&mut v, "invoice", "invoices", &body.invoice);
        v.check(
            body.lines.len() <= MAX_SELECTED_LINES,
            "lines",
            format!("must name at most {MAX_SELECTED_LINES} lines"),
        );
        v.into_result()?;
        let invoice = invoice.ok_or_else(invalid)?;
        let outcome = self.desk.create(&caller, &invoice, &body.lines).await?;
        Ok(Response::new(pb::CreateDisputesResponse {
            disputes: outcome.created.iter().map(dispute).collect(),
            created_count: outcome.created_count,
            skipped: outcome
                .skipped
                .into_iter()
                .map(|s| pb::SkippedLine {
                    line: s.line,
                    reason: s.reason.to_owned(),
                    dispute: s.existing.unwrap_or_default(),
                })
                .collect(),
            skipped_count: outcome.skipped_count,
        }))
    }

    async fn get_dispute(
        &self,
        request: Request<pb::GetDisputeRequest>,
    ) -> Result<Response<pb::Dispute>, Status> {
        let caller = authorize(&request, READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "disputes", &request.get_ref().name);
        v.into_result()?;
        let found = self.desk.get(caller, &id.ok_or_else(invalid)?).await?;
        Ok(Response::new(dispute(&found)))
    }

    async fn list_disputes(
        &self,
        request: Request<pb::ListDisputesRequest>,
    ) -> Result<Response<pb::ListDisputesResponse>, Status> {
        let caller = authorize(&request, READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => carrier_id(&mut v, "carrier", name),
        };
        let invoice = match body.invoice.as_str() {
            "" => None,
            name => resource_id(&mut v, "invoice", "invoices", name),
        };
        v.into_result()?;
        let filter = DisputeFilter {
            carrier_id: visibility::carrier_filter(caller, carrier)?,
            invoice_id: invoice,
            status: status_from_proto(body.status()),
            submitted_only: false,
        };
        let fingerprint = format!("{filter:?}");
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (rows, next_page_token) = self.desk.list(caller, filter, &page).await?;
        Ok(Response::new(pb::ListDisputesResponse {
            disputes: rows.iter().map(dispute).collect(),
            next_page_token,
        }))
    }

    async fn transition_dispute(
        &self,
        request: Request<pb::TransitionDisputeRequest>,
    ) -> Result<Response<pb::Dispute>, Status> {
        let caller = authorize(&request, MOVERS)?.clone();
        let body = request.get_ref();
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "disputes", &body.name);
        let parsed = transition(&mut v, body);
        v.into_result()?;
        let (id, (given, mv, note)) = id.zip(parsed).ok_or_else(invalid)?;
        let moved = self.desk.transition(&caller, &id, given, mv, &note).await?;
        Ok(Response::new(dispute(&moved)))
    }

    async fn list_dispute_history(
        &self,
        request: Request<pb::ListDisputeHistoryRequest>,
    ) -> Result<Response<pb::ListDisputeHistoryResponse>, Status> {
        let caller = authorize(&request, READERS)?;
        let mut v = Violations::new();
        let id = resource_id(&mut v, "name", "disputes", &request.get_ref().name);
        v.into_result()?;
        let rows = self.desk.history(caller, &id.ok_or_else(invalid)?).await?;
        Ok(Response::new(pb::ListDisputeHistoryResponse {
            entries: rows.iter().map(history_entry).collect(),
        }))
    }
}
