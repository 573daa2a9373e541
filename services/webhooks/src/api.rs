//! gRPC glue for `recourse.webhooks.v1.WebhookService`: who may call what,
//! request parsing (`convert`), the use cases (`endpoints`), the answer.

use recourse_platform::auth::{Role, authorize};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_platform::{ApiError, Violations};
use recourse_proto::webhooks as pb;
use recourse_proto::webhooks::webhook_service_server::WebhookService;
use tonic::{Request, Response, Status};

use crate::convert;
use crate::endpoints::Desk;
use crate::repo::endpoints::Scope;

/// Roles that may register and change endpoints (partners their own).
const WRITERS: &[Role] = &[Role::Admin, Role::Internal, Role::Carrier, Role::ThirdParty];
/// Roles that may read endpoints and their delivery logs.
const READERS: &[Role] = &[
    Role::Admin,
    Role::Internal,
    Role::Carrier,
    Role::ThirdParty,
    Role::Finance,
    Role::Auditor,
];

#[derive(Debug, Clone)]
pub struct WebhookApi {
    desk: Desk,
}

impl WebhookApi {
    pub fn new(desk: Desk) -> Self {
        Self { desk }
    }
}

fn one_id(field: &str, name: &str) -> Result<String, ApiError> {
    let mut v = Violations::new();
    let id = convert::endpoint_id(&mut v, field, name);
    v.into_result()?;
    id.ok_or_else(|| ApiError::invalid(field, "is invalid"))
}

fn scope_fingerprint(scope: &Scope) -> String {
    match scope {
        Scope::Any => String::new(),
        Scope::Carrier(c) => format!("c:{c}"),
        Scope::Account(a) => format!("a:{a}"),
    }
}

#[tonic::async_trait]
impl WebhookService for WebhookApi {
    async fn create_webhook_endpoint(
        &self,
        request: Request<pb::CreateWebhookEndpointRequest>,
    ) -> Result<Response<pb::WebhookEndpoint>, Status> {
        let caller = authorize(&request, WRITERS)?.clone();
        let body = request.into_inner();
        let key = IdempotencyKey::new("CreateWebhookEndpoint", &caller, &body.request_id, &body)?;
        let new = convert::new_endpoint(&caller, body.webhook_endpoint.as_ref())?;
        let created = self
            .desk
            .create(key, new, |e| convert::to_proto(e, true))
            .await?;
        Ok(Response::new(created))
    }

    async fn get_webhook_endpoint(
        &self,
        request: Request<pb::GetWebhookEndpointRequest>,
    ) -> Result<Response<pb::WebhookEndpoint>, Status> {
        let caller = authorize(&request, READERS)?;
        let id = one_id("name", &request.get_ref().name)?;
        let endpoint = self.desk.get(&id, &convert::scope(caller)).await?;
        Ok(Response::new(convert::to_proto(&endpoint, false)))
    }

    async fn list_webhook_endpoints(
        &self,
        request: Request<pb::ListWebhookEndpointsRequest>,
    ) -> Result<Response<pb::ListWebhookEndpointsResponse>, Status> {
        let caller = authorize(&request, READERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let carrier = match body.carrier.as_str() {
            "" => None,
            name => recourse_platform::names::carrier_id(&mut v, "carrier", name),
        };
        v.into_result()?;
        let scope = convert::scope(caller);
        if let (Scope::Carrier(own), Some(asked)) = (&scope, &carrier)
            && own != asked
        {
            return Err(recourse_platform::visibility::not_found(
                "carrier",
                format!("carriers/{asked}"),
            )
            .into());
        }
        let fingerprint = format!(
            "{}|{}",
            scope_fingerprint(&scope),
            carrier.as_deref().unwrap_or_default()
        );
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (endpoints, next_page_token) =
            self.desk.list(&scope, carrier.as_deref(), &page).await?;
        Ok(Response::new(pb::ListWebhookEndpointsResponse {
            webhook_endpoints: endpoints
                .iter()
                .map(|e| convert::to_proto(e, false))
                .collect(),
            next_page_token,
        }))
    }

    async fn update_webhook_endpoint(
        &self,
        request: Request<pb::UpdateWebhookEndpointRequest>,
    ) -> Result<Response<pb::WebhookEndpoint>, Status> {
        let caller = authorize(&request, WRITERS)?;
        let body = request.get_ref();
        let (id, etag, patch) =
            convert::patch(body.webhook_endpoint.as_ref(), body.update_mask.as_ref())?;
        let updated = self
            .desk
            .update(&id, &convert::scope(caller), etag, patch, &caller.subject)
            .await?;
        Ok(Response::new(convert::to_proto(&updated, false)))
    }

    async fn delete_webhook_endpoint(
        &self,
        request: Request<pb::DeleteWebhookEndpointRequest>,
    ) -> Result<Response<()>, Status> {
        let caller = authorize(&request, WRITERS)?;
        let id = one_id("name", &request.get_ref().name)?;
        self.desk.delete(&id, &convert::scope(caller)).await?;
        Ok(Response::new(()))
    }

    async fn rotate_webhook_secret(
        &self,
        request: Request<pb::RotateWebhookSecretRequest>,
    ) -> Result<Response<pb::WebhookEndpoint>, Status> {
        let caller = authorize(&request, WRITERS)?;
        let body = request.get_ref();
        let mut v = Violations::new();
        let id = convert::endpoint_id(&mut v, "name", &body.name);
        let given = recourse_platform::etag::collect(&mut v, "etag", &body.etag);
        v.into_result()?;
        let (Some(id), Some(given)) = (id, given) else {
            return Err(ApiError::invalid("name", "is invalid").into());
        };
        let rotated = self
            .desk
            .rotate(&id, &convert::scope(caller), given)
            .await?;
        Ok(Response::new(convert::to_proto(&rotated, true)))
    }

    async fn list_deliveries(
        &self,
        request: Request<pb::ListDeliveriesRequest>,
    ) -> Result<Response<pb::ListDeliveriesResponse>, Status> {
        let caller = authorize(&request, READERS)?;
        let body = request.get_ref();
        let id = one_id("parent", &body.parent)?;
        let state = convert::delivery_state_from_proto(body.state)?;
        let fingerprint = format!("{id}|{}", body.state);
        let page = PageRequest::parse(body.page_size, &body.page_token, fingerprint)?;
        let (deliveries, next_page_token) = self
            .desk
            .deliveries(&id, &convert::scope(caller), state, &page)
            .await?;
        Ok(Response::new(pb::ListDeliveriesResponse {
            deliveries: deliveries.iter().map(convert::delivery_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn redeliver_delivery(
        &self,
        request: Request<pb::RedeliverDeliveryRequest>,
    ) -> Result<Response<pb::Delivery>, Status> {
        let caller = authorize(&request, WRITERS)?;
        let mut v = Violations::new();
        let parsed = convert::delivery_name(&mut v, "name", &request.get_ref().name);
        v.into_result()?;
        let Some((endpoint, id)) = parsed else {
            return Err(ApiError::invalid("name", "is invalid").into());
        };
        let delivery = self
            .desk
            .redeliver(&endpoint, &id, &convert::scope(caller))
            .await?;
        Ok(Response::new(convert::delivery_to_proto(&delivery)))
    }
}
