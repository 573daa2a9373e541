//! gRPC glue for `recourse.gateway.v1.ApiKeyService`: admin only, request
//! parsing, and the response. Rules live in `domain`, storage in `repo`,
//! use cases in `keys`.

use chrono::{Duration, Utc};
use recourse_platform::ApiError;
use recourse_platform::auth::{Role, principal};
use recourse_platform::idempotency::IdempotencyKey;
use recourse_platform::pagination::PageRequest;
use recourse_proto::gateway as pb;
use recourse_proto::gateway::api_key_service_server::ApiKeyService;
use tonic::{Request, Response, Status};

use crate::convert;
use crate::domain::KeyId;
use crate::keys::KeyBook;

const ADMINS: &[Role] = &[Role::Admin];

#[derive(Debug, Clone)]
pub struct ApiKeyApi {
    book: KeyBook,
}

impl ApiKeyApi {
    pub fn new(book: KeyBook) -> Self {
        Self { book }
    }
}

fn parse_name(field: &str, name: &str) -> Result<KeyId, ApiError> {
    KeyId::parse_name(name).map_err(|e| ApiError::invalid(field, e))
}

#[tonic::async_trait]
impl ApiKeyService for ApiKeyApi {
    async fn create_api_key(
        &self,
        request: Request<pb::CreateApiKeyRequest>,
    ) -> Result<Response<pb::CreateApiKeyResponse>, Status> {
        let caller = principal(&request)?.clone();
        caller.require(ADMINS)?;
        let body = request.into_inner();
        let key = IdempotencyKey::new("CreateApiKey", &caller, &body.request_id, &body)?;
        let new = convert::new_api_key(body.api_key.as_ref(), Utc::now())?;
        let created = self.book.create(key, new).await?;
        Ok(Response::new(pb::CreateApiKeyResponse {
            api_key: Some(created.key),
            key: created.full_key.unwrap_or_default(),
        }))
    }

    async fn get_api_key(
        &self,
        request: Request<pb::GetApiKeyRequest>,
    ) -> Result<Response<pb::ApiKey>, Status> {
        principal(&request)?.require(ADMINS)?;
        let id = parse_name("name", &request.get_ref().name)?;
        let key = self.book.get(&id).await?;
        Ok(Response::new(convert::to_proto(&key, Utc::now())))
    }

    async fn list_api_keys(
        &self,
        request: Request<pb::ListApiKeysRequest>,
    ) -> Result<Response<pb::ListApiKeysResponse>, Status> {
        principal(&request)?.require(ADMINS)?;
        let body = request.get_ref();
        let page = PageRequest::parse(
            body.page_size,
            &body.page_token,
            format!("show_revoked={}", body.show_revoked),
        )?;
        let (keys, next_page_token) = self.book.list(body.show_revoked, &page).await?;
        let now = Utc::now();
        Ok(Response::new(pb::ListApiKeysResponse {
            api_keys: keys.iter().map(|k| convert::to_proto(k, now)).collect(),
            next_page_token,
        }))
    }

    async fn rotate_api_key(
        &self,
        request: Request<pb::RotateApiKeyRequest>,
    ) -> Result<Response<pb::RotateApiKeyResponse>, Status> {
        principal(&request)?.require(ADMINS)?;
        let body = request.get_ref();
        let id = parse_name("name", &body.name)?;
        let etag = convert::etag("etag", &body.etag)?;
        let grace = Duration::seconds(i64::from(body.grace_period_seconds));
        let rotated = self.book.rotate(&id, grace, etag).await?;
        Ok(Response::new(pb::RotateApiKeyResponse {
            api_key: Some(convert::to_proto(&rotated.key, Utc::now())),
            key: rotated.full_key,
        }))
    }

    async fn revoke_api_key(
        &self,
        request: Request<pb::RevokeApiKeyRequest>,
    ) -> Result<Response<pb::ApiKey>, Status> {
        principal(&request)?.require(ADMINS)?;
        let body = request.get_ref();
        let id = parse_name("name", &body.name)?;
        let etag = convert::etag("etag", &body.etag)?;
        let key = self.book.revoke(&id, etag).await?;
        Ok(Response::new(convert::to_proto(&key, Utc::now())))
    }
}
