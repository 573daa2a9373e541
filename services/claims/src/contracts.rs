//! The contracts service, asked over gRPC for shipments, the claim terms in
//! force on a ship date, and refund candidates. Calls carry the trace
//! context, and the caller's token wherever what the caller may see matters
//! (a shipment, a carrier's refund candidates). The claim terms are read
//! with the claims service's own identity: applying the contract is this
//! service's job, and a 3PL filing a claim is not entitled to read the
//! carrier's contract itself.

use chrono::NaiveDate;
use std::sync::Arc;

use recourse_platform::ApiError;
use recourse_platform::auth::{Principal, Role, TokenKeys};
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::contracts as cpb;
use recourse_proto::contracts::contract_service_client::ContractServiceClient;
use recourse_proto::contracts::shipment_service_client::ShipmentServiceClient;
use recourse_proto::contracts::sla_service_client::SlaServiceClient;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

type Authed = InterceptedService<Channel, OutboundInterceptor>;

#[derive(Debug, Clone)]
pub struct ContractsClient {
    channel: Channel,
    keys: Arc<TokenKeys>,
}

/// The subject of the claims service's own calls.
const SERVICE_SUBJECT: &str = "service:claims";

/// A failure of the contracts service, as the claims service's caller
/// should see it.
fn remote(status: tonic::Status, what: &str) -> ApiError {
    let message = format!("{what}: {}", status.message());
    match status.code() {
        Code::NotFound => ApiError::NotFound {
            resource: "shipment",
            name: what.to_owned(),
        },
        Code::InvalidArgument => ApiError::invalid("shipment", message),
        Code::FailedPrecondition => ApiError::FailedPrecondition {
            kind: "CONTRACT_TERMS",
            subject: what.to_owned(),
            message,
        },
        Code::PermissionDenied => ApiError::PermissionDenied(message),
        Code::Unauthenticated => ApiError::Unauthenticated(message),
        _ => ApiError::Unavailable(format!("contracts service: {message}")),
    }
}

impl ContractsClient {
    pub fn new(channel: Channel, keys: Arc<TokenKeys>) -> Self {
        Self { channel, keys }
    }

    /// A short-lived internal token for the service's own calls.
    fn service_token(&self) -> Result<String, ApiError> {
        let me =
            Principal::new(SERVICE_SUBJECT, Role::Internal, None).map_err(ApiError::internal)?;
        self.keys.mint(&me, 300).map_err(ApiError::internal)
    }

    fn authed(&self, token: Option<&str>) -> Result<Authed, ApiError> {
        let interceptor = OutboundInterceptor::new(token).map_err(ApiError::Unauthenticated)?;
        Ok(InterceptedService::new(self.channel.clone(), interceptor))
    }

    pub async fn shipment(
        &self,
        token: Option<&str>,
        shipment_id: &str,
    ) -> Result<cpb::Shipment, ApiError> {
        let name = format!("shipments/{shipment_id}");
        ShipmentServiceClient::new(self.authed(token)?)
            .get_shipment(cpb::GetShipmentRequest { name: name.clone() })
            .await
            .map(tonic::Response::into_inner)
            .map_err(|s| remote(s, &name))
    }

    pub async fn claim_terms(
        &self,
        carrier_id: &str,
        service_level: &str,
        claim_type: i32,
        ship_date: NaiveDate,
    ) -> Result<cpb::ClaimTerms, ApiError> {
        let carrier = format!("carriers/{carrier_id}");
        let token = self.service_token()?;
        ContractServiceClient::new(self.authed(Some(&token))?)
            .get_claim_terms(cpb::GetClaimTermsRequest {
                carrier: carrier.clone(),
                service_level: service_level.to_owned(),
                claim_type,
                ship_date: Some(date_to_proto(ship_date)),
            })
            .await
            .map(tonic::Response::into_inner)
            .map_err(|s| remote(s, &carrier))
    }

    /// Every open refund candidate of a carrier (all pages).
    pub async fn refund_candidates(
        &self,
        token: Option<&str>,
        carrier_id: &str,
    ) -> Result<Vec<cpb::RefundCandidate>, ApiError> {
        let carrier = format!("carriers/{carrier_id}");
        let mut client = SlaServiceClient::new(self.authed(token)?);
        let mut out = Vec::new();
        let mut page_token = String::new();
        loop {
            let page = client
                .list_refund_candidates(cpb::ListRefundCandidatesRequest {
                    carrier: carrier.clone(),
                    as_of: None,
                    page_size: 500,
                    page_token: page_token.clone(),
                })
                .await
                .map_err(|s| remote(s, &carrier))?
                .into_inner();
            out.extend(page.candidates);
            if page.next_page_token.is_empty() {
                return Ok(out);
            }
            page_token = page.next_page_token;
        }
    }
}
