//! `recourse.contracts.v1.PlanningService`: roles, parsing, rendering.
//! Forecasts are written by admin and internal; the plan is read by them,
//! finance and auditors, and by a carrier principal for its own carrier
//! only (no other carrier is ever named to it). 3PLs: PERMISSION_DENIED.

use recourse_platform::ApiError;
use recourse_platform::auth::{bearer_token, principal};
use recourse_platform::visibility::lookup_scope;
use recourse_proto::contracts as pb;
use recourse_proto::contracts::planning_service_server::PlanningService;
use tonic::{Request, Response, Status, Streaming};

use super::{READERS, WRITERS};
use crate::convert::limits;
use crate::convert::planning::{
    forecast_input, forecast_to_proto, parse_csv, plan_input, plan_to_proto,
};
use crate::shop::Planner;

#[derive(Debug, Clone)]
pub struct PlanningApi {
    planner: Planner,
}

impl PlanningApi {
    pub fn new(planner: Planner) -> Self {
        Self { planner }
    }
}

#[tonic::async_trait]
impl PlanningService for PlanningApi {
    async fn record_forecast(
        &self,
        request: Request<pb::RecordForecastRequest>,
    ) -> Result<Response<pb::Forecast>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let token = bearer_token(&request);
        let forecast = forecast_input(request.get_ref())?;
        let at = self.planner.record(token, forecast.clone()).await?;
        Ok(Response::new(forecast_to_proto(&forecast, at)))
    }

    async fn import_forecasts(
        &self,
        request: Request<Streaming<pb::ImportForecastsRequest>>,
    ) -> Result<Response<pb::ImportForecastsResponse>, Status> {
        let caller = principal(&request)?;
        caller.require(WRITERS)?;
        let token = bearer_token(&request).map(str::to_owned);
        let mut stream = request.into_inner();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.message().await? {
            bytes.extend_from_slice(&chunk.csv);
            if bytes.len() > limits::FORECAST_FILE_BYTES {
                return Err(ApiError::invalid(
                    "csv",
                    format!(
                        "a forecast file may be at most {} bytes; split it",
                        limits::FORECAST_FILE_BYTES
                    ),
                )
                .into());
            }
        }
        let parsed = parse_csv(&bytes)?;
        let outcome = self
            .planner
            .import(token.as_deref(), parsed.rows, parsed.good, parsed.errors)
            .await?;
        Ok(Response::new(pb::ImportForecastsResponse {
            rows: outcome.rows,
            recorded: outcome.recorded,
            errors: outcome
                .errors
                .listed
                .into_iter()
                .map(|(line, message)| pb::ForecastImportError { line, message })
                .collect(),
            more_errors: outcome.errors.more,
        }))
    }

    async fn get_capacity_plan(
        &self,
        request: Request<pb::GetCapacityPlanRequest>,
    ) -> Result<Response<pb::CapacityPlan>, Status> {
        let caller = principal(&request)?;
        caller.require(READERS)?;
        let token = bearer_token(&request);
        let (from, to) = plan_input(request.get_ref())?;
        let plan = self
            .planner
            .plan(token, lookup_scope(caller), from, to)
            .await?;
        Ok(Response::new(plan_to_proto(&plan)))
    }
}
