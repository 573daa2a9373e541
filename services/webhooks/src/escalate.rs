//! Raises an escalation item in the claims service's queue
//! (`EscalationService.CreateEscalation`, generated client, webhooks' own
//! internal token) for an endpoint disabled after persistent failure. The
//! queue keeps one open item per subject, so ALREADY_EXISTS means done.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use recourse_platform::auth::{Principal, Role, TokenKeys};
use recourse_platform::client::OutboundInterceptor;
use recourse_platform::proto_types::date_to_proto;
use recourse_proto::claims as cpb;
use recourse_proto::claims::escalation_service_client::EscalationServiceClient;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::repo::worker::Owed;

/// Who webhooks is to the other services.
pub const SUBJECT: &str = "service:webhooks";

#[derive(Clone)]
pub struct Escalations {
    channel: Channel,
    keys: Arc<TokenKeys>,
}

impl std::fmt::Debug for Escalations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Escalations")
    }
}

impl Escalations {
    pub fn new(channel: Channel, keys: Arc<TokenKeys>) -> Self {
        Self { channel, keys }
    }

    fn client(
        &self,
    ) -> Result<EscalationServiceClient<InterceptedService<Channel, OutboundInterceptor>>, Status>
    {
        let me = Principal::new(SUBJECT, Role::Internal, None).map_err(Status::internal)?;
        let token = self
            .keys
            .mint(&me, 300)
            .map_err(|e| Status::internal(e.to_string()))?;
        let interceptor = OutboundInterceptor::new(Some(&token)).map_err(Status::internal)?;
        Ok(EscalationServiceClient::new(InterceptedService::new(
            self.channel.clone(),
            interceptor,
        )))
    }

    /// Raises the item for `owed`, due the day after `now`; returns its
    /// name ("" when the queue already had an open one).
    pub async fn raise(&self, owed: &Owed, now: DateTime<Utc>) -> Result<String, Status> {
        let request = cpb::CreateEscalationRequest {
            subject: format!("webhookEndpoints/{}", owed.endpoint_id),
            carrier: if owed.carrier_id.is_empty() {
                String::new()
            } else {
                format!("carriers/{}", owed.carrier_id)
            },
            owner: String::new(),
            due_date: Some(date_to_proto((now + Duration::days(1)).date_naive())),
            summary: summary(owed),
        };
        match self.client()?.create_escalation(request).await {
            Ok(answer) => Ok(answer.into_inner().name),
            Err(status) if status.code() == Code::AlreadyExists => Ok(String::new()),
            Err(status) => Err(status),
        }
    }
}

fn summary(owed: &Owed) -> String {
    let text = format!(
        "Webhook endpoint {} was disabled: {}. Tell the partner, then re-enable it.",
        owed.url, owed.reason
    );
    text.chars().take(500).collect()
}
