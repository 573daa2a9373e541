//! The carriers service, asked over gRPC (never its database) whether a
//! carrier exists and which service levels it sells. Calls carry the
//! caller's token and trace context, so the carriers service applies its
//! own partner rules; its failures reach our caller with their own code,
//! message and details (`client::upstream`), a deadline included.

use recourse_platform::ApiError;
use recourse_platform::client::{OutboundInterceptor, upstream};
use recourse_proto::carriers as pb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// What the contracts service needs to know of a carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierFacts {
    /// `carriers/{id}`.
    pub name: String,
    /// The codes of the service levels it sells.
    pub service_levels: Vec<String>,
}

impl CarrierFacts {
    pub fn sells(&self, service_level: &str) -> bool {
        self.service_levels.iter().any(|l| l == service_level)
    }
}

#[derive(Debug, Clone)]
pub struct CarrierDirectory {
    channel: Channel,
}

impl CarrierDirectory {
    pub fn new(channel: Channel) -> Self {
        Self { channel }
    }

    /// The carrier `carriers/{id}`, read as the caller.
    pub async fn carrier(
        &self,
        token: Option<&str>,
        carrier_id: &str,
    ) -> Result<CarrierFacts, ApiError> {
        let interceptor = OutboundInterceptor::new(token).map_err(ApiError::Unauthenticated)?;
        let mut client =
            CarrierServiceClient::new(InterceptedService::new(self.channel.clone(), interceptor));
        let carrier = client
            .get_carrier(pb::GetCarrierRequest {
                name: format!("carriers/{carrier_id}"),
            })
            .await
            .map_err(upstream)?
            .into_inner();
        Ok(CarrierFacts {
            name: carrier.name,
            service_levels: carrier.service_levels.into_iter().map(|l| l.code).collect(),
        })
    }
}
