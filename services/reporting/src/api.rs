//! gRPC glue for `recourse.reporting.v1.ReportingService`: who may call
//! what, request parsing, the report, the response. A carrier principal
//! reads only its own carrier's scorecard; asking for another is the
//! NOT_FOUND a made-up carrier gets (AIP-211).

use std::pin::Pin;

use recourse_platform::auth::{Principal, Role, principal};
use recourse_platform::{ApiError, visibility};
use recourse_proto::reporting as pb;
use recourse_proto::reporting::reporting_service_server::ReportingService;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::convert::{csv, qbr, requests, responses};
use crate::feeds::Consumers;
use crate::reports::Reports;

const OPERATORS: &[Role] = &[Role::Admin, Role::Internal, Role::Auditor];
const REBUILDERS: &[Role] = &[Role::Admin];
const SCORECARD_READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Finance,
    Role::Auditor,
    Role::Carrier,
];
const READERS: &[Role] = &[Role::Admin, Role::Internal, Role::Finance, Role::Auditor];
const FINANCE: &[Role] = &[Role::Admin, Role::Finance, Role::Auditor];

/// CSV bytes per streamed chunk (whole records); HTML bytes per chunk.
const CHUNK: usize = 64 * 1024;

type FileStream = Pin<Box<dyn Stream<Item = Result<pb::FileChunk, Status>> + Send>>;

/// `data` as a file download: the first chunk names the type and file.
fn file(content_type: &str, file_name: &str, chunks: Vec<Vec<u8>>) -> FileStream {
    let messages: Vec<Result<pb::FileChunk, Status>> = chunks
        .into_iter()
        .enumerate()
        .map(|(i, data)| {
            let first = i == 0;
            Ok(pb::FileChunk {
                content_type: if first {
                    content_type.to_owned()
                } else {
                    String::new()
                },
                file_name: if first {
                    file_name.to_owned()
                } else {
                    String::new()
                },
                data,
            })
        })
        .collect();
    Box::pin(tokio_stream::iter(messages))
}

#[derive(Clone)]
pub struct ReportingApi {
    reports: Reports,
    consumers: Consumers,
}

impl ReportingApi {
    pub fn new(reports: Reports, consumers: Consumers) -> Self {
        Self { reports, consumers }
    }

    async fn scorecard(
        &self,
        caller: &Principal,
        r: &pb::GetCarrierScorecardRequest,
    ) -> Result<pb::CarrierScorecard, ApiError> {
        caller.require(SCORECARD_READERS)?;
        let q = requests::scorecard(r)?;
        visibility::carrier(caller, &q.carrier)?;
        self.reports.known(&q.carrier).await?;
        let rows = self
            .reports
            .scorecard(Some(&q.carrier), q.period, &q.weights, q.as_of, true)
            .await?;
        let codes = self.reports.carriers().await?;
        Ok(pb::CarrierScorecard {
            rows: rows
                .iter()
                .map(|r| responses::scorecard_row(r, &q.period, &codes))
                .collect(),
            as_of: Some(recourse_platform::proto_types::timestamp_to_proto(q.as_of)),
        })
    }

    async fn comparison(
        &self,
        caller: &Principal,
        r: &pb::CompareCarriersRequest,
    ) -> Result<pb::CarrierComparison, ApiError> {
        caller.require(READERS)?;
        let q = requests::comparison(r)?;
        let rows = self
            .reports
            .scorecard(None, q.period, &q.weights, q.as_of, false)
            .await?;
        let codes = self.reports.carriers().await?;
        let rows = rows
            .iter()
            .map(|r| responses::scorecard_row(r, &q.period, &codes))
            .collect();
        Ok(pb::CarrierComparison {
            carriers: responses::ranked(rows),
            as_of: Some(recourse_platform::proto_types::timestamp_to_proto(q.as_of)),
        })
    }

    async fn aging(
        &self,
        caller: &Principal,
        r: &pb::GetClaimsAgingRequest,
    ) -> Result<pb::ClaimsAging, ApiError> {
        caller.require(READERS)?;
        let (carrier, as_of) = requests::aging(r)?;
        let rows = self.reports.aging(carrier.as_deref(), as_of).await?;
        Ok(responses::aging(&rows, as_of))
    }

    async fn reconciliation(
        &self,
        caller: &Principal,
        r: &pb::GetRecoveryReconciliationRequest,
    ) -> Result<pb::RecoveryReconciliation, ApiError> {
        caller.require(FINANCE)?;
        let (carrier, period) = requests::reconciliation(r)?;
        let rows = self
            .reports
            .reconciliation(carrier.as_deref(), period)
            .await?;
        Ok(responses::reconciliation(&rows, &period))
    }

    /// The report's CSV rows and a file name for it.
    async fn export(
        &self,
        caller: &Principal,
        r: &pb::ExportReportRequest,
    ) -> Result<(String, Vec<Vec<String>>), ApiError> {
        use pb::export_report_request::Report;
        match &r.report {
            Some(Report::Scorecard(s)) => {
                let report = self.scorecard(caller, s).await?;
                Ok(("scorecard.csv".into(), csv::scorecard(&report)))
            }
            Some(Report::Comparison(c)) => {
                let report = self.comparison(caller, c).await?;
                Ok(("carrier-comparison.csv".into(), csv::comparison(&report)))
            }
            Some(Report::Aging(a)) => {
                let report = self.aging(caller, a).await?;
                Ok(("claims-aging.csv".into(), csv::aging(&report)))
            }
            Some(Report::Reconciliation(x)) => {
                let report = self.reconciliation(caller, x).await?;
                Ok((
                    "recovery-reconciliation.csv".into(),
                    csv::reconciliation(&report),
                ))
            }
            None => Err(ApiError::invalid("report", "is required: name one report")),
        }
    }
}

#[tonic::async_trait]
impl ReportingService for ReportingApi {
    async fn get_feed_status(
        &self,
        request: Request<pb::GetFeedStatusRequest>,
    ) -> Result<Response<pb::FeedStatusResponse>, Status> {
        principal(&request)?.require(OPERATORS)?;
        // The producers' heads as of now, so lag = head - position is real.
        self.consumers.refresh_heads().await;
        let feeds = self
            .consumers
            .statuses()
            .iter()
            .map(responses::feed_status)
            .collect();
        Ok(Response::new(pb::FeedStatusResponse { feeds }))
    }

    async fn rebuild_read_models(
        &self,
        request: Request<pb::RebuildReadModelsRequest>,
    ) -> Result<Response<pb::RebuildReadModelsResponse>, Status> {
        principal(&request)?.require(REBUILDERS)?;
        self.consumers
            .rebuild()
            .await
            .map_err(|e| ApiError::from(crate::error::ReportingError::from(e)))?;
        tracing::info!("read models dropped; replaying every feed from position 0");
        Ok(Response::new(pb::RebuildReadModelsResponse {
            feeds: crate::feeds::FEEDS.map(str::to_owned).to_vec(),
        }))
    }

    async fn get_carrier_scorecard(
        &self,
        request: Request<pb::GetCarrierScorecardRequest>,
    ) -> Result<Response<pb::CarrierScorecard>, Status> {
        let caller = principal(&request)?;
        Ok(Response::new(
            self.scorecard(caller, request.get_ref()).await?,
        ))
    }

    async fn compare_carriers(
        &self,
        request: Request<pb::CompareCarriersRequest>,
    ) -> Result<Response<pb::CarrierComparison>, Status> {
        let caller = principal(&request)?;
        Ok(Response::new(
            self.comparison(caller, request.get_ref()).await?,
        ))
    }

    async fn get_claims_aging(
        &self,
        request: Request<pb::GetClaimsAgingRequest>,
    ) -> Result<Response<pb::ClaimsAging>, Status> {
        let caller = principal(&request)?;
        Ok(Response::new(self.aging(caller, request.get_ref()).await?))
    }

    async fn get_recovery_reconciliation(
        &self,
        request: Request<pb::GetRecoveryReconciliationRequest>,
    ) -> Result<Response<pb::RecoveryReconciliation>, Status> {
        let caller = principal(&request)?;
        Ok(Response::new(
            self.reconciliation(caller, request.get_ref()).await?,
        ))
    }

    type ExportReportStream = FileStream;

    async fn export_report(
        &self,
        request: Request<pb::ExportReportRequest>,
    ) -> Result<Response<Self::ExportReportStream>, Status> {
        let caller = principal(&request)?;
        let (file_name, rows) = self.export(caller, request.get_ref()).await?;
        let chunks = csv::encode(&rows, CHUNK).map_err(ApiError::internal)?;
        Ok(Response::new(file(
            "text/csv; charset=utf-8",
            &file_name,
            chunks,
        )))
    }

    type GetQbrPackStream = FileStream;

    async fn get_qbr_pack(
        &self,
        request: Request<pb::GetQbrPackRequest>,
    ) -> Result<Response<Self::GetQbrPackStream>, Status> {
        let caller = principal(&request)?;
        caller.require(SCORECARD_READERS)?;
        let q = requests::qbr(request.get_ref())?;
        visibility::carrier(caller, &q.carrier)?;
        self.reports
            .known(&q.carrier)
            .await
            .map_err(ApiError::from)?;
        let pack = self
            .reports
            .qbr(&q.carrier, q.quarter, q.as_of)
            .await
            .map_err(ApiError::from)?;
        let html = qbr::render(&pack).into_bytes();
        let chunks = html.chunks(CHUNK).map(<[u8]>::to_vec).collect();
        let name = format!(
            "qbr-{}-{}.html",
            pack.carrier_code,
            q.quarter.first.format("%Y-%m")
        );
        Ok(Response::new(file(
            "text/html; charset=utf-8",
            &name,
            chunks,
        )))
    }
}
