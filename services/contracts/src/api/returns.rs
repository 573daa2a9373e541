//! `recourse.contracts.v1.ReturnService`: roles, parsing, rendering.
//! A carrier principal reads its own carrier's rows (another carrier named
//! in the filter is NOT_FOUND, AIP-211); a 3PL its own account's.

use recourse_platform::auth::{Role, principal};
use recourse_proto::contracts as pb;
use recourse_proto::contracts::return_service_server::ReturnService;
use tonic::{Request, Response, Status};

use crate::convert::returns::{range, report_to_proto};
use crate::shop::{ReturnsDesk, ReturnsQuery};

const REPORT_READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::ThirdParty,
    Role::Finance,
    Role::Auditor,
];

#[derive(Debug, Clone)]
pub struct ReturnsApi {
    desk: ReturnsDesk,
}

impl ReturnsApi {
    pub fn new(desk: ReturnsDesk) -> Self {
        Self { desk }
    }
}

#[tonic::async_trait]
impl ReturnService for ReturnsApi {
    async fn get_returns_report(
        &self,
        request: Request<pb::GetReturnsReportRequest>,
    ) -> Result<Response<pb::ReturnsReport>, Status> {
        let caller = principal(&request)?;
        caller.require(REPORT_READERS)?;
        let body = request.get_ref();
        let carrier = super::carrier_filter(caller, &body.carrier, false)?;
        let (from, to) = range(body)?;
        let rows = self
            .desk
            .report(&ReturnsQuery {
                from,
                to,
                carrier,
                account: caller.party_scope().map(str::to_owned),
            })
            .await?;
        Ok(Response::new(report_to_proto(&rows)))
    }
}
