//! The carriers service, asked over gRPC (never its database) whether a
//! carrier and its service levels exist. Calls carry the caller's token and
//! trace context, so the carriers service applies its own partner rules.

use recourse_platform::ApiError;
use recourse_platform::client::OutboundInterceptor;
use recourse_proto::carriers as pb;
use recourse_proto::carriers::carrier_service_client::CarrierServiceClient;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

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
    ) -> Result<pb::Carrier, ApiError> {
        let interceptor = OutboundInterceptor::new(token).map_err(ApiError::Unauthenticated)?;
        let mut client =
            CarrierServiceClient::new(InterceptedService::new(self.channel.clone(), interceptor));
        let name = format!("carriers/{carrier_id}");
        match client
            .get_carrier(pb::GetCarrierRequest { name: name.clone() })
            .await
        {
            Ok(response) => Ok(response.into_inner()),
            Err(status) => Err(match status.code() {
                Code::NotFound | Code::InvalidArgument => ApiError::NotFound {
                    resource: "carrier",
                    name,
                },
                Code::PermissionDenied => ApiError::PermissionDenied(status.message().to_owned()),
                Code::Unauthenticated => ApiError::Unauthenticated(status.message().to_owned()),
                _ => ApiError::Unavailable(format!("carriers service: {}", status.message())),
            }),
        }
    }
}

/// Whether `carrier` sells `service_level`.
pub fn sells(carrier: &pb::Carrier, service_level: &str) -> bool {
    carrier
        .service_levels
        .iter()
        .any(|l| l.code == service_level)
}
